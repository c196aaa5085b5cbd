// SPDX-License-Identifier: MIT
/* The arm64 Image header (Documentation/arch/arm64/booting.rst): 64 bytes, little-endian. */
#include <lugate/error.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

#define ARM64_MAGIC 0x644d5241u /* "ARM\x64" */
#define ARM64_HEADER_SIZE 64u

int image_parse_arm64(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	static const uint32_t page_sizes[4] = { 0, 4096, 16384, 65536 };
	uint64_t flags;

	if (size < ARM64_HEADER_SIZE || le32_load(img + 0x38) != ARM64_MAGIC)
		return LUGATE_ERR_NOTFOUND;
	out->format = LUGATE_IMAGE_ARM64;
	out->arm64_header = true;
	out->arm64_text_offset = le64_load(img + 8);
	out->arm64_image_size = le64_load(img + 16);
	flags = le64_load(img + 24);
	out->arm64_big_endian = flags & 1;
	out->arm64_page_size = page_sizes[(flags >> 1) & 3];
	/* image_size is the memory the kernel needs from its start, so at least its header */
	if (out->arm64_image_size && out->arm64_image_size < ARM64_HEADER_SIZE)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "arm64 Image: image_size is smaller than the header");
	image_release_from_banner(img, size, out);
	return 0;
}
