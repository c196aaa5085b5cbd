// SPDX-License-Identifier: MIT
/* Release strings, the path kinds and the policy text (handoff/policy.c, docs/policy.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lugate/check.h>
#include <lugate/error.h>
#include <lugate/policy.h>

#define ALL3 (LUGATE_PATH_SAME | LUGATE_PATH_STABLE_NEXT | LUGATE_PATH_MINOR_NEXT)

/* ---- helpers ---------------------------------------------------------------------- */

/* Copy the characters of s, without its NUL, into a buffer that is not a string. */
static void put_chars(char *dst, const char *s)
{
	while (*s)
		*dst++ = *s++;
}

/* Parse from an exactly-sized heap copy, so a read past len is a heap overflow (ASan). */
static int parse_exact(const char *s, size_t n, struct lugate_release *r)
{
	char *copy = malloc(n ? n : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, s, n);
	err = lugate_release_parse(copy, n, r);
	free(copy);
	return err;
}

static struct lugate_release rel(const char *s)
{
	struct lugate_release r;
	assert_int_equal(parse_exact(s, strlen(s), &r), 0);
	return r;
}

static void assert_bad_release(const char *s, size_t n)
{
	struct lugate_release r;
	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(parse_exact(s, n, &r), LUGATE_ERR_BADRELEASE);
	/* nothing half-parsed is handed back */
	assert_int_equal(r.major, 0);
	assert_int_equal(r.flavour_len, 0);
	assert_false(r.has_abi);
}

static int cmp(const char *a, const char *b)
{
	struct lugate_release ra = rel(a), rb = rel(b);
	return lugate_release_cmp(&ra, &rb);
}

static void policy_from(const char *text, struct lugate_policy *p)
{
	uint32_t line = 99;
	assert_int_equal(lugate_policy_parse(text, strlen(text), p, &line), 0);
	assert_int_equal(line, 0);
}

static void expect_policy_error(const char *text, size_t n, int err, uint32_t line)
{
	struct lugate_policy p;
	uint32_t got_line = 0;
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, text, n);
	assert_int_equal(lugate_policy_parse(copy, n, &p, &got_line), err);
	free(copy);
	assert_int_equal(got_line, line);
	/* a failed parse leaves the default policy, never half a policy */
	assert_int_equal(p.kinds, LUGATE_POLICY_DEFAULT_KINDS);
	assert_int_equal(p.allow_count, 0);
}

#define EXPECT_POLICY_ERROR(text, err, line) expect_policy_error(text, strlen(text), err, line)

static void expect_path(const struct lugate_policy *p, const char *from, const char *to,
			enum lugate_path want, int want_why)
{
	int why = -1;
	enum lugate_path got = lugate_policy_classify(p, from, to, &why);
	if (got != want || why != want_why)
		print_error("%s -> %s: path %s why %d, want %s why %d\n", from, to, lugate_path_name(got),
			    why, lugate_path_name(want), want_why);
	assert_int_equal(got, want);
	assert_int_equal(why, want_why);
}

static void expect_default(const char *from, const char *to, enum lugate_path want, int want_why)
{
	struct lugate_policy p;
	lugate_policy_default(&p);
	expect_path(&p, from, to, want, want_why);
	expect_path(NULL, from, to, want, want_why); /* NULL policy means the default */
}

static void expect_under(const char *policy_text, const char *from, const char *to,
			 enum lugate_path want, int want_why)
{
	struct lugate_policy p;
	policy_from(policy_text, &p);
	expect_path(&p, from, to, want, want_why);
}

/* ---- release parsing ------------------------------------------------------------- */

static void release_plain(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.12.5");
	assert_int_equal(r.major, 6);
	assert_int_equal(r.minor, 12);
	assert_int_equal(r.patch, 5);
	assert_int_equal(r.rc, 0);
	assert_false(r.has_abi);
	assert_int_equal(r.local_len, 0);
	assert_int_equal(r.flavour_len, 0);
	assert_string_equal(r.flavour, "");
	assert_string_equal(r.local, "");
}

static void release_debian_abi_flavour(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.1.0-55-amd64");
	assert_int_equal(r.major, 6);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.patch, 0);
	assert_true(r.has_abi);
	assert_int_equal(r.abi, 55);
	assert_int_equal(r.flavour_len, 5);
	assert_string_equal(r.flavour, "amd64");
	assert_int_equal(r.local_len, 0);
}

static void release_multi_part_flavour(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.1.0-56-cloud-amd64");
	assert_true(r.has_abi);
	assert_int_equal(r.abi, 56);
	assert_string_equal(r.flavour, "cloud-amd64");
	assert_int_equal(r.flavour_len, 11);
}

static void release_local_suffix_is_flavour(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.12.5-lu1");
	assert_int_equal(r.patch, 5);
	assert_false(r.has_abi);
	assert_string_equal(r.flavour, "lu1");
}

static void release_abi_without_flavour(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.1.0-55");
	assert_true(r.has_abi);
	assert_int_equal(r.abi, 55);
	assert_int_equal(r.flavour_len, 0);
}

static void release_digit_led_flavour_is_not_abi(void **state)
{
	(void)state;
	/* Debian backports: "0" is followed by '.', so it is no ABI */
	struct lugate_release r = rel("6.1.0-0.deb11.17-amd64");
	assert_false(r.has_abi);
	assert_string_equal(r.flavour, "0.deb11.17-amd64");
}

static void release_rc(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.13.0-rc3");
	assert_int_equal(r.minor, 13);
	assert_int_equal(r.rc, 3);
	assert_false(r.has_abi);
	assert_int_equal(r.flavour_len, 0);
}

static void release_rc_with_everything(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.13.0-rc3+deb13-7-cloud-amd64");
	assert_int_equal(r.rc, 3);
	assert_string_equal(r.local, "deb13");
	assert_int_equal(r.local_len, 5);
	assert_true(r.has_abi);
	assert_int_equal(r.abi, 7);
	assert_string_equal(r.flavour, "cloud-amd64");
}

static void release_rc_word_without_digits_is_flavour(void **state)
{
	(void)state;
	struct lugate_release r = rel("6.13.0-rcfoo");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.flavour, "rcfoo");
}

static void release_debian_new_style_local(void **state)
{
	(void)state;
	struct lugate_release r = rel("7.3.4+deb13-amd64");
	assert_int_equal(r.major, 7);
	assert_int_equal(r.minor, 3);
	assert_int_equal(r.patch, 4);
	assert_string_equal(r.local, "deb13");
	assert_false(r.has_abi);
	assert_string_equal(r.flavour, "amd64");

	r = rel("6.12.38+deb13-cloud-amd64");
	assert_string_equal(r.local, "deb13");
	assert_string_equal(r.flavour, "cloud-amd64");

	r = rel("6.12.38+deb13");
	assert_string_equal(r.local, "deb13");
	assert_int_equal(r.flavour_len, 0);
}

static void release_git_describe(void **state)
{
	(void)state;
	/* scripts/setlocalversion: "-00001-g<sha>", a dirty tree appends '+' */
	struct lugate_release r = rel("6.13.0-rc3-00001-gabcdef12+");
	assert_int_equal(r.rc, 3);
	assert_true(r.has_abi);
	assert_int_equal(r.abi, 1);
	assert_string_equal(r.flavour, "gabcdef12+");
}

static void release_u32_max(void **state)
{
	(void)state;
	struct lugate_release r = rel("4294967295.4294967295.4294967295-rc4294967295-4294967295-x");
	assert_int_equal(r.major, UINT32_MAX);
	assert_int_equal(r.minor, UINT32_MAX);
	assert_int_equal(r.patch, UINT32_MAX);
	assert_int_equal(r.rc, UINT32_MAX);
	assert_int_equal(r.abi, UINT32_MAX);
	assert_string_equal(r.flavour, "x");
}

static void release_length_limit(void **state)
{
	(void)state;
	char s[LUGATE_RELEASE_MAX + 2];
	struct lugate_release r;

	put_chars(s, "6.1.0-");
	memset(s + 6, 'a', sizeof(s) - 6);
	/* exactly 64 characters: fine, and the flavour is stored whole */
	assert_int_equal(parse_exact(s, LUGATE_RELEASE_MAX, &r), 0);
	assert_int_equal(r.flavour_len, LUGATE_RELEASE_MAX - 6);
	assert_int_equal(strlen(r.flavour), LUGATE_RELEASE_MAX - 6);
	/* 65: too long */
	assert_bad_release(s, LUGATE_RELEASE_MAX + 1);
}

static void release_reads_only_len(void **state)
{
	(void)state;
	/* not NUL-terminated; the parser must stop at len */
	const char buf[] = { '6', '.', '1', '2', '.', '5', '-', 'a', 'm', 'd' };
	struct lugate_release r;
	assert_int_equal(parse_exact(buf, 6, &r), 0);
	assert_int_equal(r.flavour_len, 0);
	assert_int_equal(parse_exact(buf, sizeof(buf), &r), 0);
	assert_string_equal(r.flavour, "amd");
	assert_int_equal(parse_exact(buf, 7, &r), LUGATE_ERR_BADRELEASE);
}

static void release_bad_malformed(void **state)
{
	(void)state;
	assert_bad_release("", 0);
	assert_bad_release("6..1", 4);
	assert_bad_release("6.1", 3);
	assert_bad_release("6.1.0-", 6);
	assert_bad_release("6.1.0--x", 8);
	assert_bad_release("v6.1.0", 6);
}

static void release_bad_300_chars(void **state)
{
	(void)state;
	char s[300];
	memset(s, '6', sizeof(s));
	assert_bad_release(s, sizeof(s));
	put_chars(s, "6.1.0-");
	memset(s + 6, 'a', sizeof(s) - 6);
	assert_bad_release(s, sizeof(s));
}

static void release_bad_embedded_nul_and_space(void **state)
{
	(void)state;
	assert_bad_release("6.1.0\0-amd64", 12);
	assert_bad_release("6.1.0-amd\0" "64", 12);
	assert_bad_release("6.1.0 amd64", 11);
	assert_bad_release("6.1.0-amd 64", 12);
	assert_bad_release(" 6.1.0", 6);
	assert_bad_release("6.1.0 ", 6);
	assert_bad_release("6.1.0\n", 6);
	assert_bad_release("6.1.0\t", 6);
}

static void release_bad_overflow(void **state)
{
	(void)state;
	char big[320];
	assert_bad_release("4294967296.0.0", 14);
	assert_bad_release("1.4294967296.0", 14);
	assert_bad_release("1.2.4294967296", 14);
	assert_bad_release("1.2.3-rc4294967296", 18);
	assert_bad_release("1.2.3-4294967296-amd64", 22);
	assert_bad_release("99999999999999999999.0.0", 24);
	/* a 300-digit patch: longer than a release, and would wrap any integer */
	put_chars(big, "6.1.");
	memset(big + 4, '9', 300);
	assert_bad_release(big, 304);
	/* a long number that fits the length limit still fails on overflow, not by wrapping */
	assert_bad_release("6.1.0-18446744073709551617-amd64", 32);
}

static void release_bad_signs_and_prefixes(void **state)
{
	(void)state;
	assert_bad_release("+6.1.0", 6);
	assert_bad_release("-6.1.0", 6);
	assert_bad_release("6.+1.0", 6);
	assert_bad_release("6.1.-0", 6);
	assert_bad_release("6.1.0x", 6);
	assert_bad_release("6.1.0.1", 7);
	assert_bad_release(".6.1.0", 6);
	assert_bad_release("6.1.", 4);
	assert_bad_release("6", 1);
}

static void release_bad_leading_zero(void **state)
{
	(void)state;
	assert_bad_release("06.1.0", 6);
	assert_bad_release("6.01.0", 6);
	assert_bad_release("6.1.00", 6);
	assert_bad_release("6.13.0-rc01", 11);
	/* a lone zero is a number */
	struct lugate_release r = rel("0.0.0");
	assert_int_equal(r.major, 0);
}

static void release_bad_rc(void **state)
{
	(void)state;
	assert_bad_release("6.13.0-rc0", 10); /* rc 0 would read as final */
	assert_bad_release("6.13.0-rc3x", 11);
	assert_bad_release("6.13.0-rc3-", 11);
	assert_bad_release("6.13.0-rc3+", 11);
}

static void release_bad_local(void **state)
{
	(void)state;
	assert_bad_release("6.12.5+", 7);
	assert_bad_release("6.12.5+-amd64", 13);
	assert_bad_release("6.12.5+deb13+x", 14);
	assert_bad_release("6.12.5+de/b13", 13);
	assert_bad_release("6.12.5+deb13-", 13);
}

static void release_bad_flavour(void **state)
{
	(void)state;
	assert_bad_release("6.1.0-55-", 9);
	assert_bad_release("6.1.0-amd64-", 12);
	assert_bad_release("6.1.0-cloud--amd64", 18);
	assert_bad_release("6.1.0-55--amd64", 15);
	assert_bad_release("6.1.0-am/d64", 12);
	assert_bad_release("6.1.0-amd64#", 12);
	assert_bad_release("6.1.0-amd64>", 12);
}

static void release_bad_args(void **state)
{
	(void)state;
	struct lugate_release r;
	assert_int_equal(lugate_release_parse("6.1.0", 5, NULL), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_release_parse(NULL, 5, &r), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_release_parse(NULL, 0, &r), LUGATE_ERR_BADRELEASE);
}

/* Rebuild the text of a parsed release (the ABI without its leading zeros). */
static void release_text(const struct lugate_release *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%u.%u.%u", r->major, r->minor, r->patch);
	if (r->rc)
		n += snprintf(buf + n, size - (size_t)n, "-rc%u", r->rc);
	if (r->local_len)
		n += snprintf(buf + n, size - (size_t)n, "+%s", r->local);
	if (r->has_abi)
		n += snprintf(buf + n, size - (size_t)n, "-%u", r->abi);
	if (r->flavour_len)
		snprintf(buf + n, size - (size_t)n, "-%s", r->flavour);
}

static const char *const valid_releases[] = {
	"6.12.5", "6.1.0-55-amd64", "6.1.0-56-cloud-amd64", "6.12.5-lu1", "6.13.0-rc3",
	"7.3.4+deb13-amd64", "6.12.38+deb13-cloud-amd64", "6.13.0-rc3+deb13-7-cloud-amd64",
	"6.1.0-0.deb11.17-amd64", "4294967295.4294967295.4294967295-rc4294967295-4294967295-x",
	"6.8.0-1008-azure", "6.12.12+bpo-rt-amd64",
};

static void release_every_truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_releases) / sizeof(valid_releases[0]); i++) {
		const char *s = valid_releases[i];
		size_t n = strlen(s);
		size_t ok = 0;
		for (size_t k = 0; k <= n; k++) {
			struct lugate_release r;
			int err = parse_exact(s, k, &r);
			assert_true(err == 0 || err == LUGATE_ERR_BADRELEASE);
			/* a cut right after a separator never parses; nor does a bare "6.1." */
			if (k == 0 || s[k - 1] == '-' || s[k - 1] == '+' ||
			    (s[k - 1] == '.' && !memchr(s, '-', k) && !memchr(s, '+', k)))
				assert_int_equal(err, LUGATE_ERR_BADRELEASE);
			if (err == 0) {
				char back[128];
				ok++;
				release_text(&r, back, sizeof(back));
				/* what parsed is exactly the prefix that was given */
				assert_int_equal(strlen(back), k);
				assert_memory_equal(back, s, k);
			}
		}
		assert_int_equal(parse_exact(s, n, &(struct lugate_release){ 0 }), 0);
		assert_true(ok >= 1);
	}
}

static void release_every_single_mutation(void **state)
{
	(void)state;
	static const char subst[] = { '\0', ' ', '-', '+', '.', '0', '9', 'a', '/', '~', '\n', '\xff' };
	for (size_t i = 0; i < sizeof(valid_releases) / sizeof(valid_releases[0]); i++) {
		char s[80];
		size_t n = strlen(valid_releases[i]);
		for (size_t pos = 0; pos < n; pos++) {
			for (size_t c = 0; c < sizeof(subst); c++) {
				struct lugate_release r;
				int err;
				memcpy(s, valid_releases[i], n);
				s[pos] = subst[c];
				err = parse_exact(s, n, &r);
				assert_true(err == 0 || err == LUGATE_ERR_BADRELEASE);
				if (subst[c] == '\0' || subst[c] == ' ' || subst[c] == '/' ||
				    subst[c] == '\n' || subst[c] == '\xff')
					assert_int_equal(err, LUGATE_ERR_BADRELEASE);
			}
		}
	}
}

/* ---- ordering -------------------------------------------------------------------- */

static void cmp_patch_minor_major(void **state)
{
	(void)state;
	assert_true(cmp("6.12.5", "6.12.6") < 0);
	assert_true(cmp("6.12.6", "6.12.5") > 0);
	assert_int_equal(cmp("6.12.5", "6.12.5"), 0);
	assert_true(cmp("6.12.99", "6.13.0") < 0);
	assert_true(cmp("6.99.99", "7.0.0") < 0);
	assert_true(cmp("7.0.0", "6.99.99") > 0);
	assert_true(cmp("6.9.0", "6.10.0") < 0); /* numeric, not text, order */
}

static void cmp_abi(void **state)
{
	(void)state;
	assert_true(cmp("6.1.0-55-amd64", "6.1.0-56-amd64") < 0);
	assert_true(cmp("6.1.0-56-amd64", "6.1.0-55-amd64") > 0);
	assert_true(cmp("6.1.0-100-amd64", "6.1.0-99-amd64") > 0);
	/* no ABI sorts as ABI 0; the flavour is no part of the order */
	assert_int_equal(cmp("6.1.0", "6.1.0-0"), 0);
	assert_int_equal(cmp("6.1.0-55-amd64", "6.1.0-55-cloud-amd64"), 0);
	/* patch before ABI */
	assert_true(cmp("6.1.1-1-amd64", "6.1.0-99-amd64") > 0);
}

static void cmp_rc(void **state)
{
	(void)state;
	assert_true(cmp("6.13.0-rc3", "6.13.0") < 0);
	assert_true(cmp("6.13.0", "6.13.0-rc3") > 0);
	assert_true(cmp("6.13.0-rc2", "6.13.0-rc3") < 0);
	assert_true(cmp("6.13.0-rc10", "6.13.0-rc9") > 0);
	assert_int_equal(cmp("6.13.0-rc3", "6.13.0-rc3"), 0);
	assert_true(cmp("6.12.9", "6.13.0-rc1") < 0);
	assert_true(cmp("6.13.0-rc1", "6.12.9") > 0);
}

static void cmp_u32_max(void **state)
{
	(void)state;
	assert_true(cmp("4294967295.0.0", "4294967294.4294967295.4294967295") > 0);
	assert_true(cmp("1.2.3-4294967295", "1.2.3-4294967294") > 0);
	assert_true(cmp("1.2.3-rc4294967295", "1.2.3") < 0);
	assert_true(cmp("1.2.3-rc4294967295", "1.2.3-rc1") > 0);
}

/* ---- path names ------------------------------------------------------------------ */

static void path_names(void **state)
{
	(void)state;
	assert_string_equal(lugate_path_name(LUGATE_PATH_NONE), "none");
	assert_string_equal(lugate_path_name(LUGATE_PATH_SAME), "same");
	assert_string_equal(lugate_path_name(LUGATE_PATH_STABLE_NEXT), "stable-next");
	assert_string_equal(lugate_path_name(LUGATE_PATH_MINOR_NEXT), "minor-next");
	assert_string_equal(lugate_path_name(LUGATE_PATH_POLICY), "policy");
	assert_string_equal(lugate_path_name((enum lugate_path)(LUGATE_PATH_SAME | LUGATE_PATH_POLICY)),
			    "none");
	assert_string_equal(lugate_path_name((enum lugate_path)0x100), "none");
}

/* ---- each path kind, under the default policy ---------------------------------- */

static void path_same(void **state)
{
	(void)state;
	expect_default("6.12.5", "6.12.5", LUGATE_PATH_SAME, LUGATE_REASON_NONE);
}

static void path_stable_next(void **state)
{
	(void)state;
	expect_default("6.12.5", "6.12.6", LUGATE_PATH_STABLE_NEXT, LUGATE_REASON_NONE);
}

static void path_version_jump_refused(void **state)
{
	(void)state;
	expect_default("6.12.5", "6.12.7", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
}

static void path_downgrade_refused(void **state)
{
	(void)state;
	expect_default("6.12.6", "6.12.5", LUGATE_PATH_NONE, LUGATE_REASON_DOWNGRADE);
}

static void path_minor_next_only_when_enabled(void **state)
{
	(void)state;
	expect_default("6.12.5", "6.13.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under("paths = same stable-next minor-next\n", "6.12.5", "6.13.0",
		     LUGATE_PATH_MINOR_NEXT, LUGATE_REASON_NONE);
}

static void path_debian_abi_next_is_stable_next(void **state)
{
	(void)state;
	expect_default("6.1.0-55-amd64", "6.1.0-56-amd64", LUGATE_PATH_STABLE_NEXT, LUGATE_REASON_NONE);
}

static void path_flavour_change_refused(void **state)
{
	(void)state;
	expect_default("6.1.0-56-amd64", "6.1.0-56-cloud-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_FLAVOUR_CHANGE);
}

static void path_policy_allow_line(void **state)
{
	(void)state;
	expect_under("allow 6.12.5 -> 6.12.7\n", "6.12.5", "6.12.7", LUGATE_PATH_POLICY,
		     LUGATE_REASON_NONE);
	/* exact strings: the line is about that one path only */
	expect_under("allow 6.12.5 -> 6.12.7\n", "6.12.5", "6.12.8", LUGATE_PATH_NONE,
		     LUGATE_REASON_VERSION_JUMP);
	expect_under("allow 6.12.5 -> 6.12.7\n", "6.12.4", "6.12.7", LUGATE_PATH_NONE,
		     LUGATE_REASON_VERSION_JUMP);
	/* the default kinds stay on next to an allow line */
	expect_under("allow 6.12.5 -> 6.12.7\n", "6.12.5", "6.12.6", LUGATE_PATH_STABLE_NEXT,
		     LUGATE_REASON_NONE);
}

/* ---- classify: more paths -------------------------------------------------------- */

static void classify_stable_next_variants(void **state)
{
	(void)state;
	expect_default("6.12.5-lu1", "6.12.6-lu1", LUGATE_PATH_STABLE_NEXT, LUGATE_REASON_NONE);
	expect_default("6.1.0-99-cloud-amd64", "6.1.0-100-cloud-amd64", LUGATE_PATH_STABLE_NEXT,
		       LUGATE_REASON_NONE);
	/* ABI kernels step the ABI, not the patch */
	expect_default("6.1.0-55-amd64", "6.1.1-55-amd64", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_default("6.1.0-55-amd64", "6.1.1-56-amd64", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_default("6.1.0-55-amd64", "6.1.0-57-amd64", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	/* ABI on one side only */
	expect_default("6.12.5", "6.12.5-1", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_default("6.12.5-1", "6.12.6", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
}

static void classify_minor_next_variants(void **state)
{
	const char *all = "paths = same stable-next minor-next";
	(void)state;
	expect_under(all, "6.12.5", "6.13.9", LUGATE_PATH_MINOR_NEXT, LUGATE_REASON_NONE);
	expect_under(all, "6.1.0-55-amd64", "6.2.3-1-amd64", LUGATE_PATH_MINOR_NEXT, LUGATE_REASON_NONE);
	expect_under(all, "6.12.5", "6.14.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under(all, "6.12.5", "7.0.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under(all, "6.12.5", "7.13.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	/* stable-next is still preferred where both could describe the step */
	expect_under(all, "6.12.5", "6.12.6", LUGATE_PATH_STABLE_NEXT, LUGATE_REASON_NONE);
}

static void classify_only_enabled_kinds(void **state)
{
	(void)state;
	expect_under("paths = same", "6.12.5", "6.12.5", LUGATE_PATH_SAME, LUGATE_REASON_NONE);
	expect_under("paths = same", "6.12.5", "6.12.6", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under("paths = stable-next", "6.12.5", "6.12.5", LUGATE_PATH_NONE,
		     LUGATE_REASON_VERSION_JUMP);
	expect_under("paths = stable-next", "6.12.5", "6.12.6", LUGATE_PATH_STABLE_NEXT,
		     LUGATE_REASON_NONE);
	expect_under("paths = minor-next", "6.12.5", "6.12.6", LUGATE_PATH_NONE,
		     LUGATE_REASON_VERSION_JUMP);
	expect_under("paths = minor-next", "6.12.5", "6.13.0", LUGATE_PATH_MINOR_NEXT,
		     LUGATE_REASON_NONE);
	/* an allow line works whatever kinds are enabled */
	expect_under("paths = same\nallow 6.12.5 -> 6.12.6", "6.12.5", "6.12.6", LUGATE_PATH_POLICY,
		     LUGATE_REASON_NONE);
}

static void classify_allow_line_before_kinds(void **state)
{
	(void)state;
	/* an explicit line names the path it allowed, even where a kind would too */
	expect_under("allow 6.12.5 -> 6.12.6", "6.12.5", "6.12.6", LUGATE_PATH_POLICY,
		     LUGATE_REASON_NONE);
}

static void classify_allow_never_lifts_refusals(void **state)
{
	(void)state;
	expect_under("allow 6.12.6 -> 6.12.5", "6.12.6", "6.12.5", LUGATE_PATH_NONE,
		     LUGATE_REASON_DOWNGRADE);
	expect_under("allow 6.1.0-56-amd64 -> 6.1.0-57-cloud-amd64", "6.1.0-56-amd64",
		     "6.1.0-57-cloud-amd64", LUGATE_PATH_NONE, LUGATE_REASON_FLAVOUR_CHANGE);
	expect_under("paths = same stable-next minor-next\nallow 6.12.5 -> 6.13.0-rc1", "6.12.5",
		     "6.13.0-rc1", LUGATE_PATH_NONE, LUGATE_REASON_PRERELEASE);
}

static void classify_rc(void **state)
{
	(void)state;
	expect_default("6.13.0-rc3", "6.13.0-rc3", LUGATE_PATH_SAME, LUGATE_REASON_NONE);
	expect_default("6.12.5", "6.13.0-rc1", LUGATE_PATH_NONE, LUGATE_REASON_PRERELEASE);
	expect_default("6.13.0-rc3", "6.13.0-rc4", LUGATE_PATH_NONE, LUGATE_REASON_PRERELEASE);
	expect_default("6.13.0", "6.13.0-rc3", LUGATE_PATH_NONE, LUGATE_REASON_DOWNGRADE);
	expect_default("6.13.0-rc4", "6.13.0-rc3", LUGATE_PATH_NONE, LUGATE_REASON_DOWNGRADE);
	/* rc to its final: not one of the kinds, but an allow line may name it */
	expect_default("6.13.0-rc7", "6.13.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under("allow 6.13.0-rc7 -> 6.13.0", "6.13.0-rc7", "6.13.0", LUGATE_PATH_POLICY,
		     LUGATE_REASON_NONE);
	/* identical rc under a policy without `same`: not a prerelease refusal */
	expect_under("paths = stable-next", "6.13.0-rc3", "6.13.0-rc3", LUGATE_PATH_NONE,
		     LUGATE_REASON_VERSION_JUMP);
}

static void classify_debian_new_style(void **state)
{
	(void)state;
	expect_default("6.12.38+deb13-amd64", "6.12.38+deb13-amd64", LUGATE_PATH_SAME,
		       LUGATE_REASON_NONE);
	expect_default("6.12.38+deb13-amd64", "6.12.39+deb13-amd64", LUGATE_PATH_STABLE_NEXT,
		       LUGATE_REASON_NONE);
	expect_default("6.12.38+deb13-amd64", "6.12.41+deb13-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_VERSION_JUMP);
	expect_under("allow 6.12.38+deb13-amd64 -> 6.12.41+deb13-amd64", "6.12.38+deb13-amd64",
		     "6.12.41+deb13-amd64", LUGATE_PATH_POLICY, LUGATE_REASON_NONE);
	expect_default("6.12.41+deb13-amd64", "6.12.38+deb13-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_DOWNGRADE);
	/* the local part is part of the flavour */
	expect_default("6.12.38+deb13-amd64", "6.12.39+deb14-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_FLAVOUR_CHANGE);
	expect_default("6.12.38+deb13-amd64", "6.12.39-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_FLAVOUR_CHANGE);
	expect_default("6.12.38-amd64", "6.12.39+deb13-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_FLAVOUR_CHANGE);
	expect_default("6.12.38+deb13-amd64", "6.12.39+deb13-cloud-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_FLAVOUR_CHANGE);
}

static void classify_flavour_presence_changes(void **state)
{
	(void)state;
	expect_default("6.12.5", "6.12.6-lu1", LUGATE_PATH_NONE, LUGATE_REASON_FLAVOUR_CHANGE);
	expect_default("6.12.5-lu1", "6.12.6", LUGATE_PATH_NONE, LUGATE_REASON_FLAVOUR_CHANGE);
	expect_default("6.12.5-lu1", "6.12.5-lu2", LUGATE_PATH_NONE, LUGATE_REASON_FLAVOUR_CHANGE);
}

static void classify_refusal_order(void **state)
{
	(void)state;
	/* bad release before everything */
	expect_default("6..1", "6.12.5", LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	expect_default("6.12.5", "6.1", LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	expect_default("", "", LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	/* identical but unparseable is still bad */
	expect_default("v6.1.0", "v6.1.0", LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	/* downgrade before flavour change */
	expect_default("6.1.0-56-amd64", "6.1.0-55-cloud-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_DOWNGRADE);
	/* flavour change before prerelease */
	expect_default("6.12.5-amd64", "6.13.0-rc1-cloud", LUGATE_PATH_NONE,
		       LUGATE_REASON_FLAVOUR_CHANGE);
	/* downgrade before prerelease */
	expect_default("6.13.0", "6.12.0-rc1", LUGATE_PATH_NONE, LUGATE_REASON_DOWNGRADE);
}

static void classify_null_and_long_inputs(void **state)
{
	(void)state;
	char long_release[200];
	enum lugate_path path;

	expect_default(NULL, "6.12.5", LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	expect_default("6.12.5", NULL, LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	/* why may be NULL: the path alone is still right */
	path = lugate_policy_classify(NULL, "6.12.5", "6.12.6", NULL);
	assert_int_equal(path, LUGATE_PATH_STABLE_NEXT);
	path = lugate_policy_classify(NULL, "6.12.6", "6.12.5", NULL);
	assert_int_equal(path, LUGATE_PATH_NONE);
	/* a NUL-terminated string longer than any release */
	memcpy(long_release, "6.12.5-", 7);
	memset(long_release + 7, 'a', sizeof(long_release) - 8);
	long_release[sizeof(long_release) - 1] = '\0';
	expect_default(long_release, long_release, LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
}

static void classify_reads_at_most_a_release(void **state)
{
	(void)state;
	/* no NUL in reach: classify must give up after LUGATE_RELEASE_MAX + 1 bytes (ASan) */
	char *unterminated = malloc(LUGATE_RELEASE_MAX + 1);
	assert_non_null(unterminated);
	memset(unterminated, 'a', LUGATE_RELEASE_MAX + 1);
	put_chars(unterminated, "6.12.5-");
	expect_default(unterminated, "6.12.5", LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	expect_default("6.12.5", unterminated, LUGATE_PATH_NONE, LUGATE_REASON_BAD_RELEASE);
	free(unterminated);
}

static void classify_u32_max_edges(void **state)
{
	const char *all = "paths = same stable-next minor-next";
	(void)state;
	expect_default("1.2.4294967295", "1.2.4294967295", LUGATE_PATH_SAME, LUGATE_REASON_NONE);
	expect_default("1.2.4294967295", "1.2.0", LUGATE_PATH_NONE, LUGATE_REASON_DOWNGRADE);
	expect_default("1.2.4294967294", "1.2.4294967295", LUGATE_PATH_STABLE_NEXT, LUGATE_REASON_NONE);
	expect_default("1.2.4294967295", "1.3.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under(all, "1.2.4294967295", "1.3.0", LUGATE_PATH_MINOR_NEXT, LUGATE_REASON_NONE);
	expect_under(all, "1.4294967295.0", "2.0.0", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	expect_under(all, "1.4294967294.7", "1.4294967295.0", LUGATE_PATH_MINOR_NEXT,
		     LUGATE_REASON_NONE);
	expect_default("6.1.0-4294967295-amd64", "6.1.0-4294967295-amd64", LUGATE_PATH_SAME,
		       LUGATE_REASON_NONE);
	expect_default("6.1.0-4294967295-amd64", "6.1.0-0-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_DOWNGRADE);
	expect_default("6.1.0-4294967294-amd64", "6.1.0-4294967295-amd64", LUGATE_PATH_STABLE_NEXT,
		       LUGATE_REASON_NONE);
	expect_default("6.1.0-4294967295-amd64", "6.1.1-4294967295-amd64", LUGATE_PATH_NONE,
		       LUGATE_REASON_VERSION_JUMP);
	expect_default("4294967295.4294967295.4294967295", "4294967295.4294967295.4294967295",
		       LUGATE_PATH_SAME, LUGATE_REASON_NONE);
}

static void classify_abi_leading_zero_not_same(void **state)
{
	(void)state;
	/* equal in order but spelt differently: not `same`, and not a next step */
	expect_default("6.1.0-055-amd64", "6.1.0-55-amd64", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
}

static void classify_corrupt_policy_struct(void **state)
{
	(void)state;
	struct lugate_policy p;
	lugate_policy_default(&p);
	/* an allow_count past the array and an unterminated entry must not be read past */
	p.allow_count = UINT32_MAX;
	memset(p.allow[0].from, 'x', sizeof(p.allow[0].from));
	memset(p.allow[0].to, 'x', sizeof(p.allow[0].to));
	expect_path(&p, "6.12.5", "6.12.7", LUGATE_PATH_NONE, LUGATE_REASON_VERSION_JUMP);
	memcpy(p.allow[63].from, "6.12.5", 7);
	memcpy(p.allow[63].to, "6.12.7", 7);
	expect_path(&p, "6.12.5", "6.12.7", LUGATE_PATH_POLICY, LUGATE_REASON_NONE);
}

/* ---- policy text ------------------------------------------------------------------ */

static void policy_default_values(void **state)
{
	(void)state;
	struct lugate_policy p;
	memset(&p, 0x77, sizeof(p));
	lugate_policy_default(&p);
	assert_int_equal(p.kinds, LUGATE_PATH_SAME | LUGATE_PATH_STABLE_NEXT);
	assert_int_equal(p.allow_count, 0);
	lugate_policy_default(NULL); /* harmless */
}

static void policy_empty_is_default(void **state)
{
	(void)state;
	struct lugate_policy p;
	uint32_t line = 7;
	memset(&p, 0x77, sizeof(p));
	assert_int_equal(lugate_policy_parse("", 0, &p, &line), 0);
	assert_int_equal(line, 0);
	assert_int_equal(p.kinds, LUGATE_POLICY_DEFAULT_KINDS);
	assert_int_equal(p.allow_count, 0);
	memset(&p, 0x77, sizeof(p));
	assert_int_equal(lugate_policy_parse(NULL, 0, &p, NULL), 0);
	assert_int_equal(p.kinds, LUGATE_POLICY_DEFAULT_KINDS);
	assert_int_equal(p.allow_count, 0);
}

static void policy_comments_and_blanks(void **state)
{
	(void)state;
	struct lugate_policy p;
	policy_from("# nothing but comments\n\n   \t\n# paths = same\n#allow 6.12.5 -> 6.12.7\n", &p);
	assert_int_equal(p.kinds, LUGATE_POLICY_DEFAULT_KINDS);
	assert_int_equal(p.allow_count, 0);
}

static void policy_paths_variants(void **state)
{
	(void)state;
	struct lugate_policy p;
	policy_from("paths = same\n", &p);
	assert_int_equal(p.kinds, LUGATE_PATH_SAME);
	policy_from("paths = same stable-next minor-next", &p);
	assert_int_equal(p.kinds, ALL3);
	policy_from("paths=minor-next", &p);
	assert_int_equal(p.kinds, LUGATE_PATH_MINOR_NEXT);
	policy_from("\t paths\t=\tstable-next \t minor-next\t# trailing comment\n", &p);
	assert_int_equal(p.kinds, LUGATE_PATH_STABLE_NEXT | LUGATE_PATH_MINOR_NEXT);
	policy_from("paths = minor-next same#comment", &p);
	assert_int_equal(p.kinds, LUGATE_PATH_MINOR_NEXT | LUGATE_PATH_SAME);
}

static void policy_allow_lines(void **state)
{
	(void)state;
	struct lugate_policy p;
	policy_from("allow 6.12.5 -> 6.12.7\n"
		    "  allow\t6.1.0-55-amd64->6.1.0-58-amd64   # skip three ABIs\n"
		    "allow 6.12.38+deb13-amd64 -> 6.12.41+deb13-amd64",
		    &p);
	assert_int_equal(p.kinds, LUGATE_POLICY_DEFAULT_KINDS);
	assert_int_equal(p.allow_count, 3);
	assert_string_equal(p.allow[0].from, "6.12.5");
	assert_string_equal(p.allow[0].to, "6.12.7");
	assert_string_equal(p.allow[1].from, "6.1.0-55-amd64");
	assert_string_equal(p.allow[1].to, "6.1.0-58-amd64");
	assert_string_equal(p.allow[2].from, "6.12.38+deb13-amd64");
	assert_string_equal(p.allow[2].to, "6.12.41+deb13-amd64");
}

static void policy_crlf(void **state)
{
	(void)state;
	struct lugate_policy p;
	policy_from("# windows\r\npaths = same minor-next\r\nallow 6.12.5 -> 6.12.7\r\n\r\n", &p);
	assert_int_equal(p.kinds, LUGATE_PATH_SAME | LUGATE_PATH_MINOR_NEXT);
	assert_int_equal(p.allow_count, 1);
	assert_string_equal(p.allow[0].to, "6.12.7");
}

static void policy_reads_only_len(void **state)
{
	(void)state;
	struct lugate_policy p;
	const char text[] = "paths = same\nallow 6.12.5 -> 6.12.7";
	/* cut inside the last release: "6.12" does not parse */
	expect_policy_error(text, sizeof(text) - 3, LUGATE_ERR_BADRELEASE, 2);
	/* cut before the second line: just `paths = same` */
	assert_int_equal(lugate_policy_parse(text, 13, &p, NULL), 0);
	assert_int_equal(p.kinds, LUGATE_PATH_SAME);
	assert_int_equal(p.allow_count, 0);
}

static void policy_err_unknown_keyword(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("# ok\npaths = same\nderp\n", LUGATE_ERR_BADPOLICY, 3);
	EXPECT_POLICY_ERROR("Paths = same\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("pathsx = same\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow6.12.5 -> 6.12.7\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("\n\n\nallow= 6.12.5 -> 6.12.7\n", LUGATE_ERR_BADPOLICY, 4);
	EXPECT_POLICY_ERROR("deny 6.12.5 -> 6.12.7", LUGATE_ERR_BADPOLICY, 1);
}

static void policy_err_paths_syntax(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("\npaths =\n", LUGATE_ERR_BADPOLICY, 2);
	EXPECT_POLICY_ERROR("paths = # nothing\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths same\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths = same sideways\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths = same,stable-next\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths = Same\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths = none\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths = policy\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("paths == same\n", LUGATE_ERR_BADPOLICY, 1);
}

static void policy_err_second_paths(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("paths = same\n# later\nallow 6.12.5 -> 6.12.7\npaths = same\n",
			    LUGATE_ERR_BADPOLICY, 4);
}

static void policy_err_allow_syntax(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("allow 6.12.5 6.12.7\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 ->\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow -> 6.12.7\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 -> 6.12.7 extra\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 -> 6.12.7 -> 6.12.8\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 x -> 6.12.7\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("\nallow 6.12.5 => 6.12.7\n", LUGATE_ERR_BADPOLICY, 2);
}

static void policy_err_allow_bad_release(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("\n\nallow 6..1 -> 6.12.7\n", LUGATE_ERR_BADRELEASE, 3);
	EXPECT_POLICY_ERROR("allow 6.12.5 -> v6.12.7\n", LUGATE_ERR_BADRELEASE, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 -> 6.12.7-\n", LUGATE_ERR_BADRELEASE, 1);
	EXPECT_POLICY_ERROR(
		"allow 6.12.5 -> 6.12.7-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		LUGATE_ERR_BADRELEASE, 1);
}

static void policy_err_allow_same_and_duplicate(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("allow 6.12.5 -> 6.12.5\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 -> 6.12.7\nallow 6.12.5 -> 6.12.8\nallow 6.12.5  ->  6.12.7\n",
			    LUGATE_ERR_BADPOLICY, 3);
	/* the reverse direction is a different line (and a useless one, but no error) */
	struct lugate_policy p;
	policy_from("allow 6.12.5 -> 6.12.7\nallow 6.12.7 -> 6.12.5\n", &p);
	assert_int_equal(p.allow_count, 2);
}

static void policy_err_too_many(void **state)
{
	(void)state;
	char text[8192];
	size_t n = 0;
	struct lugate_policy p;
	uint32_t line = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "paths = same\n");
	for (unsigned i = 0; i < LUGATE_POLICY_MAX_ALLOW; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "allow 6.12.%u -> 6.13.%u\n", i, i);
	assert_true(n < sizeof(text));
	assert_int_equal(lugate_policy_parse(text, n, &p, &line), 0);
	assert_int_equal(p.allow_count, LUGATE_POLICY_MAX_ALLOW);
	assert_string_equal(p.allow[63].from, "6.12.63");
	assert_string_equal(p.allow[63].to, "6.13.63");

	n += (size_t)snprintf(text + n, sizeof(text) - n, "# one more:\nallow 6.12.5 -> 6.14.0\n");
	assert_true(n < sizeof(text));
	expect_policy_error(text, n, LUGATE_ERR_TOOMANY, 1 + LUGATE_POLICY_MAX_ALLOW + 2);
}

static void policy_err_embedded_nul(void **state)
{
	(void)state;
	static const char text[] = "paths = same\nallow 6.12.5\0 -> 6.12.7\n";
	expect_policy_error(text, sizeof(text) - 1, LUGATE_ERR_BADPOLICY, 2);
	/* even inside a comment */
	static const char text2[] = "# a\0b\npaths = same\n";
	expect_policy_error(text2, sizeof(text2) - 1, LUGATE_ERR_BADPOLICY, 1);
}

static void policy_line_length(void **state)
{
	(void)state;
	char text[1100];
	struct lugate_policy p;

	/* 1024 characters, CRLF on top: accepted */
	memset(text, ' ', 1024);
	text[0] = '#';
	put_chars(text + 1024, "\r\npaths = same\n");
	assert_int_equal(lugate_policy_parse(text, 1024 + 15, &p, NULL), 0);
	assert_int_equal(p.kinds, LUGATE_PATH_SAME);

	/* 1025 characters, on line 2 */
	text[0] = '\n';
	memset(text + 1, '#', 1025);
	text[1026] = '\n';
	expect_policy_error(text, 1027, LUGATE_ERR_BADPOLICY, 2);
	/* the same without a final newline */
	expect_policy_error(text, 1026, LUGATE_ERR_BADPOLICY, 2);
}

static void policy_err_stray_cr(void **state)
{
	(void)state;
	EXPECT_POLICY_ERROR("paths = same\rstable-next\n", LUGATE_ERR_BADPOLICY, 1);
	EXPECT_POLICY_ERROR("allow 6.12.5 -> 6.12.7\r\r\n", LUGATE_ERR_BADRELEASE, 1);
}

static void policy_bad_args(void **state)
{
	(void)state;
	struct lugate_policy p;
	uint32_t line = 5;
	assert_int_equal(lugate_policy_parse("paths = same", 12, NULL, &line), LUGATE_ERR_INVAL);
	assert_int_equal(line, 0);
	assert_int_equal(lugate_policy_parse(NULL, 3, &p, NULL), LUGATE_ERR_INVAL);
}

static void policy_every_truncation(void **state)
{
	(void)state;
	static const char text[] = "# policy\npaths = same stable-next minor-next\r\n"
				   "allow 6.12.5 -> 6.12.7 # comment\n"
				   "allow 6.1.0-55-amd64 -> 6.1.0-58-amd64\n";
	for (size_t k = 0; k < sizeof(text); k++) {
		struct lugate_policy p;
		uint32_t line = 0;
		char *copy = malloc(k ? k : 1);
		int err;

		assert_non_null(copy);
		memcpy(copy, text, k);
		err = lugate_policy_parse(copy, k, &p, &line);
		free(copy);
		assert_true(err == 0 || err == LUGATE_ERR_BADPOLICY || err == LUGATE_ERR_BADRELEASE);
		if (err == 0) {
			assert_int_equal(line, 0);
			assert_true(p.allow_count <= 2);
		} else {
			assert_true(line >= 2 && line <= 4);
		}
	}
}

/* ---- canonical form ---------------------------------------------------------------- */

static void format_default(void **state)
{
	(void)state;
	struct lugate_policy p;
	char buf[128];
	const char *want = "paths = same stable-next\n";

	lugate_policy_default(&p);
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), (long)strlen(want));
	assert_string_equal(buf, want);
}

static void format_canonical_text(void **state)
{
	(void)state;
	struct lugate_policy p;
	char buf[512];
	const char *want = "paths = same minor-next\n"
			   "allow 6.12.5 -> 6.12.7\n"
			   "allow 6.1.0-55-amd64 -> 6.1.0-58-amd64\n";

	policy_from("# comment\r\n\tallow 6.12.5->6.12.7  \r\npaths = minor-next same\n"
		    "allow  6.1.0-55-amd64   ->   6.1.0-58-amd64 # three at once",
		    &p);
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), (long)strlen(want));
	assert_string_equal(buf, want);
}

static void assert_policy_equal(const struct lugate_policy *a, const struct lugate_policy *b)
{
	assert_int_equal(a->kinds, b->kinds);
	assert_int_equal(a->allow_count, b->allow_count);
	for (uint32_t i = 0; i < a->allow_count; i++) {
		assert_string_equal(a->allow[i].from, b->allow[i].from);
		assert_string_equal(a->allow[i].to, b->allow[i].to);
	}
	assert_int_equal(a->allow_known_bad, b->allow_known_bad);
	assert_int_equal(a->lack_count, b->lack_count);
	for (uint32_t i = 0; i < a->lack_count; i++) {
		assert_int_equal(a->lack[i].layer, b->lack[i].layer);
		assert_string_equal(a->lack[i].compatible, b->lack[i].compatible);
	}
}

static void round_trip(const char *text)
{
	struct lugate_policy p1, p2;
	static char buf1[16384], buf2[16384];
	long n1, n2;

	policy_from(text, &p1);
	n1 = lugate_policy_format(&p1, buf1, sizeof(buf1));
	assert_true(n1 > 0);
	assert_int_equal((size_t)n1, strlen(buf1));
	assert_int_equal(lugate_policy_parse(buf1, (size_t)n1, &p2, NULL), 0);
	assert_policy_equal(&p1, &p2);
	n2 = lugate_policy_format(&p2, buf2, sizeof(buf2));
	assert_int_equal(n1, n2);
	assert_string_equal(buf1, buf2);
}

static void format_round_trips(void **state)
{
	(void)state;
	round_trip("");
	round_trip("paths = same");
	round_trip("paths = stable-next");
	round_trip("paths = minor-next");
	round_trip("paths = same stable-next minor-next\nallow 6.12.5 -> 6.12.7");
	round_trip("allow 6.13.0-rc3+deb13-7-cloud-amd64 -> 6.13.0+deb13-7-cloud-amd64\n"
		   "allow 4294967295.4294967295.4294967294 -> 4294967295.4294967295.4294967295\n");
}

static void format_round_trips_full_policy(void **state)
{
	(void)state;
	static char text[16384];
	size_t n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "paths = minor-next stable-next\n");
	for (unsigned i = 0; i < LUGATE_POLICY_MAX_ALLOW; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "allow 6.1.0-%u-cloud-amd64-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				      " -> 6.1.0-%u-cloud-amd64-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
				      i, i + 7);
	/* and every may-lack line, each of the longest compatible */
	for (unsigned i = 0; i < LUGATE_POLICY_MAX_LACK; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "may-lack file-handler %02u-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-v1\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "known-bad = allow\n");
	assert_true(n < sizeof(text));
	round_trip(text);
	/* the largest canonical policy still fits what a table carries */
	struct lugate_policy p;
	static char buf[LUGATE_POLICY_TEXT_MAX + 1];
	policy_from(text, &p);
	assert_true(lugate_policy_format(&p, buf, sizeof(buf)) > 0);
}

/* "may-lack LAYER COMPATIBLE": only file-handler and flb, one exact string, no duplicates. */
static void may_lack_lines(void **state)
{
	(void)state;
	struct lugate_policy p;
	char buf[512];
	static char many[4096];
	size_t n = 0;

	policy_from("may-lack file-handler memfd-v2   # no memfd is preserved on this fleet\r\n"
		    "\tmay-lack  flb\tliveupdate-test-flb-v0\n", &p);
	assert_int_equal(p.lack_count, 2);
	assert_int_equal(p.lack[0].layer, LUGATE_LAYER_FILE_HANDLER);
	assert_string_equal(p.lack[0].compatible, "memfd-v2");
	assert_int_equal(p.lack[1].layer, LUGATE_LAYER_FLB);
	assert_string_equal(p.lack[1].compatible, "liveupdate-test-flb-v0");
	assert_true(lugate_policy_may_lack(&p, LUGATE_LAYER_FILE_HANDLER, "memfd-v2"));
	assert_true(lugate_policy_may_lack(&p, LUGATE_LAYER_FLB, "liveupdate-test-flb-v0"));
	assert_false(lugate_policy_may_lack(&p, LUGATE_LAYER_FLB, "memfd-v2"));
	assert_false(lugate_policy_may_lack(&p, LUGATE_LAYER_FILE_HANDLER, "memfd-v3"));
	assert_false(lugate_policy_may_lack(&p, LUGATE_LAYER_FILE_HANDLER, "memfd-v"));
	assert_false(lugate_policy_may_lack(&p, LUGATE_LAYER_FILE_HANDLER, NULL));
	assert_false(lugate_policy_may_lack(NULL, LUGATE_LAYER_FILE_HANDLER, "memfd-v2"));
	long len = lugate_policy_format(&p, buf, sizeof(buf));
	assert_int_equal(len, (long)strlen(buf));
	assert_string_equal(buf, "paths = same stable-next\nmay-lack file-handler memfd-v2\n"
				 "may-lack flb liveupdate-test-flb-v0\n");
	lugate_policy_default(&p);
	assert_int_equal(p.lack_count, 0);
	assert_false(lugate_policy_may_lack(&p, LUGATE_LAYER_FILE_HANDLER, "memfd-v2"));

	/* a cold boot or a panic is never one object: no line for kho or luo */
	expect_policy_error("may-lack kho kho-v4\n", 20, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack luo luo-v5\n", 20, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack unknown x-v1\n", 22, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack file-handler\n", 22, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack\n", 9, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack file-handler memfd-v2 memfd-v3\n", 40, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack file-handler memfd*\n", 29, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("may-lack=file-handler memfd-v2\n", 31, LUGATE_ERR_BADPOLICY, 1);
	expect_policy_error("paths = same\nmay-lack file-handler memfd-v2\nmay-lack file-handler memfd-v2\n", 75,
			    LUGATE_ERR_BADPOLICY, 3);
	/* 47 characters fit the kernel's char[48]; 48 do not */
	policy_from("may-lack flb aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1\n", &p);
	expect_policy_error("may-lack flb aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1\n", 62, LUGATE_ERR_BADPOLICY, 1);
	for (unsigned i = 0; i <= LUGATE_POLICY_MAX_LACK; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "may-lack flb f%u-v1\n", i);
	expect_policy_error(many, n, LUGATE_ERR_TOOMANY, LUGATE_POLICY_MAX_LACK + 1);

	/* what would not parse back is not formatted */
	policy_from("may-lack flb x-v1\n", &p);
	p.lack[0].layer = LUGATE_LAYER_KHO;
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);
	p.lack[0].layer = LUGATE_LAYER_FLB;
	p.lack[0].compatible[0] = ' ';
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);
	p.lack[0].compatible[0] = 'x';
	p.lack_count = LUGATE_POLICY_MAX_LACK + 1;
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);
}

static void format_nospace(void **state)
{
	(void)state;
	struct lugate_policy p;
	char buf[64];
	const char *want = "paths = same stable-next\n"; /* 25 characters */

	lugate_policy_default(&p);
	/* exactly enough */
	assert_int_equal(lugate_policy_format(&p, buf, 26), 25);
	assert_string_equal(buf, want);
	/* one short: no space, but still a NUL-terminated prefix */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(lugate_policy_format(&p, buf, 25), LUGATE_ERR_NOSPACE);
	assert_int_equal(buf[24], '\0');
	assert_memory_equal(buf, want, 24);
	assert_int_equal(buf[25], 'X'); /* nothing written past buf_size */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(lugate_policy_format(&p, buf, 1), LUGATE_ERR_NOSPACE);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');
	assert_int_equal(lugate_policy_format(&p, NULL, 0), LUGATE_ERR_NOSPACE);
}

static void format_rejects_what_would_not_parse(void **state)
{
	(void)state;
	struct lugate_policy p;
	char buf[256];

	assert_int_equal(lugate_policy_format(NULL, buf, sizeof(buf)), LUGATE_ERR_INVAL);
	lugate_policy_default(&p);
	assert_int_equal(lugate_policy_format(&p, NULL, 10), LUGATE_ERR_INVAL);

	p.kinds = 0;
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);
	p.kinds = LUGATE_PATH_POLICY;
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);

	/* a full, valid allow array, and a count one past it */
	lugate_policy_default(&p);
	for (unsigned i = 0; i < LUGATE_POLICY_MAX_ALLOW; i++) {
		snprintf(p.allow[i].from, sizeof(p.allow[i].from), "6.12.%u", i);
		snprintf(p.allow[i].to, sizeof(p.allow[i].to), "6.13.%u", i);
	}
	p.allow_count = LUGATE_POLICY_MAX_ALLOW;
	assert_true(lugate_policy_format(&p, NULL, 0) == LUGATE_ERR_NOSPACE);
	p.allow_count = LUGATE_POLICY_MAX_ALLOW + 1;
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);

	lugate_policy_default(&p);
	p.allow_count = 1;
	strcpy(p.allow[0].from, "6..1");
	strcpy(p.allow[0].to, "6.12.7");
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);
	strcpy(p.allow[0].from, "6.12.7");
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL); /* A == B */
	memset(p.allow[0].from, 'a', sizeof(p.allow[0].from)); /* unterminated */
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);

	policy_from("allow 6.12.5 -> 6.12.7\nallow 6.12.5 -> 6.12.8", &p);
	strcpy(p.allow[1].to, "6.12.7"); /* now a duplicate */
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), LUGATE_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(release_plain),
		cmocka_unit_test(release_debian_abi_flavour),
		cmocka_unit_test(release_multi_part_flavour),
		cmocka_unit_test(release_local_suffix_is_flavour),
		cmocka_unit_test(release_abi_without_flavour),
		cmocka_unit_test(release_digit_led_flavour_is_not_abi),
		cmocka_unit_test(release_rc),
		cmocka_unit_test(release_rc_with_everything),
		cmocka_unit_test(release_rc_word_without_digits_is_flavour),
		cmocka_unit_test(release_debian_new_style_local),
		cmocka_unit_test(release_git_describe),
		cmocka_unit_test(release_u32_max),
		cmocka_unit_test(release_length_limit),
		cmocka_unit_test(release_reads_only_len),
		cmocka_unit_test(release_bad_malformed),
		cmocka_unit_test(release_bad_300_chars),
		cmocka_unit_test(release_bad_embedded_nul_and_space),
		cmocka_unit_test(release_bad_overflow),
		cmocka_unit_test(release_bad_signs_and_prefixes),
		cmocka_unit_test(release_bad_leading_zero),
		cmocka_unit_test(release_bad_rc),
		cmocka_unit_test(release_bad_local),
		cmocka_unit_test(release_bad_flavour),
		cmocka_unit_test(release_bad_args),
		cmocka_unit_test(release_every_truncation),
		cmocka_unit_test(release_every_single_mutation),
		cmocka_unit_test(cmp_patch_minor_major),
		cmocka_unit_test(cmp_abi),
		cmocka_unit_test(cmp_rc),
		cmocka_unit_test(cmp_u32_max),
		cmocka_unit_test(path_names),
		cmocka_unit_test(path_same),
		cmocka_unit_test(path_stable_next),
		cmocka_unit_test(path_version_jump_refused),
		cmocka_unit_test(path_downgrade_refused),
		cmocka_unit_test(path_minor_next_only_when_enabled),
		cmocka_unit_test(path_debian_abi_next_is_stable_next),
		cmocka_unit_test(path_flavour_change_refused),
		cmocka_unit_test(path_policy_allow_line),
		cmocka_unit_test(classify_stable_next_variants),
		cmocka_unit_test(classify_minor_next_variants),
		cmocka_unit_test(classify_only_enabled_kinds),
		cmocka_unit_test(classify_allow_line_before_kinds),
		cmocka_unit_test(classify_allow_never_lifts_refusals),
		cmocka_unit_test(classify_rc),
		cmocka_unit_test(classify_debian_new_style),
		cmocka_unit_test(classify_flavour_presence_changes),
		cmocka_unit_test(classify_refusal_order),
		cmocka_unit_test(classify_null_and_long_inputs),
		cmocka_unit_test(classify_reads_at_most_a_release),
		cmocka_unit_test(classify_u32_max_edges),
		cmocka_unit_test(classify_abi_leading_zero_not_same),
		cmocka_unit_test(classify_corrupt_policy_struct),
		cmocka_unit_test(policy_default_values),
		cmocka_unit_test(policy_empty_is_default),
		cmocka_unit_test(policy_comments_and_blanks),
		cmocka_unit_test(policy_paths_variants),
		cmocka_unit_test(policy_allow_lines),
		cmocka_unit_test(policy_crlf),
		cmocka_unit_test(policy_reads_only_len),
		cmocka_unit_test(policy_err_unknown_keyword),
		cmocka_unit_test(policy_err_paths_syntax),
		cmocka_unit_test(policy_err_second_paths),
		cmocka_unit_test(policy_err_allow_syntax),
		cmocka_unit_test(policy_err_allow_bad_release),
		cmocka_unit_test(policy_err_allow_same_and_duplicate),
		cmocka_unit_test(policy_err_too_many),
		cmocka_unit_test(policy_err_embedded_nul),
		cmocka_unit_test(policy_line_length),
		cmocka_unit_test(policy_err_stray_cr),
		cmocka_unit_test(policy_bad_args),
		cmocka_unit_test(policy_every_truncation),
		cmocka_unit_test(format_default),
		cmocka_unit_test(format_canonical_text),
		cmocka_unit_test(format_round_trips),
		cmocka_unit_test(format_round_trips_full_policy),
		cmocka_unit_test(may_lack_lines),
		cmocka_unit_test(format_nospace),
		cmocka_unit_test(format_rejects_what_would_not_parse),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
