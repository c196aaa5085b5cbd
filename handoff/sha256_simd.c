// SPDX-License-Identifier: MIT
/*
 * SHA-256 compression for x86 CPUs without the SHA extensions (before Ice Lake / Zen):
 * the message schedule four words at a time in SSSE3 registers, the rounds in general
 * registers with BMI2's rorx (a three-operand rotate that leaves its source and the flags
 * alone). Each group of four rounds takes W+K from a 16-byte store the vector side made
 * while the previous group ran. Chosen at run time (lugate_sha256_have_simd), so the same
 * binary runs everywhere; neither extension needs the OS to enable AVX state, so it also
 * runs in the bare-metal loader. On other architectures it is the portable function.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lugate/sha256.h>
#include "sha256_impl.h"

#if defined(__x86_64__) || defined(__i386__)
#if !__STDC_HOSTED__
/* as in sha256_shani.c: immintrin.h pulls in mm_malloc.h, which needs a hosted stdlib.h */
#define _MM_MALLOC_H_INCLUDED
#define __MM_MALLOC_H
#endif
#include <immintrin.h>
#include "sha256_round.h"

#define SIMD_TARGET __attribute__((target("ssse3,bmi2")))

/* the round constants: lugate_sha256_k (sha256.c); the round: sha256_round.h */

/* Four rounds from group `grp` (rounds 4*grp..4*grp+3), whose W are in the vector x. */
#define GROUP(grp, x, a, b, c, d, e, f, g, h)                                                       \
	do {                                                                                        \
		_mm_storeu_si128((__m128i *)(void *)wk,                                             \
				_mm_add_epi32(x, _mm_load_si128((const __m128i *)(const void *)&lugate_sha256_k[(size_t)4 * (grp)]))); \
		ROUND(a, b, c, d, e, f, g, h, wk[0]);                                               \
		ROUND(h, a, b, c, d, e, f, g, wk[1]);                                               \
		ROUND(g, h, a, b, c, d, e, f, wk[2]);                                               \
		ROUND(f, g, h, a, b, c, d, e, wk[3]);                                               \
	} while (0)

#define VROR(x, n) _mm_or_si128(_mm_srli_epi32(x, n), _mm_slli_epi32(x, 32 - (n)))

static inline SIMD_TARGET __m128i ssig0(__m128i x)
{
	return _mm_xor_si128(_mm_xor_si128(VROR(x, 7), VROR(x, 18)), _mm_srli_epi32(x, 3));
}

static inline SIMD_TARGET __m128i ssig1(__m128i x)
{
	return _mm_xor_si128(_mm_xor_si128(VROR(x, 17), VROR(x, 19)), _mm_srli_epi32(x, 10));
}

/*
 * W[t..t+3] from x0 = W[t-16..t-13], x1, x2, x3 = W[t-4..t-1]:
 * W[i] = s1(W[i-2]) + W[i-7] + s0(W[i-15]) + W[i-16]. The s1 terms of W[t+2] and W[t+3]
 * need W[t] and W[t+1], so they are added in a second step.
 */
static inline SIMD_TARGET __m128i schedule(__m128i x0, __m128i x1, __m128i x2, __m128i x3)
{
	__m128i w = _mm_add_epi32(_mm_add_epi32(x0, _mm_alignr_epi8(x3, x2, 4)),
				  ssig0(_mm_alignr_epi8(x1, x0, 4)));

	/* lanes 0, 1: s1 of W[t-2], W[t-1] (x3's lanes 2, 3); the upper lanes get zero */
	w = _mm_add_epi32(w, _mm_move_epi64(ssig1(_mm_shuffle_epi32(x3, 0x0e))));
	/* lanes 2, 3: s1 of W[t], W[t+1], now complete in lanes 0, 1 */
	return _mm_add_epi32(w, _mm_unpackhi_epi64(_mm_setzero_si128(), ssig1(_mm_shuffle_epi32(w, 0x40))));
}

SIMD_TARGET void lugate_sha256_blocks_simd(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
	const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	/* written with storeu: no fault should a front end run on a stack not 16-byte aligned */
	uint32_t wk[4] __attribute__((aligned(16)));

	for (size_t block = 0; block < nblocks; block++, p += 64) {
		uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
		uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
		__m128i x0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), byteswap);
		__m128i x1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), byteswap);
		__m128i x2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), byteswap);
		__m128i x3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), byteswap);

		/* rounds 0..47: each group also computes the W of the group four ahead */
		for (unsigned grp = 0; grp < 12; grp += 4) {
			GROUP(grp, x0, a, b, c, d, e, f, g, h);
			x0 = schedule(x0, x1, x2, x3);
			GROUP(grp + 1, x1, e, f, g, h, a, b, c, d);
			x1 = schedule(x1, x2, x3, x0);
			GROUP(grp + 2, x2, a, b, c, d, e, f, g, h);
			x2 = schedule(x2, x3, x0, x1);
			GROUP(grp + 3, x3, e, f, g, h, a, b, c, d);
			x3 = schedule(x3, x0, x1, x2);
		}
		GROUP(12, x0, a, b, c, d, e, f, g, h);
		GROUP(13, x1, e, f, g, h, a, b, c, d);
		GROUP(14, x2, a, b, c, d, e, f, g, h);
		GROUP(15, x3, e, f, g, h, a, b, c, d);
		sha256_state_add(state, a, b, c, d, e, f, g, h);
	}
}

#else

void lugate_sha256_blocks_simd(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
	lugate_sha256_blocks_portable(state, p, nblocks);
}

#endif
