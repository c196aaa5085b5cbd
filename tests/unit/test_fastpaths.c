// SPDX-License-Identifier: MIT
/*
 * The gate's fast paths (bench/, docs/performance.md): opening and reading a table
 * (handoff/table_fast.c, the canonical device node, handoff/fdtutil.c fdtu_walk_tags) and the
 * manifest's branch-free GUID search. They must accept exactly what the general paths
 * accept, reject with the same errors, read the same devices, find the same records.
 *  - every kind of bad device node, placed after good ones (where the fast path runs);
 *  - sound tables the fast path cannot read (NOP tags, unshared name strings) are refused as
 *    not canonical, whichever device they touch; the canonical one iterates its devices;
 *  - the direct structure walk gives libfdt's walk's answer on every one-byte corruption;
 *  - lugate_manifest_find agrees with a linear search for every count up to 70 and 1,000;
 *  - the check's reuse of the previous device's look-up still judges every device.
 */
#include <stdio.h>
#include <libfdt.h>
#include "helpers.h"
#include "../../handoff/fdtutil.h"

#define NDEV 6

enum tweak {
	T_NONE, T_NAME, T_NAME_UPPER, T_NAME_SHORT, T_MISSING_PROP, T_EXTRA_PROP, T_RANGE,
	T_UNTERMINATED, T_PROP_ORDER, T_GUID_SIZE, T_SUBNODE, T_RENAMED_PROP, T_DRIVER_LONG,
	T_DRIVER_LEN0, T_DRIVER_CONTROL, T_DUP, T_UNSORTED, T_VERSION_SIZE, T_COUNT
};

static const int tweak_error[T_COUNT] = {
	[T_NONE] = 0,
	[T_NAME] = LUGATE_ERR_BADPROP,       [T_NAME_UPPER] = LUGATE_ERR_BADPROP,
	[T_NAME_SHORT] = LUGATE_ERR_BADPROP, [T_MISSING_PROP] = LUGATE_ERR_BADPROP,
	[T_EXTRA_PROP] = LUGATE_ERR_BADPROP, [T_RANGE] = LUGATE_ERR_RANGE,
	[T_UNTERMINATED] = LUGATE_ERR_BADSTRING, [T_PROP_ORDER] = LUGATE_ERR_BADPROP,
	[T_GUID_SIZE] = LUGATE_ERR_BADPROP,  [T_SUBNODE] = LUGATE_ERR_BADFDT,
	[T_RENAMED_PROP] = LUGATE_ERR_BADPROP, [T_DRIVER_LONG] = LUGATE_ERR_BADSTRING,
	[T_DRIVER_LEN0] = LUGATE_ERR_BADSTRING, [T_DRIVER_CONTROL] = LUGATE_ERR_BADSTRING,
	[T_DUP] = LUGATE_ERR_DUPLICATE,      [T_UNSORTED] = LUGATE_ERR_UNSORTED,
	[T_VERSION_SIZE] = LUGATE_ERR_BADPROP,
};

struct shape {
	enum tweak tweak;
	unsigned at;            /* which device the tweak applies to */
	bool nops;              /* add a property to every odd device, then turn it into NOPs */
	bool no_dedup;          /* every property name stored apart in the strings block */
};

static const char *driver_of(unsigned i)
{
	static const char *const drivers[] = { "mlx5_core", "", "nvme", "a", "vfio-pci", "abc" };
	return drivers[i % 6];
}

static uint32_t bus_of(unsigned i)
{
	return 0x10 + 3 * i;
}

static void prop32(void *fdt, const char *name, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	assert_int_equal(fdt_property(fdt, name, le, 4), 0);
}

static void write_device(void *fdt, unsigned i, const struct shape *sh)
{
	enum tweak tw = sh->at == i ? sh->tweak : T_NONE;
	char name[32], longname[LUGATE_DRIVER_MAX + 2];
	uint8_t guid[17] = { 0x5f, (uint8_t)i };
	uint32_t bus = bus_of(i);
	/* T_NAME_UPPER: device 0x15 function 2 make the address end in "aa", so only case differs */
	uint32_t dev_no = tw == T_NAME_UPPER ? 0x15 : 0, fn_no = tw == T_NAME_UPPER ? 2 : 0;

	if (tw == T_DUP)
		bus = bus_of(i - 1);
	if (tw == T_UNSORTED)
		bus = bus_of(i - 1) - 1;
	if (tw == T_NAME)
		snprintf(name, sizeof(name), "dev@%08x", bus << 8 | 1);
	else if (tw == T_NAME_UPPER)
		snprintf(name, sizeof(name), "dev@%08X", bus << 8 | dev_no << 3 | fn_no);
	else if (tw == T_NAME_SHORT)
		snprintf(name, sizeof(name), "dev@%x", bus << 8);
	else
		snprintf(name, sizeof(name), "dev@%08x", bus << 8);
	assert_int_equal(fdt_begin_node(fdt, name), 0);
	prop32(fdt, tw == T_RENAMED_PROP ? "segmenT" : "segment", 0);
	if (tw == T_PROP_ORDER) {
		prop32(fdt, "device", dev_no);
		prop32(fdt, "bus", bus);
	} else {
		prop32(fdt, "bus", bus);
		prop32(fdt, "device", dev_no);
	}
	prop32(fdt, "function", fn_no);
	if (sh->nops && i % 2)
		prop32(fdt, "nop-me", 7);
	prop32(fdt, "vendor-id", tw == T_RANGE ? 0x10000 : 0x8086);
	prop32(fdt, "device-id", 0x1234 + i);
	if (tw != T_MISSING_PROP)
		prop32(fdt, "class", 0x020000);
	assert_int_equal(fdt_property(fdt, "schema-guid", guid, tw == T_GUID_SIZE ? 17 : 16), 0);
	if (tw == T_VERSION_SIZE)
		assert_int_equal(fdt_property(fdt, "schema-version", "\1\0\0\0\0\0\0\0", 8), 0);
	else
		prop32(fdt, "schema-version", 1 + i);
	switch (tw) {
	case T_UNTERMINATED:
		assert_int_equal(fdt_property(fdt, "driver", "abc", 3), 0);
		break;
	case T_DRIVER_LONG:
		memset(longname, 'x', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(fdt_property_string(fdt, "driver", longname), 0);
		break;
	case T_DRIVER_LEN0:
		assert_int_equal(fdt_property(fdt, "driver", "", 0), 0);
		break;
	case T_DRIVER_CONTROL:
		assert_int_equal(fdt_property_string(fdt, "driver", "a\tb"), 0);
		break;
	default:
		assert_int_equal(fdt_property_string(fdt, "driver", driver_of(i)), 0);
		break;
	}
	if (tw == T_EXTRA_PROP)
		prop32(fdt, "bonus", 1);
	if (sh->nops && i % 2 && i + 1 == NDEV)
		prop32(fdt, "nop-me-too", 7); /* right before FDT_END_NODE of the last device */
	if (tw == T_SUBNODE) {
		assert_int_equal(fdt_begin_node(fdt, "child"), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_end_node(fdt), 0);
}

/* A framed table of NDEV devices in the shape asked for; returns its size. */
static size_t make_table(uint8_t *buf, size_t size, const struct shape *sh)
{
	void *fdt = buf + LUGATE_FRAME_HEADER_SIZE;
	int fdt_size = (int)(size - LUGATE_FRAME_HEADER_SIZE);

	assert_int_equal(fdt_create_with_flags(fdt, fdt_size, sh->no_dedup ? FDT_CREATE_FLAG_NO_NAME_DEDUP : 0), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", LUGATE_TABLE_COMPATIBLE), 0);
	assert_int_equal(fdt_property_string(fdt, "release", "6.1.0-55-amd64"), 0);
	assert_int_equal(fdt_begin_node(fdt, "devices"), 0);
	for (unsigned i = 0; i < NDEV; i++)
		write_device(fdt, i, sh);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	if (sh->nops) {
		int node = fdt_first_subnode(fdt, fdt_path_offset(fdt, "/devices"));
		for (unsigned i = 0; i < NDEV; i++, node = fdt_next_subnode(fdt, node)) {
			assert_true(node >= 0);
			if (i % 2 == 0)
				continue;
			assert_int_equal(fdt_nop_property(fdt, node, "nop-me"), 0);
			if (i + 1 == NDEV)
				assert_int_equal(fdt_nop_property(fdt, node, "nop-me-too"), 0);
		}
	}
	size_t total = LUGATE_FRAME_HEADER_SIZE + fdt_totalsize(fdt);
	reseal(buf, total, LUGATE_TABLE_MAGIC);
	return total;
}

static void expect_devices(const struct lugate_table *t)
{
	struct lugate_device d;
	int cursor = 0;
	unsigned i = 0;

	assert_int_equal(t->device_count, NDEV);
	while (lugate_table_next_device(t, &cursor, &d) == 1) {
		assert_true(i < NDEV);
		assert_int_equal(d.addr, bus_of(i) << 8);
		assert_int_equal(d.vendor_id, 0x8086);
		assert_int_equal(d.device_id, 0x1234 + i);
		assert_int_equal(d.class_code, 0x020000);
		assert_int_equal(d.schema.b[0], 0x5f);
		assert_int_equal(d.schema.b[1], i);
		assert_int_equal(d.schema_version, 1 + i);
		assert_string_equal(d.driver, driver_of(i));
		i++;
	}
	assert_int_equal(i, NDEV);
	assert_int_equal(cursor, -1);
	assert_int_equal(lugate_table_next_device(t, &cursor, &d), 0);
}

static void bad_device_anywhere(void **state)
{
	(void)state;
	static uint8_t buf[16384];
	struct lugate_table t;

	for (int tw = T_NAME; tw < T_COUNT; tw++) {
		for (unsigned at = 0; at < NDEV; at++) {
			if ((tw == T_DUP || tw == T_UNSORTED) && at == 0)
				continue; /* these compare with the device before */
			for (int variant = 0; variant < 3; variant++) {
				struct shape sh = { .tweak = (enum tweak)tw, .at = at,
						    .nops = variant == 1, .no_dedup = variant == 2 };
				size_t n = make_table(buf, sizeof(buf), &sh);
				int err = lugate_table_open(buf, n, &t);
				if (err != tweak_error[tw])
					fail_msg("tweak %d at device %u (variant %d): got %d (%s), want %d", tw, at,
						 variant, err, lugate_errname(err), tweak_error[tw]);
			}
		}
	}
}

static void valid_shapes_read_alike(void **state)
{
	(void)state;
	static uint8_t buf[16384];
	struct lugate_table t;

	for (int variant = 0; variant < 4; variant++) {
		struct shape sh = { .tweak = T_NONE, .nops = variant & 1, .no_dedup = variant & 2 };
		size_t n = make_table(buf, sizeof(buf), &sh);
		/* NOP tags and repeated name strings are sound trees, but not bytes lugate writes */
		assert_int_equal(lugate_table_open(buf, n, &t), variant ? LUGATE_ERR_NONCANONICAL : 0);
		if (variant == 0)
			expect_devices(&t);
	}
}

/* Every driver length the format allows, read back through the fast path. */
static void driver_lengths(void **state)
{
	(void)state;
	enum { N = LUGATE_DRIVER_MAX + 1 };
	static struct lugate_device devs[N];
	static char names[N][LUGATE_DRIVER_MAX + 1];
	struct lugate_table_spec spec = { .release = "6.1.0-55-amd64", .devices = devs, .device_count = N };
	struct lugate_table t;
	struct lugate_device d;
	uint8_t *blob;
	int cursor = 0;
	unsigned i = 0;

	for (unsigned k = 0; k < N; k++) {
		memset(names[k], 'a' + (char)(k % 26), k);
		names[k][k] = '\0';
		devs[k] = make_device("0000:00:00.0", GUID_A, k, names[k]);
		devs[k].addr = k * 8 + (k & 7);
	}
	size_t size = build_table(&spec, &blob);
	assert_int_equal(lugate_table_open(blob, size, &t), 0);
	while (lugate_table_next_device(&t, &cursor, &d) == 1) {
		assert_int_equal(d.addr, devs[i].addr);
		assert_int_equal(d.schema_version, i);
		assert_string_equal(d.driver, names[i]);
		i++;
	}
	assert_int_equal(i, N);
	free(blob);
}

/* ---- the structure walk: direct and through libfdt, the same answer ---------------------- */

static int walk_verdict(const uint8_t *fdt, size_t size, bool direct)
{
	if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) != size)
		return 1; /* fdtu_open stops before the walk */
	return direct ? fdtu_walk_tags(fdt) : fdtu_walk_tags_libfdt(fdt);
}

static unsigned compare_walks(const uint8_t *fdt, size_t size)
{
	uint8_t *copy = malloc(size);
	static const uint8_t patterns[] = { 0x01, 0x02, 0x04, 0x10, 0x80, 0xff };
	unsigned walked = 0;

	assert_non_null(copy);
	assert_int_equal(walk_verdict(fdt, size, true), 0);
	assert_int_equal(walk_verdict(fdt, size, false), 0);
	for (size_t pos = 0; pos < size; pos++) {
		for (size_t k = 0; k < sizeof(patterns); k++) {
			memcpy(copy, fdt, size);
			copy[pos] ^= patterns[k];
			int a = walk_verdict(copy, size, true), b = walk_verdict(copy, size, false);
			if (a != b)
				fail_msg("byte %zu ^ 0x%02x: direct walk %d, libfdt walk %d", pos, patterns[k], a, b);
			walked += a != 1;
		}
	}
	free(copy);
	return walked;
}

static void walks_agree(void **state)
{
	(void)state;
	static uint8_t buf[16384];
	struct lugate_device devs[3] = {
		make_device("0000:3b:00.1", GUID_A, 2, "mlx5_core"),
		make_device("0000:03:00.0", GUID_B, 1, ""),
		make_device("0001:00:02.0", GUID_A, 3, NULL),
	};
	static const uint8_t sha[32] = { 1, 2, 3 };
	static const char *const compat[] = { "kho-v1", "luo-v1" };
	struct lugate_table_spec spec = { .release = "6.1.0-55-amd64", .compat = compat, .compat_count = 2,
					  .devices = devs, .device_count = 3, .target_sha256 = sha,
					  .policy_text = "paths = same\n" };
	struct lugate_schema schemas[2] = { { guid_of(GUID_A), 1, 3 }, { guid_of(GUID_B), 1, 1 } };
	struct lugate_manifest_spec ms = { .release = "6.1.0-56-amd64", .schemas = schemas, .schema_count = 2,
					   .compat = compat, .compat_count = 2 };
	uint8_t *blob;
	unsigned walked = 0;

	size_t size = build_table(&spec, &blob);
	walked += compare_walks(blob + LUGATE_FRAME_HEADER_SIZE, size - LUGATE_FRAME_HEADER_SIZE);
	free(blob);
	size = build_manifest(&ms, &blob);
	walked += compare_walks(blob + LUGATE_FRAME_HEADER_SIZE, size - LUGATE_FRAME_HEADER_SIZE);
	free(blob);
	struct shape sh = { .tweak = T_NONE, .nops = true };
	size = make_table(buf, sizeof(buf), &sh);
	walked += compare_walks(buf + LUGATE_FRAME_HEADER_SIZE, size - LUGATE_FRAME_HEADER_SIZE);
	/* most corruptions pass the header check and reach the walks */
	assert_true(walked > 1000);
}

/* ---- the manifest's search ----------------------------------------------------------- */

static long linear_find(const struct lugate_manifest *m, const struct lugate_guid *g)
{
	for (uint32_t i = 0; i < m->schema_count; i++)
		if (memcmp(m->schema_records + (size_t)i * LUGATE_SCHEMA_RECORD_SIZE, g->b, LUGATE_GUID_SIZE) == 0)
			return (long)i;
	return -1;
}

static void fill_guid(struct lugate_guid *g, uint64_t *seed)
{
	for (unsigned k = 0; k < LUGATE_GUID_SIZE; k++) {
		*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
		g->b[k] = (uint8_t)(*seed >> 56);
	}
	/* some GUIDs share their first 8 bytes, so the low half decides */
	if ((*seed >> 20) % 4 == 0)
		memset(g->b, 0x42, 8);
}

static void find_matches_linear(void **state)
{
	(void)state;
	static struct lugate_schema schemas[1000];
	uint64_t seed = 7;

	for (size_t count = 0; count <= 1000; count = count < 70 ? count + 1 : count + 930) {
		for (size_t i = 0; i < count; i++) {
			fill_guid(&schemas[i].guid, &seed);
			schemas[i].min_version = 1;
			schemas[i].max_version = 2;
		}
		/* drop duplicates the generator may have made: the builder refuses them */
		size_t unique = 0;
		for (size_t i = 0; i < count; i++) {
			bool dup = false;
			for (size_t j = 0; j < unique && !dup; j++)
				dup = memcmp(schemas[j].guid.b, schemas[i].guid.b, LUGATE_GUID_SIZE) == 0;
			if (!dup)
				schemas[unique++] = schemas[i];
		}
		struct lugate_manifest_spec ms = { .release = "6.1.0-56-amd64", .schemas = schemas,
						   .schema_count = unique };
		struct lugate_manifest m;
		uint8_t *blob;
		size_t size = build_manifest(&ms, &blob);
		assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
		for (size_t i = 0; i < unique; i++) {
			long at = lugate_manifest_find(&m, &schemas[i].guid);
			assert_true(at >= 0);
			assert_int_equal(at, linear_find(&m, &schemas[i].guid));
			/* neighbours that are not in the manifest: one up and one down in the last byte */
			struct lugate_guid g = schemas[i].guid;
			g.b[15] ^= 1;
			assert_int_equal(lugate_manifest_find(&m, &g), linear_find(&m, &g));
		}
		for (unsigned k = 0; k < 200; k++) {
			struct lugate_guid g;
			fill_guid(&g, &seed);
			assert_int_equal(lugate_manifest_find(&m, &g), linear_find(&m, &g));
		}
		struct lugate_guid lowest, highest;
		memset(lowest.b, 0, sizeof(lowest.b));
		memset(highest.b, 0xff, sizeof(highest.b));
		assert_int_equal(lugate_manifest_find(&m, &lowest), linear_find(&m, &lowest));
		assert_int_equal(lugate_manifest_find(&m, &highest), linear_find(&m, &highest));
		free(blob);
	}
}

/* ---- the check's per-device loop ------------------------------------------------------ */

/* Runs of devices sharing a schema, with versions in and out of range, a run with a schema
 * the target lacks, and a GUID that comes back after another: every device is judged. */
static void repeated_schemas_judged_each(void **state)
{
	(void)state;
	static const struct { const char *guid; uint32_t version; int want; } devs[] = {
		{ GUID_A, 1, 0 }, { GUID_A, 2, 0 }, { GUID_A, 9, LUGATE_REASON_SCHEMA_VERSION },
		{ GUID_A, 3, 0 }, { GUID_C, 1, LUGATE_REASON_SCHEMA_MISSING },
		{ GUID_C, 1, LUGATE_REASON_SCHEMA_MISSING }, { GUID_B, 7, 0 },
		{ GUID_B, 6, LUGATE_REASON_SCHEMA_VERSION }, { GUID_A, 0, LUGATE_REASON_SCHEMA_VERSION },
		{ GUID_A, 2, 0 }, { GUID_C, 5, LUGATE_REASON_SCHEMA_MISSING },
	};
	enum { N = sizeof(devs) / sizeof(devs[0]) };
	struct lugate_device d[N];
	struct lugate_schema schemas[2] = { { guid_of(GUID_A), 1, 3 }, { guid_of(GUID_B), 7, 7 } };
	struct lugate_table_spec ts = { .release = "6.1.0-55-amd64", .devices = d, .device_count = N };
	struct lugate_manifest_spec ms = { .release = "6.1.0-56-amd64", .schemas = schemas, .schema_count = 2 };
	struct lugate_reason reasons[N];
	struct lugate_verdict v;
	uint8_t *table, *manifest;
	size_t want_total = 0;

	for (unsigned i = 0; i < N; i++) {
		d[i] = make_device("0000:00:00.0", devs[i].guid, devs[i].version, "drv");
		d[i].addr = 0x100 + i; /* already in address order: the table keeps this order */
		want_total += devs[i].want != 0;
	}
	size_t tsize = build_table(&ts, &table), msize = build_manifest(&ms, &manifest);
	struct lugate_check_input in = { .table = table, .table_size = tsize, .manifest = manifest,
					 .manifest_size = msize };
	assert_int_equal(lugate_check(&in, reasons, N, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, want_total);
	size_t k = 0;
	for (unsigned i = 0; i < N; i++) {
		if (!devs[i].want)
			continue;
		assert_true(k < v.reason_count);
		assert_int_equal(reasons[k].code, devs[i].want);
		assert_int_equal(reasons[k].device, 0x100 + i);
		assert_int_equal(reasons[k].version, devs[i].version);
		k++;
	}
	free(table);
	free(manifest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_device_anywhere),
		cmocka_unit_test(valid_shapes_read_alike),
		cmocka_unit_test(driver_lengths),
		cmocka_unit_test(walks_agree),
		cmocka_unit_test(find_matches_linear),
		cmocka_unit_test(repeated_schemas_judged_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
