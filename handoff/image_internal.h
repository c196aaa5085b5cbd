/* SPDX-License-Identifier: MIT */
/* Internal: the per-format parsers behind lugate_image_identify (handoff/image.c). */
#ifndef LUGATE_IMAGE_INTERNAL_H
#define LUGATE_IMAGE_INTERNAL_H

#include <lugate/image.h>

/* Fail with err and say why (a static one-line text the front end prints). */
static inline int image_fail(struct lugate_image_info *out, int err, const char *why)
{
	out->why = why;
	return err;
}

/* Each returns 0 when the format matched and parsed, LUGATE_ERR_NOTFOUND when the image is
 * not of this format (no magic), or an error for a malformed image of this format. */
int image_parse_bzimage(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_pe(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_elf(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_arm64(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_zboot(const uint8_t *img, size_t size, struct lugate_image_info *out);
/* The zboot header alone (a UKI's .linux): no PE parse below it, so no nesting. */
int image_zboot_header(const uint8_t *img, size_t size, struct lugate_image_info *out);

/* Trailer: 0 with *found set accordingly, or an error for a malformed trailer
 * (LUGATE_ERR_BADVERSION: a trailer version lugate does not read; LUGATE_ERR_BADSIZE: its
 * manifest size points outside the file). */
int image_find_trailer(const uint8_t *img, size_t size, struct lugate_view *manifest, bool *found);
/* After image_find_trailer found one: its pad (0..7), or LUGATE_ERR_BADIMAGE if the pad
 * bytes are not zero. */
int image_trailer_pad(const uint8_t *img, size_t size, const struct lugate_view *manifest);

/* pecert.c: the file offset of a PE certificate table that ends the file (a signed PE), else 0. */
size_t image_pe_cert_table(const uint8_t *img, size_t size);
/* A trailer written before the image was signed: it ends at the certificate table's offset, less
 * 0..7 zero bytes of alignment. Like image_find_trailer, and *trailer_end says where it ends. */
int image_find_trailer_signed(const uint8_t *img, size_t size, struct lugate_view *manifest, size_t *trailer_end,
			      bool *found);

/* Copy the first word of text at [p, p+avail) into release if it is 1..64 printable chars
 * ending at a space, newline or NUL; otherwise leave release empty. */
void image_take_release(const uint8_t *p, size_t avail, char release[LUGATE_RELEASE_MAX + 1]);

/* Find "Linux version " in an uncompressed image and take the release after it. */
void image_release_from_banner(const uint8_t *img, size_t size, struct lugate_image_info *out);
/* The same search, for banners that start before starts_end only (each read up to size):
 * true with release filled at the first banner naming one. */
bool image_banner_find(const uint8_t *img, size_t size, size_t starts_end, char release[LUGATE_RELEASE_MAX + 1]);

#endif
