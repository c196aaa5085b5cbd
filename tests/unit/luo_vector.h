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
#include <stdio.h>
#include <stdlib.h>
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

/* A captured vector's file, whole, in an 8-byte aligned buffer of its own (free() it); its
 * size in *size. NULL if it cannot be read or is empty. */
static inline uint8_t *luo_vector_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = aligned_alloc(8, ((size_t)n + 7) & ~(size_t)7);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

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
