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
 * schedule is kept as four vectors of four words, W[4g..4g+3] computed from the previous
 * four with msg1 (adds sigma0), the +W[t-7] term, and msg2 (adds sigma1).
 */
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
		for (unsigned g = 0; g < 16; g++) {
			__m128i msg;
			if (g >= 4) {
				__m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
				w[g & 3] = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
			}
			msg = _mm_add_epi32(w[g & 3], _mm_load_si128((const __m128i *)(const void *)&lugate_sha256_k[(size_t)4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)(void *)&state[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)(void *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

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
