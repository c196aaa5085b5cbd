// SPDX-License-Identifier: MIT
/*
 * Canonical bytes (docs/handoff-format.md, "Canonical bytes"): a table or manifest is
 * accepted only if it is, byte for byte, what lugate's builder writes for its content.
 *  - each class of byte the content does not decide, changed alone with the frame's digest
 *    recomputed, is refused: node-name padding, property-value padding, the header's gap
 *    before the reservation map, the map's terminator (address and size), the header fields,
 *    strings-block extras (an unused name, a repeated name, a name shared as a suffix),
 *    FDT_NOP, a non-empty root name, bytes after FDT_END or after the strings, a gap between
 *    the blocks, the frame's reserved bytes and bytes after the frame;
 *  - exhaustively: every byte of a built table and manifest under nine masks, and four bytes
 *    (zero, or FDT_NOP) inserted at every tag boundary: every mutation accepted rebuilds,
 *    through the builder, into exactly the input.
 */
#include <stdio.h>
#include <libfdt.h>
#include "helpers.h"
#include "rebuild.h"

static const char *const compat2[] = { "kho-v1", "luo-v1" };

/* A sealed table whose padding covers every length: drivers of 9, 0 and 4 characters. */
static size_t fixture_table(uint8_t **out)
{
	static const uint8_t sha_t[32] = { 1, 2, 3 }, sha_f[32] = { 9, 8, 7 };
	struct lugate_device devs[3] = {
		make_device("0000:3b:00.1", GUID_A, 2, "mlx5_core"),
		make_device("0000:03:00.0", GUID_B, 1, ""),
		make_device("0001:00:02.0", GUID_A, 3, "nvme"),
	};
	struct lugate_table_spec spec = {
		.release = "6.1.0-55-amd64", .compat = compat2, .compat_count = 2,
		.devices = devs, .device_count = 3, .target_sha256 = sha_t,
		.target_release = "6.1.0-56-amd64", .fallback_sha256 = sha_f,
		.policy_text = "paths = same stable-next\n",
	};
	return build_table(&spec, out);
}

static size_t fixture_manifest(uint8_t **out)
{
	struct lugate_schema schemas[3] = {
		{ guid_of(GUID_A), 1, 3 }, { guid_of(GUID_B), 2, 2 }, { guid_of(GUID_C), 0, 7 },
	};
	struct lugate_manifest_spec spec = {
		.release = "6.1.0-56-amd64", .schemas = schemas, .schema_count = 3,
		.compat = compat2, .compat_count = 2,
	};
	return build_manifest(&spec, out);
}

enum kind { TABLE, MANIFEST };

static const char *magic_of(enum kind k)
{
	return k == TABLE ? LUGATE_TABLE_MAGIC : LUGATE_MANIFEST_MAGIC;
}

static int open_blob(enum kind k, const uint8_t *blob, size_t size)
{
	struct lugate_table t;
	struct lugate_manifest m;

	return k == TABLE ? lugate_table_open(blob, size, &t) : lugate_manifest_open(blob, size, &m);
}

/* Reseal and open: the digest never hides what the FDT check must catch. */
static int reopen(enum kind k, uint8_t *blob, size_t size)
{
	reseal(blob, size, magic_of(k));
	return open_blob(k, blob, size);
}

/* Accepted => the builder writes exactly these bytes from what was read. */
static void accepted_is_canonical(enum kind k, const uint8_t *blob, size_t size, const char *what, size_t at)
{
	struct lugate_table t;
	struct lugate_manifest m;
	int r;

	if (k == TABLE) {
		assert_int_equal(lugate_table_open(blob, size, &t), 0);
		r = rebuild_table_same(&t);
	} else {
		assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
		r = rebuild_manifest_same(blob, size, &m);
	}
	if (r != REBUILD_SAME && r != REBUILD_UNBUILDABLE)
		fail_msg("%s %s at %zu: accepted, but the rebuild %s", k == TABLE ? "table" : "manifest", what, at,
			 r == REBUILD_DIFFERS ? "differs" : "failed");
}

#define FDT(blob) ((blob) + LUGATE_FRAME_HEADER_SIZE)

/* The padding bytes of a built tree's structure block (tree offsets), by class. */
struct pads {
	size_t name[64], value[256];
	unsigned names, values;
	size_t root_name; /* offset of the root's name */
};

static void find_pads(const uint8_t *fdt, struct pads *p)
{
	uint32_t off = fdt_off_dt_struct(fdt), end = off + fdt_size_dt_struct(fdt);
	bool first = true;

	memset(p, 0, sizeof(*p));
	while (off < end) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(fdt + off)), next = off + 4, stop;

		if (tag == FDT_BEGIN_NODE) {
			if (first)
				p->root_name = next;
			first = false;
			next += (uint32_t)strlen((const char *)fdt + next) + 1;
			for (stop = (next + 3) & ~3u; next < stop; next++)
				if (p->names < 64)
					p->name[p->names++] = next;
		} else if (tag == FDT_PROP) {
			next += 8 + fdt32_ld((const fdt32_t *)(fdt + off + 4));
			for (stop = (next + 3) & ~3u; next < stop; next++)
				if (p->values < 256)
					p->value[p->values++] = next;
		} else if (tag == FDT_END) {
			break;
		}
		off = (next + 3) & ~3u;
	}
}

static void one_byte(enum kind k, uint8_t *blob, size_t size, size_t tree_off, uint8_t v, int want)
{
	uint8_t old = FDT(blob)[tree_off];
	int err;

	FDT(blob)[tree_off] = v;
	err = reopen(k, blob, size);
	if (err != want)
		fail_msg("%s byte %zu = 0x%02x: got %d (%s), want %s", k == TABLE ? "table" : "manifest", tree_off, v,
			 err, lugate_errname(err), lugate_errname(want));
	FDT(blob)[tree_off] = old;
	assert_int_equal(reopen(k, blob, size), 0);
}

static size_t fixture(enum kind k, uint8_t **blob)
{
	return k == TABLE ? fixture_table(blob) : fixture_manifest(blob);
}

static void padding_bytes(void **state)
{
	(void)state;
	for (int k = TABLE; k <= MANIFEST; k++) {
		uint8_t *blob;
		size_t size = fixture((enum kind)k, &blob);
		struct pads p;

		find_pads(FDT(blob), &p);
		/* the root's 3, a sealed node's 1 (a table's), dev@XXXXXXXX's 3 each */
		assert_true(p.names >= (k == TABLE ? 13u : 3u));
		assert_true(p.values >= (k == TABLE ? 8u : 3u));
		for (unsigned i = 0; i < p.names; i++)
			one_byte((enum kind)k, blob, size, p.name[i], 0x20, LUGATE_ERR_NONCANONICAL);
		for (unsigned i = 0; i < p.values; i++)
			one_byte((enum kind)k, blob, size, p.value[i], 0x01, LUGATE_ERR_NONCANONICAL);
		/* a root named "a" (its NUL and padding intact) */
		one_byte((enum kind)k, blob, size, p.root_name, 'a', LUGATE_ERR_NONCANONICAL);
		free(blob);
	}
}

static void header_and_rsvmap(void **state)
{
	(void)state;
	for (int k = TABLE; k <= MANIFEST; k++) {
		uint8_t *blob;
		size_t size = fixture((enum kind)k, &blob);
		uint8_t *fdt = FDT(blob);

		assert_int_equal(fdt_off_mem_rsvmap(fdt), 48);
		/* the gap between the 40-byte header and the map, and the terminator's address */
		for (size_t i = 40; i < 56; i++)
			one_byte((enum kind)k, blob, size, i, 0x01, LUGATE_ERR_NONCANONICAL);
		/* the terminator's size: a reservation, which a lugate tree never has */
		for (size_t i = 56; i < 64; i++)
			assert_true(FDT(blob)[i] == 0);
		FDT(blob)[63] = 1;
		assert_int_equal(reopen((enum kind)k, blob, size), LUGATE_ERR_BADFDT);
		FDT(blob)[63] = 0;
		/* header fields libfdt accepts but lugate's builder never writes */
		fdt_set_version(fdt, 16);
		assert_int_equal(reopen((enum kind)k, blob, size), LUGATE_ERR_NONCANONICAL);
		fdt_set_version(fdt, 17);
		fdt_set_last_comp_version(fdt, 17);
		assert_int_equal(reopen((enum kind)k, blob, size), LUGATE_ERR_NONCANONICAL);
		fdt_set_last_comp_version(fdt, 16);
		fdt_set_boot_cpuid_phys(fdt, 1);
		assert_int_equal(reopen((enum kind)k, blob, size), LUGATE_ERR_NONCANONICAL);
		fdt_set_boot_cpuid_phys(fdt, 0);
		assert_int_equal(reopen((enum kind)k, blob, size), 0);
		free(blob);
	}
}

/* Where an insertion goes, and so which header fields move. */
enum where {
	AT_RSVMAP,          /* before the reservation map: a wider gap after the header */
	BEFORE_STRUCT,      /* after the map's terminator: more map, or a gap */
	IN_STRUCT,          /* inside the structure block, at a tag boundary */
	BETWEEN_BLOCKS,     /* after the structure block, before the strings */
	STRINGS_FRONT,      /* at the front of the strings block: every name offset moves */
	AFTER_STRINGS,      /* after the strings block, inside totalsize */
};

/* A copy of blob with n bytes inserted at tree offset at, the header adjusted as `where`
 * says and the frame resealed; *out_size its size. */
static uint8_t *insert(enum kind k, const uint8_t *blob, size_t size, enum where where, uint32_t at,
		       const void *bytes, uint32_t n, size_t *out_size)
{
	uint8_t *nb = malloc(size + n), *fdt = FDT(nb);
	size_t split = LUGATE_FRAME_HEADER_SIZE + at;

	assert_non_null(nb);
	memcpy(nb, blob, split);
	memcpy(nb + split, bytes, n);
	memcpy(nb + split + n, blob + split, size - split);
	fdt_set_totalsize(fdt, fdt_totalsize(fdt) + n);
	switch (where) {
	case AT_RSVMAP:
		fdt_set_off_mem_rsvmap(fdt, fdt_off_mem_rsvmap(fdt) + n);
		fdt_set_off_dt_struct(fdt, fdt_off_dt_struct(fdt) + n);
		fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + n);
		break;
	case BEFORE_STRUCT:
		fdt_set_off_dt_struct(fdt, fdt_off_dt_struct(fdt) + n);
		fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + n);
		break;
	case IN_STRUCT:
		fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) + n);
		fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + n);
		break;
	case BETWEEN_BLOCKS:
		fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + n);
		break;
	case STRINGS_FRONT: {
		uint32_t off = fdt_off_dt_struct(fdt), end = off + fdt_size_dt_struct(fdt);

		fdt_set_size_dt_strings(fdt, fdt_size_dt_strings(fdt) + n);
		while (off < end) {
			uint32_t tag = fdt32_ld((const fdt32_t *)(fdt + off)), next = off + 4;
			if (tag == FDT_BEGIN_NODE) {
				next += (uint32_t)strlen((const char *)fdt + next) + 1;
			} else if (tag == FDT_PROP) {
				fdt32_st(fdt + off + 8, fdt32_ld((const fdt32_t *)(fdt + off + 8)) + n);
				next += 8 + fdt32_ld((const fdt32_t *)(fdt + off + 4));
			}
			off = (next + 3) & ~3u;
		}
		break;
	}
	case AFTER_STRINGS:
		break;
	}
	*out_size = size + n;
	reseal(nb, *out_size, magic_of(k));
	return nb;
}

static void expect_insert(enum kind k, const uint8_t *blob, size_t size, enum where where, uint32_t at,
			  const void *bytes, uint32_t n, int want)
{
	size_t nsize;
	uint8_t *nb = insert(k, blob, size, where, at, bytes, n, &nsize);
	int err = open_blob(k, nb, nsize);

	if (err != want)
		fail_msg("%s: %u bytes inserted at %u (where %d): got %d (%s), want %s", k == TABLE ? "table" : "manifest",
			 n, at, where, err, lugate_errname(err), lugate_errname(want));
	free(nb);
}

static void gaps_and_trailing_bytes(void **state)
{
	(void)state;
	static const uint8_t zero8[16], nop[4] = { 0, 0, 0, 4 };
	for (int k = TABLE; k <= MANIFEST; k++) {
		uint8_t *blob;
		size_t size = fixture((enum kind)k, &blob);
		const uint8_t *fdt = FDT(blob);
		uint32_t struct_end = fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);

		/* a wider gap before the map (8 more zero bytes, still aligned) */
		expect_insert((enum kind)k, blob, size, AT_RSVMAP, 40, zero8, 8, LUGATE_ERR_NONCANONICAL);
		/* a second all-zero map entry (16 bytes no reader looks at), or an 8-byte gap */
		expect_insert((enum kind)k, blob, size, BEFORE_STRUCT, 64, zero8, 16, LUGATE_ERR_NONCANONICAL);
		expect_insert((enum kind)k, blob, size, BEFORE_STRUCT, 64, zero8, 8, LUGATE_ERR_NONCANONICAL);
		/* FDT_NOP right after the root's name; zero bytes after FDT_END */
		expect_insert((enum kind)k, blob, size, IN_STRUCT, fdt_off_dt_struct(fdt) + 8, nop, 4,
			      LUGATE_ERR_NONCANONICAL);
		expect_insert((enum kind)k, blob, size, IN_STRUCT, struct_end, zero8, 4, LUGATE_ERR_NONCANONICAL);
		/* a gap between the structure and the strings; bytes after the strings */
		expect_insert((enum kind)k, blob, size, BETWEEN_BLOCKS, struct_end, zero8, 4, LUGATE_ERR_NONCANONICAL);
		expect_insert((enum kind)k, blob, size, AFTER_STRINGS, (uint32_t)(size - LUGATE_FRAME_HEADER_SIZE),
			      zero8, 4, LUGATE_ERR_NONCANONICAL);
		/* strings-block extras: an unused name, a name twice, each in front (names moved) */
		expect_insert((enum kind)k, blob, size, STRINGS_FRONT, struct_end, "bonus", 6, LUGATE_ERR_NONCANONICAL);
		expect_insert((enum kind)k, blob, size, STRINGS_FRONT, struct_end, "release", 8, LUGATE_ERR_NONCANONICAL);
		expect_insert((enum kind)k, blob, size, STRINGS_FRONT, struct_end, "", 1, LUGATE_ERR_NONCANONICAL);
		/* the frame: its reserved bytes, a byte after it */
		blob[56] = 1;
		assert_int_equal(open_blob((enum kind)k, blob, size), LUGATE_ERR_UNSUPPORTED);
		blob[56] = 0;
		{
			uint8_t *longer = malloc(size + 1);
			assert_non_null(longer);
			memcpy(longer, blob, size);
			longer[size] = 0;
			assert_int_equal(open_blob((enum kind)k, longer, size + 1), LUGATE_ERR_BADSIZE);
			free(longer);
		}
		free(blob);
	}
}

/* A property pointing at its name inside a longer one ("release" as the tail of
 * "target-release"): the same text, but not the offset the builder gives it. */
static void name_offsets(void **state)
{
	(void)state;
	uint8_t *blob;
	size_t size = fixture_table(&blob);
	uint8_t *fdt = FDT(blob);
	const char *strings = (const char *)fdt + fdt_off_dt_strings(fdt);
	uint32_t tr = UINT32_MAX, rel_prop = 0;
	int prop;

	for (uint32_t i = 0; i < fdt_size_dt_strings(fdt); i += (uint32_t)strlen(strings + i) + 1)
		if (strcmp(strings + i, "target-release") == 0)
			tr = i;
	assert_true(tr != UINT32_MAX);
	fdt_for_each_property_offset(prop, fdt, 0) {
		const char *name;
		fdt_getprop_by_offset(fdt, prop, &name, NULL);
		if (strcmp(name, "release") == 0)
			rel_prop = (uint32_t)prop;
	}
	assert_true(rel_prop > 0);
	fdt32_st(fdt + fdt_off_dt_struct(fdt) + rel_prop + 8, tr + 7);
	assert_int_equal(reopen(TABLE, blob, size), LUGATE_ERR_NONCANONICAL);
	free(blob);
}

/* Every byte under nine masks: whatever is accepted is its own rebuild. */
static void every_byte_accepted_is_canonical(void **state)
{
	(void)state;
	static const uint8_t masks[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff };
	for (int k = TABLE; k <= MANIFEST; k++) {
		uint8_t *blob;
		size_t size = fixture((enum kind)k, &blob);
		unsigned accepted = 0, refused = 0;

		for (size_t i = LUGATE_FRAME_HEADER_SIZE; i < size; i++) {
			for (size_t m = 0; m < sizeof(masks); m++) {
				blob[i] ^= masks[m];
				if (reopen((enum kind)k, blob, size) == 0) {
					accepted_is_canonical((enum kind)k, blob, size, "byte flip", i);
					accepted++;
				} else {
					refused++;
				}
				blob[i] ^= masks[m];
			}
		}
		/* values (versions, ids, hashes, letters) change content and stay accepted */
		assert_true(accepted > 100);
		assert_true(refused > 100);
		assert_int_equal(reopen((enum kind)k, blob, size), 0);
		free(blob);
	}
}

/* Four bytes (zero, FDT_NOP, FDT_END_NODE) at every 4-byte boundary of the tree, the header
 * following as a structure-block insertion: whatever is accepted is its own rebuild. */
static void every_insertion_accepted_is_canonical(void **state)
{
	(void)state;
	static const uint8_t inserts[3][4] = { { 0, 0, 0, 0 }, { 0, 0, 0, 4 }, { 0, 0, 0, 2 } };
	for (int k = TABLE; k <= MANIFEST; k++) {
		uint8_t *blob;
		size_t size = fixture((enum kind)k, &blob);
		const uint8_t *fdt = FDT(blob);
		uint32_t from = fdt_off_dt_struct(fdt), to = from + fdt_size_dt_struct(fdt);

		for (uint32_t at = from; at <= to; at += 4) {
			for (unsigned v = 0; v < 3; v++) {
				size_t nsize;
				uint8_t *nb = insert((enum kind)k, blob, size, IN_STRUCT, at, inserts[v], 4, &nsize);
				if (open_blob((enum kind)k, nb, nsize) == 0)
					accepted_is_canonical((enum kind)k, nb, nsize, "insertion", at);
				free(nb);
			}
		}
		free(blob);
	}
}

/* The fixtures themselves, and tables of every optional shape, are their own rebuilds. */
static void built_is_canonical(void **state)
{
	(void)state;
	static const uint8_t sha[32] = { 5 };
	struct lugate_device dev = make_device("0000:3b:00.1", GUID_A, 2, "x");
	for (unsigned shape = 0; shape < 64; shape++) {
		struct lugate_table_spec spec = {
			.release = "6.1.0-55-amd64",
			.compat = compat2, .compat_count = shape & 1 ? 2 : 0,
			.devices = &dev, .device_count = shape & 2 ? 1 : 0,
			.target_sha256 = shape & 4 ? sha : NULL,
		};
		uint8_t *blob;
		size_t size;
		struct lugate_table t;

		if (!spec.target_sha256 && (shape & 56))
			continue;
		spec.target_release = shape & 8 ? "6.1.0-56-amd64" : NULL;
		spec.fallback_sha256 = shape & 16 ? sha : NULL;
		spec.policy_text = shape & 32 ? "paths = same\n" : NULL;
		size = build_table(&spec, &blob);
		assert_int_equal(lugate_table_open(blob, size, &t), 0);
		assert_int_equal(rebuild_table_same(&t), REBUILD_SAME);
		free(blob);
	}
	for (unsigned shape = 0; shape < 4; shape++) {
		struct lugate_schema s = { guid_of(GUID_A), 1, 1 };
		struct lugate_manifest_spec spec = {
			.release = "6.1.0-56-amd64", .schemas = &s, .schema_count = shape & 1,
			.compat = compat2, .compat_count = shape & 2 ? 2 : 0,
		};
		uint8_t *blob;
		size_t size = build_manifest(&spec, &blob);
		struct lugate_manifest m;

		assert_int_equal(lugate_manifest_open(blob, size, &m), 0);
		assert_int_equal(rebuild_manifest_same(blob, size, &m), REBUILD_SAME);
		free(blob);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(built_is_canonical),     cmocka_unit_test(padding_bytes),
		cmocka_unit_test(header_and_rsvmap),      cmocka_unit_test(gaps_and_trailing_bytes),
		cmocka_unit_test(name_offsets),           cmocka_unit_test(every_byte_accepted_is_canonical),
		cmocka_unit_test(every_insertion_accepted_is_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
