/* SPDX-License-Identifier: MIT */
/* What every parsed kernel image promises (tests/fuzz/fuzz_image*.c): see fuzz.h. */
#ifndef LUGATE_FUZZ_IMAGE_H
#define LUGATE_FUZZ_IMAGE_H

#include <lugate/image.h>
#include "fuzz.h"

/* A view is either empty and NULL, or lies inside the image (an empty one may sit at its end). */
static inline void fuzz_view_inside(const uint8_t *img, size_t size, const struct lugate_view *v)
{
	if (!v->p) {
		FUZZ_ASSERT(v->size == 0);
		return;
	}
	FUZZ_ASSERT(fuzz_inside(img, size, v->p, v->size));
}

static inline void fuzz_image_info_properties(const uint8_t *img, size_t size, const struct lugate_image_info *i)
{
	size_t rlen = strnlen(i->release, sizeof(i->release));

	FUZZ_ASSERT(i->format > LUGATE_IMAGE_UNKNOWN && i->format <= LUGATE_IMAGE_ZBOOT);
	FUZZ_ASSERT(i->carrier <= LUGATE_CARRIER_ELF_NOTE);
	FUZZ_ASSERT(i->image_size <= size);
	fuzz_view_inside(img, size, &i->payload);
	fuzz_view_inside(img, size, &i->manifest);
	fuzz_view_inside(img, size, &i->linux_section);
	fuzz_view_inside(img, size, &i->uname_section);
	fuzz_view_inside(img, size, &i->osrel_section);
	fuzz_view_inside(img, size, &i->lugate_section);
	FUZZ_ASSERT((i->carrier == LUGATE_CARRIER_NONE) == (i->manifest.p == NULL));
	FUZZ_ASSERT(i->carrier != LUGATE_CARRIER_PE_SECTION ||
		    (i->manifest.p == i->lugate_section.p && i->manifest.size == i->lugate_section.size));
	/* the release: never guessed, so either a clean word the image names, or nothing */
	FUZZ_ASSERT(rlen <= LUGATE_RELEASE_MAX);
	for (size_t k = 0; k < rlen; k++)
		FUZZ_ASSERT(i->release[k] > 0x20 && i->release[k] < 0x7f);
	FUZZ_ASSERT((rlen > 0) == (i->release_source != NULL));
	if (i->has_bzimage) {
		FUZZ_ASSERT(i->format == LUGATE_IMAGE_BZIMAGE || i->format == LUGATE_IMAGE_UKI);
		FUZZ_ASSERT(i->bz.compression <= LUGATE_COMP_UNKNOWN);
		FUZZ_ASSERT(i->payload.p || i->bz.payload_length == 0);
	} else if (i->format == LUGATE_IMAGE_ZBOOT || i->linux_format == LUGATE_IMAGE_ZBOOT) {
		/* a zboot payload: never empty, and its kernel unread until a front end decompresses it */
		FUZZ_ASSERT(i->payload.p && i->payload.size > 0);
		FUZZ_ASSERT(i->zboot_compression <= LUGATE_COMP_UNKNOWN && i->payload_format == LUGATE_IMAGE_UNKNOWN);
	} else {
		FUZZ_ASSERT(i->payload.p == NULL);
	}
	FUZZ_ASSERT(i->format == LUGATE_IMAGE_UKI || i->linux_section.p == NULL);
	FUZZ_ASSERT(i->why == NULL);
	fuzz_view_inside(img, size, &i->elf_build_id);
	FUZZ_ASSERT(lugate_image_format_name(i->format) && lugate_carrier_name(i->carrier) &&
		    lugate_compression_name(i->bz.compression));
}

/* A refusal says why, in one line of text. */
static inline void fuzz_image_error_properties(int err, const struct lugate_image_info *i)
{
	FUZZ_ASSERT(err < 0 && err >= -LUGATE_ERR_MAX);
	if (err == LUGATE_ERR_UNKNOWNFMT || err == LUGATE_ERR_NOTFOUND)
		return;
	FUZZ_ASSERT(i->why && i->why[0] && !strchr(i->why, '\n') && strlen(i->why) < 200);
}

#endif
