// SPDX-License-Identifier: MIT
/*
 * SHA-256, every compression path the benches time (portable C, SSSE3 schedule with BMI2
 * rounds, SHA-NI) and the automatic choice, against OpenSSL as the oracle: FIPS 180-4 examples,
 * every length around the block and padding boundaries, unaligned input, and streaming in
 * uneven pieces. A path this CPU lacks must fall back to portable (asserted by `selection`);
 * its own correctness test is then not run, and a TAP "# SKIP" line says so (tests/run.sh
 * counts skips apart from passes).
 */
#include <stdio.h>
#include <openssl/evp.h>
#include "helpers.h"

static void oracle(const void *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
}

static void hash_with(enum lugate_sha256_impl impl, const void *data, size_t len, uint8_t out[32])
{
	struct lugate_sha256 s;
	lugate_sha256_init_impl(&s, impl);
	lugate_sha256_update(&s, data, len);
	lugate_sha256_final(&s, out);
}

static uint8_t *test_bytes(size_t len)
{
	uint8_t *p = malloc(len + 16);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	assert_non_null(p);
	for (size_t i = 0; i < len + 16; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
	return p;
}

/* What init_impl must pick for a request on this CPU. */
static enum lugate_sha256_impl expected_impl(enum lugate_sha256_impl want)
{
	bool shani = lugate_sha256_have_shani();
#if defined(__x86_64__) || defined(__i386__)
	bool simd = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("bmi2");
#else
	bool simd = false;
#endif
	switch (want) {
	case LUGATE_SHA256_AUTO:
		return shani ? LUGATE_SHA256_SHANI : simd ? LUGATE_SHA256_SIMD : LUGATE_SHA256_PORTABLE;
	case LUGATE_SHA256_SHANI:
		return shani ? LUGATE_SHA256_SHANI : LUGATE_SHA256_PORTABLE;
	case LUGATE_SHA256_SIMD:
		return simd ? LUGATE_SHA256_SIMD : LUGATE_SHA256_PORTABLE;
	default:
		return LUGATE_SHA256_PORTABLE;
	}
}

static void selection(void **state)
{
	(void)state;
	static const enum lugate_sha256_impl all[] = {
		LUGATE_SHA256_AUTO, LUGATE_SHA256_PORTABLE, LUGATE_SHA256_SHANI, LUGATE_SHA256_SIMD,
		(enum lugate_sha256_impl)77,
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct lugate_sha256 s;
		lugate_sha256_init_impl(&s, all[i]);
		assert_int_equal(s.impl, expected_impl(all[i]));
	}
}

static void fips_examples(void **state)
{
	(void)state;
	/* FIPS 180-4 / NIST example digests */
	static const struct { const char *msg; const char *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	static const enum lugate_sha256_impl impls[] = { LUGATE_SHA256_PORTABLE, LUGATE_SHA256_SIMD,
							 LUGATE_SHA256_SHANI, LUGATE_SHA256_AUTO };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t want[32], got[32];
		assert_int_equal(lugate_hex_parse(v[i].hex, 64, want, sizeof(want)), 0);
		for (size_t k = 0; k < sizeof(impls) / sizeof(impls[0]); k++) {
			hash_with(impls[k], v[i].msg, strlen(v[i].msg), got);
			assert_memory_equal(got, want, 32);
		}
	}
}

/* Every length 0..1100 at every alignment 0..7, one update, against OpenSSL. */
static void lengths_and_alignment(enum lugate_sha256_impl impl)
{
	uint8_t *data = test_bytes(1100 + 8);
	uint8_t want[32], got[32];

	for (size_t len = 0; len <= 1100; len++) {
		for (size_t align = 0; align < 8; align++) {
			oracle(data + align, len, want);
			hash_with(impl, data + align, len, got);
			if (memcmp(got, want, 32) != 0)
				fail_msg("impl %d: length %zu at offset %zu differs from OpenSSL", impl, len, align);
		}
	}
	free(data);
}

/* A large buffer streamed in uneven pieces (1, 63, 64, 65, 4095 ... bytes). */
static void streaming(enum lugate_sha256_impl impl)
{
	static const size_t pieces[] = { 1, 63, 64, 65, 127, 4095, 3, 64 * 1024 + 7, 0, 55, 56, 57 };
	const size_t total = (size_t)3 << 20;
	uint8_t *data = test_bytes(total);
	uint8_t want[32], got[32];
	struct lugate_sha256 s;
	size_t done = 0, k = 0;

	oracle(data, total, want);
	lugate_sha256_init_impl(&s, impl);
	while (done < total) {
		size_t n = pieces[k++ % (sizeof(pieces) / sizeof(pieces[0]))];
		if (n > total - done)
			n = total - done;
		lugate_sha256_update(&s, data + done, n);
		done += n;
	}
	lugate_sha256_final(&s, got);
	assert_memory_equal(got, want, 32);
	hash_with(impl, data, total, got);
	assert_memory_equal(got, want, 32);
	free(data);
}

static bool path_available(enum lugate_sha256_impl impl)
{
	struct lugate_sha256 s;
	lugate_sha256_init_impl(&s, impl);
	return s.impl == impl;
}

static void run_path(enum lugate_sha256_impl impl)
{
	assert_true(path_available(impl));
	lengths_and_alignment(impl);
	streaming(impl);
}

static void portable_matches_openssl(void **state)
{
	(void)state;
	run_path(LUGATE_SHA256_PORTABLE);
}

static void simd_matches_openssl(void **state)
{
	(void)state;
	run_path(LUGATE_SHA256_SIMD);
}

static void shani_matches_openssl(void **state)
{
	(void)state;
	run_path(LUGATE_SHA256_SHANI);
}

static void auto_matches_openssl(void **state)
{
	(void)state;
	uint8_t *data = test_bytes(1 << 20);
	uint8_t want[32], got[32];
	oracle(data, 1 << 20, want);
	lugate_sha256(data, 1 << 20, got);
	assert_memory_equal(got, want, 32);
	free(data);
}

int main(void)
{
	static const struct { enum lugate_sha256_impl impl; struct CMUnitTest test; const char *why; } paths[] = {
		{ LUGATE_SHA256_PORTABLE, cmocka_unit_test(portable_matches_openssl), "" },
		{ LUGATE_SHA256_SIMD, cmocka_unit_test(simd_matches_openssl), "no SSSE3 and BMI2 on this CPU" },
		{ LUGATE_SHA256_SHANI, cmocka_unit_test(shani_matches_openssl), "no SHA extensions on this CPU" },
	};
	struct CMUnitTest tests[6] = {
		cmocka_unit_test(selection),
		cmocka_unit_test(fips_examples),
		cmocka_unit_test(auto_matches_openssl),
	};
	size_t n = 3;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (path_available(paths[i].impl))
			tests[n++] = paths[i].test;
		else
			printf("ok - test_sha256_bench_paths: %s # SKIP %s\n", paths[i].test.name, paths[i].why);
	}
	fflush(stdout);
	return _cmocka_run_group_tests("test_sha256_bench_paths", tests, n, NULL, NULL);
}
