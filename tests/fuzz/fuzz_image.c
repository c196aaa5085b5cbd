// SPDX-License-Identifier: MIT
/*
 * Fuzz lugate_image_identify (handoff/image.c: the trailer first, then bzImage, arm64 Image,
 * PE/UKI, ELF64) and what the CLI and the loader do next: open the manifest it found and
 * run the check of a sealed table against the image.
 *
 * An identified image keeps every view inside itself, names a release only when it is a
 * clean word, and gives the same answer twice. The check allows only when the manifest
 * found in the image supports every preserved device and KHO/LUO format, under the policy,
 * and the image is the one sealed; any other image (by hash) is refused.
 */
#include "fuzz.h"
#include "fuzz_image.h"
#include "../../handoff/image_internal.h" /* image_pe_cert_table: the signed-trailer case */

static const char *const preserved[] = { "kho-v1" };
static struct lugate_device devices[2];

static long build_table(uint8_t *buf, size_t size, const uint8_t *target_sha)
{
	struct lugate_table_spec spec = { 0 };
	uint32_t scratch[2];

	spec.release = "6.1.0-55-amd64";
	spec.compat = preserved;
	spec.compat_count = 1;
	spec.devices = devices;
	spec.device_count = 2;
	spec.target_sha256 = target_sha;
	spec.target_release = target_sha ? "6.1.0-56-amd64" : NULL;
	return lugate_table_build(buf, size, &spec, scratch, 2, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const guids[2] = { "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "2c3e8a4b-9d71-4f0e-a6b2-1d5c7e9f0a3b" };

	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < 2; i++) {
		devices[i].addr = lugate_pci_make(0, 0x3b, 0, (uint8_t)i);
		devices[i].vendor_id = 0x15b3;
		devices[i].device_id = 0x101d;
		devices[i].class_code = 0x020000;
		devices[i].schema_version = 2;
		devices[i].driver = "mlx5_core";
		FUZZ_ASSERT(lugate_guid_parse(guids[i], 36, &devices[i].schema) == 0);
	}
	return 0;
}

/* Every device and format supported by the manifest, and a path the default policy allows. */
static void allow_is_justified(const struct lugate_manifest *m, const char *target)
{
	int why = -1;

	FUZZ_ASSERT(lugate_policy_classify(NULL, "6.1.0-55-amd64", target, &why) != LUGATE_PATH_NONE);
	for (unsigned i = 0; i < 2; i++) {
		long k = -1;
		for (uint32_t j = 0; j < m->schema_count && k < 0; j++) {
			struct lugate_schema s;
			lugate_manifest_schema(m, j, &s);
			if (memcmp(s.guid.b, devices[i].schema.b, LUGATE_GUID_SIZE) == 0 &&
			    s.min_version <= 2 && s.max_version >= 2)
				k = (long)j;
		}
		FUZZ_ASSERT(k >= 0);
	}
}

static void check_against(const uint8_t *img, size_t size, const struct lugate_image_info *info)
{
	static uint8_t table[4096];
	uint8_t sha[32], other[32];
	struct lugate_reason reasons[16];
	struct lugate_check_input in = { 0 };
	struct lugate_manifest m;
	struct lugate_verdict v;
	long table_size;
	bool manifest_ok = false;

	lugate_sha256(img, size, sha);
	table_size = build_table(table, sizeof(table), sha);
	FUZZ_ASSERT(table_size > 0);
	/* as cli_target_check_input and the loader fill it */
	if (info->carrier != LUGATE_CARRIER_NONE) {
		in.manifest = info->manifest.p;
		in.manifest_size = info->manifest.size;
		manifest_ok = lugate_manifest_open(info->manifest.p, info->manifest.size, &m) == 0;
	}
	in.target_release = info->release[0] ? info->release : NULL;
	in.target_sha256 = sha;
	in.table = table;
	in.table_size = (size_t)table_size;
	FUZZ_ASSERT(lugate_check(&in, reasons, 16, &v) == 0);
	if (v.decision == LUGATE_ALLOW) {
		FUZZ_ASSERT(manifest_ok && v.target == m.release);
		allow_is_justified(&m, m.release);
		for (uint32_t k = 0, found = 0; !found; k++) {
			FUZZ_ASSERT(k < m.compat_count);
			found = strcmp(lugate_manifest_compat(&m, k), "kho-v1") == 0;
		}
	}
	/* another image (by hash) with the same contents otherwise: never allowed */
	memcpy(other, sha, sizeof(other));
	other[size % 32] ^= 1;
	in.target_sha256 = other;
	FUZZ_ASSERT(lugate_check(&in, reasons, 16, &v) == 0);
	FUZZ_ASSERT(v.decision == LUGATE_REFUSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lugate_image_info info, again;
	int err = lugate_image_identify(data, size, &info);

	FUZZ_ASSERT(lugate_image_identify(data, size, &again) == err);
	if (err) {
		fuzz_image_error_properties(err, &info);
		return 0;
	}
	fuzz_image_info_properties(data, size, &info);
	FUZZ_ASSERT(info.format == again.format && info.carrier == again.carrier &&
		    info.image_size == again.image_size && strcmp(info.release, again.release) == 0 &&
		    info.manifest.p == again.manifest.p && info.manifest.size == again.manifest.size &&
		    info.payload.p == again.payload.p && info.payload.size == again.payload.size);
	if (info.carrier == LUGATE_CARRIER_TRAILER) {
		/* [image][pad: 0..7 zeros][manifest, 8-byte aligned][trailer], then either the end of
		 * the file or (stamped, then signed) 0..7 zeros and a PE certificate table ending it */
		size_t end = (size_t)(info.manifest.p - data) + info.manifest.size + LUGATE_TRAILER_SIZE;
		size_t pad = data[end - LUGATE_TRAILER_SIZE + 5], table = image_pe_cert_table(data, size);
		FUZZ_ASSERT(pad <= 7 && info.image_size + pad + info.manifest.size + LUGATE_TRAILER_SIZE == end);
		FUZZ_ASSERT(end == size || (table >= end && table - end < 8));
		for (size_t k = end; k < size && k < table; k++)
			FUZZ_ASSERT(data[k] == 0);
		FUZZ_ASSERT((size_t)(info.manifest.p - data) % LUGATE_MANIFEST_ALIGN == 0);
		for (size_t k = 0; k < pad; k++)
			FUZZ_ASSERT(data[info.image_size + k] == 0);
	} else
		FUZZ_ASSERT(info.image_size == size);
	check_against(data, size, &info);
	return 0;
}
