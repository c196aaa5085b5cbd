/* SPDX-License-Identifier: MIT */
/* Internal: the per-format parsers behind lugate_image_identify (handoff/image.c). */
#ifndef LUGATE_IMAGE_INTERNAL_H
#define LUGATE_IMAGE_INTERNAL_H

#include <lugate/image.h>

/* Each returns 0 when the format matched and parsed, LUGATE_ERR_NOTFOUND when the image is
 * not of this format (no magic), or an error for a malformed image of this format. */
int image_parse_bzimage(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_pe(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_elf(const uint8_t *img, size_t size, struct lugate_image_info *out);
int image_parse_arm64(const uint8_t *img, size_t size, struct lugate_image_info *out);

/* Trailer: 0 with *found set accordingly, or an error for a malformed trailer. */
int image_find_trailer(const uint8_t *img, size_t size, struct lugate_view *manifest, bool *found);

/* Copy the first word of text at [p, p+avail) into release if it is 1..64 printable chars
 * ending at a space, newline or NUL; otherwise leave release empty. */
void image_take_release(const uint8_t *p, size_t avail, char release[LUGATE_RELEASE_MAX + 1]);

/* Find "Linux version " in an uncompressed image and take the release after it. */
void image_release_from_banner(const uint8_t *img, size_t size, struct lugate_image_info *out);

#endif
