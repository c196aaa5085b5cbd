// SPDX-License-Identifier: MIT
/*
 * The trailer carrier: a framed manifest appended to an image that has no room for one in
 * its headers (a distro bzImage), found from the end like a module signature:
 *   [image][manifest][u32 manifest_size][u32 version = 1][magic, 24 bytes]
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/frame.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

static const char trailer_magic[24] = LUGATE_TRAILER_MAGIC; /* NUL-padded */

void lugate_trailer_write(uint8_t out[LUGATE_TRAILER_SIZE], uint32_t manifest_size)
{
	le32_store(out, manifest_size);
	le32_store(out + 4, 1);
	memcpy(out + 8, trailer_magic, sizeof(trailer_magic));
}

int image_find_trailer(const uint8_t *img, size_t size, struct lugate_view *manifest, bool *found)
{
	const uint8_t *t;
	uint32_t msize;

	*found = false;
	if (size < LUGATE_TRAILER_SIZE)
		return 0;
	t = img + size - LUGATE_TRAILER_SIZE;
	if (memcmp(t + 8, trailer_magic, sizeof(trailer_magic)) != 0)
		return 0;
	if (le32_load(t + 4) != 1)
		return LUGATE_ERR_BADVERSION;
	msize = le32_load(t);
	if (msize < LUGATE_FRAME_HEADER_SIZE || msize > size - LUGATE_TRAILER_SIZE)
		return LUGATE_ERR_BADSIZE;
	manifest->p = t - msize;
	manifest->size = msize;
	*found = true;
	return 0;
}
