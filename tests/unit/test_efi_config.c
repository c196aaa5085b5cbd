// SPDX-License-Identifier: MIT
/*
 * lugate.efi's configuration parser on the host (efi/config.c, the very source the app links),
 * under AddressSanitizer/UBSan (mk/45-efi.mk).
 */
#include <stdio.h>
#include "helpers.h"
#include "../../efi/config.h"

static struct config a, b, m;

/* One named check: a failure says which, and ends the test (cmocka). */
#define tap(ok, name) check_named((ok) != 0, (name), __FILE__, __LINE__)
static void check_named(bool ok, const char *name, const char *file, int line)
{
	if (!ok) {
		print_error("check failed: config: %s\n", name);
		_fail(file, line);
	}
}

static void parse_file(struct config *c, const char *text)
{
	config_init(c);
	config_parse_file(c, text, strlen(text));
}

static void parse_options(struct config *c, const char *text)
{
	config_init(c);
	config_parse_options(c, text);
}

static int has(const struct config *c, enum config_key k, const char *v)
{
	return c->set[k] && strcmp(c->value[k], v) == 0;
}

static void test_file(void **state)
{
	(void)state;
	parse_file(&a, "# lugate.efi\n\nkernel = vmlinuz\r\n  initrd=initrd.img  \ntable =\t\"sealed table.bin\"\n"
		       "fallback = \\boot\\old\ncmdline = console=ttyS0 root=/dev/sda1 # not a comment\n");
	tap(a.errors == 0, "a well-formed file parses without problems");
	tap(has(&a, CFG_KERNEL, "vmlinuz") && has(&a, CFG_INITRD, "initrd.img"), "keys with and without blanks, CRLF");
	tap(has(&a, CFG_TABLE, "sealed table.bin"), "one pair of surrounding quotes is dropped");
	tap(has(&a, CFG_CMDLINE, "console=ttyS0 root=/dev/sda1 # not a comment"),
	    "the value runs to the end of the line ('=' and '#' inside it kept)");
	tap(!a.set[CFG_FALLBACK_INITRD] && !a.set[CFG_CONFIG], "keys not given stay unset");

	parse_file(&a, "kernel = a\nbogus = 1\nkernel = b\n");
	tap(a.errors == 2 && strstr(a.first_error, "line 2") && strstr(a.first_error, "unknown key 'bogus'"),
	    "an unknown key is a problem naming its line");
	tap(has(&a, CFG_KERNEL, "a"), "a key given twice keeps its first value (and is a problem)");

	parse_file(&a, "kernel vmlinuz\n");
	tap(a.errors == 1 && strstr(a.first_error, "not key = value"), "a line without '=' is a problem");
	parse_file(&a, "config = other.conf\n");
	tap(a.errors == 1 && !a.set[CFG_CONFIG], "config= is for the load options only");
	parse_file(&a, "table =\ncmdline =\n");
	tap(a.errors == 1 && a.set[CFG_CMDLINE] && a.value[CFG_CMDLINE][0] == '\0' && !a.set[CFG_TABLE],
	    "an empty path is a problem, an empty command line is not");

	config_init(&a);
	config_parse_file(&a, "kernel = x\0y\n", 12);
	tap(a.errors == 1 && !a.set[CFG_KERNEL], "a NUL byte makes the whole file unusable");
	parse_file(&a, "kernel = a\x01\n");
	tap(a.errors == 1 && !a.set[CFG_KERNEL], "a control character is a problem");

	char *big = malloc(CONFIG_VALUE_MAX + 32);
	if (big) {
		memcpy(big, "cmdline = ", 10);
		memset(big + 10, 'x', CONFIG_VALUE_MAX + 10);
		big[CONFIG_VALUE_MAX + 20] = '\0';
		parse_file(&a, big);
		tap(a.errors == 1 && !a.set[CFG_CMDLINE], "a value longer than 4095 bytes is a problem, not cut");
		free(big);
	}
	config_init(&a);
	config_parse_file(&a, "kernel = a", 10);
	tap(has(&a, CFG_KERNEL, "a"), "a last line without a newline counts");
}

static void test_options(void **state)
{
	(void)state;
	parse_options(&b, "FS0:\\EFI\\lugate\\lugate.efi table=t2.bin cmdline=\"console=ttyS0 quiet\" config=\\x.conf");
	tap(b.errors == 0, "shell-style load options parse (the program path skipped)");
	tap(has(&b, CFG_TABLE, "t2.bin") && has(&b, CFG_CONFIG, "\\x.conf"), "key=value words");
	tap(has(&b, CFG_CMDLINE, "console=ttyS0 quiet"), "a double-quoted value keeps its blanks");
	parse_options(&b, "table=t.bin stray");
	tap(b.errors == 1 && strstr(b.first_error, "load options") && strstr(b.first_error, "stray"),
	    "a later word without '=' is a problem");
	parse_options(&b, "cmdline=\"open");
	tap(b.errors == 1 && !b.set[CFG_CMDLINE], "an unterminated quote is a problem");
	parse_options(&b, "table=a table=b");
	tap(b.errors == 1 && has(&b, CFG_TABLE, "a"), "a key given twice in the options is a problem");
	parse_options(&b, "   ");
	tap(b.errors == 0 && !b.set[CFG_KERNEL], "blank options set nothing");
}

static void test_options_text(void **state)
{
	(void)state;
	const uint16_t text[] = { 'a', '=', 'b', ' ', 'c', '=', 'd', 0, 'x' };
	const uint8_t guid[16] = { 0x8b, 0x8a, 0x6f, 0x8c, 0xc1, 0x8e, 0xf5, 0x4b,
				   0x8f, 0xd6, 0x59, 0xbb, 0x2a, 0xd2, 0x5c, 0x84 };
	uint16_t wide[2] = { 'a', 0x263a };
	char out[64];

	tap(config_options_text(text, sizeof(text), out, sizeof(out)) && strcmp(out, "a=b c=d") == 0,
	    "UCS-2 options become ASCII, up to their NUL");
	tap(!config_options_text((const uint16_t *)guid, sizeof(guid), out, sizeof(out)) && out[0] == '\0',
	    "binary boot-entry data (a GUID) is not text");
	tap(!config_options_text(text, 5, out, sizeof(out)), "an odd byte count is not UCS-2 text");
	tap(!config_options_text(wide, sizeof(wide), out, sizeof(out)), "non-ASCII characters are refused");
	tap(!config_options_text(text, sizeof(text), out, 4) && out[0] == '\0', "text longer than the buffer is refused");
}

static void test_merge_resolve(void **state)
{
	(void)state;
	char p[64];

	parse_file(&a, "kernel = k\ntable = t\ncmdline = c\n");
	parse_options(&b, "table=u bogus=1");
	config_merge(&m, &a, &b);
	tap(has(&m, CFG_KERNEL, "k") && has(&m, CFG_TABLE, "u") && has(&m, CFG_CMDLINE, "c"),
	    "options override the file key by key");
	tap(m.errors == 1 && strstr(m.first_error, "bogus"), "problems of both sources are counted");

	tap(config_resolve_path("\\lugate\\lugate.conf", "vmlinuz", p, sizeof(p)) && strcmp(p, "\\lugate\\vmlinuz") == 0,
	    "relative paths are taken from the configuration's folder");
	tap(config_resolve_path("\\lugate\\lugate.conf", "/boot/vmlinuz", p, sizeof(p)) &&
		    strcmp(p, "\\boot\\vmlinuz") == 0, "absolute paths stay, '/' becomes '\\'");
	tap(config_resolve_path("", "t.bin", p, sizeof(p)) && strcmp(p, "\\t.bin") == 0,
	    "without a configuration file, relative means the ESP root");
	tap(!config_resolve_path("\\lugate\\lugate.conf", "a-rather-long-file-name.bin", p, 16),
	    "a path that does not fit is refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_text),
		cmocka_unit_test(test_merge_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
