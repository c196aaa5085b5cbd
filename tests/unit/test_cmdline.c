// SPDX-License-Identifier: MIT
/* The command-line rule (handoff/cmdline.c): printable ASCII, at most the kernel's
 * cmdline_size and LUGATE_CMDLINE_MAX, with the bundle applying the same rule. */
#include "helpers.h"
#include <lugate/bundle.h>
#include <lugate/cmdline.h>

static int check(const char *s, uint32_t cmdline_size)
{
	return lugate_cmdline_check(s, strlen(s), cmdline_size);
}

static void printable_accepted(void **state)
{
	(void)state;
	char all[0x7f - 0x20 + 1];
	for (int c = 0x20; c < 0x7f; c++)
		all[c - 0x20] = (char)c;
	all[sizeof(all) - 1] = '\0';
	assert_int_equal(check("root=/dev/vda1 console=ttyS0 quiet", 2047), 0);
	assert_int_equal(check("", 2047), 0);
	assert_int_equal(lugate_cmdline_check(NULL, 0, 2047), 0);
	assert_int_equal(check(all, 2047), 0); /* space through tilde, quotes and backslash too */
	assert_int_equal(lugate_cmdline_bad_at(all, strlen(all)), strlen(all));
}

static void control_and_non_ascii_refused(void **state)
{
	(void)state;
	static const char *const bad[] = { "a\nb", "a\tb", "a\rb", "\x1b[31m", "caf\xc3\xa9", "x\x7f", "\x01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(bad[i], 2047), LUGATE_ERR_BADSTRING);
	assert_int_equal(lugate_cmdline_bad_at("root=x\nquiet", 12), 6);
	assert_int_equal(lugate_cmdline_bad_at("caf\xc3\xa9", 5), 3);
	/* a NUL inside the given length is a bad byte, not an end */
	assert_int_equal(lugate_cmdline_check("ab\0cd", 5, 2047), LUGATE_ERR_BADSTRING);
	assert_int_equal(lugate_cmdline_bad_at("ab\0cd", 5), 2);
	/* a bad byte is named before a bad length */
	char *s = malloc(3000);
	memset(s, 'a', 3000);
	s[2999] = '\n';
	assert_int_equal(lugate_cmdline_check(s, 3000, 2047), LUGATE_ERR_BADSTRING);
	free(s);
	assert_int_equal(lugate_cmdline_check(NULL, 1, 2047), LUGATE_ERR_INVAL);
}

static void length_bounded_by_cmdline_size(void **state)
{
	(void)state;
	char *s = malloc(LUGATE_CMDLINE_MAX + 2);
	memset(s, 'x', LUGATE_CMDLINE_MAX + 2);
	assert_int_equal(lugate_cmdline_check(s, 2047, 2047), 0);
	assert_int_equal(lugate_cmdline_check(s, 2048, 2047), LUGATE_ERR_RANGE);
	assert_int_equal(lugate_cmdline_check(s, 3000, 2047), LUGATE_ERR_RANGE);
	assert_int_equal(lugate_cmdline_check(s, 255, 255), 0);
	assert_int_equal(lugate_cmdline_check(s, 256, 255), LUGATE_ERR_RANGE);
	/* no limit stated (0), or one past what lugate carries: LUGATE_CMDLINE_MAX */
	assert_int_equal(lugate_cmdline_check(s, LUGATE_CMDLINE_MAX, 0), 0);
	assert_int_equal(lugate_cmdline_check(s, LUGATE_CMDLINE_MAX + 1, 0), LUGATE_ERR_RANGE);
	assert_int_equal(lugate_cmdline_check(s, LUGATE_CMDLINE_MAX + 1, 100000), LUGATE_ERR_RANGE);
	assert_int_equal(lugate_cmdline_limit(2047), 2047);
	assert_int_equal(lugate_cmdline_limit(0), LUGATE_CMDLINE_MAX);
	assert_int_equal(lugate_cmdline_limit(UINT32_MAX), LUGATE_CMDLINE_MAX);
	free(s);
}

/* The bundle applies the same rule to its command-line entries, both when built and when opened. */
static void bundle_uses_the_rule(void **state)
{
	(void)state;
	static uint8_t table[64], kernel[64], buf[3 * 4096 + 4096];
	char *longest = malloc(LUGATE_CMDLINE_MAX + 1);
	struct lugate_bundle_input in[3] = {
		{ LUGATE_BUNDLE_TABLE, table, sizeof(table) },
		{ LUGATE_BUNDLE_KERNEL, kernel, sizeof(kernel) },
		{ LUGATE_BUNDLE_CMDLINE, "quiet\x1b", 6 },
	};
	memset(longest, 'y', LUGATE_CMDLINE_MAX + 1);
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), in, 3, NULL), LUGATE_ERR_BADSTRING);
	in[2] = (struct lugate_bundle_input){ LUGATE_BUNDLE_CMDLINE, "caf\xc3\xa9", 5 };
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), in, 3, NULL), LUGATE_ERR_BADSTRING);
	in[2] = (struct lugate_bundle_input){ LUGATE_BUNDLE_CMDLINE, longest, LUGATE_CMDLINE_MAX + 1 };
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), in, 3, NULL), LUGATE_ERR_BADSTRING);
	in[2] = (struct lugate_bundle_input){ LUGATE_BUNDLE_CMDLINE, longest, LUGATE_CMDLINE_MAX };
	long long n = lugate_bundle_build(buf, sizeof(buf), in, 3, NULL);
	assert_true(n > 0);
	struct lugate_bundle b;
	assert_int_equal(lugate_bundle_open(buf, (uint64_t)n, &b), 0);
	free(longest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_accepted),
		cmocka_unit_test(control_and_non_ascii_refused),
		cmocka_unit_test(length_bounded_by_cmdline_size),
		cmocka_unit_test(bundle_uses_the_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
