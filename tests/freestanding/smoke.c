// SPDX-License-Identifier: MIT
/*
 * Freestanding smoke test: the core and libfdt exactly as the loader links them
 * (liblugate-core.a + liblugate-libc.a, no libc, no stack protector), run as a bare Linux
 * process. Prints TAP lines; exits non-zero if any failed. It proves that the freestanding
 * build computes what the host build computes (SHA-256 vector, table and manifest round
 * trip, allow and refuse verdicts) and that the small libc behaves.
 */
#include <string.h>
#include <lugate/lugate.h>

long smoke_write(const void *buf, size_t len);
int smoke_main(void);

static int failures;

static void say(const char *s)
{
	smoke_write(s, strlen(s));
}

static void tap(int ok, const char *name)
{
	say(ok ? "ok - " : "not ok - ");
	say(name);
	say("\n");
	if (!ok)
		failures++;
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

static uint8_t table_buf[4096], manifest_buf[4096], bad_manifest_buf[4096];

static void test_libc(void)
{
	char b[16] = "abcdefghij";

	memmove(b + 2, b, 5);
	tap(memcmp(b, "ababcdehij", 10) == 0, "libc: memmove forward overlap");
	memcpy(b, "abcdefghij", 11);
	memmove(b, b + 3, 5);
	tap(memcmp(b, "defghfghij", 10) == 0, "libc: memmove backward overlap");
	memset(b, 'x', 3);
	tap(b[0] == 'x' && b[2] == 'x' && b[3] == 'g', "libc: memset bounds");
	static char hi[] = "a\x80", lo[] = "a\x01", abc[] = "abc", abc2[] = "abc", abd[] = "abd", abx[] = "abX", aby[] = "abY";

	tap(memcmp(hi, lo, 2) > 0 && memcmp(abc, abd, 3) < 0, "libc: memcmp is unsigned");
	tap(strlen("lugate") == 6 && strnlen("lugate", 3) == 3 && strnlen("lu", 9) == 2, "libc: strlen/strnlen");
	tap(strcmp(abc, abd) < 0 && strcmp(abd, abc) > 0 && strcmp(abc, abc2) == 0 && strncmp(abx, aby, 2) == 0 &&
	    strncmp(abx, aby, 3) < 0, "libc: strcmp/strncmp");
	{
		const char *s = "a,b,c";
		tap(strchr(s, ',') == s + 1 && strrchr(s, ',') == s + 3 && strchr(s, 'z') == NULL &&
		    strchr(s, '\0') == s + 5 && memchr(s, 'c', 5) == s + 4 && memchr(s, 'c', 4) == NULL,
		    "libc: strchr/strrchr/memchr");
	}
}

static void test_sha256(void)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t out[32];

	static uint8_t data[1000];
	struct lugate_sha256 ctx;
	uint8_t portable[32], shani[32];

	lugate_sha256("abc", 3, out);
	tap(memcmp(out, abc, 32) == 0, "core: SHA-256(\"abc\") matches FIPS 180-4");
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	lugate_sha256_init_impl(&ctx, LUGATE_SHA256_PORTABLE);
	lugate_sha256_update(&ctx, data, sizeof(data));
	lugate_sha256_final(&ctx, portable);
	lugate_sha256_init_impl(&ctx, LUGATE_SHA256_SHANI);
	lugate_sha256_update(&ctx, data, 333);
	lugate_sha256_update(&ctx, data + 333, sizeof(data) - 333);
	lugate_sha256_final(&ctx, shani);
	say(lugate_sha256_have_shani() ? "# this CPU has SHA-NI\n" : "# no SHA-NI here: the SHANI request runs portable\n");
	tap(memcmp(portable, shani, 32) == 0, "core: SHA-NI and portable SHA-256 agree (split updates)");
}

static void test_check(void)
{
	static const char guid_text[] = "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
	struct lugate_device dev = { 0 };
	struct lugate_schema schema = { 0 }, other = { 0 };
	uint32_t scratch[4];
	struct lugate_table_spec ts = { 0 };
	struct lugate_manifest_spec ms = { 0 };
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	struct lugate_check_input in = { 0 };
	char msg[256];
	long tn, mn, bn;

	lugate_pci_parse("0000:3b:00.0", 12, &dev.addr);
	lugate_guid_parse(guid_text, sizeof(guid_text) - 1, &dev.schema);
	dev.vendor_id = 0x15b3;
	dev.device_id = 0x101d;
	dev.class_code = 0x020000;
	dev.schema_version = 3;
	dev.driver = "mlx5_core";
	ts.release = "6.1.0-55-amd64";
	ts.devices = &dev;
	ts.device_count = 1;
	tn = lugate_table_build(table_buf, sizeof(table_buf), &ts, scratch, 4, NULL);
	tap(tn > 0, "core: table builds");

	schema.guid = dev.schema;
	schema.min_version = 1;
	schema.max_version = 4;
	ms.release = "6.1.0-56-amd64";
	ms.schemas = &schema;
	ms.schema_count = 1;
	mn = lugate_manifest_build(manifest_buf, sizeof(manifest_buf), &ms, scratch, 4, NULL);
	tap(mn > 0, "core: manifest builds");

	in.table = table_buf;
	in.table_size = (size_t)tn;
	in.manifest = manifest_buf;
	in.manifest_size = (size_t)mn;
	tap(lugate_check(&in, reasons, 8, &v) == 0 && v.decision == LUGATE_ALLOW && v.reason_total == 0,
	    "core: check allows a supported stable-next upgrade");

	lugate_guid_parse("00112233-4455-6677-8899-aabbccddeeff", 36, &other.guid);
	other.min_version = 1;
	other.max_version = 9;
	ms.schemas = &other;
	bn = lugate_manifest_build(bad_manifest_buf, sizeof(bad_manifest_buf), &ms, scratch, 4, NULL);
	in.manifest = bad_manifest_buf;
	in.manifest_size = bn > 0 ? (size_t)bn : 0;
	tap(lugate_check(&in, reasons, 8, &v) == 0 && v.decision == LUGATE_REFUSE && v.reason_count == 1 &&
	    reasons[0].code == LUGATE_REASON_SCHEMA_MISSING, "core: check refuses a missing schema");
	tap(lugate_reason_format(&reasons[0], msg, sizeof(msg)) > 0 && contains(msg, "0000:3b:00.0"),
	    "core: reason message names the device");

	table_buf[LUGATE_FRAME_HEADER_SIZE + 8] ^= 1;
	in.manifest = manifest_buf;
	in.manifest_size = (size_t)mn;
	tap(lugate_check(&in, reasons, 8, &v) == 0 && v.decision == LUGATE_REFUSE && v.reason_count >= 1 &&
	    reasons[0].code == LUGATE_REASON_TABLE_CORRUPT, "core: check refuses a corrupt table");
}

int smoke_main(void)
{
	test_libc();
	test_sha256();
	test_check();
	return failures ? 1 : 0;
}
