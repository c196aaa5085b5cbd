/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the portable and the SSSE3+BMI2 SHA-256 back ends share, the round on
 * general registers (FIPS 180-4 §4.1.2, §6.2.2 step 3) and the final add of the working
 * variables into the state. Header-only, so each back end compiles the round with its own
 * target flags (rorx where BMI2 is on). Ch and Maj use their forms with one fewer operation.
 */
#ifndef LUGATE_SHA256_ROUND_H
#define LUGATE_SHA256_ROUND_H

#include <stdint.h>

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

#define BSIG0(x) (ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22))
#define BSIG1(x) (ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* One round; wk is W[t] + K[t]. The caller rotates the eight variables by renaming. */
#define ROUND(a, b, c, d, e, f, g, h, wk)                          \
	do {                                                       \
		uint32_t t1 = (h) + BSIG1(e) + CH(e, f, g) + (wk); \
		(d) += t1;                                         \
		(h) = t1 + BSIG0(a) + MAJ(a, b, c);                \
	} while (0)

/* After the 64 rounds of a block: H(i) = H(i-1) + the working variables. */
static inline void sha256_state_add(uint32_t state[8], uint32_t a, uint32_t b, uint32_t c,
				    uint32_t d, uint32_t e, uint32_t f, uint32_t g, uint32_t h)
{
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

#endif
