/* SPDX-License-Identifier: MIT */
/*
 * Internal: explicit little- and big-endian loads and stores, and overflow-checked size
 * arithmetic; the one copy the core, the boot room and the CLI use. A load reads exactly its
 * width at p and checks nothing: the caller has checked that those bytes lie inside its
 * buffer (range_ok) before it calls one.
 */
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

/* Big-endian: FDT cells, SHA-256 message words, GUIDs compared as two integers. */
static inline uint32_t be32_load(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t be64_load(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)be32_load(b) << 32 | be32_load(b + 4);
}

/* Eight bytes as the host's word, for comparing bytes eight at a time (no byte order meant). */
static inline uint64_t ne64_load(const void *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline void le16_store(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
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
