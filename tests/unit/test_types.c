// SPDX-License-Identifier: MIT
/* GUID, PCI address and hex text forms; bounded formatting; error strings. */
#include "helpers.h"

static void guid_roundtrip(void **state)
{
	(void)state;
	struct lugate_guid g;
	char text[LUGATE_GUID_TEXT_LEN + 1];
	assert_int_equal(lugate_guid_parse(GUID_B, 36, &g), 0);
	assert_int_equal(g.b[0], 0x00);
	assert_int_equal(g.b[1], 0x11);
	assert_int_equal(g.b[15], 0xff);
	lugate_guid_format(&g, text);
	assert_string_equal(text, GUID_B);
	/* upper case accepted, formatted lower */
	assert_int_equal(lugate_guid_parse("5F0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D", 36, &g), 0);
	lugate_guid_format(&g, text);
	assert_string_equal(text, GUID_A);
}

static void guid_rejects(void **state)
{
	(void)state;
	struct lugate_guid g;
	static const char *const bad[] = {
		"", "5f0b1c2d", "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2", "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2dd",
		"5f0b1c2d3e4f-4a5b-8c6d-7e8f9a0b1c2d-", "5f0b1c2g-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
		"{5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c}", "5f0b1c2d 3e4f-4a5b-8c6d-7e8f9a0b1c2d",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lugate_guid_parse(bad[i], strlen(bad[i]), &g), LUGATE_ERR_BADGUID);
	/* length is honoured: a valid GUID followed by junk is rejected at len 37 */
	assert_int_equal(lugate_guid_parse(GUID_A "x", 37, &g), LUGATE_ERR_BADGUID);
	/* and a prefix of a valid GUID is rejected */
	assert_int_equal(lugate_guid_parse(GUID_A, 35, &g), LUGATE_ERR_BADGUID);
	assert_int_equal(lugate_guid_parse(NULL, 36, &g), LUGATE_ERR_BADGUID);
}

static void guid_order(void **state)
{
	(void)state;
	struct lugate_guid a = guid_of(GUID_A), b = guid_of(GUID_B), c = guid_of(GUID_C);
	assert_true(lugate_guid_cmp(&b, &a) < 0);
	assert_true(lugate_guid_cmp(&a, &c) < 0);
	assert_int_equal(lugate_guid_cmp(&a, &a), 0);
}

static void pci_roundtrip(void **state)
{
	(void)state;
	lugate_pci_addr a;
	char text[LUGATE_PCI_TEXT_LEN + 1];
	assert_int_equal(lugate_pci_parse("0000:3b:00.0", 12, &a), 0);
	assert_int_equal(lugate_pci_bus(a), 0x3b);
	lugate_pci_format(a, text);
	assert_string_equal(text, "0000:3b:00.0");
	assert_int_equal(lugate_pci_parse("ABCD:FF:1F.7", 12, &a), 0);
	assert_int_equal(lugate_pci_segment(a), 0xabcd);
	assert_int_equal(lugate_pci_device(a), 0x1f);
	assert_int_equal(lugate_pci_function(a), 7);
	lugate_pci_format(a, text);
	assert_string_equal(text, "abcd:ff:1f.7");
	assert_int_equal(lugate_pci_parse("3b:00.1", 7, &a), 0);
	assert_int_equal(a, lugate_pci_make(0, 0x3b, 0, 1));
	/* order of the packed form is address order */
	lugate_pci_addr x, y;
	assert_int_equal(lugate_pci_parse("0000:3b:1f.7", 12, &x), 0);
	assert_int_equal(lugate_pci_parse("0001:00:00.0", 12, &y), 0);
	assert_true(x < y);
}

static void pci_rejects(void **state)
{
	(void)state;
	lugate_pci_addr a;
	static const char *const bad[] = {
		"", "0000:3b:00", "0000:3b:20.0", "0000:3b:00.8", "0000-3b-00.0", "00000:3b:00.0",
		"0000:3b:00.0 ", "g000:3b:00.0", "0000:3b:0.0", "3b:00:0", "0000:3b:00.",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lugate_pci_parse(bad[i], strlen(bad[i]), &a), LUGATE_ERR_BADADDR);
}

static void hex_roundtrip(void **state)
{
	(void)state;
	uint8_t in[4] = { 0x00, 0xab, 0x10, 0xff }, out[4];
	char text[9];
	lugate_hex_format(in, 4, text);
	assert_string_equal(text, "00ab10ff");
	assert_int_equal(lugate_hex_parse(text, 8, out, 4), 0);
	assert_memory_equal(in, out, 4);
	assert_int_equal(lugate_hex_parse("00ab10f", 7, out, 4), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_hex_parse("00ab10fz", 8, out, 4), LUGATE_ERR_INVAL);
}

static void fmt_bounded(void **state)
{
	(void)state;
	char buf[8];
	struct lugate_fmt f;
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_str(&f, "abc");
	lugate_fmt_udec(&f, 12345);
	assert_string_equal(buf, "abc1234");
	assert_int_equal(f.len, 8); /* what would have been written: truncation is visible */
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_hex(&f, 0x3b, 4);
	lugate_fmt_char(&f, '/');
	lugate_fmt_sdec(&f, -42);
	assert_string_equal(buf, "003b/-4"); /* 8 chars, room for 7 */
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_sdec(&f, INT64_MIN);
	assert_int_equal(f.len, 20);
	assert_string_equal(buf, "-922337");
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_hex(&f, 0, 0);
	assert_string_equal(buf, "0");
}

/* Input in a message: control bytes escaped, a long string cut with "...". */
static void fmt_input_escaped(void **state)
{
	(void)state;
	char buf[256], big[200];
	struct lugate_fmt f;
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_input(&f, "6.1\n\x1b[2J\\\xe9");
	assert_string_equal(buf, "6.1\\x0a\\x1b[2J\\\\\\xe9");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_input(&f, big);
	assert_int_equal(f.len, LUGATE_FMT_INPUT_MAX + 3);
	assert_memory_equal(buf + LUGATE_FMT_INPUT_MAX - 1, "a...", 5);
	big[LUGATE_FMT_INPUT_MAX] = '\0'; /* exactly the limit: shown whole */
	lugate_fmt_init(&f, buf, sizeof(buf));
	lugate_fmt_input(&f, big);
	assert_int_equal(f.len, LUGATE_FMT_INPUT_MAX);
}

static void error_strings(void **state)
{
	(void)state;
	for (int e = 0; e >= -LUGATE_ERR_MAX; e--) {
		assert_non_null(lugate_strerror(e));
		assert_string_not_equal(lugate_errname(e), "unknown");
	}
	assert_string_equal(lugate_errname(LUGATE_ERR_BADHASH), "bad-hash");
	assert_string_equal(lugate_strerror(-999), "unknown error");
	assert_string_equal(lugate_strerror(5), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guid_roundtrip), cmocka_unit_test(guid_rejects), cmocka_unit_test(guid_order),
		cmocka_unit_test(pci_roundtrip),  cmocka_unit_test(pci_rejects),  cmocka_unit_test(hex_roundtrip),
		cmocka_unit_test(fmt_bounded),    cmocka_unit_test(fmt_input_escaped), cmocka_unit_test(error_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
