// SPDX-License-Identifier: MIT
/*
 * Fuzz one kernel-image parser behind lugate_image_identify on its own (handoff/bzimage.c,
 * pe.c, elf.c, arm64.c, zboot.c, trailer.c), so that a long run spends its time on one format.
 * Built once per parser: -DFUZZ_PARSER=image_parse_bzimage (fuzz_image_bzimage), ...,
 * and -DFUZZ_TRAILER for image_find_trailer (fuzz_image_trailer).
 * Each parser either says "not this format", or refuses, or fills in views that lie inside
 * the image and a release that is a clean word (fuzz_image.h).
 */
#include "fuzz.h"
#include "fuzz_image.h"
#include "../../handoff/image_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lugate_image_info info;
	int err;

	memset(&info, 0, sizeof(info));
#ifdef FUZZ_TRAILER
	{
		bool found = true;
		err = image_find_trailer(data, size, &info.manifest, &found);
		FUZZ_ASSERT(err <= 0 && err >= -LUGATE_ERR_MAX);
		if (err == 0 && found)
			FUZZ_ASSERT(info.manifest.size >= LUGATE_FRAME_HEADER_SIZE &&
				    info.manifest.p + info.manifest.size + LUGATE_TRAILER_SIZE == data + size);
		else
			FUZZ_ASSERT(!found);
		return 0;
	}
#else
	err = FUZZ_PARSER(data, size, &info);
	FUZZ_ASSERT(err <= 0 && err >= -LUGATE_ERR_MAX);
	if (err)
		return 0; /* its one-line why is lugate_image_identify's promise (fuzz_image) */
	info.image_size = size;
	fuzz_image_info_properties(data, size, &info);
	return 0;
#endif
}
