// SPDX-License-Identifier: MIT
/* The bundle container: build, open, verify, and rejection of every kind of bad bundle. */
#include "helpers.h"
#include <lugate/bundle.h>

static uint8_t table[100], kernel[5000], initrd[3000];
static const char cmdline[] = "console=ttyS0 panic=-1";

static size_t sample(uint8_t **out, bool with_fallback)
{
	struct lugate_bundle_input in[6] = {
		{ LUGATE_BUNDLE_KERNEL, kernel, sizeof(kernel) },
		{ LUGATE_BUNDLE_TABLE, table, sizeof(table) },
		{ LUGATE_BUNDLE_INITRD, initrd, sizeof(initrd) },
		{ LUGATE_BUNDLE_CMDLINE, cmdline, sizeof(cmdline) - 1 },
		{ LUGATE_BUNDLE_FALLBACK, kernel, 4000 },
		{ LUGATE_BUNDLE_FALLBACK_INITRD, initrd, 10 },
	};
	uint64_t needed = 0;
	uint32_t n = with_fallback ? 6 : 4;
	for (size_t i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7);
	memset(table, 0xab, sizeof(table));
	memset(initrd, 0x11, sizeof(initrd));
	assert_int_equal(lugate_bundle_build(NULL, 0, in, n, &needed), LUGATE_ERR_NOSPACE);
	uint8_t *buf = malloc(needed);
	assert_int_equal(lugate_bundle_build(buf, needed, in, n, NULL), (long long)needed);
	*out = buf;
	return needed;
}

static void roundtrip(void **state)
{
	(void)state;
	uint8_t *blob, digest[32], want[32];
	size_t size = sample(&blob, true);
	struct lugate_bundle b;
	const struct lugate_bundle_entry *e;

	assert_int_equal(lugate_bundle_open(blob, size, &b), 0);
	assert_int_equal(b.entry_count, 6);
	e = lugate_bundle_get(&b, LUGATE_BUNDLE_KERNEL);
	assert_non_null(e);
	assert_int_equal(e->size, sizeof(kernel));
	assert_memory_equal(e->data, kernel, sizeof(kernel));
	assert_int_equal(e->offset % LUGATE_BUNDLE_ALIGN, 0);
	assert_int_equal(lugate_bundle_verify(e, digest), 0);
	lugate_sha256(kernel, sizeof(kernel), want);
	assert_memory_equal(digest, want, 32);
	e = lugate_bundle_get(&b, LUGATE_BUNDLE_CMDLINE);
	assert_int_equal(e->size, strlen(cmdline));
	assert_memory_equal(e->data, cmdline, strlen(cmdline));
	assert_non_null(lugate_bundle_get(&b, LUGATE_BUNDLE_FALLBACK_INITRD));
	assert_null(lugate_bundle_get(&b, LUGATE_BUNDLE_FALLBACK_CMDLINE));
	assert_null(lugate_bundle_get(&b, 0));
	assert_null(lugate_bundle_get(&b, 99));
	assert_string_equal(lugate_bundle_role_name(LUGATE_BUNDLE_FALLBACK_INITRD), "fallback-initrd");
	assert_string_equal(lugate_bundle_role_name(42), "unknown");
	for (uint32_t i = 0; i < b.entry_count; i++)
		assert_int_equal(lugate_bundle_verify(&b.entry[i], NULL), 0);
	free(blob);
}

static void data_change_caught_by_verify(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample(&blob, false);
	struct lugate_bundle b;
	assert_int_equal(lugate_bundle_open(blob, size, &b), 0);
	const struct lugate_bundle_entry *e = lugate_bundle_get(&b, LUGATE_BUNDLE_INITRD);
	blob[e->offset + 5] ^= 1;
	assert_int_equal(lugate_bundle_open(blob, size, &b), 0); /* structure is still sound */
	e = lugate_bundle_get(&b, LUGATE_BUNDLE_INITRD);
	assert_int_equal(lugate_bundle_verify(e, NULL), LUGATE_ERR_BADHASH);
	assert_int_equal(lugate_bundle_verify(lugate_bundle_get(&b, LUGATE_BUNDLE_KERNEL), NULL), 0);
	free(blob);
}

/* Every single-byte change of header and directory, and of any padding byte, is rejected by
 * open(); every change of entry data is rejected by verify(). */
static void every_byte_change_caught(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample(&blob, true);
	struct lugate_bundle b;
	for (size_t i = 0; i < size; i++) {
		blob[i] ^= 0x40;
		int err = lugate_bundle_open(blob, size, &b);
		if (err == 0) {
			bool caught = false;
			for (uint32_t k = 0; k < b.entry_count; k++)
				caught = caught || lugate_bundle_verify(&b.entry[k], NULL) != 0;
			if (!caught)
				fail_msg("byte %zu changed and nothing noticed", i);
		}
		blob[i] ^= 0x40;
	}
	for (size_t n = 0; n < size; n += 97)
		assert_true(lugate_bundle_open(blob, n, &b) < 0);
	free(blob);
}

static void reseal_dir(uint8_t *blob)
{
	uint32_t count = blob[16];
	lugate_sha256(blob + 64, (size_t)count * 64, blob + 32);
}

static void hostile_directories(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample(&blob, true);
	struct lugate_bundle b;
	uint8_t *copy = malloc(size);
	uint8_t *e1 = NULL;

	/* unaligned offset */
	memcpy(copy, blob, size);
	e1 = copy + 64 + 64; /* second entry */
	e1[8] += 1;
	reseal_dir(copy);
	assert_int_equal(lugate_bundle_open(copy, size, &b), LUGATE_ERR_BADSIZE);
	/* size running past the end */
	memcpy(copy, blob, size);
	e1 = copy + 64 + 64;
	e1[16 + 7] = 0x10;
	reseal_dir(copy);
	assert_int_equal(lugate_bundle_open(copy, size, &b), LUGATE_ERR_BADSIZE);
	/* duplicate role */
	memcpy(copy, blob, size);
	copy[64 + 64] = copy[64];
	reseal_dir(copy);
	assert_int_equal(lugate_bundle_open(copy, size, &b), LUGATE_ERR_DUPLICATE);
	/* unknown role */
	memcpy(copy, blob, size);
	copy[64 + 64] = 9;
	reseal_dir(copy);
	assert_int_equal(lugate_bundle_open(copy, size, &b), LUGATE_ERR_UNSUPPORTED);
	/* overlapping areas: second entry starts where the first does */
	memcpy(copy, blob, size);
	memcpy(copy + 64 + 64 + 8, copy + 64 + 8, 8);
	reseal_dir(copy);
	assert_int_equal(lugate_bundle_open(copy, size, &b), LUGATE_ERR_BADSIZE);
	/* hostile entry count */
	memcpy(copy, blob, size);
	copy[16] = 200;
	assert_int_equal(lugate_bundle_open(copy, size, &b), LUGATE_ERR_TOOMANY);
	/* total size disagreeing with the blob */
	assert_int_equal(lugate_bundle_open(blob, size - 1, &b), LUGATE_ERR_TRUNCATED);
	uint8_t *big = calloc(1, size + 8);
	memcpy(big, blob, size);
	assert_int_equal(lugate_bundle_open(big, size + 8, &b), LUGATE_ERR_BADSIZE);
	free(big);
	free(copy);
	free(blob);
}

static void build_rejects(void **state)
{
	(void)state;
	uint8_t buf[16384];
	struct lugate_bundle_input no_table[1] = { { LUGATE_BUNDLE_KERNEL, kernel, 10 } };
	struct lugate_bundle_input dup[3] = { { LUGATE_BUNDLE_KERNEL, kernel, 10 }, { LUGATE_BUNDLE_TABLE, table, 10 },
					      { LUGATE_BUNDLE_KERNEL, kernel, 10 } };
	struct lugate_bundle_input bad_cmd[3] = { { LUGATE_BUNDLE_KERNEL, kernel, 10 }, { LUGATE_BUNDLE_TABLE, table, 10 },
						  { LUGATE_BUNDLE_CMDLINE, "a\nb", 3 } };
	struct lugate_bundle_input orphan[3] = { { LUGATE_BUNDLE_KERNEL, kernel, 10 }, { LUGATE_BUNDLE_TABLE, table, 10 },
						 { LUGATE_BUNDLE_FALLBACK_INITRD, initrd, 10 } };
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), no_table, 1, NULL), LUGATE_ERR_NOTFOUND);
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), dup, 3, NULL), LUGATE_ERR_DUPLICATE);
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), bad_cmd, 3, NULL), LUGATE_ERR_BADSTRING);
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), orphan, 3, NULL), LUGATE_ERR_NOTFOUND);
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), dup, 0, NULL), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_bundle_build(buf, sizeof(buf), dup, 9, NULL), LUGATE_ERR_TOOMANY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip), cmocka_unit_test(data_change_caught_by_verify),
		cmocka_unit_test(every_byte_change_caught), cmocka_unit_test(hostile_directories),
		cmocka_unit_test(build_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
