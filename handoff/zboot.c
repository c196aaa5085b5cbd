// SPDX-License-Identifier: MIT
/*
 * EFI zboot images (drivers/firmware/efi/libstub/zboot-header.S in the kernel): a PE/COFF
 * image whose DOS header carries, instead of DOS code,
 *   0x00 "MZ" + 2 bytes   0x04 "zimg"   0x08 u32 payload offset   0x0c u32 payload size
 *   0x10 8 reserved bytes 0x18 the compression's name, NUL-terminated, before 0x38
 *   0x38 u32 0x818223cd (the Linux PE magic)   0x3c u32 the PE header's offset.
 * The payload is the compressed kernel (on arm64, an arm64 Image padded with its BSS). The
 * size field leaves out the uncompressed size some methods append after the data.
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

#define ZBOOT_HEADER_SIZE 0x40u
#define ZBOOT_COMP_NAME 0x18u
#define ZBOOT_LINUX_PE_MAGIC 0x818223cdu

/* The names the kernel's Makefile.zboot writes (6.1 to 7.3), and what lugate calls them. */
static enum lugate_compression zboot_compression(const uint8_t *name, size_t avail)
{
	static const struct { const char *name; enum lugate_compression c; } names[] = {
		{ "gzip", LUGATE_COMP_GZIP }, { "zstd", LUGATE_COMP_ZSTD },   { "zstd22", LUGATE_COMP_ZSTD },
		{ "xzkern", LUGATE_COMP_XZ }, { "lzma", LUGATE_COMP_LZMA },   { "lz4", LUGATE_COMP_LZ4 },
		{ "bzip2", LUGATE_COMP_BZIP2 },
	};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		size_t n = strlen(names[k].name);
		if (n < avail && memcmp(name, names[k].name, n) == 0 && name[n] == '\0')
			return names[k].c;
	}
	return LUGATE_COMP_UNKNOWN;
}

int image_zboot_header(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	const size_t name_room = 0x38u - ZBOOT_COMP_NAME;
	uint32_t off, len;

	if (size < 8 || img[0] != 'M' || img[1] != 'Z' || memcmp(img + 4, "zimg", 4) != 0)
		return LUGATE_ERR_NOTFOUND;
	out->format = LUGATE_IMAGE_ZBOOT;
	if (size < ZBOOT_HEADER_SIZE)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "zboot: the file ends inside its 64-byte header");
	if (le32_load(img + 0x38) != ZBOOT_LINUX_PE_MAGIC)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "zboot: no Linux PE magic (0x818223cd) at offset 0x38");
	if (!memchr(img + ZBOOT_COMP_NAME, '\0', name_room))
		return image_fail(out, LUGATE_ERR_BADIMAGE, "zboot: the compression name is not NUL-terminated before 0x38");
	off = le32_load(img + 8);
	len = le32_load(img + 12);
	if (len == 0 || off < ZBOOT_HEADER_SIZE)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "zboot: the payload is empty or overlaps the header");
	if (!range_ok(off, len, size))
		return image_fail(out, LUGATE_ERR_BADSIZE, "zboot: the payload lies outside the file");
	out->payload.p = img + off;
	out->payload.size = len;
	out->zboot_compression = zboot_compression(img + ZBOOT_COMP_NAME, name_room);
	return 0;
}

int image_parse_zboot(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	struct lugate_view payload;
	enum lugate_compression c;
	int err = image_zboot_header(img, size, out);

	if (err)
		return err;
	payload = out->payload;
	c = out->zboot_compression;
	/* it is a PE too: its sections may carry the manifest (.lugate) */
	err = image_parse_pe(img, size, out);
	out->format = LUGATE_IMAGE_ZBOOT; /* the magic that matched, on error too */
	if (err == LUGATE_ERR_NOTFOUND)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "zboot: no PE header where offset 0x3c points");
	if (err)
		return err;
	if (out->linux_section.p)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "zboot: a .linux section (a zboot image is no UKI)");
	out->payload = payload;
	out->zboot_compression = c;
	return 0;
}

uint32_t lugate_image_page_size(const struct lugate_image_info *i)
{
	if (i->arm64_header)
		return i->arm64_page_size;
	if (i->has_bzimage)
		return 4096;
	return 0;
}

int lugate_image_zboot_payload(struct lugate_image_info *out, const void *head, size_t head_size,
			       const char *banner_release)
{
	struct lugate_image_info inner;
	int err;

	if (!out || !head)
		return LUGATE_ERR_INVAL;
	if (out->format != LUGATE_IMAGE_ZBOOT && out->linux_format != LUGATE_IMAGE_ZBOOT)
		return image_fail(out, LUGATE_ERR_INVAL, "not a zboot image");
	memset(&inner, 0, sizeof(inner));
	err = image_parse_arm64(head, head_size, &inner);
	if (err == LUGATE_ERR_NOTFOUND)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "zboot: the payload is not an arm64 Image");
	if (err)
		return image_fail(out, err, inner.why);
	out->arm64_header = true;
	out->arm64_page_size = inner.arm64_page_size;
	out->arm64_big_endian = inner.arm64_big_endian;
	out->arm64_image_size = inner.arm64_image_size;
	out->arm64_text_offset = inner.arm64_text_offset;
	out->payload_format = LUGATE_IMAGE_ARM64;
	if (!banner_release || !banner_release[0])
		return 0;
	if (out->release[0]) /* from .uname: the kernel that boots must agree */
		return strcmp(out->release, banner_release) == 0
			       ? 0
			       : image_fail(out, LUGATE_ERR_INCONSISTENT,
					    "UKI: .uname and the Linux version banner in the zboot payload name different releases");
	image_take_release((const uint8_t *)banner_release, strlen(banner_release), out->release);
	if (out->release[0])
		out->release_source = out->format == LUGATE_IMAGE_UKI ? "Linux version banner (zboot payload in .linux)"
								      : "Linux version banner (zboot payload)";
	return 0;
}

/* ---- the banner of a kernel fed in pieces ---------------------------------------------------- */

/* "Linux version " and the longest release with its terminator: a banner starting this far
 * before the window's end may run past it, so it waits for more data. */
#define BANNER_SPAN (14u + LUGATE_RELEASE_MAX + 1u)

void lugate_banner_init(struct lugate_banner_scan *s)
{
	s->len = 0;
	s->found = false;
	s->release[0] = '\0';
}

void lugate_banner_feed(struct lugate_banner_scan *s, const void *p, size_t n)
{
	const uint8_t *in = p;

	while (n && !s->found) {
		size_t take = sizeof(s->window) - s->len;
		if (take > n)
			take = n;
		memcpy(s->window + s->len, in, take);
		s->len += take;
		in += take;
		n -= take;
		if (s->len < sizeof(s->window))
			return;
		/* a full window: banners starting before its last BANNER_SPAN bytes are whole */
		s->found = image_banner_find(s->window, s->len, s->len - BANNER_SPAN, s->release);
		memmove(s->window, s->window + s->len - BANNER_SPAN, BANNER_SPAN);
		s->len = BANNER_SPAN;
	}
}

const char *lugate_banner_finish(struct lugate_banner_scan *s)
{
	if (!s->found)
		s->found = image_banner_find(s->window, s->len, s->len, s->release);
	return s->release;
}
