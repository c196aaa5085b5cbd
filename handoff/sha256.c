// SPDX-License-Identifier: MIT
/*
 * SHA-256 (FIPS 180-4). The streaming layer is here with the portable compression
 * function; on x86, sha256_simd.c supplies one with an SSSE3 message schedule and BMI2
 * rounds, and sha256_shani.c one with the SHA extensions, each chosen at run time.
 */
#include <string.h>
#include <lugate/sha256.h>
#include "bytes.h"
#include "sha256_impl.h"
#include "sha256_round.h"

/* FIPS 180-4 §4.2.2; 16-byte aligned for the SIMD paths, which load them four at a time. */
const uint32_t lugate_sha256_k[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t initial_state[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/*
 * The portable compression function, scheduled for a compiler: the eight working variables
 * rotate by renaming (no moves), the message schedule lives in a 16-word ring computed just
 * before its round, and sixteen rounds are unrolled so every ring index is a constant
 * (the round itself is sha256_round.h's, shared with sha256_simd.c). Faster than a plain
 * loop over W[64] at -O2 (docs/performance.md); the same results
 * (tests/unit/test_sha256_bench_paths.c).
 */
#define SSIG0(x) (ror32(x, 7) ^ ror32(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ror32(x, 17) ^ ror32(x, 19) ^ ((x) >> 10))

/* W[t] for t >= 16, in place in the ring: W[t-16] += s1(W[t-2]) + W[t-7] + s0(W[t-15]). */
#define SCHEDULE(j) \
	(w[(j) & 15] += SSIG1(w[((j) + 14) & 15]) + w[((j) + 9) & 15] + SSIG0(w[((j) + 1) & 15]))

/* Sixteen rounds from round i (a multiple of 16); W from the block (i == 0) or the ring. */
#define ROUNDS16(i, W)                                                                \
	do {                                                                          \
		ROUND(a, b, c, d, e, f, g, h, lugate_sha256_k[(i) + 0] + W(0));       \
		ROUND(h, a, b, c, d, e, f, g, lugate_sha256_k[(i) + 1] + W(1));       \
		ROUND(g, h, a, b, c, d, e, f, lugate_sha256_k[(i) + 2] + W(2));       \
		ROUND(f, g, h, a, b, c, d, e, lugate_sha256_k[(i) + 3] + W(3));       \
		ROUND(e, f, g, h, a, b, c, d, lugate_sha256_k[(i) + 4] + W(4));       \
		ROUND(d, e, f, g, h, a, b, c, lugate_sha256_k[(i) + 5] + W(5));       \
		ROUND(c, d, e, f, g, h, a, b, lugate_sha256_k[(i) + 6] + W(6));       \
		ROUND(b, c, d, e, f, g, h, a, lugate_sha256_k[(i) + 7] + W(7));       \
		ROUND(a, b, c, d, e, f, g, h, lugate_sha256_k[(i) + 8] + W(8));       \
		ROUND(h, a, b, c, d, e, f, g, lugate_sha256_k[(i) + 9] + W(9));       \
		ROUND(g, h, a, b, c, d, e, f, lugate_sha256_k[(i) + 10] + W(10));     \
		ROUND(f, g, h, a, b, c, d, e, lugate_sha256_k[(i) + 11] + W(11));     \
		ROUND(e, f, g, h, a, b, c, d, lugate_sha256_k[(i) + 12] + W(12));     \
		ROUND(d, e, f, g, h, a, b, c, lugate_sha256_k[(i) + 13] + W(13));     \
		ROUND(c, d, e, f, g, h, a, b, lugate_sha256_k[(i) + 14] + W(14));     \
		ROUND(b, c, d, e, f, g, h, a, lugate_sha256_k[(i) + 15] + W(15));     \
	} while (0)

#define W_LOAD(j) (w[j] = be32_load(block + (size_t)4 * (j)))
#define W_NEXT(j) SCHEDULE(j)

static void compress_block(uint32_t state[8], const uint8_t *block)
{
	uint32_t w[16];
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

	ROUNDS16(0, W_LOAD);
	ROUNDS16(16, W_NEXT);
	ROUNDS16(32, W_NEXT);
	ROUNDS16(48, W_NEXT);
	sha256_state_add(state, a, b, c, d, e, f, g, h);
}

void lugate_sha256_blocks_portable(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
	for (size_t i = 0; i < nblocks; i++)
		compress_block(state, p + 64 * i);
}

static void run_blocks(struct lugate_sha256 *s, const uint8_t *p, size_t nblocks)
{
	if (s->impl == LUGATE_SHA256_SHANI)
		lugate_sha256_blocks_shani(s->state, p, nblocks);
	else if (s->impl == LUGATE_SHA256_SIMD)
		lugate_sha256_blocks_simd(s->state, p, nblocks);
	else
		lugate_sha256_blocks_portable(s->state, p, nblocks);
}

void lugate_sha256_init_impl(struct lugate_sha256 *s, enum lugate_sha256_impl impl)
{
	memcpy(s->state, initial_state, sizeof(initial_state));
	s->length = 0;
	s->block_len = 0;
	if (impl == LUGATE_SHA256_AUTO)
		impl = lugate_sha256_have_shani() ? LUGATE_SHA256_SHANI : LUGATE_SHA256_SIMD;
	else if (impl == LUGATE_SHA256_SHANI && !lugate_sha256_have_shani())
		impl = LUGATE_SHA256_PORTABLE;
	if (impl == LUGATE_SHA256_SIMD && !lugate_sha256_have_simd())
		impl = LUGATE_SHA256_PORTABLE;
	if (impl != LUGATE_SHA256_SHANI && impl != LUGATE_SHA256_SIMD)
		impl = LUGATE_SHA256_PORTABLE;
	s->impl = (uint32_t)impl;
}

void lugate_sha256_init(struct lugate_sha256 *s)
{
	lugate_sha256_init_impl(s, LUGATE_SHA256_AUTO);
}

void lugate_sha256_update(struct lugate_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->length += len;
	if (s->block_len) {
		size_t take = 64 - s->block_len;
		if (take > len)
			take = len;
		memcpy(s->block + s->block_len, p, take);
		s->block_len += (uint32_t)take;
		p += take;
		len -= take;
		if (s->block_len < 64)
			return;
		run_blocks(s, s->block, 1);
		s->block_len = 0;
	}
	if (len >= 64) {
		run_blocks(s, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	if (len) {
		memcpy(s->block, p, len);
		s->block_len = (uint32_t)len;
	}
}

void lugate_sha256_final(struct lugate_sha256 *s, uint8_t out[LUGATE_SHA256_SIZE])
{
	uint64_t bits = s->length * 8;

	s->block[s->block_len++] = 0x80;
	if (s->block_len > 56) {
		memset(s->block + s->block_len, 0, 64 - s->block_len);
		run_blocks(s, s->block, 1);
		s->block_len = 0;
	}
	memset(s->block + s->block_len, 0, 56 - s->block_len);
	for (unsigned i = 0; i < 8; i++)
		s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	run_blocks(s, s->block, 1);
	for (unsigned i = 0; i < 8; i++) {
		out[(size_t)4 * i] = (uint8_t)(s->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->state[i];
	}
}

void lugate_sha256(const void *data, size_t len, uint8_t out[LUGATE_SHA256_SIZE])
{
	struct lugate_sha256 s;
	lugate_sha256_init(&s);
	lugate_sha256_update(&s, data, len);
	lugate_sha256_final(&s, out);
}
