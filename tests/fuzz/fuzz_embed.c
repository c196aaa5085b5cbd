// SPDX-License-Identifier: MIT
/*
 * Fuzz `lugate embed`'s image writers (tools/embed.c: a .lugate PE section, or a trailer)
 * on every image lugate_image_identify accepts unstamped, as cmd_embed calls them.
 * Stamping either refuses with a reason or gives an image that identifies again, carries
 * exactly the manifest written (what embed reads back before writing) where
 * lugate_manifest_open reads it, keeps the release,
 * and keeps every original byte but the PE header fields a new section must change.
 * embed.c is included, not linked: its writers are file-local.
 */
#include "fuzz.h"
#include "fuzz_image.h"
#include "../../tools/embed.c"

static uint8_t *manifest;
static size_t manifest_size;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const revives[] = { "kho-v1", "luo-v1" };
	struct lugate_manifest_spec spec = { 0 };
	struct lugate_schema s = { .min_version = 1, .max_version = 3 };
	uint32_t scratch[1];
	size_t needed = 0;
	long n;

	(void)argc;
	(void)argv;
	FUZZ_ASSERT(lugate_guid_parse("5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", 36, &s.guid) == 0);
	spec.release = "6.1.0-56-amd64";
	spec.schemas = &s;
	spec.schema_count = 1;
	spec.compat = revives;
	spec.compat_count = 2;
	lugate_manifest_build(NULL, 0, &spec, NULL, 0, &needed);
	manifest = malloc(needed);
	FUZZ_ASSERT(manifest);
	n = lugate_manifest_build(manifest, needed, &spec, scratch, 1, NULL);
	FUZZ_ASSERT(n > 0);
	manifest_size = (size_t)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lugate_image_info info, stamped;
	const char *why = NULL;
	uint8_t *out;
	size_t out_size = 0;
	bool pe;

	if (lugate_image_identify(data, size, &info) != 0 || info.carrier != LUGATE_CARRIER_NONE)
		return 0;
	pe = info.format == LUGATE_IMAGE_UKI || info.format == LUGATE_IMAGE_PE;
	out = pe ? pe_add_section(data, info.image_size, manifest, manifest_size, &out_size, &why)
		 : add_trailer(data, info.image_size, manifest, manifest_size, &out_size);
	if (!out) {
		FUZZ_ASSERT(pe && why && *why);
		return 0;
	}
	FUZZ_ASSERT(out_size >= size + manifest_size);
	FUZZ_ASSERT(lugate_image_identify(out, out_size, &stamped) == 0);
	fuzz_image_info_properties(out, out_size, &stamped);
	FUZZ_ASSERT(stamped.carrier == (pe ? LUGATE_CARRIER_PE_SECTION : LUGATE_CARRIER_TRAILER));
	FUZZ_ASSERT(stamped.manifest.size == manifest_size &&
		    memcmp(stamped.manifest.p, manifest, manifest_size) == 0);
	FUZZ_ASSERT(stamped.format == info.format && strcmp(stamped.release, info.release) == 0);
	/* and it reads back as a manifest: the FDT inside must sit where libfdt can read it */
	{
		struct lugate_manifest m;
		FUZZ_ASSERT(lugate_manifest_open(stamped.manifest.p, stamped.manifest.size, &m) == 0);
	}
	if (!pe) {
		/* the image, zeros to a multiple of 8 bytes, the manifest, the trailer */
		FUZZ_ASSERT(memcmp(out, data, size) == 0 && stamped.image_size == ((size + 7) & ~(size_t)7));
		for (size_t k = size; k < stamped.image_size; k++)
			FUZZ_ASSERT(out[k] == 0);
	} else {
		/* outside the PE headers (up to the first section's data), nothing moved */
		uint32_t pe_off = rd32(data + 0x3c);
		FUZZ_ASSERT(memcmp(out, data, pe_off) == 0);
		FUZZ_ASSERT(stamped.linux_section.size == info.linux_section.size &&
			    (!info.linux_section.size ||
			     memcmp(stamped.linux_section.p, info.linux_section.p, info.linux_section.size) == 0));
	}
	free(out);
	return 0;
}
