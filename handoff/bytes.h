/* SPDX-License-Identifier: MIT */
/* Internal: explicit little-endian loads/stores and overflow-checked size arithmetic. */
#ifndef LUGATE_BYTES_H
#define LUGATE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint16_t le16_load(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le32_load(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t le64_load(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)le32_load(b) | (uint64_t)le32_load(b + 4) << 32;
}

static inline void le32_store(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void le64_store(void *p, uint64_t v)
{
	le32_store(p, (uint32_t)v);
	le32_store((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* True if [off, off+len) lies within [0, size), without overflow. */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* *sum = a + b; false on overflow. */
static inline bool add_overflows(size_t a, size_t b, size_t *sum)
{
	return __builtin_add_overflow(a, b, sum);
}

#endif
