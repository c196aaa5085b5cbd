/* SPDX-License-Identifier: MIT */
/*
 * Stand-in for gcc's <mm_malloc.h> in lugate's freestanding builds. gcc 12's <xmmintrin.h>
 * (reached from <immintrin.h>, which the SHA-NI path includes) pulls it in unconditionally,
 * and gcc's own copy includes the hosted <stdlib.h>, which does not exist under -nostdinc.
 * The core never allocates, so _mm_malloc/_mm_free are simply not provided.
 */
#ifndef _MM_MALLOC_H_INCLUDED
#define _MM_MALLOC_H_INCLUDED
#endif
