// SPDX-License-Identifier: MIT
/*
 * SHA-256 compression with the x86 SHA extensions (SHA-NI). Chosen at run time by CPUID,
 * so the same binary runs everywhere; the target attribute keeps the rest of the build
 * free of -msha. On other architectures lugate_sha256_have_shani() is simply false.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lugate/sha256.h>
#include "sha256_impl.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#if !__STDC_HOSTED__
/* immintrin.h pulls in mm_malloc.h, which needs a hosted <stdlib.h>; nothing here
 * allocates, so mark it as already included (gcc's and clang's guard names). */
#define _MM_MALLOC_H_INCLUDED
#define __MM_MALLOC_H
#endif
#include <immintrin.h>

#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* the round constants: lugate_sha256_k (sha256.c) */

bool lugate_sha256_have_shani(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return false;
	if (!(ecx & bit_SSE4_1) || !(ecx & bit_SSSE3))
		return false;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return (ebx & bit_SHA) != 0;
}

/* For sha256_simd.c (SSSE3 schedule, BMI2 rounds); probed here with the other CPUID checks.
 * Neither needs the OS to enable AVX state: SSSE3 is legacy-encoded SSE, and BMI2's VEX
 * instructions work on general registers. */
bool lugate_sha256_have_simd(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_SSSE3))
		return false;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return (ebx & bit_BMI2) != 0;
}

/*
 * The SHA-NI round instruction works on the state split as ABEF and CDGH; the message
 * schedule is kept as four vectors of four words (w[g & 3] holds W[4g..4g+3]). Group g's
 * rounds run while the schedule works ahead of them: in its first half the next group's words
 * are finished (the +W[t-7] term, then msg2 adds sigma1), in its second half msg1 starts the
 * words of group g + 3 (sigma0 of the oldest vector). Written out for all 16 groups with
 * constant indices, so the compiler keeps the four vectors in registers: a loop over g kept
 * them on the stack and the schedule in the rounds' critical path (0.78 of OpenSSL's speed).
 */
#define SHANI_QUAD(g)                                                                              \
	do {                                                                                       \
		__m128i msg_ = _mm_add_epi32(w[(g) & 3], _mm_load_si128((const __m128i *)(const void *) \
								       &lugate_sha256_k[(size_t)4 * (g)])); \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg_);                                    \
		if ((g) >= 3 && (g) <= 14) /* W[4g+4..4g+7]: msg1 part came from group g - 2 */    \
			w[((g) + 1) & 3] = _mm_sha256msg2_epu32(                                    \
				_mm_add_epi32(w[((g) + 1) & 3], _mm_alignr_epi8(w[(g) & 3], w[((g) + 3) & 3], 4)), \
				w[(g) & 3]);                                                        \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg_, 0x0e));           \
		if ((g) >= 1 && (g) <= 12) /* sigma0 part of W[4g+12..4g+15] */                    \
			w[((g) + 3) & 3] = _mm_sha256msg1_epu32(w[((g) + 3) & 3], w[(g) & 3]);      \
	} while (0)

SHANI_TARGET void lugate_sha256_blocks_shani(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
	const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i dcba = _mm_loadu_si128((const __m128i *)(const void *)&state[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)(const void *)&state[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

	for (size_t block = 0; block < nblocks; block++, p += 64) {
		__m128i abef_in = abef, cdgh_in = cdgh, w[4];

		for (unsigned j = 0; j < 4; j++)
			w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + (size_t)16 * j)), byteswap);
		SHANI_QUAD(0);
		SHANI_QUAD(1);
		SHANI_QUAD(2);
		SHANI_QUAD(3);
		SHANI_QUAD(4);
		SHANI_QUAD(5);
		SHANI_QUAD(6);
		SHANI_QUAD(7);
		SHANI_QUAD(8);
		SHANI_QUAD(9);
		SHANI_QUAD(10);
		SHANI_QUAD(11);
		SHANI_QUAD(12);
		SHANI_QUAD(13);
		SHANI_QUAD(14);
		SHANI_QUAD(15);
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)(void *)&state[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)(void *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}
#undef SHANI_QUAD

#else

bool lugate_sha256_have_shani(void)
{
	return false;
}

bool lugate_sha256_have_simd(void)
{
	return false;
}

void lugate_sha256_blocks_shani(uint32_t state[8], const uint8_t *p, size_t nblocks)
{
	lugate_sha256_blocks_portable(state, p, nblocks);
}

#endif
