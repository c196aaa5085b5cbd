// SPDX-License-Identifier: MIT
/*
 * Decompress a bzImage payload (host only: Debian's zlib, liblzma, libzstd, liblz4, libbz2)
 * and scan it for the KHO/LUO compatible strings the kernel was built with, and the compatibles
 * of the LUO file handlers and FLBs compiled into it.
 */
#define _GNU_SOURCE /* memmem */
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "../handoff/bytes.h"
#include "target.h"

/* liblzma's memory limit: kernels since 6.x compress with a 128 MiB xz dictionary (129 MiB to
 * decode; `lzma -9` uses 64 MiB); without a limit a 13-byte .lzma header asking for a 4 GiB
 * dictionary gets one allocated. The dictionary is written (resident) only as far as output is
 * produced, and the output is bounded by the caller. */
#define LZMA_MEMLIMIT ((uint64_t)132 << 20)
/* zstd's window: a kernel's `zstd -22 --ultra` uses 2^27 bytes (128 MiB); refuse more. */
#define ZSTD_WINDOWLOG_MAX 27

/*
 * The output is not kept: it goes out in chunks to a sink (the scan for KHO/LUO strings), so
 * the memory decompression costs is the chunk plus the decoder's own window, whatever the
 * payload inflates to. A chunk holds one legacy lz4 block (at most 8 MiB); the other formats
 * fill a smaller one. The limit is counted over the whole output.
 */
/* Its own message: not corrupt data, but more than the image declares (target.c says what). */
#define CLI_TOO_LARGE(fmt) fmt " output too large"

#define LZ4_BLOCK_MAX ((size_t)8 << 20)
#define CHUNK ((size_t)1 << 20)

struct outbuf {
	uint8_t *p;
	size_t len, cap;     /* bytes waiting in p; p's size */
	size_t total;        /* bytes produced so far, flushed or not */
	size_t limit;        /* the most the caller accepts */
	cli_sink_fn sink;
	void *ctx;
};

static bool setup(struct outbuf *o, size_t cap)
{
	o->p = malloc(cap);
	o->cap = cap;
	return o->p != NULL;
}

static void flush(struct outbuf *o)
{
	if (o->len && o->sink)
		o->sink(o->ctx, o->p, o->len);
	o->len = 0;
}

/* Account for `got` new bytes at p + len; false once the total passes the limit. */
static bool produced(struct outbuf *o, size_t got)
{
	o->len += got;
	o->total += got;
	return o->total <= o->limit;
}

/* Room for the next call: flush a full buffer. */
static void make_room(struct outbuf *o)
{
	if (o->len == o->cap)
		flush(o);
}

static const char *inflate_gzip(const uint8_t *in, size_t n, struct outbuf *o)
{
	z_stream z = { 0 };
	int rc;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return "zlib init failed";
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	do {
		make_room(o);
		z.next_out = o->p + o->len;
		z.avail_out = (uInt)(o->cap - o->len);
		rc = inflate(&z, Z_NO_FLUSH);
		if (!produced(o, (o->cap - o->len) - z.avail_out)) {
			inflateEnd(&z);
			return CLI_TOO_LARGE("gzip");
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
		make_room(o);
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		rc = lzma_code(&s, LZMA_FINISH);
		if (!produced(o, (o->cap - o->len) - s.avail_out)) {
			lzma_end(&s);
			return CLI_TOO_LARGE("xz/lzma");
		}
	} while (rc == LZMA_OK || (rc == LZMA_BUF_ERROR && s.avail_out == 0));
	lzma_end(&s);
	return rc == LZMA_STREAM_END ? NULL
	       : rc == LZMA_MEMLIMIT_ERROR ? "xz/lzma data needs over 132 MiB to decode (a kernel's 128 MiB dictionary needs 129)"
					   : "xz/lzma data is corrupt";
}

static const char *inflate_zstd(const uint8_t *in, size_t n, struct outbuf *o)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t rc = 1;
	if (!d)
		return "zstd init failed";
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_MAX))) {
		ZSTD_freeDStream(d);
		return "zstd init failed";
	}
	while (rc != 0) {
		make_room(o);
		ZSTD_outBuffer ob = { o->p + o->len, o->cap - o->len, 0 };
		rc = ZSTD_decompressStream(d, &ob, &ib);
		if (!produced(o, ob.pos)) {
			ZSTD_freeDStream(d);
			return CLI_TOO_LARGE("zstd");
		}
		if (ZSTD_isError(rc) || (ib.pos == ib.size && rc != 0 && ob.pos == 0)) {
			ZSTD_freeDStream(d);
			return ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge
				       ? "zstd data asks for a window over 128 MiB"
				       : "zstd data is corrupt";
		}
	}
	ZSTD_freeDStream(d);
	return NULL;
}

/* The kernel's lz4 is the legacy format: magic, then blocks (u32 LE size + data), each
 * decompressing to at most 8 MiB. */
static const char *inflate_lz4(const uint8_t *in, size_t n, struct outbuf *o)
{
	size_t pos = 4;
	while (pos + 4 <= n) {
		uint32_t bsize = le32_load(in + pos);
		if (bsize == 0x184c2102u) { /* a new legacy stream starts */
			pos += 4;
			continue;
		}
		pos += 4;
		if (bsize > n - pos)
			break; /* the trailing uncompressed-size word */
		flush(o); /* a block needs the whole chunk */
		int got = LZ4_decompress_safe((const char *)in + pos, (char *)o->p, (int)bsize, (int)LZ4_BLOCK_MAX);
		if (got < 0)
			return o->total ? NULL : "lz4 data is corrupt";
		if (!produced(o, (size_t)got))
			return CLI_TOO_LARGE("lz4");
		pos += bsize;
	}
	return o->total ? NULL : "lz4 data is corrupt";
}

static const char *inflate_bzip2(const uint8_t *in, size_t n, struct outbuf *o)
{
	bz_stream s = { 0 };
	int rc;
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return "bzip2 init failed";
	s.next_in = (char *)(uintptr_t)in;
	s.avail_in = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
	do {
		make_room(o);
		s.next_out = (char *)o->p + o->len;
		s.avail_out = (unsigned)(o->cap - o->len);
		rc = BZ2_bzDecompress(&s);
		size_t got = (o->cap - o->len) - s.avail_out;
		if (!produced(o, got)) {
			BZ2_bzDecompressEnd(&s);
			return CLI_TOO_LARGE("bzip2");
		}
		/* a stream cut short: bzip2 says BZ_OK, without progress, for ever */
		if (rc == BZ_OK && s.avail_in == 0 && got == 0)
			rc = BZ_UNEXPECTED_EOF;
	} while (rc == BZ_OK);
	BZ2_bzDecompressEnd(&s);
	return rc == BZ_STREAM_END ? NULL : "bzip2 data is corrupt";
}

const char *cli_decompress(enum lugate_compression c, const uint8_t *in, size_t n, size_t limit, cli_sink_fn sink,
			   void *ctx, size_t *out_size, bool *too_large)
{
	struct outbuf o = { .limit = limit, .sink = sink, .ctx = ctx };
	const char *err;

	*out_size = 0;
	*too_large = false;
	if (c < LUGATE_COMP_GZIP || c > LUGATE_COMP_ZSTD)
		return "unknown compression";
	if (!setup(&o, c == LUGATE_COMP_LZ4 ? LZ4_BLOCK_MAX : CHUNK))
		return "out of memory";
	switch (c) {
	case LUGATE_COMP_GZIP: err = inflate_gzip(in, n, &o); break;
	case LUGATE_COMP_XZ:
	case LUGATE_COMP_LZMA: err = inflate_xz(in, n, &o); break;
	case LUGATE_COMP_ZSTD: err = inflate_zstd(in, n, &o); break;
	case LUGATE_COMP_LZ4: err = inflate_lz4(in, n, &o); break;
	default: err = inflate_bzip2(in, n, &o); break;
	}
	if (!err)
		flush(&o);
	free(o.p);
	*too_large = o.total > o.limit;
	*out_size = o.total;
	return err;
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

/* A hit at the start of a window counts as the start of a string only if the window starts the
 * data; otherwise the byte before it is in the window before, and the junction sees it. */
static bool starts_a_string(const uint8_t *w, const uint8_t *hit, bool w_starts_data)
{
	return hit == w ? w_starts_data : hit[-1] < 0x20 || hit[-1] > 0x7e;
}

#define FAMILY_COUNT (sizeof(families) / sizeof(families[0]))

/* A string's family: the one whose "<family><digits>" it is, else FAMILY_COUNT (a record's own
 * name). A function of the string alone, so which scan finds it first does not matter. */
static unsigned family_of(const uint8_t *str, size_t len)
{
	for (unsigned f = 0; f < FAMILY_COUNT; f++) {
		size_t flen = strlen(families[f]);
		size_t d = flen;
		if (len <= flen || memcmp(str, families[f], flen) != 0)
			continue;
		while (d < len && str[d] >= '0' && str[d] <= '9')
			d++;
		if (d == len)
			return f;
	}
	return FAMILY_COUNT;
}

/* Keep the first CLI_SCAN_MAX strings in (family, first offset) order, the order a scan of the
 * whole data in one piece finds them in: a string found again keeps its first offset; when the
 * set is full, one that sorts before the last kept one takes its place. A record's layer (file
 * handler or FLB) wins over the guess from the name (lugate_layer_of); of two records, the
 * higher layer, so the order they are found in does not matter either. */
static void scan_add(struct cli_compat_scan *s, uint64_t at, const uint8_t *str, size_t len, int record_layer)
{
	unsigned fam = family_of(str, len);
	size_t k, last = 0;

	for (k = 0; k < s->count; k++)
		if (strlen(s->found[k]) == len && memcmp(s->found[k], str, len) == 0) {
			if (at < s->at[k])
				s->at[k] = at;
			if (record_layer > 0 && (!s->by_record[k] || record_layer > s->layer[k])) {
				s->layer[k] = (uint8_t)record_layer;
				s->by_record[k] = true;
			}
			return;
		}
	if (s->count < CLI_SCAN_MAX)
		k = s->count++;
	else {
		for (k = 1; k < s->count; k++)
			if (s->fam[k] > s->fam[last] || (s->fam[k] == s->fam[last] && s->at[k] > s->at[last]))
				last = k;
		if (fam > s->fam[last] || (fam == s->fam[last] && at > s->at[last]))
			return;
		k = last;
	}
	s->fam[k] = (uint8_t)fam;
	s->at[k] = at;
	memcpy(s->found[k], str, len);
	s->found[k][len] = 0;
	s->by_record[k] = record_layer > 0;
	s->layer[k] = (uint8_t)(record_layer > 0 ? (enum lugate_layer)record_layer : lugate_layer_of(s->found[k]));
}

/* Every whole string in w[0, n), which starts at offset `base` of the data. */
static void scan_window(struct cli_compat_scan *s, const uint8_t *w, size_t n, uint64_t base)
{
	for (unsigned f = 0; f < FAMILY_COUNT; f++) {
		size_t flen = strlen(families[f]);
		const uint8_t *p = w, *end = w + n;
		while (p < end) {
			const uint8_t *hit = memmem(p, (size_t)(end - p), families[f], flen);
			if (!hit)
				break;
			p = hit + 1;
			if (!starts_a_string(w, hit, base == 0))
				continue;
			const uint8_t *d = hit + flen;
			while (d < end && *d >= '0' && *d <= '9')
				d++;
			if (d == hit + flen || d >= end || *d != 0 || (size_t)(d - hit) > LUGATE_COMPAT_MAX)
				continue;
			scan_add(s, base + (uint64_t)(hit - w), hit, (size_t)(d - hit), -1);
		}
	}
}

/*
 * Handler and FLB records (target.h). The compatible is what the next kernel's LUO compares
 * with strcmp (luo_file.c, luo_flb.c), so it is read exactly as the struct holds it: lower-case
 * letters, digits and . _ -, ending in "-v<digits>", NUL-padded to 48 bytes. Before it, the ops
 * pointer: a kernel address as linked (its top 16 bits set), which x86-64's vmlinux carries in
 * place. An arm64 Image linked with --no-apply-dynamic-relocs keeps 0 there until it relocates
 * itself at boot, so its records are not found (no arm64 LUO kernel was at hand to try). After
 * it, the private fields, zero until the kernel registers the struct at boot: 32 bytes for a
 * file handler, 96 or more for an FLB, which is how the two are told apart. A handler that the
 * linker happens to follow with 64 zero bytes of another object reads as an FLB: it is refused
 * all the same when the target lacks it, only with the FLB's consequence.
 */
static bool compat_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The layer of a record at b[0, avail), or 0 if there is none. */
static int record_at(const uint8_t *b, size_t avail, size_t *len)
{
	const uint8_t *c = b + 8;
	size_t n = 0, d, zeros = 0;

	if (avail < 8 + 48 + CLI_RECORD_HANDLER_ZEROS || !(c[0] >= 'a' && c[0] <= 'z') || le64(b) >> 48 != 0xffff)
		return 0;
	while (n < 48 && compat_char(c[n]))
		n++;
	if (n >= 48 || c[n] != 0 || n < 3)
		return 0;
	for (d = n; d > 0 && c[d - 1] >= '0' && c[d - 1] <= '9'; d--)
		;
	if (d == n || d < 3 || c[d - 1] != 'v' || c[d - 2] != '-')
		return 0;
	for (size_t i = n; i < 48; i++)
		if (c[i])
			return 0;
	while (8 + 48 + zeros < avail && zeros < CLI_RECORD_FLB_ZEROS && !b[8 + 48 + zeros])
		zeros++;
	if (zeros < CLI_RECORD_HANDLER_ZEROS)
		return 0;
	*len = n;
	return zeros >= CLI_RECORD_FLB_ZEROS ? LUGATE_LAYER_FLB : LUGATE_LAYER_FILE_HANDLER;
}

/* Look at every 8-byte aligned record start in rec[] whose whole span is there (all of them at
 * the end of the data); keep the rest for the next piece. */
static void records_scan(struct cli_compat_scan *s, bool at_end)
{
	size_t i = 0, len = 0;

	for (; i < s->rec_len && (at_end || i + CLI_RECORD_SPAN <= s->rec_len); i += 8) {
		size_t avail = s->rec_len - i < CLI_RECORD_SPAN ? s->rec_len - i : CLI_RECORD_SPAN;
		int layer = record_at(s->rec + i, avail, &len);
		if (layer)
			scan_add(s, s->rec_base + i + 8, s->rec + i + 8, len, layer);
	}
	if (i > s->rec_len)
		i = s->rec_len;
	memmove(s->rec, s->rec + i, s->rec_len - i);
	s->rec_len -= i;
	s->rec_base += i;
}

static void records_feed(struct cli_compat_scan *s, const uint8_t *p, size_t n)
{
	while (n) {
		size_t take = CLI_RECORD_BUF - s->rec_len < n ? CLI_RECORD_BUF - s->rec_len : n;
		memcpy(s->rec + s->rec_len, p, take);
		s->rec_len += take;
		p += take;
		n -= take;
		if (s->rec_len == CLI_RECORD_BUF)
			records_scan(s, false);
	}
}

void cli_scan_init(struct cli_compat_scan *s)
{
	memset(s, 0, offsetof(struct cli_compat_scan, rec));
}

/*
 * The data comes in pieces: a string may cross from one into the next. Each piece is scanned
 * alone, and so is the junction: the last CLI_SCAN_TAIL bytes before it and its first
 * CLI_SCAN_TAIL bytes. A string with the byte before it is at most LUGATE_COMPAT_MAX + 2
 * bytes, so one that crosses (or starts a piece) lies whole in a junction.
 */
void cli_scan_feed(struct cli_compat_scan *s, const uint8_t *p, size_t n)
{
	uint8_t j[2 * CLI_SCAN_TAIL];
	size_t head = n < CLI_SCAN_TAIL ? n : CLI_SCAN_TAIL;

	if (!n)
		return;
	if (s->tail_len) {
		memcpy(j, s->tail, s->tail_len);
		memcpy(j + s->tail_len, p, head);
		scan_window(s, j, s->tail_len + head, s->total - s->tail_len);
	}
	scan_window(s, p, n, s->total);
	records_feed(s, p, n);
	if (n >= CLI_SCAN_TAIL) {
		memcpy(s->tail, p + n - CLI_SCAN_TAIL, CLI_SCAN_TAIL);
		s->tail_len = CLI_SCAN_TAIL;
	} else {
		size_t keep = s->tail_len + n > CLI_SCAN_TAIL ? CLI_SCAN_TAIL - n : s->tail_len;
		memmove(s->tail, s->tail + s->tail_len - keep, keep);
		memcpy(s->tail + keep, p, n);
		s->tail_len = keep + n;
	}
	s->total += n;
}

size_t cli_scan_finish_layers(struct cli_compat_scan *s, char found[][LUGATE_COMPAT_MAX + 1], uint8_t *layers,
			      size_t max)
{
	size_t n = 0;

	records_scan(s, true);
	/* in (family, offset) order: a selection sort of at most CLI_SCAN_MAX */
	for (; n < s->count && n < max; n++) {
		size_t best = n;
		for (size_t k = n + 1; k < s->count; k++)
			if (s->fam[k] < s->fam[best] || (s->fam[k] == s->fam[best] && s->at[k] < s->at[best]))
				best = k;
		if (best != n) {
			char tmp[LUGATE_COMPAT_MAX + 1];
			uint64_t at = s->at[n];
			uint8_t fam = s->fam[n], layer = s->layer[n];
			bool by_record = s->by_record[n];
			memcpy(tmp, s->found[n], sizeof(tmp));
			memcpy(s->found[n], s->found[best], sizeof(tmp));
			memcpy(s->found[best], tmp, sizeof(tmp));
			s->at[n] = s->at[best];
			s->fam[n] = s->fam[best];
			s->layer[n] = s->layer[best];
			s->by_record[n] = s->by_record[best];
			s->at[best] = at;
			s->fam[best] = fam;
			s->layer[best] = layer;
			s->by_record[best] = by_record;
		}
		memcpy(found[n], s->found[n], sizeof(found[n]));
		if (layers)
			layers[n] = s->by_record[n] ? s->layer[n] : (uint8_t)LUGATE_LAYER_UNKNOWN;
	}
	return n;
}

size_t cli_scan_finish(struct cli_compat_scan *s, char found[][LUGATE_COMPAT_MAX + 1], size_t max)
{
	return cli_scan_finish_layers(s, found, NULL, max);
}

void cli_scan_sink(void *ctx, const uint8_t *p, size_t n)
{
	cli_scan_feed(ctx, p, n);
}

size_t cli_scan_compat_layers(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], uint8_t *layers,
			      size_t max)
{
	struct cli_compat_scan *s = malloc(sizeof(*s));
	size_t count;

	if (!s)
		return 0;
	cli_scan_init(s);
	cli_scan_feed(s, p, n);
	count = cli_scan_finish_layers(s, found, layers, max);
	free(s);
	return count;
}

size_t cli_scan_compat(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], size_t max)
{
	return cli_scan_compat_layers(p, n, found, NULL, max);
}
