// SPDX-License-Identifier: MIT
/*
 * Kernel images: identify the format, read what it says about itself, find the manifest.
 * The order matters: a manifest trailer is cut off first (the image proper ends before it;
 * in an image signed after stamping, the trailer ends where the certificate table begins);
 * a bzImage with an EFI stub is a bzImage first; an arm64 Image with an EFI stub is an arm64
 * Image first, and a zboot image is zboot before it is a PE (all three also begin with "MZ").
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/image.h>
#include "image_internal.h"

const char *lugate_image_format_name(enum lugate_image_format f)
{
	static const char *const names[] = { "unknown", "bzImage", "pe", "uki", "elf", "arm64-image", "zboot" };
	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : names[0];
}

const char *lugate_compression_name(enum lugate_compression c)
{
	static const char *const names[] = { "none", "gzip", "bzip2", "lzma", "xz", "lz4", "zstd", "unknown" };
	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

const char *lugate_carrier_name(enum lugate_manifest_carrier c)
{
	static const char *const names[] = { "none", "trailer", "pe-section", "elf-note" };
	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "none";
}

static bool release_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

void image_take_release(const uint8_t *p, size_t avail, char release[LUGATE_RELEASE_MAX + 1])
{
	size_t n = 0;

	release[0] = '\0';
	while (n < avail && n <= LUGATE_RELEASE_MAX && release_char(p[n]))
		n++;
	if (n == 0 || n > LUGATE_RELEASE_MAX)
		return;
	if (n < avail && p[n] != ' ' && p[n] != '\n' && p[n] != '\0')
		return;
	memcpy(release, p, n);
	release[n] = '\0';
}

bool image_banner_find(const uint8_t *img, size_t size, size_t starts_end, char release[LUGATE_RELEASE_MAX + 1])
{
	static const char banner[] = "Linux version ";
	const size_t blen = sizeof(banner) - 1;

	if (starts_end > size)
		starts_end = size;
	for (size_t i = 0; i < starts_end && i + blen < size; i++) {
		const uint8_t *hit = memchr(img + i, 'L', starts_end - i);
		if (!hit)
			return false;
		i = (size_t)(hit - img);
		if (i + blen >= size || memcmp(hit, banner, blen) != 0)
			continue;
		image_take_release(hit + blen, size - i - blen, release);
		if (release[0])
			return true;
	}
	release[0] = '\0';
	return false;
}

void image_release_from_banner(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	if (image_banner_find(img, size, size, out->release))
		out->release_source = "Linux version banner";
}

typedef int (*format_parser)(const uint8_t *img, size_t size, struct lugate_image_info *out);

static const char *trailer_why(int err)
{
	return err == LUGATE_ERR_BADVERSION ? "manifest trailer: a trailer version lugate does not read"
					    : "manifest trailer: its manifest size points outside the file";
}

int lugate_image_identify(const void *img, size_t size, struct lugate_image_info *out)
{
	static const format_parser parsers[] = {
		image_parse_bzimage, image_parse_arm64, image_parse_zboot, image_parse_pe, image_parse_elf,
	};
	struct lugate_view trailer_manifest = { 0 };
	size_t trailer_end = size;
	bool trailer = false;
	int err;

	if (!img || !out)
		return LUGATE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (size == 0)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "the file is empty");
	err = image_find_trailer(img, size, &trailer_manifest, &trailer);
	if (!err && !trailer) /* stamped, then signed: the certificate table follows the trailer */
		err = image_find_trailer_signed(img, size, &trailer_manifest, &trailer_end, &trailer);
	if (err)
		return image_fail(out, err, trailer_why(err));
	out->image_size = size;
	if (trailer) {
		int pad = image_trailer_pad(img, trailer_end, &trailer_manifest);
		if (pad < 0)
			return image_fail(out, pad, "manifest trailer: the padding before the manifest is not zero");
		out->image_size = (size_t)(trailer_manifest.p - (const uint8_t *)img) - (size_t)pad;
	}
	err = LUGATE_ERR_NOTFOUND;
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]) && err == LUGATE_ERR_NOTFOUND; i++)
		err = parsers[i](img, out->image_size, out);
	if (err == LUGATE_ERR_NOTFOUND)
		return image_fail(out, LUGATE_ERR_UNKNOWNFMT,
				  "not a kernel image lugate knows (bzImage, PE/UKI, ELF64, arm64 Image)");
	if (err)
		return out->why ? err : image_fail(out, err, "malformed kernel image");
	if (trailer) {
		/* two manifests: which one is meant? */
		if (out->carrier != LUGATE_CARRIER_NONE)
			return image_fail(out, LUGATE_ERR_DUPLICATE, "two manifests: a trailer and a header carrier");
		out->carrier = LUGATE_CARRIER_TRAILER;
		out->manifest = trailer_manifest;
	}
	if (out->carrier != LUGATE_CARRIER_NONE && (size_t)(out->manifest.p - (const uint8_t *)img) % LUGATE_MANIFEST_ALIGN)
		return image_fail(out, LUGATE_ERR_BADIMAGE,
				  "the manifest does not start at an 8-byte aligned offset (libfdt reads it in place)");
	return 0;
}
