/* SPDX-License-Identifier: MIT */
/* Internal: SHA-256 compression back ends. Each processes whole 64-byte blocks. */
#ifndef LUGATE_SHA256_IMPL_H
#define LUGATE_SHA256_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void lugate_sha256_blocks_portable(uint32_t state[8], const uint8_t *p, size_t nblocks);
/* SSSE3 message schedule, BMI2 rounds; only call when lugate_sha256_have_simd() is true. */
void lugate_sha256_blocks_simd(uint32_t state[8], const uint8_t *p, size_t nblocks);
bool lugate_sha256_have_simd(void);
/* Only call when lugate_sha256_have_shani() is true. */
void lugate_sha256_blocks_shani(uint32_t state[8], const uint8_t *p, size_t nblocks);

/* The 64 round constants, shared by every back end (defined in sha256.c). */
extern const uint32_t lugate_sha256_k[64];

#endif
