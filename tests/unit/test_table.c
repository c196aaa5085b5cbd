// SPDX-License-Identifier: MIT
/* The handoff table: build, open, iterate, seal, and rejection of every kind of bad table. */
#include <stdio.h>
#include <libfdt.h>
#include "helpers.h"

static const char *const compat2[] = { "kho-v1", "luo-v1" };

static size_t sample_table(uint8_t **out, bool sealed)
{
	static const uint8_t sha_t[32] = { 1, 2, 3 }, sha_f[32] = { 9, 8, 7 };
	struct lugate_device devs[3] = {
		make_device("0000:3b:00.1", GUID_A, 2, "mlx5_core"),
		make_device("0000:03:00.0", GUID_B, 1, ""),
		make_device("0001:00:02.0", GUID_A, 3, NULL),
	};
	struct lugate_table_spec spec = {
		.release = "6.1.0-55-amd64", .compat = compat2, .compat_count = 2,
		.devices = devs, .device_count = 3,
	};
	if (sealed) {
		spec.target_sha256 = sha_t;
		spec.target_release = "6.1.0-56-amd64";
		spec.fallback_sha256 = sha_f;
		spec.policy_text = "paths = same stable-next\n";
	}
	return build_table(&spec, out);
}

static void build_open_iterate(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_table(&blob, false);
	struct lugate_table t;
	struct lugate_device d;
	char addr[13];
	int cursor = 0;

	assert_int_equal(lugate_table_open(blob, size, &t), 0);
	assert_string_equal(t.release, "6.1.0-55-amd64");
	assert_int_equal(t.device_count, 3);
	assert_int_equal(t.compat_count, 2);
	assert_string_equal(lugate_table_compat(&t, 0), "kho-v1");
	assert_string_equal(lugate_table_compat(&t, 1), "luo-v1");
	assert_null(lugate_table_compat(&t, 2));
	assert_false(t.sealed);
	assert_null(t.target_sha256);

	/* sorted by address, whatever the input order */
	static const char *const want[] = { "0000:03:00.0", "0000:3b:00.1", "0001:00:02.0" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lugate_table_next_device(&t, &cursor, &d), 1);
		lugate_pci_format(d.addr, addr);
		assert_string_equal(addr, want[i]);
	}
	assert_int_equal(lugate_table_next_device(&t, &cursor, &d), 0);
	assert_int_equal(lugate_table_next_device(&t, &cursor, &d), 0);

	cursor = 0;
	lugate_table_next_device(&t, &cursor, &d);
	lugate_table_next_device(&t, &cursor, &d);
	assert_string_equal(d.driver, "mlx5_core");
	assert_int_equal(d.vendor_id, 0x15b3);
	assert_int_equal(d.device_id, 0x101d);
	assert_int_equal(d.class_code, 0x020000);
	assert_int_equal(d.schema_version, 2);
	struct lugate_guid ga = guid_of(GUID_A);
	assert_memory_equal(d.schema.b, ga.b, 16);
	free(blob);
}

static void sealed_fields(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_table(&blob, true);
	struct lugate_table t;

	assert_int_equal(lugate_table_open(blob, size, &t), 0);
	assert_true(t.sealed);
	assert_int_equal(t.target_sha256[0], 1);
	assert_int_equal(t.target_sha256[2], 3);
	assert_int_equal(t.fallback_sha256[0], 9);
	assert_string_equal(t.target_release, "6.1.0-56-amd64");
	assert_string_equal(t.policy_text, "paths = same stable-next\n");
	free(blob);
}

/* An open table reads back into the spec that builds it byte for byte (what sealing again
 * starts from); misuse is refused. */
static void spec_of_rebuilds(void **state)
{
	(void)state;
	for (int sealed = 0; sealed < 2; sealed++) {
		const char *compat[LUGATE_TABLE_MAX_COMPAT];
		struct lugate_device devs[3];
		struct lugate_table_spec spec;
		struct lugate_table t;
		uint8_t *blob, *again;
		size_t size = sample_table(&blob, sealed), size2;

		assert_int_equal(lugate_table_open(blob, size, &t), 0);
		assert_int_equal(lugate_table_spec_of(&t, NULL, compat, &spec), LUGATE_ERR_INVAL);
		assert_int_equal(lugate_table_spec_of(&t, devs, NULL, &spec), LUGATE_ERR_INVAL);
		assert_int_equal(lugate_table_spec_of(NULL, devs, compat, &spec), LUGATE_ERR_INVAL);
		assert_int_equal(lugate_table_spec_of(&t, devs, compat, &spec), 0);
		assert_int_equal(spec.device_count, 3);
		assert_int_equal(spec.compat_count, 2);
		assert_true(!spec.target_sha256 == !sealed);
		size2 = build_table(&spec, &again);
		assert_int_equal(size2, size);
		assert_memory_equal(again, blob, size);
		free(again);
		free(blob);
	}
}

static void empty_table(void **state)
{
	(void)state;
	struct lugate_table_spec spec = { .release = "6.12.5" };
	struct lugate_table t;
	struct lugate_device d;
	uint8_t *blob;
	int cursor = 0;
	size_t size = build_table(&spec, &blob);
	assert_int_equal(lugate_table_open(blob, size, &t), 0);
	assert_int_equal(t.device_count, 0);
	assert_int_equal(t.compat_count, 0);
	assert_int_equal(lugate_table_next_device(&t, &cursor, &d), 0);
	free(blob);
}

static void build_rejects(void **state)
{
	(void)state;
	struct lugate_device dup[2] = { make_device("0000:3b:00.0", GUID_A, 1, ""),
					make_device("0000:3b:00.0", GUID_B, 1, "") };
	struct lugate_table_spec spec = { .release = "6.1.0-55-amd64", .devices = dup, .device_count = 2 };
	uint32_t scratch[2];
	uint8_t buf[8192];
	static const char *const bad_compat[] = { "kho v1" };
	static const char *const dup_compat[] = { "kho-v1", "kho-v1" };

	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_DUPLICATE);
	spec.device_count = 1;
	spec.release = "6..1";
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_BADRELEASE);
	spec.release = "";
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_BADRELEASE);
	spec.release = NULL;
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_BADRELEASE);
	spec.release = "6.1.0-55-amd64";
	spec.compat = bad_compat;
	spec.compat_count = 1;
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_BADSTRING);
	spec.compat = dup_compat;
	spec.compat_count = 2;
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_DUPLICATE);
	spec.compat_count = 0;
	dup[0].class_code = 0x1000000;
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_RANGE);
	dup[0].class_code = 0x020000;
	spec.policy_text = "paths = same\n"; /* sealing data without a target hash */
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, scratch, 2, NULL), LUGATE_ERR_INVAL);
	spec.policy_text = NULL;
	/* too small a buffer says how much it needs */
	size_t needed = 0;
	assert_int_equal(lugate_table_build(buf, 100, &spec, scratch, 2, &needed), LUGATE_ERR_NOSPACE);
	assert_true(needed > 100);
	assert_true(lugate_table_build(buf, needed, &spec, scratch, 2, NULL) > 0);
	/* missing scratch with devices is a caller error */
	assert_int_equal(lugate_table_build(buf, sizeof(buf), &spec, NULL, 0, NULL), LUGATE_ERR_INVAL);
}

/* Any single-byte change or truncation of a sealed table is rejected: exhaustive. */
static void every_byte_flip_rejected(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_table(&blob, true);
	struct lugate_table t;
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };

	for (size_t i = 0; i < size; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			blob[i] ^= masks[m];
			int err = lugate_table_open(blob, size, &t);
			if (err == 0)
				fail_msg("byte %zu ^ 0x%02x accepted", i, masks[m]);
			blob[i] ^= masks[m];
		}
	}
	for (size_t n = 0; n < size; n++)
		assert_true(lugate_table_open(blob, n, &t) < 0);
	assert_int_equal(lugate_table_open(blob, size, &t), 0);
	free(blob);
}

static void frame_errors(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_table(&blob, false);
	struct lugate_table t;
	uint8_t *big = calloc(1, size + 1);

	memcpy(big, blob, size);
	assert_int_equal(lugate_table_open(big, size + 1, &t), LUGATE_ERR_BADSIZE); /* trailing byte */
	assert_int_equal(lugate_table_open(blob, size - 1, &t), LUGATE_ERR_TRUNCATED);
	assert_int_equal(lugate_table_open(blob, 10, &t), LUGATE_ERR_TRUNCATED);
	blob[0] = 'X';
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADMAGIC);
	blob[0] = 'L';
	blob[8] = 2;
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADVERSION);
	blob[8] = 1;
	blob[16] = 0xff, blob[17] = 0xff, blob[18] = 0xff, blob[19] = 0x7f; /* hostile payload size */
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADSIZE);
	memcpy(blob, big, size);
	blob[size - 1] ^= 1;
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADHASH);
	/* a manifest is not a table */
	memcpy(blob, LUGATE_MANIFEST_MAGIC, 8);
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADMAGIC);
	free(big);
	free(blob);
}

/* ---- hand-made hostile trees, correctly framed: the structure checks must catch them -- */

enum tweak {
	T_NONE, T_COMPAT, T_UNSORTED, T_DUP, T_NAME, T_MISSING_PROP, T_EXTRA_PROP, T_RANGE,
	T_UNTERMINATED, T_EXTRA_NODE, T_PROP_ORDER, T_GUID_SIZE, T_EMPTY_COMPAT_ITEM, T_SUBNODE,
	T_RSVMAP, T_PAGE_16K, T_PAGE_4K, T_PAGE_8K, T_PAGE_SHORT,
};

static void prop32(void *fdt, const char *name, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	assert_int_equal(fdt_property(fdt, name, le, 4), 0);
}

static void raw_device(void *fdt, uint32_t bus, enum tweak tw, bool first)
{
	char name[32];
	uint8_t guid[17] = { 0x5f };
	snprintf(name, sizeof(name), "dev@%08x", (tw == T_NAME && first) ? bus << 8 | 1 : bus << 8);
	assert_int_equal(fdt_begin_node(fdt, name), 0);
	prop32(fdt, "segment", 0);
	if (tw == T_PROP_ORDER && first) {
		prop32(fdt, "device", 0);
		prop32(fdt, "bus", bus);
	} else {
		prop32(fdt, "bus", bus);
		prop32(fdt, "device", 0);
	}
	prop32(fdt, "function", 0);
	prop32(fdt, "vendor-id", (tw == T_RANGE && first) ? 0x10000 : 0x8086);
	prop32(fdt, "device-id", 0x1234);
	if (!(tw == T_MISSING_PROP && first))
		prop32(fdt, "class", 0x020000);
	assert_int_equal(fdt_property(fdt, "schema-guid", guid, (tw == T_GUID_SIZE && first) ? 17 : 16), 0);
	prop32(fdt, "schema-version", 1);
	if (tw == T_UNTERMINATED && first)
		assert_int_equal(fdt_property(fdt, "driver", "abc", 3), 0);
	else
		assert_int_equal(fdt_property_string(fdt, "driver", "drv"), 0);
	if (tw == T_EXTRA_PROP && first)
		prop32(fdt, "bonus", 1);
	if (tw == T_SUBNODE && first) {
		assert_int_equal(fdt_begin_node(fdt, "child"), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_end_node(fdt), 0);
}

static size_t raw_table(uint8_t *buf, size_t size, enum tweak tw)
{
	void *fdt = buf + LUGATE_FRAME_HEADER_SIZE;
	assert_int_equal(fdt_create(fdt, (int)(size - LUGATE_FRAME_HEADER_SIZE)), 0);
	if (tw == T_RSVMAP)
		assert_int_equal(fdt_add_reservemap_entry(fdt, 0x100000, 0x1000), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", tw == T_COMPAT ? "lugate,handoff-v2"
									      : LUGATE_TABLE_COMPATIBLE), 0);
	assert_int_equal(fdt_property_string(fdt, "release", "6.12.5"), 0);
	if (tw == T_EMPTY_COMPAT_ITEM)
		assert_int_equal(fdt_property(fdt, "preserved-compatible", "kho-v1\0\0", 8), 0);
	if (tw == T_PAGE_16K || tw == T_PAGE_4K || tw == T_PAGE_8K)
		prop32(fdt, "page-size", tw == T_PAGE_16K ? 16384 : tw == T_PAGE_4K ? 4096 : 8192);
	if (tw == T_PAGE_SHORT)
		assert_int_equal(fdt_property(fdt, "page-size", "\0\x40", 2), 0);
	assert_int_equal(fdt_begin_node(fdt, "devices"), 0);
	raw_device(fdt, tw == T_UNSORTED ? 5 : 1, tw, true);
	raw_device(fdt, tw == T_DUP ? 1 : 3, tw, false);
	assert_int_equal(fdt_end_node(fdt), 0);
	if (tw == T_EXTRA_NODE) {
		assert_int_equal(fdt_begin_node(fdt, "surprise"), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	size_t total = LUGATE_FRAME_HEADER_SIZE + fdt_totalsize(fdt);
	reseal(buf, total, LUGATE_TABLE_MAGIC);
	return total;
}

/* /page-size: written only for a page size other than 4 KiB, so a 4 KiB kernel's table is byte
 * for byte what it was before the property existed; read back as written. */
static void page_size_property(void **state)
{
	(void)state;
	static const char *const compat[] = { "kho-v1" };
	struct lugate_table_spec spec = { .release = "6.1.0-56-arm64", .compat = compat, .compat_count = 1 };
	uint8_t *none, *four, *big;
	size_t n_none = build_table(&spec, &none), n_four, n_big, needed;
	struct lugate_table t;

	spec.page_size = 4096;
	n_four = build_table(&spec, &four);
	assert_int_equal(n_four, n_none);
	assert_memory_equal(four, none, n_none);
	assert_int_equal(lugate_table_open(four, n_four, &t), 0);
	assert_int_equal(t.page_size, 4096);
	for (uint32_t ps = 16384; ps <= 65536; ps *= 4) {
		spec.page_size = ps;
		n_big = build_table(&spec, &big);
		assert_true(n_big > n_none);
		assert_int_equal(lugate_table_open(big, n_big, &t), 0);
		assert_int_equal(t.page_size, ps);
		assert_int_equal(t.compat_count, 1);
		free(big);
	}
	spec.page_size = 8192;
	assert_int_equal(lugate_table_build(NULL, 0, &spec, NULL, 0, &needed), LUGATE_ERR_RANGE);
	free(none);
	free(four);
}

static void hostile_structures(void **state)
{
	(void)state;
	static const struct { enum tweak tw; int err; } cases[] = {
		{ T_COMPAT, LUGATE_ERR_BADCOMPAT },   { T_UNSORTED, LUGATE_ERR_UNSORTED },
		{ T_DUP, LUGATE_ERR_DUPLICATE },      { T_NAME, LUGATE_ERR_BADPROP },
		{ T_MISSING_PROP, LUGATE_ERR_BADPROP }, { T_EXTRA_PROP, LUGATE_ERR_BADPROP },
		{ T_RANGE, LUGATE_ERR_RANGE },        { T_UNTERMINATED, LUGATE_ERR_BADSTRING },
		{ T_EXTRA_NODE, LUGATE_ERR_BADPROP }, { T_PROP_ORDER, LUGATE_ERR_BADPROP },
		{ T_GUID_SIZE, LUGATE_ERR_BADPROP },  { T_EMPTY_COMPAT_ITEM, LUGATE_ERR_BADSTRING },
		{ T_SUBNODE, LUGATE_ERR_BADFDT },     { T_RSVMAP, LUGATE_ERR_BADFDT },
		/* the default is never written; only the page sizes a kernel has */
		{ T_PAGE_4K, LUGATE_ERR_BADPROP },    { T_PAGE_8K, LUGATE_ERR_BADPROP },
		{ T_PAGE_SHORT, LUGATE_ERR_BADPROP },
	};
	uint8_t buf[4096];
	struct lugate_table t;

	size_t n = raw_table(buf, sizeof(buf), T_NONE);
	assert_int_equal(lugate_table_open(buf, n, &t), 0); /* the hand-made baseline is valid */
	assert_int_equal(t.device_count, 2);
	assert_int_equal(t.page_size, 4096);
	n = raw_table(buf, sizeof(buf), T_PAGE_16K);
	assert_int_equal(lugate_table_open(buf, n, &t), 0);
	assert_int_equal(t.page_size, 16384);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = raw_table(buf, sizeof(buf), cases[i].tw);
		int err = lugate_table_open(buf, n, &t);
		if (err != cases[i].err)
			fail_msg("tweak %d: got %d (%s), want %d", cases[i].tw, err, lugate_errname(err), cases[i].err);
	}
}

static void corrupt_fdt_inside_good_frame(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = sample_table(&blob, false);
	struct lugate_table t;
	/* break the FDT's own totalsize, then fix the frame digest: the FDT check must catch it */
	uint8_t *fdt = blob + LUGATE_FRAME_HEADER_SIZE;
	fdt[7] ^= 0x40;
	reseal(blob, size, LUGATE_TABLE_MAGIC);
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADFDT);
	fdt[7] ^= 0x40;
	/* an out-of-range string offset in the structure block */
	fdt[0x0c] ^= 0x10; /* off_dt_strings */
	reseal(blob, size, LUGATE_TABLE_MAGIC);
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADFDT);
	fdt[0x0c] ^= 0x10;
	/* an unknown tag where the root's first property should be */
	uint32_t struct_off = (uint32_t)fdt[8] << 24 | fdt[9] << 16 | fdt[10] << 8 | fdt[11];
	fdt[struct_off + 3] = 0x07;
	reseal(blob, size, LUGATE_TABLE_MAGIC);
	assert_int_equal(lugate_table_open(blob, size, &t), LUGATE_ERR_BADFDT);
	free(blob);
}

static void many_devices(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct lugate_device *devs = calloc(N, sizeof(*devs));
	struct lugate_table_spec spec = { .release = "6.12.5", .devices = devs, .device_count = N };
	struct lugate_table t;
	struct lugate_device d;
	uint8_t *blob;
	int cursor = 0;
	uint32_t seen = 0;
	lugate_pci_addr prev = 0;

	for (uint32_t i = 0; i < N; i++) {
		/* reverse order on input */
		devs[i].addr = (N - 1 - i) * 3;
		devs[i].schema = guid_of(GUID_A);
		devs[i].driver = "";
	}
	size_t size = build_table(&spec, &blob);
	assert_int_equal(lugate_table_open(blob, size, &t), 0);
	assert_int_equal(t.device_count, N);
	while (lugate_table_next_device(&t, &cursor, &d) == 1) {
		if (seen)
			assert_true(d.addr > prev);
		prev = d.addr;
		seen++;
	}
	assert_int_equal(seen, N);
	free(blob);
	free(devs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_open_iterate), cmocka_unit_test(sealed_fields),
		cmocka_unit_test(empty_table),        cmocka_unit_test(build_rejects),
		cmocka_unit_test(every_byte_flip_rejected), cmocka_unit_test(frame_errors),
		cmocka_unit_test(hostile_structures), cmocka_unit_test(corrupt_fdt_inside_good_frame),
		cmocka_unit_test(page_size_property),
		cmocka_unit_test(many_devices),     cmocka_unit_test(spec_of_rebuilds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
