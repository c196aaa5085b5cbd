// SPDX-License-Identifier: MIT
/*
 * Decompress a bzImage payload (host only: Debian's zlib, liblzma, libzstd, liblz4, libbz2)
 * and scan it for the KHO/LUO compatible strings the kernel was built with.
 */
#define _GNU_SOURCE /* memmem */
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include "target.h"

#define OUT_LIMIT ((size_t)1 << 30)
/* liblzma's memory limit: a kernel's xz or lzma dictionary is at most 64 MiB; without a limit
 * a 13-byte .lzma header asking for a 4 GiB dictionary gets one allocated. */
#define LZMA_MEMLIMIT ((uint64_t)256 << 20)

#define OUT_FIRST_MIN ((size_t)64 << 10)
#define OUT_FIRST_MAX ((size_t)64 << 20)
#define OUT_ROOM 4096u   /* the least free room a decompression call is handed */

struct outbuf {
	uint8_t *p;
	size_t len, cap;
	size_t first;        /* the first buffer's size (first_capacity) */
};

/* Eight times the compressed size (kernels compress 3 to 5 times), from 64 KiB to 64 MiB: a
 * kernel's payload fits the first buffer, and a small input costs a small one. Past it the
 * buffer doubles, up to OUT_LIMIT. */
static size_t first_capacity(size_t in_size)
{
	size_t cap = in_size > OUT_FIRST_MAX / 8 ? OUT_FIRST_MAX : in_size * 8;

	return cap < OUT_FIRST_MIN ? OUT_FIRST_MIN : cap;
}

static bool grow(struct outbuf *o, size_t want)
{
	size_t cap = o->cap ? o->cap : o->first;
	if (want <= o->cap)
		return true;
	while (cap < want)
		cap *= 2;
	if (cap > OUT_LIMIT)
		cap = OUT_LIMIT;
	if (want > cap)
		return false;
	uint8_t *p = realloc(o->p, cap);
	if (!p)
		return false;
	o->p = p;
	o->cap = cap;
	return true;
}

static const char *inflate_gzip(const uint8_t *in, size_t n, struct outbuf *o)
{
	z_stream z = { 0 };
	int rc;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return "zlib init failed";
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		if (!grow(o, o->len + OUT_ROOM))
			rc = Z_MEM_ERROR;
		else {
			z.next_out = o->p + o->len;
			z.avail_out = (uInt)(o->cap - o->len);
			rc = inflate(&z, Z_NO_FLUSH);
			o->len = o->cap - z.avail_out;
		}
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? NULL : "gzip data is corrupt";
}

static const char *inflate_xz(const uint8_t *in, size_t n, struct outbuf *o)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret rc;
	if (lzma_auto_decoder(&s, LZMA_MEMLIMIT, 0) != LZMA_OK)
		return "liblzma init failed";
	s.next_in = in;
	s.avail_in = n;
	do {
		if (!grow(o, o->len + OUT_ROOM)) {
			rc = LZMA_MEM_ERROR;
			break;
		}
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		rc = lzma_code(&s, LZMA_FINISH);
		o->len = o->cap - s.avail_out;
	} while (rc == LZMA_OK || (rc == LZMA_BUF_ERROR && s.avail_out == 0));
	lzma_end(&s);
	return rc == LZMA_STREAM_END ? NULL
	       : rc == LZMA_MEMLIMIT_ERROR ? "xz/lzma data asks for a dictionary over 256 MiB"
					   : "xz/lzma data is corrupt";
}

static const char *inflate_zstd(const uint8_t *in, size_t n, struct outbuf *o)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t rc = 1;
	if (!d)
		return "zstd init failed";
	while (rc != 0) {
		if (!grow(o, o->len + OUT_ROOM)) {
			ZSTD_freeDStream(d);
			return "zstd output too large";
		}
		ZSTD_outBuffer ob = { o->p + o->len, o->cap - o->len, 0 };
		rc = ZSTD_decompressStream(d, &ob, &ib);
		o->len += ob.pos;
		if (ZSTD_isError(rc) || (ib.pos == ib.size && rc != 0 && ob.pos == 0)) {
			ZSTD_freeDStream(d);
			return "zstd data is corrupt";
		}
	}
	ZSTD_freeDStream(d);
	return NULL;
}

/* The kernel's lz4 is the legacy format: magic, then blocks (u32 LE size + data), each
 * decompressing to at most 8 MiB. */
static const char *inflate_lz4(const uint8_t *in, size_t n, struct outbuf *o)
{
	const size_t block_max = (size_t)8 << 20;
	size_t pos = 4;
	while (pos + 4 <= n) {
		uint32_t bsize = (uint32_t)in[pos] | (uint32_t)in[pos + 1] << 8 | (uint32_t)in[pos + 2] << 16 |
				 (uint32_t)in[pos + 3] << 24;
		if (bsize == 0x184c2102u) { /* a new legacy stream starts */
			pos += 4;
			continue;
		}
		pos += 4;
		if (bsize > n - pos)
			break; /* the trailing uncompressed-size word */
		if (!grow(o, o->len + block_max))
			return "lz4 output too large";
		int got = LZ4_decompress_safe((const char *)in + pos, (char *)o->p + o->len, (int)bsize, (int)block_max);
		if (got < 0)
			return o->len ? NULL : "lz4 data is corrupt";
		o->len += (size_t)got;
		pos += bsize;
	}
	return o->len ? NULL : "lz4 data is corrupt";
}

static const char *inflate_bzip2(const uint8_t *in, size_t n, struct outbuf *o)
{
	bz_stream s = { 0 };
	int rc;
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return "bzip2 init failed";
	s.next_in = (char *)(uintptr_t)in;
	s.avail_in = (unsigned)n;
	do {
		if (!grow(o, o->len + OUT_ROOM)) {
			rc = BZ_MEM_ERROR;
			break;
		}
		size_t before = o->len;
		s.next_out = (char *)o->p + o->len;
		s.avail_out = (unsigned)(o->cap - o->len);
		rc = BZ2_bzDecompress(&s);
		o->len = o->cap - s.avail_out;
		/* a stream cut short: bzip2 says BZ_OK, without progress, for ever */
		if (rc == BZ_OK && s.avail_in == 0 && o->len == before)
			rc = BZ_UNEXPECTED_EOF;
	} while (rc == BZ_OK);
	BZ2_bzDecompressEnd(&s);
	return rc == BZ_STREAM_END ? NULL : "bzip2 data is corrupt";
}

const char *cli_decompress(enum lugate_compression c, const uint8_t *in, size_t n, uint8_t **out, size_t *out_size)
{
	struct outbuf o = { .first = first_capacity(n) };
	const char *err;

	switch (c) {
	case LUGATE_COMP_GZIP: err = inflate_gzip(in, n, &o); break;
	case LUGATE_COMP_XZ:
	case LUGATE_COMP_LZMA: err = inflate_xz(in, n, &o); break;
	case LUGATE_COMP_ZSTD: err = inflate_zstd(in, n, &o); break;
	case LUGATE_COMP_LZ4: err = inflate_lz4(in, n, &o); break;
	case LUGATE_COMP_BZIP2: err = inflate_bzip2(in, n, &o); break;
	default: err = "unknown compression"; break;
	}
	if (err) {
		free(o.p);
		return err;
	}
	*out = o.p;
	*out_size = o.len;
	return NULL;
}

/*
 * Known KHO/LUO and preserved-state format families: "<family>-v<digits>" as a whole C
 * string. It ends at a NUL and starts at the start of the data or after a byte that is not
 * printable ASCII: a NUL for a string literal ("kho-v4\0" in .rodata), but also the last
 * byte of a pointer for a char array inside a struct (LUO's file handlers keep
 * `compatible[48]` = "memfd-v2" right after a function pointer, 0xff...). A printable byte
 * before it means a longer word ("xkho-v1", "pre-luo-v1"): not a format string.
 */
static const char *const families[] = { "kho-v", "luo-v", "luo-session-v", "luo-flb-v", "memfd-v", "pci-v" };

static bool starts_a_string(const uint8_t *p, const uint8_t *hit)
{
	return hit == p || hit[-1] < 0x20 || hit[-1] > 0x7e;
}

size_t cli_scan_compat(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], size_t max)
{
	size_t count = 0;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		size_t flen = strlen(families[f]);
		const uint8_t *s = p, *end = p + n;
		while (s < end) {
			const uint8_t *hit = memmem(s, (size_t)(end - s), families[f], flen);
			if (!hit)
				break;
			s = hit + 1;
			if (!starts_a_string(p, hit))
				continue;
			const uint8_t *d = hit + flen;
			while (d < end && *d >= '0' && *d <= '9')
				d++;
			if (d == hit + flen || d >= end || *d != 0 || (size_t)(d - hit) > LUGATE_COMPAT_MAX)
				continue;
			bool dup = false;
			for (size_t k = 0; k < count; k++)
				dup = dup || (strlen(found[k]) == (size_t)(d - hit) && memcmp(found[k], hit, (size_t)(d - hit)) == 0);
			if (dup || count == max)
				continue;
			memcpy(found[count], hit, (size_t)(d - hit));
			found[count][d - hit] = 0;
			count++;
		}
	}
	return count;
}
