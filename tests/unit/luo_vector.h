/* SPDX-License-Identifier: MIT */
/*
 * A LUO memory vector (tests/unit/luo/capture.py writes them from the loader's
 * lugate.luo_dump=1 log): the KHO FDT and every range of physical memory the reader read, so
 * the reader can run on a captured machine's state. Shared by the unit tests and the fuzz
 * harness, which feeds arbitrary bytes through the same parser: every field is bounded.
 *
 *   "LUGLUOV1", u64 fdt_pa, u64 fdt_size, u32 range_count, u32 0,
 *   range_count times { u64 pa, u64 len, len bytes, zero padding to 8 } (little-endian)
 */
#ifndef LUGATE_TEST_LUO_VECTOR_H
#define LUGATE_TEST_LUO_VECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LUO_VECTOR_MAGIC "LUGLUOV1"
#define LUO_VECTOR_RANGES 64u

struct luo_vector {
	uint64_t fdt_pa, fdt_size;
	size_t count;
	struct {
		uint64_t pa, len;
		uint8_t *data;   /* inside the buffer given to luo_vector_parse */
	} r[LUO_VECTOR_RANGES];
};

static inline uint64_t luo_vector_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* 0, or -1 if buf is not a well-formed vector. Ranges point into buf (which stays writable:
 * tests mutate the captured memory in place). Ranges start 8-byte aligned in buf. */
static inline int luo_vector_parse(uint8_t *buf, size_t size, struct luo_vector *v)
{
	size_t off = 32, count;

	if (size < 32 || memcmp(buf, LUO_VECTOR_MAGIC, 8) != 0)
		return -1;
	v->fdt_pa = luo_vector_le64(buf + 8);
	v->fdt_size = luo_vector_le64(buf + 16);
	count = (size_t)(luo_vector_le64(buf + 24) & 0xffffffffu);
	if (count > LUO_VECTOR_RANGES)
		return -1;
	v->count = 0;
	for (size_t i = 0; i < count; i++) {
		uint64_t pa, len;

		if (size - off < 16)
			return -1;
		pa = luo_vector_le64(buf + off);
		len = luo_vector_le64(buf + off + 8);
		off += 16;
		if (len > size - off || pa + len < pa)
			return -1;
		v->r[i].pa = pa;
		v->r[i].len = len;
		v->r[i].data = buf + off;
		v->count++;
		off += (size_t)len;
		off += (8 - off % 8) % 8;
		if (off > size)
			off = size;
	}
	return 0;
}

/* The captured bytes at [pa, pa + len), if one range holds them all; else NULL. */
static inline uint8_t *luo_vector_at(const struct luo_vector *v, uint64_t pa, uint64_t len)
{
	for (size_t i = 0; i < v->count; i++)
		if (pa >= v->r[i].pa && pa - v->r[i].pa <= v->r[i].len && len <= v->r[i].len - (pa - v->r[i].pa))
			return v->r[i].data + (pa - v->r[i].pa);
	return NULL;
}

/* The reader's accessor over a vector: only captured bytes may be read. */
static inline const void *luo_vector_map(void *ctx, uint64_t pa, size_t len)
{
	return luo_vector_at(ctx, pa, len);
}

#endif
