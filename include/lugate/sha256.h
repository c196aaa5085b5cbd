/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4): portable C, plus an x86 SHA-NI path chosen at run time by CPUID. */
#ifndef LUGATE_SHA256_H
#define LUGATE_SHA256_H

#include <lugate/types.h>

struct lugate_sha256 {
	uint32_t state[8];
	uint64_t length;             /* bytes hashed so far */
	uint8_t block[64];
	uint32_t block_len;
	uint32_t impl;               /* enum lugate_sha256_impl in use */
};

enum lugate_sha256_impl {
	LUGATE_SHA256_AUTO = 0,      /* SHA-NI when the CPU has it, else SIMD, else portable */
	LUGATE_SHA256_PORTABLE = 1,
	LUGATE_SHA256_SHANI = 2,
	LUGATE_SHA256_SIMD = 3,      /* x86: SSSE3 message schedule, BMI2 rounds */
};

/* True when this build and this CPU can run the SHA-NI path. */
bool lugate_sha256_have_shani(void);

void lugate_sha256_init(struct lugate_sha256 *s);
/* Force an implementation (tests, benches); SHANI and SIMD fall back to portable if
 * unavailable, and s->impl says which one runs. */
void lugate_sha256_init_impl(struct lugate_sha256 *s, enum lugate_sha256_impl impl);
void lugate_sha256_update(struct lugate_sha256 *s, const void *data, size_t len);
void lugate_sha256_final(struct lugate_sha256 *s, uint8_t out[LUGATE_SHA256_SIZE]);
void lugate_sha256(const void *data, size_t len, uint8_t out[LUGATE_SHA256_SIZE]);

#endif
