// SPDX-License-Identifier: MIT
/* The binary manifest: build, open, binary search, and rejections. */
#include <libfdt.h>
#include "helpers.h"

static size_t sample_manifest(uint8_t **out)
{
	static const char *const compat[] = { "kho-v1", "luo-v1" };
	struct lugate_schema s[3] = {
		{ guid_of(GUID_C), 1, 1 }, { guid_of(GUID_A), 1, 3 }, { guid_of(GUID_B), 2, 5 },
	};
	struct lugate_manifest_spec spec = { .release = "6.1.0-56-amd64", .schemas = s, .schema_count = 3,
					     .compat = compat, .compat_count = 2 };
	return build_manifest(&spec, out);
}

static void build_open_find(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_manifest(&blob);
	struct lugate_manifest m;
	struct lugate_schema s;
	struct lugate_guid a = guid_of(GUID_A), b = guid_of(GUID_B), c = guid_of(GUID_C);
	struct lugate_guid none = guid_of("12345678-1234-1234-1234-123456789abc");

	assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
	assert_string_equal(m.release, "6.1.0-56-amd64");
	assert_int_equal(m.schema_count, 3);
	assert_int_equal(m.compat_count, 2);
	assert_string_equal(lugate_manifest_compat(&m, 1), "luo-v1");
	assert_null(lugate_manifest_compat(&m, 2));
	/* sorted by GUID bytes: B (00..) < A (5f..) < C (ff..) */
	assert_int_equal(lugate_manifest_find(&m, &b), 0);
	assert_int_equal(lugate_manifest_find(&m, &a), 1);
	assert_int_equal(lugate_manifest_find(&m, &c), 2);
	assert_int_equal(lugate_manifest_find(&m, &none), -1);
	lugate_manifest_schema(&m, 1, &s);
	assert_int_equal(s.min_version, 1);
	assert_int_equal(s.max_version, 3);
	assert_memory_equal(s.guid.b, a.b, 16);
	free(blob);
}

static void find_large(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct lugate_schema *s = calloc(N, sizeof(*s));
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = (i * 2654435761u); /* scrambled order */
		memcpy(s[i].guid.b, &k, 4);
		s[i].guid.b[4] = (uint8_t)i;
		s[i].guid.b[5] = (uint8_t)(i >> 8);
		s[i].min_version = i;
		s[i].max_version = i + 1;
	}
	struct lugate_manifest_spec spec = { .release = "6.12.5", .schemas = s, .schema_count = N };
	uint8_t *blob;
	size_t size = build_manifest(&spec, &blob);
	struct lugate_manifest m;
	struct lugate_schema got;
	assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
	for (uint32_t i = 0; i < N; i++) {
		long idx = lugate_manifest_find(&m, &s[i].guid);
		assert_true(idx >= 0);
		lugate_manifest_schema(&m, (uint32_t)idx, &got);
		assert_int_equal(got.min_version, i);
	}
	free(blob);
	free(s);
}

/* The first-byte index (what the check searches with) finds exactly what the plain search
 * finds: every record, its 128-bit neighbours, GUIDs at both ends of every first byte, and
 * manifests of 0, 1, clustered and spread schemas. */
static struct lugate_guid guid_step(struct lugate_guid g, int delta)
{
	for (int i = LUGATE_GUID_SIZE - 1; i >= 0; i--) {
		uint8_t before = g.b[i];
		g.b[i] = (uint8_t)(g.b[i] + delta);
		if ((delta > 0 && g.b[i] > before) || (delta < 0 && g.b[i] < before))
			break;
	}
	return g;
}

static void indexed_agrees(uint32_t n, unsigned mode)
{
	struct lugate_schema *s = calloc(n + 1, sizeof(*s));
	uint32_t index[LUGATE_MANIFEST_INDEX_SIZE];
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (n * 31u + mode);
	uint8_t *blob;
	struct lugate_manifest m;

	for (uint32_t i = 0; i < n; i++) {
		for (unsigned k = 0; k < LUGATE_GUID_SIZE; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			s[i].guid.b[k] = (uint8_t)(seed >> 56);
		}
		if (mode == 1)
			s[i].guid.b[0] = (uint8_t)(0x40 + (i & 3));   /* few first bytes, long runs */
		if (mode == 2)
			s[i].guid.b[0] = (uint8_t)(i & 1 ? 0xff : 0x00); /* the two ends */
		memcpy(&s[i].guid.b[12], &i, 4);                  /* unique */
		s[i].min_version = 1;
		s[i].max_version = 2;
	}
	struct lugate_manifest_spec spec = { .release = "6.12.5", .schemas = s, .schema_count = n };
	size_t size = build_manifest(&spec, &blob);
	assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
	lugate_manifest_index(&m, index);
	assert_int_equal(index[0], 0);
	assert_int_equal(index[LUGATE_MANIFEST_INDEX_SIZE - 1], n);
	for (uint32_t i = 0; i < n; i++) {
		struct lugate_guid up = guid_step(s[i].guid, 1), down = guid_step(s[i].guid, -1);
		assert_int_equal(lugate_manifest_find_indexed(&m, index, &s[i].guid), lugate_manifest_find(&m, &s[i].guid));
		assert_true(lugate_manifest_find(&m, &s[i].guid) >= 0);
		assert_int_equal(lugate_manifest_find_indexed(&m, index, &up), lugate_manifest_find(&m, &up));
		assert_int_equal(lugate_manifest_find_indexed(&m, index, &down), lugate_manifest_find(&m, &down));
	}
	for (unsigned b = 0; b < 256; b++) {
		struct lugate_guid lo, hi;
		memset(lo.b, 0, sizeof(lo.b));
		memset(hi.b, 0xff, sizeof(hi.b));
		lo.b[0] = hi.b[0] = (uint8_t)b;
		assert_int_equal(lugate_manifest_find_indexed(&m, index, &lo), lugate_manifest_find(&m, &lo));
		assert_int_equal(lugate_manifest_find_indexed(&m, index, &hi), lugate_manifest_find(&m, &hi));
	}
	free(blob);
	free(s);
}

static void find_indexed(void **state)
{
	(void)state;
	static const uint32_t sizes[] = { 0, 1, 2, 3, 64, 255, 256, 257, 1024, 5000 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (unsigned mode = 0; mode < 3; mode++)
			indexed_agrees(sizes[i], mode);
}

static void build_rejects(void **state)
{
	(void)state;
	struct lugate_schema s[2] = { { guid_of(GUID_A), 1, 3 }, { guid_of(GUID_A), 1, 1 } };
	struct lugate_manifest_spec spec = { .release = "6.12.5", .schemas = s, .schema_count = 2 };
	uint8_t buf[4096];
	uint32_t scratch[2];
	assert_int_equal(lugate_manifest_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_DUPLICATE);
	s[1].guid = guid_of(GUID_B);
	s[1].min_version = 4;
	assert_int_equal(lugate_manifest_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_RANGE);
	s[1].min_version = 1;
	spec.release = "6.12";
	assert_int_equal(lugate_manifest_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_BADRELEASE);
	spec.release = "6.12.5";
	assert_true(lugate_manifest_build(buf, sizeof(buf), &spec, scratch, 2, NULL) > 0);
}

static void every_byte_flip_rejected(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_manifest(&blob);
	struct lugate_manifest m;
	for (size_t i = 0; i < size; i++) {
		blob[i] ^= 0x04;
		if (lugate_manifest_open(blob, size, &m) == 0)
			fail_msg("byte %zu accepted", i);
		blob[i] ^= 0x04;
	}
	for (size_t n = 0; n < size; n++)
		assert_true(lugate_manifest_open(blob, n, &m) < 0);
	free(blob);
}

/* A correctly framed manifest whose records are out of order or inverted. */
static size_t raw_manifest(uint8_t *buf, size_t size, const uint8_t *records, int len)
{
	void *fdt = buf + LUGATE_FRAME_HEADER_SIZE;
	assert_int_equal(fdt_create(fdt, (int)(size - LUGATE_FRAME_HEADER_SIZE)), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", LUGATE_MANIFEST_COMPATIBLE), 0);
	assert_int_equal(fdt_property_string(fdt, "release", "6.12.5"), 0);
	assert_int_equal(fdt_property(fdt, "schemas", records, len), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	size_t total = LUGATE_FRAME_HEADER_SIZE + fdt_totalsize(fdt);
	reseal(buf, total, LUGATE_MANIFEST_MAGIC);
	return total;
}

static void hostile_records(void **state)
{
	(void)state;
	uint8_t rec[48] = { 0 }, buf[1024];
	struct lugate_manifest m;
	rec[0] = 2;          /* guid 02.. */
	rec[16] = 1, rec[20] = 1;
	rec[24] = 1;         /* guid 01..: unsorted */
	rec[40] = 1, rec[44] = 1;
	assert_int_equal(lugate_manifest_open(buf, raw_manifest(buf, sizeof(buf), rec, 48), &m), LUGATE_ERR_UNSORTED);
	rec[24] = 2;         /* duplicate */
	assert_int_equal(lugate_manifest_open(buf, raw_manifest(buf, sizeof(buf), rec, 48), &m), LUGATE_ERR_DUPLICATE);
	rec[24] = 3;
	rec[40] = 9;         /* min 9 > max 1 */
	assert_int_equal(lugate_manifest_open(buf, raw_manifest(buf, sizeof(buf), rec, 48), &m), LUGATE_ERR_RANGE);
	rec[40] = 1;
	assert_int_equal(lugate_manifest_open(buf, raw_manifest(buf, sizeof(buf), rec, 48), &m), 0);
	assert_int_equal(lugate_manifest_open(buf, raw_manifest(buf, sizeof(buf), rec, 47), &m), LUGATE_ERR_BADPROP);
	assert_int_equal(lugate_manifest_open(buf, raw_manifest(buf, sizeof(buf), rec, 0), &m), 0);
	assert_int_equal(m.schema_count, 0);
}

/* An open manifest reads back into the spec that builds it byte for byte; misuse is refused. */
static void spec_of_rebuilds(void **state)
{
	(void)state;
	const char *compat[LUGATE_MANIFEST_MAX_COMPAT];
	struct lugate_schema schemas[16];
	struct lugate_manifest_spec spec;
	struct lugate_manifest m;
	uint8_t *blob, *again;
	size_t size = sample_manifest(&blob), size2;

	assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
	assert_true(m.schema_count > 0 && m.schema_count <= 16);
	assert_int_equal(lugate_manifest_spec_of(&m, NULL, compat, &spec), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_manifest_spec_of(&m, schemas, NULL, &spec), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_manifest_spec_of(&m, schemas, compat, &spec), 0);
	assert_int_equal(spec.schema_count, m.schema_count);
	assert_int_equal(spec.compat_count, m.compat_count);
	size2 = build_manifest(&spec, &again);
	assert_int_equal(size2, size);
	assert_memory_equal(again, blob, size);
	free(again);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_open_find), cmocka_unit_test(find_large),
		cmocka_unit_test(find_indexed),
		cmocka_unit_test(build_rejects),   cmocka_unit_test(every_byte_flip_rejected),
		cmocka_unit_test(hostile_records),  cmocka_unit_test(spec_of_rebuilds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
