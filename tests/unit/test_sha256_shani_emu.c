// SPDX-License-Identifier: MIT
/*
 * The SHA-NI compression function (handoff/sha256_shani.c) on a CPU without the SHA
 * extensions: its own source, compiled here with the three SHA intrinsics replaced by C
 * written from the instructions' definitions (Intel SDM, SHA256RNDS2, SHA256MSG1,
 * SHA256MSG2), everything else (the shuffles, blends and alignr that move the state in and
 * out of the ABEF/CDGH form, the message schedule's data flow) as the real thing. Against
 * OpenSSL and the portable compression function. This proves the algorithm and its data
 * movement, not the silicon: where the CPU has SHA-NI, test_sha256.c runs the real path.
 * No SHA instruction is executed here (tests/unit/suite-unit.sh runs this anywhere).
 */
#include <stdio.h>
#include <openssl/evp.h>
#include "helpers.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* ---- the three instructions, from their definitions ------------------------------------- */

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t big_sigma0(uint32_t a) { return ror(a, 2) ^ ror(a, 13) ^ ror(a, 22); }
static uint32_t big_sigma1(uint32_t e) { return ror(e, 6) ^ ror(e, 11) ^ ror(e, 25); }
static uint32_t small_sigma0(uint32_t w) { return ror(w, 7) ^ ror(w, 18) ^ (w >> 3); }
static uint32_t small_sigma1(uint32_t w) { return ror(w, 17) ^ ror(w, 19) ^ (w >> 10); }

/* lane i is bits [32i+31 : 32i] */
static void lanes(__m128i v, uint32_t out[4])
{
	_mm_storeu_si128((__m128i *)(void *)out, v);
}

static __m128i from_lanes(const uint32_t in[4])
{
	return _mm_loadu_si128((const __m128i *)(const void *)in);
}

/* SHA256RNDS2 xmm1 (src1: C D G H in lanes 3 2 1 0), xmm2 (src2: A B E F), <xmm0> (WK1 WK0
 * in lanes 1 0): two rounds; the result is the new A B E F. */
static __m128i emu_sha256rnds2(__m128i src1, __m128i src2, __m128i xmm0)
{
	uint32_t s1[4], s2[4], wk[4], r[4];
	uint32_t a, b, c, d, e, f, g, h;

	lanes(src1, s1);
	lanes(src2, s2);
	lanes(xmm0, wk);
	a = s2[3], b = s2[2], e = s2[1], f = s2[0];
	c = s1[3], d = s1[2], g = s1[1], h = s1[0];
	for (int i = 0; i < 2; i++) {
		uint32_t ch = (e & f) ^ (~e & g), maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t = ch + big_sigma1(e) + wk[i] + h;
		uint32_t a1 = t + maj + big_sigma0(a), e1 = t + d;
		h = g, g = f, f = e, e = e1;
		d = c, c = b, b = a, a = a1;
	}
	r[3] = a, r[2] = b, r[1] = e, r[0] = f;
	return from_lanes(r);
}

/* SHA256MSG1 xmm1 (W3 W2 W1 W0), xmm2 (lane 0: W4): W[i] + sigma0(W[i+1]) for i = 0..3 */
static __m128i emu_sha256msg1(__m128i src1, __m128i src2)
{
	uint32_t s1[4], s2[4], w[5], r[4];

	lanes(src1, s1);
	lanes(src2, s2);
	w[0] = s1[0], w[1] = s1[1], w[2] = s1[2], w[3] = s1[3], w[4] = s2[0];
	for (int i = 0; i < 4; i++)
		r[i] = w[i] + small_sigma0(w[i + 1]);
	return from_lanes(r);
}

/* SHA256MSG2 xmm1 (the partial W16..W19), xmm2 (lanes 3 2: W15 W14): adds sigma1 of the word
 * two back, the last two from the first two results */
static __m128i emu_sha256msg2(__m128i src1, __m128i src2)
{
	uint32_t s1[4], s2[4], w[6], r[4];

	lanes(src1, s1);
	lanes(src2, s2);
	w[0] = s2[2], w[1] = s2[3]; /* W14, W15 */
	for (int i = 0; i < 4; i++) {
		w[i + 2] = s1[i] + small_sigma1(w[i]);
		r[i] = w[i + 2];
	}
	return from_lanes(r);
}

/* ---- sha256_shani.c itself, on the emulated instructions ---------------------------------- */
#define _mm_sha256rnds2_epu32 emu_sha256rnds2
#define _mm_sha256msg1_epu32 emu_sha256msg1
#define _mm_sha256msg2_epu32 emu_sha256msg2
#define lugate_sha256_blocks_shani emu_blocks_shani
#define lugate_sha256_have_shani emu_have_shani
#define lugate_sha256_have_simd emu_have_simd
#include "../../handoff/sha256_shani.c"
#undef lugate_sha256_blocks_shani

/* ---- a whole SHA-256 over a block function (FIPS 180-4 padding) --------------------------- */
typedef void (*blocks_fn)(uint32_t state[8], const uint8_t *p, size_t nblocks);

static void sha256_with(blocks_fn blocks, const uint8_t *p, size_t n, uint8_t out[32])
{
	uint32_t st[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	uint8_t last[128] = { 0 };
	size_t full = n / 64, rest = n % 64, tail = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;

	if (full)
		blocks(st, p, full);
	memcpy(last, p + full * 64, rest);
	last[rest] = 0x80;
	for (int i = 0; i < 8; i++)
		last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
	blocks(st, last, tail / 64);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(st[i] >> (24 - 8 * j));
}

static void openssl_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;
	assert_int_equal(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL), 1);
	assert_int_equal(len, 32);
}

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static uint8_t *random_bytes(size_t n, uint64_t seed)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next_random(&seed);
	return p;
}

/* FIPS 180-4's examples ("abc" and the 448-bit message) and the empty string */
static void known_answers(void **state)
{
	static const struct {
		const char *msg, *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t got[32];
		char hex[65];
		sha256_with(emu_blocks_shani, (const uint8_t *)v[i].msg, strlen(v[i].msg), got);
		for (int k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", got[k]);
		assert_string_equal(hex, v[i].hex);
	}
}

/* every length 0..1100 (every tail: one and two padding blocks, many full blocks) and random
 * lengths to 1 MiB, at odd offsets: the loads are unaligned */
static void against_openssl(void **state)
{
	const size_t max = (size_t)1 << 20;
	uint8_t *data = random_bytes(max + 64, 0x5eed5eed5eedULL);
	uint64_t x = 0xfeedfacecafebeefULL;
	(void)state;
	for (size_t n = 0; n <= 1100; n++) {
		uint8_t want[32], got[32];
		size_t off = n % 61;
		openssl_sha256(data + off, n, want);
		sha256_with(emu_blocks_shani, data + off, n, got);
		if (memcmp(want, got, 32) != 0)
			fail_msg("length %zu at offset %zu differs from OpenSSL", n, off);
	}
	for (int i = 0; i < 40; i++) {
		uint8_t want[32], got[32];
		size_t n = (size_t)(next_random(&x) % max), off = (size_t)(next_random(&x) % 64);
		openssl_sha256(data + off, n, want);
		sha256_with(emu_blocks_shani, data + off, n, got);
		if (memcmp(want, got, 32) != 0)
			fail_msg("length %zu at offset %zu differs from OpenSSL", n, off);
	}
	free(data);
}

/* the compression function alone, from arbitrary states (not only SHA-256's initial one):
 * the state's way into ABEF/CDGH and back must hold for every word */
static void against_portable_from_random_states(void **state)
{
	uint64_t x = 0x0123456789abcdefULL;
	(void)state;
	for (int i = 0; i < 2000; i++) {
		uint32_t a[8], b[8];
		size_t nblocks = 1 + (size_t)(next_random(&x) % 4);
		uint8_t *blocks = random_bytes(64 * nblocks, next_random(&x));
		for (int k = 0; k < 8; k++)
			a[k] = b[k] = (uint32_t)next_random(&x);
		lugate_sha256_blocks_portable(a, blocks, nblocks);
		emu_blocks_shani(b, blocks, nblocks);
		if (memcmp(a, b, sizeof(a)) != 0)
			fail_msg("trial %d (%zu blocks): state differs from the portable function", i, nblocks);
		free(blocks);
	}
}

/* the emulation is what it claims: one SHA256RNDS2 step against two rounds of FIPS 180-4 */
static void emulated_rounds_match_the_standard(void **state)
{
	uint64_t x = 42;
	(void)state;
	for (int i = 0; i < 1000; i++) {
		uint32_t v[8], wk[2], abef[4], cdgh[4], in_wk[4] = { 0 }, out[4];
		for (int k = 0; k < 8; k++)
			v[k] = (uint32_t)next_random(&x);
		wk[0] = (uint32_t)next_random(&x), wk[1] = (uint32_t)next_random(&x);
		abef[3] = v[0], abef[2] = v[1], abef[1] = v[4], abef[0] = v[5];
		cdgh[3] = v[2], cdgh[2] = v[3], cdgh[1] = v[6], cdgh[0] = v[7];
		in_wk[0] = wk[0], in_wk[1] = wk[1];
		lanes(emu_sha256rnds2(from_lanes(cdgh), from_lanes(abef), from_lanes(in_wk)), out);
		/* two rounds, written the textbook way */
		uint32_t a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
		for (int r = 0; r < 2; r++) {
			uint32_t t1 = h + big_sigma1(e) + ((e & f) ^ (~e & g)) + wk[r];
			uint32_t t2 = big_sigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
			h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
		}
		assert_int_equal(out[3], a);
		assert_int_equal(out[2], b);
		assert_int_equal(out[1], e);
		assert_int_equal(out[0], f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(emulated_rounds_match_the_standard),
		cmocka_unit_test(known_answers),
		cmocka_unit_test(against_openssl),
		cmocka_unit_test(against_portable_from_random_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
	puts("1..0 # SKIP SHA-NI is x86 only");
	return 0;
}
#endif
