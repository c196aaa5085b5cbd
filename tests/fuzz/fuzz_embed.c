// SPDX-License-Identifier: MIT
/*
 * Fuzz `lugate embed` (tools/embed_cmd.c) on every image lugate_image_identify accepts: stamp it
 * as cmd_embed does (a .lugate PE section, an ELF note, or a trailer; with --replace for an
 * image already stamped), without the file I/O.
 * Stamping either refuses with a reason or gives an image that identifies again as the same
 * format, with the same carrier, and carries exactly the manifest written where
 * lugate_manifest_open reads it (what embed checks before it writes: here it must never
 * fail), and, for a trailer, keeps every byte of the image proper. embed_cmd.c is included, not linked: its writers are file-local.
 */
#include "fuzz.h"
#include "fuzz_image.h"
#include "../../tools/embed_cmd.c" /* NOLINT(bugprone-suspicious-include): the verb is fuzzed in-process */

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
	cli_quiet_errors(true);
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
	enum lugate_manifest_carrier carrier = LUGATE_CARRIER_NONE;
	struct lugate_image_info stamped;
	struct lugate_manifest m;
	struct cli_target t;
	const char *why = NULL;
	uint8_t *out, *copy = fuzz_dup(data, size, 0); /* --replace strips a carrier in place */
	size_t out_size = 0, base;

	memset(&t, 0, sizeof(t));
	t.path = "fuzz.img";
	t.size = size;
	t.data = copy;
	if (lugate_image_identify(t.data, size, &t.info) != 0)
		goto done;
	base = strip_carrier(&t, &why);
	if (!base) {
		FUZZ_ASSERT(why && *why);
		goto done;
	}
	FUZZ_ASSERT(base <= size);
	out = stamp(&t, base, manifest, manifest_size, &out_size, &carrier);
	if (!out)
		goto done;
	FUZZ_ASSERT(out_size >= base + manifest_size);
	FUZZ_ASSERT(lugate_image_identify(out, out_size, &stamped) == 0);
	fuzz_image_info_properties(out, out_size, &stamped);
	FUZZ_ASSERT(stamped.carrier == carrier && stamped.format == t.info.format);
	/* The release may differ when the image's banner lies inside the headers embed rewrites
	 * (regressions/embed/crash-8caf...: "Linux version" inside an ELF program header):
	 * cmd_embed's read-back compares it and refuses to write such an image. */
	FUZZ_ASSERT(stamped.manifest.size == manifest_size && memcmp(stamped.manifest.p, manifest, manifest_size) == 0);
	FUZZ_ASSERT(lugate_manifest_open(stamped.manifest.p, stamped.manifest.size, &m) == 0);
	if (carrier == LUGATE_CARRIER_TRAILER)
		FUZZ_ASSERT(stamped.image_size == base && memcmp(out, t.data, base) == 0);
	free(out);
done:
	free(copy);
	return 0;
}
