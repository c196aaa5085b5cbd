// SPDX-License-Identifier: MIT
/*
 * SHA-256 (handoff/sha256*.c) against OpenSSL as the oracle, on each compression path:
 * every length 0..300 at every alignment 0..63, random lengths from 0 to several MiB at
 * random (odd) alignments, and streaming in random splits (empty updates included).
 * The portable path always runs. A path this CPU cannot run (SHA-NI on a CPU without the
 * SHA extensions; the SSSE3+BMI2 path without them) is skipped with cmocka's skip(), which
 * the unit suite reports as "ok ... # SKIP" and tests/run.sh counts apart: never as passed.
 * Fixed seeds: a failure names the length and offset, and reproduces.
 */
#include <stdio.h>
#include <openssl/evp.h>
#include "helpers.h"

#define MAX_LEN (((size_t)6 << 20) + 4096) /* several MiB */
#define MAX_ALIGN 64u

static uint8_t *data; /* MAX_LEN + MAX_ALIGN pseudo-random bytes, shared by every case */

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int setup_data(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	(void)state;
	data = malloc(MAX_LEN + MAX_ALIGN);
	if (!data)
		return -1;
	for (size_t i = 0; i < MAX_LEN + MAX_ALIGN; i++)
		data[i] = (uint8_t)(next_random(&x) >> 32);
	return 0;
}

static int free_data(void **state)
{
	(void)state;
	free(data);
	return 0;
}

static void oracle(const uint8_t *p, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(p, len, out, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
}

static void hash_once(enum lugate_sha256_impl impl, const uint8_t *p, size_t len, uint8_t out[32])
{
	struct lugate_sha256 s;
	lugate_sha256_init_impl(&s, impl);
	assert_int_equal(s.impl, impl);
	lugate_sha256_update(&s, p, len);
	lugate_sha256_final(&s, out);
}

static void compare(enum lugate_sha256_impl impl, const uint8_t *got, size_t len, size_t align, const char *how)
{
	uint8_t want[32];
	oracle(data + align, len, want);
	if (memcmp(got, want, 32) != 0)
		fail_msg("path %d, %s: length %zu at offset %zu differs from OpenSSL", (int)impl, how, len, align);
}

/* Every length across the block and padding boundaries, at every alignment up to 63. */
static void small_lengths_all_alignments(enum lugate_sha256_impl impl)
{
	uint8_t got[32];
	for (size_t len = 0; len <= 300; len++)
		for (size_t align = 0; align < MAX_ALIGN; align++) {
			hash_once(impl, data + align, len, got);
			compare(impl, got, len, align, "one update");
		}
}

/* Random lengths, 0 .. several MiB (log-uniform, plus the largest), random alignments. */
static void random_lengths(enum lugate_sha256_impl impl)
{
	uint64_t x = 0x243f6a8885a308d3ull;
	uint8_t got[32];

	for (int k = 0; k < 40; k++) {
		unsigned bits = (unsigned)(next_random(&x) % 23); /* up to 4 MiB */
		size_t len = (size_t)(next_random(&x) % ((uint64_t)1 << bits));
		size_t align = (size_t)(next_random(&x) % MAX_ALIGN);
		hash_once(impl, data + align, len, got);
		compare(impl, got, len, align, "one update, random length");
	}
	hash_once(impl, data + 63, MAX_LEN, got);
	compare(impl, got, MAX_LEN, 63, "one update, largest");
}

/* Random buffers fed in random pieces (0 .. 70,000 bytes, empty ones too). */
static void streaming_random_splits(enum lugate_sha256_impl impl)
{
	uint64_t x = 0x13198a2e03707344ull;
	uint8_t got[32];

	for (int k = 0; k < 12; k++) {
		size_t len = (size_t)(next_random(&x) % ((size_t)3 << 20)), done = 0;
		size_t align = (size_t)(next_random(&x) % MAX_ALIGN);
		struct lugate_sha256 s;
		lugate_sha256_init_impl(&s, impl);
		while (done < len) {
			uint64_t r = next_random(&x);
			size_t piece = r & 1 ? (size_t)(r >> 8) % 130 : (size_t)(r >> 8) % 70000;
			if (piece > len - done)
				piece = len - done;
			lugate_sha256_update(&s, data + align + done, piece);
			done += piece;
		}
		lugate_sha256_final(&s, got);
		compare(impl, got, len, align, "streamed in random pieces");
	}
	/* a context is reusable after init */
	struct lugate_sha256 s;
	lugate_sha256_init_impl(&s, impl);
	lugate_sha256_update(&s, data, 1000);
	lugate_sha256_final(&s, got);
	lugate_sha256_init_impl(&s, impl);
	lugate_sha256_update(&s, data + 1, 77);
	lugate_sha256_final(&s, got);
	compare(impl, got, 77, 1, "after a reset");
}

static bool path_available(enum lugate_sha256_impl impl)
{
	struct lugate_sha256 s;
	lugate_sha256_init_impl(&s, impl);
	return s.impl == impl;
}

static void run_path(enum lugate_sha256_impl impl, const char *why_not)
{
	if (!path_available(impl)) {
		print_message("# SKIP reason: %s\n", why_not);
		skip();
	}
	small_lengths_all_alignments(impl);
	random_lengths(impl);
	streaming_random_splits(impl);
}

static void portable_path(void **state)
{
	(void)state;
	/* the portable path runs everywhere: never skipped */
	assert_true(path_available(LUGATE_SHA256_PORTABLE));
	run_path(LUGATE_SHA256_PORTABLE, "");
}

static void shani_path(void **state)
{
	(void)state;
	/* lugate_sha256_have_shani() and the path the selector takes must agree */
	assert_int_equal(lugate_sha256_have_shani(), path_available(LUGATE_SHA256_SHANI));
	run_path(LUGATE_SHA256_SHANI, "this CPU has no SHA extensions (lugate_sha256_have_shani() is false)");
}

static void simd_path(void **state)
{
	(void)state;
	run_path(LUGATE_SHA256_SIMD, "this CPU lacks SSSE3 or BMI2");
}

/* The one-call form and the automatic choice, whatever path it takes here. */
static void automatic_choice(void **state)
{
	(void)state;
	uint64_t x = 0x082efa98ec4e6c89ull;
	uint8_t got[32];

	for (int k = 0; k < 40; k++) {
		size_t len = (size_t)(next_random(&x) % MAX_LEN), align = (size_t)(next_random(&x) % MAX_ALIGN);
		if (k < 20)
			len %= 1000;
		lugate_sha256(data + align, len, got);
		compare(LUGATE_SHA256_AUTO, got, len, align, "lugate_sha256()");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portable_path),
		cmocka_unit_test(simd_path),
		cmocka_unit_test(shani_path),
		cmocka_unit_test(automatic_choice),
	};
	return cmocka_run_group_tests(tests, setup_data, free_data);
}
