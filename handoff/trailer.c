// SPDX-License-Identifier: MIT
/*
 * The trailer carrier: a framed manifest appended to an image that has no room for one in
 * its headers (a distro bzImage), found from the end like a module signature:
 *
 *   [image][pad: 0..7 zero bytes][manifest][trailer, 32 bytes]
 *   trailer: u32 manifest_size, u8 version (1), u8 pad, u16 reserved (0), magic[24]
 *
 * The pad puts the manifest at an 8-byte aligned file offset: libfdt reads it in place and
 * refuses an unaligned tree. The pad is recorded so that the image proper keeps its exact
 * original size. (A trailer written before the pad existed reads as version 1, pad 0.)
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/frame.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

static const char trailer_magic[24] = LUGATE_TRAILER_MAGIC; /* NUL-padded */

size_t lugate_trailer_pad(size_t image_size)
{
	return (8 - (image_size & 7)) & 7;
}

void lugate_trailer_write(uint8_t out[LUGATE_TRAILER_SIZE], uint32_t manifest_size, uint8_t pad)
{
	le32_store(out, manifest_size);
	out[4] = LUGATE_TRAILER_VERSION;
	out[5] = pad;
	out[6] = out[7] = 0;
	memcpy(out + 8, trailer_magic, sizeof(trailer_magic));
}

int image_find_trailer(const uint8_t *img, size_t size, struct lugate_view *manifest, bool *found)
{
	const uint8_t *t;
	uint32_t msize;
	uint8_t pad;

	*found = false;
	if (size < LUGATE_TRAILER_SIZE)
		return 0;
	t = img + size - LUGATE_TRAILER_SIZE;
	if (memcmp(t + 8, trailer_magic, sizeof(trailer_magic)) != 0)
		return 0;
	if (t[4] != LUGATE_TRAILER_VERSION || t[6] || t[7])
		return LUGATE_ERR_BADVERSION;
	msize = le32_load(t);
	pad = t[5];
	if (pad > 7 || msize < LUGATE_FRAME_HEADER_SIZE || (uint64_t)msize + pad > size - LUGATE_TRAILER_SIZE)
		return LUGATE_ERR_BADSIZE;
	manifest->p = t - msize;
	manifest->size = msize;
	*found = true;
	return 0;
}

int image_trailer_pad(const uint8_t *img, size_t size, const struct lugate_view *manifest)
{
	uint8_t pad = img[size - LUGATE_TRAILER_SIZE + 5];

	for (uint8_t i = 1; i <= pad; i++)
		if (manifest->p[-(ptrdiff_t)i] != 0)
			return LUGATE_ERR_BADIMAGE;
	return pad;
}
