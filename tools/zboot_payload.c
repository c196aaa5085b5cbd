// SPDX-License-Identifier: MIT
/*
 * The kernel inside a zboot image (or a UKI's zboot .linux): its payload is decompressed once,
 * when the image is opened, because only there do its release and page size show. The output
 * is not kept: one pass takes the arm64 header, the "Linux version" banner and the KHO/LUO
 * strings; the core judges what they say (lugate_image_zboot_payload).
 */
#include <stdlib.h>
#include <string.h>
#include "target.h"

/* As much as an uncompressed arm64 Image file may be (target.c's cap for one). */
#define ZBOOT_PAYLOAD_MAX ((size_t)256 << 20)
#define ZBOOT_HEAD 64u

struct zboot_reader {
	size_t head_len;
	uint8_t head[ZBOOT_HEAD];
	struct lugate_banner_scan banner;
	struct cli_compat_scan scan;
};

static void zboot_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct zboot_reader *r = ctx;

	if (r->head_len < ZBOOT_HEAD) {
		size_t take = ZBOOT_HEAD - r->head_len < n ? ZBOOT_HEAD - r->head_len : n;
		memcpy(r->head + r->head_len, p, take);
		r->head_len += take;
	}
	lugate_banner_feed(&r->banner, p, n);
	cli_scan_feed(&r->scan, p, n);
}

bool cli_target_read_zboot(struct cli_target *t)
{
	struct lugate_image_info *i = &t->info;
	struct zboot_reader *r = malloc(sizeof(*r));
	size_t plain = 0;
	bool ok = false;
	int err;

	if (!r) {
		cli_error("%s: out of memory", CLI_QPATH(t->path));
		return false;
	}
	r->head_len = 0;
	lugate_banner_init(&r->banner);
	cli_scan_init(&r->scan);
	t->scan_limit = ZBOOT_PAYLOAD_MAX;
	t->scan_error = cli_decompress(i->zboot_compression, i->payload.p, i->payload.size, ZBOOT_PAYLOAD_MAX, zboot_sink,
				       r, &plain, &t->scan_too_large);
	if (t->scan_too_large) {
		cli_error("%s: its zboot payload decompresses to more than %zu bytes, the most lugate reads", CLI_QPATH(t->path),
			  ZBOOT_PAYLOAD_MAX);
		goto out;
	}
	if (t->scan_error) {
		cli_error("%s: malformed kernel image: zboot payload (%s): %s", CLI_QPATH(t->path),
			  lugate_compression_name(i->zboot_compression), t->scan_error);
		goto out;
	}
	err = lugate_image_zboot_payload(i, r->head, r->head_len, lugate_banner_finish(&r->banner));
	if (err) {
		cli_error("%s: malformed kernel image: %s (%s)", CLI_QPATH(t->path), i->why ? i->why : lugate_strerror(err),
			  lugate_errname(err));
		goto out;
	}
	t->kernel_size = plain;
	t->compat_count = cli_scan_finish_layers(&r->scan, t->compat, t->compat_layer, CLI_SCAN_MAX);
	for (size_t k = 0; k < t->compat_count; k++)
		t->compat_ptrs[k] = t->compat[k];
	t->scanned = true;
	ok = true;
out:
	free(r);
	return ok;
}
