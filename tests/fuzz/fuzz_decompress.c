// SPDX-License-Identifier: MIT
/*
 * Fuzz the decompression of a bzImage payload (tools/decompress.c, cli_decompress: gzip,
 * bzip2, lzma, xz, lz4, zstd through Debian's libraries; the first input byte picks one) as
 * `lugate check --kernel`, `seal` and `inspect` run it, then the scan of what came out.
 * It either fails with a message, in bounded time, or hands out as many bytes as it says,
 * never more than the limit (the first byte's higher values pick one: a bomb must stop there,
 * with "output too large"). What it hands out is scanned in the pieces it comes in, and that
 * scan must find what a scan of the whole output finds.
 * Slower than the rest: each call sets up a library's decoder (liblzma's dictionary, bzip2's
 * block buffers) and a chunk of 1 MiB (8 MiB for lz4).
 */
#include "fuzz_cli.h"

static void scan_properties(const uint8_t *p, size_t n)
{
	char found[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];

	fuzz_check_scanned(p, n, found, cli_scan_compat(p, n, found, CLI_SCAN_MAX));
}

/* The output, kept whole to check the piecewise scan against (at most the limit). */
struct collect {
	uint8_t *p;
	size_t len, cap;
	struct cli_compat_scan scan;
};

static void collect_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct collect *c = ctx;

	FUZZ_ASSERT(n > 0);
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + n)
			cap *= 2;
		c->p = realloc(c->p, cap);
		FUZZ_ASSERT(c->p);
		c->cap = cap;
	}
	memcpy(c->p + c->len, p, n);
	c->len += n;
	cli_scan_feed(&c->scan, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct collect c;
	char whole[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1], pieces[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];
	size_t plain_size = 0, limit, nw, np;
	bool too_large = false;
	const char *err;

	if (size < 1)
		return 0;
	/* data[0] % 6 picks the format, data[0] / 6 the limit: 64 MiB (for 0..5, as the corpus
	 * from before the limit was written), down to 512 bytes, which a bomb reaches quickly */
	limit = ((size_t)64 << 20) >> (data[0] / 6 % 18);
	scan_properties(data + 1, size - 1);
	c.len = 0;
	cli_scan_init(&c.scan);
	err = cli_decompress((enum lugate_compression)(1 + data[0] % 6), data + 1, size - 1, limit, collect_sink, &c,
			     &plain_size, &too_large);
	FUZZ_ASSERT(plain_size >= c.len);
	FUZZ_ASSERT(c.len <= limit);
	if (err) {
		FUZZ_ASSERT(*err);
		FUZZ_ASSERT(too_large == (strstr(err, "output too large") != NULL));
		FUZZ_ASSERT(!too_large || plain_size > limit);
		return 0;
	}
	FUZZ_ASSERT(!too_large && plain_size == c.len);
	scan_properties(c.p, c.len); /* reads every byte: ASan sees a buffer shorter than said */
	nw = cli_scan_compat(c.p, c.len, whole, CLI_SCAN_MAX);
	np = cli_scan_finish(&c.scan, pieces, CLI_SCAN_MAX);
	FUZZ_ASSERT(nw == np);
	for (size_t i = 0; i < nw; i++)
		FUZZ_ASSERT(strcmp(whole[i], pieces[i]) == 0);
	return 0;
}
