// SPDX-License-Identifier: MIT
/*
 * Fuzz the binary manifest reader (lugate_manifest_open) and its GUID look-up.
 *
 * The input is opened as it is and re-framed with a correct digest (fuzz.h). Every manifest
 * lugate_manifest_open accepts must: keep its views inside the blob; hold sorted, unique
 * records with min <= max; let lugate_manifest_find (branch-free) agree with a linear search
 * for every record's GUID and its neighbours, and lugate_manifest_find_indexed (the first-byte
 * index the check searches with) agree with lugate_manifest_find; rebuild into a manifest with the same content
 * and the very same bytes (an accepted manifest is the one lugate builds from its parse).
 * The direct structure walk must agree with libfdt's walk.
 */
#include "fuzz.h"
#include "fuzz_fdt.h"

static long linear_find(const struct lugate_manifest *m, const struct lugate_guid *g)
{
	for (uint32_t i = 0; i < m->schema_count; i++) {
		struct lugate_schema s;
		lugate_manifest_schema(m, i, &s);
		if (memcmp(s.guid.b, g->b, LUGATE_GUID_SIZE) == 0)
			return (long)i;
	}
	return -1;
}

/* g + delta as a 128-bit big-endian number (wrapping). */
static struct lugate_guid guid_add(const struct lugate_guid *g, int delta)
{
	struct lugate_guid r = *g;
	for (int i = LUGATE_GUID_SIZE - 1; i >= 0; i--) {
		uint8_t before = r.b[i];
		r.b[i] = (uint8_t)(r.b[i] + delta);
		if ((delta > 0 && r.b[i] > before) || (delta < 0 && r.b[i] < before))
			break;
	}
	return r;
}

static void rebuild_agrees(const void *blob, size_t size, const struct lugate_manifest *m,
			   const struct lugate_schema *schemas)
{
	const char *compat[LUGATE_MANIFEST_MAX_COMPAT];
	struct lugate_manifest_spec spec;
	struct lugate_schema *spec_schemas;
	struct lugate_release rel;
	struct lugate_manifest m2;
	uint32_t *scratch;
	uint8_t *buf;
	size_t needed = 0;
	long len;

	if (lugate_release_parse(m->release, strlen(m->release), &rel) != 0)
		return; /* the builder insists on a parseable release, the reader on printable text */
	/* the spec read back from m holds the records the accessor read */
	spec_schemas = calloc(m->schema_count + 1, sizeof(*spec_schemas));
	FUZZ_ASSERT(spec_schemas && lugate_manifest_spec_of(m, spec_schemas, compat, &spec) == 0);
	FUZZ_ASSERT(spec.schema_count == m->schema_count && spec.compat_count == m->compat_count);
	FUZZ_ASSERT(m->schema_count == 0 || memcmp(spec_schemas, schemas, m->schema_count * sizeof(*schemas)) == 0);
	len = lugate_manifest_build(NULL, 0, &spec, NULL, 0, &needed);
	if (len == LUGATE_ERR_DUPLICATE && fuzz_has_duplicate(compat, m->compat_count))
		goto out; /* the reader takes a string twice, the builder does not */
	FUZZ_ASSERT(len == LUGATE_ERR_NOSPACE);
	buf = malloc(needed);
	scratch = calloc(m->schema_count + 1, sizeof(*scratch));
	FUZZ_ASSERT(buf && scratch);
	len = lugate_manifest_build(buf, needed, &spec, scratch, m->schema_count, NULL);
	FUZZ_ASSERT(len > 0);
	/* canonical bytes: what was accepted is exactly what lugate builds from it */
	FUZZ_ASSERT((size_t)len == size && memcmp(buf, blob, (size_t)len) == 0);
	FUZZ_ASSERT(lugate_manifest_open(buf, (size_t)len, &m2) == 0);
	FUZZ_ASSERT(strcmp(m2.release, m->release) == 0 && m2.schema_count == m->schema_count &&
		    m2.compat_count == m->compat_count);
	FUZZ_ASSERT(memcmp(m2.schema_records, m->schema_records,
			   (size_t)m->schema_count * LUGATE_SCHEMA_RECORD_SIZE) == 0);
	for (uint32_t i = 0; i < m->compat_count; i++)
		FUZZ_ASSERT(strcmp(lugate_manifest_compat(&m2, i), compat[i]) == 0);
	free(scratch);
	free(buf);
out:
	free(spec_schemas);
}

/* The indexed look-up returns exactly what the plain one returns (and that, a linear search). */
static void indexed_agrees(const struct lugate_manifest *m, const uint32_t *index, const struct lugate_guid *g)
{
	long want = linear_find(m, g);

	FUZZ_ASSERT(lugate_manifest_find(m, g) == want);
	FUZZ_ASSERT(lugate_manifest_find_indexed(m, index, g) == want);
}

static void accepted_manifest_properties(const void *blob, size_t size, const struct lugate_manifest *m)
{
	struct lugate_schema *schemas = calloc(m->schema_count + 1, sizeof(*schemas));
	uint32_t index[LUGATE_MANIFEST_INDEX_SIZE];

	FUZZ_ASSERT(schemas);
	lugate_manifest_index(m, index);
	FUZZ_ASSERT(index[0] == 0 && index[LUGATE_MANIFEST_INDEX_SIZE - 1] == m->schema_count);
	for (unsigned b = 0; b + 1 < LUGATE_MANIFEST_INDEX_SIZE; b++)
		FUZZ_ASSERT(index[b] <= index[b + 1]);
	FUZZ_ASSERT(fuzz_inside(blob, size, m->fdt, m->fdt_size));
	FUZZ_ASSERT(fuzz_inside(blob, size, m->release, strlen(m->release) + 1));
	FUZZ_ASSERT(fdtu_printable_text(m->release, LUGATE_RELEASE_MAX, false));
	FUZZ_ASSERT(m->schema_count <= LUGATE_MANIFEST_MAX_SCHEMAS);
	FUZZ_ASSERT(m->schema_count == 0 ||
		    fuzz_inside(blob, size, m->schema_records, (size_t)m->schema_count * LUGATE_SCHEMA_RECORD_SIZE));
	for (uint32_t i = 0; i < m->schema_count; i++) {
		lugate_manifest_schema(m, i, &schemas[i]);
		FUZZ_ASSERT(schemas[i].min_version <= schemas[i].max_version);
		FUZZ_ASSERT(i == 0 || memcmp(schemas[i - 1].guid.b, schemas[i].guid.b, LUGATE_GUID_SIZE) < 0);
	}
	for (uint32_t i = 0; i < m->schema_count; i++) {
		struct lugate_guid up = guid_add(&schemas[i].guid, 1), down = guid_add(&schemas[i].guid, -1);
		FUZZ_ASSERT(lugate_manifest_find(m, &schemas[i].guid) == (long)i);
		indexed_agrees(m, index, &schemas[i].guid);
		indexed_agrees(m, index, &up);
		indexed_agrees(m, index, &down);
	}
	FUZZ_ASSERT(m->compat_count <= LUGATE_MANIFEST_MAX_COMPAT);
	for (uint32_t i = 0; i < m->compat_count; i++) {
		const char *c = lugate_manifest_compat(m, i);
		FUZZ_ASSERT(c && fuzz_inside(blob, size, c, strlen(c) + 1));
		FUZZ_ASSERT(fdtu_printable_text(c, LUGATE_COMPAT_MAX, false));
	}
	FUZZ_ASSERT(lugate_manifest_compat(m, m->compat_count) == NULL);
	rebuild_agrees(blob, size, m, schemas);
	free(schemas);
}

static void one_blob(const uint8_t *blob, size_t size, const uint8_t *data, size_t data_size)
{
	struct lugate_manifest m;
	uint32_t index[LUGATE_MANIFEST_INDEX_SIZE];
	int err = lugate_manifest_open(blob, size, &m);

	if (err) {
		FUZZ_ASSERT(err < 0 && err >= -LUGATE_ERR_MAX);
		return;
	}
	accepted_manifest_properties(blob, size, &m);
	lugate_manifest_index(&m, index);
	/* GUIDs taken from the input itself: found exactly where a linear search finds them */
	for (size_t off = 0; off + LUGATE_GUID_SIZE <= data_size && off < 4096; off += 7) {
		struct lugate_guid g;
		memcpy(g.b, data + off, LUGATE_GUID_SIZE);
		indexed_agrees(&m, index, &g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_dup(data, size, 0), *framed;
	size_t framed_size;

	one_blob(copy, size, data, size);
	free(copy);
	framed = fuzz_reframe(data, size, LUGATE_MANIFEST_MAGIC, &framed_size);
	if (framed) {
		fuzz_walks_agree(framed + LUGATE_FRAME_HEADER_SIZE, framed_size - LUGATE_FRAME_HEADER_SIZE);
		one_blob(framed, framed_size, data, size);
		free(framed);
	}
	return 0;
}
