/* SPDX-License-Identifier: MIT */
/*
 * The manifest: what a target kernel image supports. A frame (lugate/frame.h, magic
 * "LUGMANIF") around a small FDT:
 *
 *   / {
 *       compatible = "lugate,manifest-v1";
 *       release = "6.1.0-56-amd64";
 *       schemas = [records];          24-byte records, sorted by GUID, unique:
 *                                       guid[16], min_version u32 LE, max_version u32 LE
 *       revives = "kho-v1", "luo-v1"; KHO/LUO compatible strings it can revive (optional)
 *   };
 *
 * The JSON source form is documented in docs/manifest-format.md; the CLI converts it.
 */
#ifndef LUGATE_MANIFEST_H
#define LUGATE_MANIFEST_H

#include <lugate/types.h>

#define LUGATE_MANIFEST_COMPATIBLE "lugate,manifest-v1"
#define LUGATE_MANIFEST_MAX_SCHEMAS 65536u
#define LUGATE_MANIFEST_MAX_COMPAT 32u
#define LUGATE_SCHEMA_RECORD_SIZE 24u

struct lugate_schema {
	struct lugate_guid guid;
	uint32_t min_version;
	uint32_t max_version;
};

struct lugate_manifest_spec {
	const char *release;
	const struct lugate_schema *schemas; /* any order; sorted by the builder */
	size_t schema_count;
	const char *const *compat;
	size_t compat_count;
};

/* Build a framed manifest into buf (same conventions as lugate_table_build). */
long lugate_manifest_build(void *buf, size_t buf_size, const struct lugate_manifest_spec *spec,
			   uint32_t *scratch, size_t scratch_count, size_t *needed);

struct lugate_manifest {
	const void *fdt;
	uint32_t fdt_size;
	const char *release;
	const uint8_t *schema_records;   /* schema_count records of LUGATE_SCHEMA_RECORD_SIZE */
	uint32_t schema_count;
	const char *compat_list;         /* NUL-separated, compat_count entries */
	int compat_prop_len;
	uint32_t compat_count;
};

/* Validate once (frame, FDT, compatible, release, sort order, min <= max, strings). */
int lugate_manifest_open(const void *blob, size_t blob_size, struct lugate_manifest *out);

/* The i-th schema record (0 <= i < schema_count). */
void lugate_manifest_schema(const struct lugate_manifest *m, uint32_t i, struct lugate_schema *out);

/* Binary search by GUID: index of the record, or -1. O(log m). */
long lugate_manifest_find(const struct lugate_manifest *m, const struct lugate_guid *guid);

/*
 * A first-byte index for many look-ups in one manifest (the check builds one per run, on its
 * stack): idx[b] = the first record whose GUID's first byte is >= b, idx[256] = schema_count.
 * lugate_manifest_find_indexed then returns exactly what lugate_manifest_find returns, searching
 * only the records that share the GUID's first byte.
 */
#define LUGATE_MANIFEST_INDEX_SIZE 257u
void lugate_manifest_index(const struct lugate_manifest *m, uint32_t idx[LUGATE_MANIFEST_INDEX_SIZE]);
long lugate_manifest_find_indexed(const struct lugate_manifest *m,
				  const uint32_t idx[LUGATE_MANIFEST_INDEX_SIZE], const struct lugate_guid *guid);

/* The i-th revivable compatible string, or NULL. */
const char *lugate_manifest_compat(const struct lugate_manifest *m, uint32_t i);

/* The spec that builds m again, byte for byte (lugate_manifest_build): schemas (room for
 * m->schema_count) and compat are the caller's, filled here. 0, or LUGATE_ERR_INVAL on misuse. */
int lugate_manifest_spec_of(const struct lugate_manifest *m, struct lugate_schema *schemas,
			    const char *compat[LUGATE_MANIFEST_MAX_COMPAT], struct lugate_manifest_spec *spec);

/*
 * Whether a manifest belongs to an image that states image_release (its bzImage header, UKI
 * .uname, ...): a manifest stamped into another kernel's image describes that other kernel.
 * An image that states no release (NULL or "") cannot contradict its manifest.
 */
bool lugate_manifest_fits_image(const struct lugate_manifest *m, const char *image_release);

#endif
