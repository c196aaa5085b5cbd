// SPDX-License-Identifier: MIT
/*
 * The binary manifest: build (sorted schema records) and open (validate once), plus the
 * O(log m) schema look-up the check uses. Layout: lugate/manifest.h, docs/manifest-format.md.
 */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/frame.h>
#include <lugate/manifest.h>
#include <lugate/policy.h>
#include "bytes.h"
#include "fdtbuild.h"
#include "fdtutil.h"

#define REC_GUID 0
#define REC_MIN 16
#define REC_MAX 20

static int check_spec(const struct lugate_manifest_spec *spec)
{
	struct lugate_release rel;
	size_t n;

	if (!spec->release)
		return LUGATE_ERR_BADRELEASE;
	n = strnlen(spec->release, LUGATE_RELEASE_MAX + 1);
	if (n > LUGATE_RELEASE_MAX || lugate_release_parse(spec->release, n, &rel) != 0)
		return LUGATE_ERR_BADRELEASE;
	if (spec->schema_count > LUGATE_MANIFEST_MAX_SCHEMAS ||
	    spec->compat_count > LUGATE_MANIFEST_MAX_COMPAT)
		return LUGATE_ERR_TOOMANY;
	if (spec->schema_count && !spec->schemas)
		return LUGATE_ERR_INVAL;
	for (size_t i = 0; i < spec->schema_count; i++)
		if (spec->schemas[i].min_version > spec->schemas[i].max_version)
			return LUGATE_ERR_RANGE;
	return fdtu_check_compat_list(spec->compat, spec->compat_count);
}

static size_t manifest_size_bound(const struct lugate_manifest_spec *spec)
{
	size_t size = LUGATE_FRAME_HEADER_SIZE + 512 + LUGATE_RELEASE_MAX + 4;
	size += spec->schema_count * LUGATE_SCHEMA_RECORD_SIZE;
	size += spec->compat_count * (LUGATE_COMPAT_MAX + 1) + 4;
	return size;
}

static int schema_cmp(const void *ctx, uint32_t a, uint32_t b)
{
	const struct lugate_schema *s = ctx;
	return lugate_guid_cmp(&s[a].guid, &s[b].guid);
}

static int write_schemas(void *fdt, const struct lugate_manifest_spec *spec, const uint32_t *order)
{
	uint8_t *rec;
	int err = fdt_property_placeholder(fdt, "schemas",
					   (int)(spec->schema_count * LUGATE_SCHEMA_RECORD_SIZE),
					   (void **)&rec);
	if (err)
		return err;
	for (size_t i = 0; i < spec->schema_count; i++, rec += LUGATE_SCHEMA_RECORD_SIZE) {
		const struct lugate_schema *s = &spec->schemas[order[i]];
		memcpy(rec + REC_GUID, s->guid.b, LUGATE_GUID_SIZE);
		le32_store(rec + REC_MIN, s->min_version);
		le32_store(rec + REC_MAX, s->max_version);
	}
	return 0;
}

/* The root's properties after "compatible" and "release". */
static int write_root(void *fdt, const void *manifest_spec, const uint32_t *order)
{
	const struct lugate_manifest_spec *spec = manifest_spec;
	int err = write_schemas(fdt, spec, order);

	if (!err && spec->compat_count)
		err = fdtb_stringlist(fdt, "revives", spec->compat, spec->compat_count);
	return err;
}

long lugate_manifest_build(void *buf, size_t buf_size, const struct lugate_manifest_spec *spec,
			   uint32_t *scratch, size_t scratch_count, size_t *needed)
{
	struct fdtb_job job = { .magic = LUGATE_MANIFEST_MAGIC, .compatible = LUGATE_MANIFEST_COMPATIBLE,
				.cmp = schema_cmp, .write_root = write_root, .spec = spec };
	int err = spec ? check_spec(spec) : LUGATE_ERR_INVAL;

	if (err)
		return err;
	job.release = spec->release;
	job.bound = manifest_size_bound(spec);
	job.items = spec->schemas;
	job.count = spec->schema_count;
	return fdtb_build(buf, buf_size, scratch, scratch_count, needed, &job);
}

static int validate_schemas(const uint8_t *rec, int len, uint32_t *count)
{
	uint32_t n;

	if (len < 0 || len % LUGATE_SCHEMA_RECORD_SIZE != 0)
		return LUGATE_ERR_BADPROP;
	n = (uint32_t)len / LUGATE_SCHEMA_RECORD_SIZE;
	if (n > LUGATE_MANIFEST_MAX_SCHEMAS)
		return LUGATE_ERR_TOOMANY;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec + (size_t)i * LUGATE_SCHEMA_RECORD_SIZE;
		if (le32_load(r + REC_MIN) > le32_load(r + REC_MAX))
			return LUGATE_ERR_RANGE;
		if (i > 0) {
			int c = memcmp(r - LUGATE_SCHEMA_RECORD_SIZE, r, LUGATE_GUID_SIZE);
			if (c == 0)
				return LUGATE_ERR_DUPLICATE;
			if (c > 0)
				return LUGATE_ERR_UNSORTED;
		}
	}
	*count = n;
	return 0;
}

/* The property names of a manifest in the order the builder first uses them: its strings
 * block is those used, in reverse (fdtu_strings_layout). */
enum { N_COMPATIBLE, N_RELEASE, N_SCHEMAS, N_REVIVES, N_COUNT };

static const char *const manifest_names[N_COUNT] = { "compatible", "release", "schemas", "revives" };

int lugate_manifest_open(const void *blob, size_t blob_size, struct lugate_manifest *out)
{
	struct lugate_manifest m;
	const void *fdt;
	const char *s;
	uint32_t fdt_size, off[N_COUNT], nameoff[N_COUNT];
	bool canonical;
	int prop, len, err;

	if (!blob || !out)
		return LUGATE_ERR_INVAL;
	memset(&m, 0, sizeof(m));
	err = lugate_frame_open(blob, blob_size, LUGATE_MANIFEST_MAGIC, &fdt, &fdt_size);
	if (err)
		return err;
	err = fdtu_open(fdt, fdt_size, &canonical);
	if (err)
		return err;
	m.fdt = fdt;
	m.fdt_size = fdt_size;
	nameoff[N_REVIVES] = FDTU_ABSENT;
	prop = fdt_first_property_offset(fdt, 0);
	s = fdtu_take(fdt, &prop, "compatible", -1, &len, &nameoff[N_COMPATIBLE]);
	if (!s || len != (int)sizeof(LUGATE_MANIFEST_COMPATIBLE) ||
	    memcmp(s, LUGATE_MANIFEST_COMPATIBLE, sizeof(LUGATE_MANIFEST_COMPATIBLE)) != 0)
		return LUGATE_ERR_BADCOMPAT;
	s = fdtu_take(fdt, &prop, "release", -1, &len, &nameoff[N_RELEASE]);
	if (!s || !fdtu_valid_string(s, len, LUGATE_RELEASE_MAX))
		return LUGATE_ERR_BADPROP;
	m.release = s;
	m.schema_records = fdtu_take(fdt, &prop, "schemas", -1, &len, &nameoff[N_SCHEMAS]);
	if (!m.schema_records)
		return LUGATE_ERR_BADPROP;
	err = validate_schemas(m.schema_records, len, &m.schema_count);
	if (err)
		return err;
	s = fdtu_take(fdt, &prop, "revives", -1, &len, &nameoff[N_REVIVES]);
	if (s) {
		if (!fdtu_valid_stringlist(s, len, LUGATE_COMPAT_MAX, LUGATE_MANIFEST_MAX_COMPAT,
					   &m.compat_count) || m.compat_count == 0)
			return LUGATE_ERR_BADSTRING;
		if (!fdtu_stringlist_unique(s, len))
			return LUGATE_ERR_DUPLICATE;
		m.compat_list = s;
		m.compat_prop_len = len;
	}
	if (prop >= 0 || fdt_first_subnode(fdt, 0) >= 0)
		return LUGATE_ERR_BADPROP;
	/* every byte as the builder writes it: the strings block holds exactly the names used,
	 * and each property points at its name there (an absent one on both sides) */
	if (!canonical || fdtu_strings_layout(fdt, manifest_names, N_COUNT, off) != 0 ||
	    memcmp(off, nameoff, sizeof(off)) != 0)
		return LUGATE_ERR_NONCANONICAL;
	*out = m;
	return 0;
}

void lugate_manifest_schema(const struct lugate_manifest *m, uint32_t i, struct lugate_schema *out)
{
	const uint8_t *r = m->schema_records + (size_t)i * LUGATE_SCHEMA_RECORD_SIZE;
	memcpy(out->guid.b, r + REC_GUID, LUGATE_GUID_SIZE);
	out->min_version = le32_load(r + REC_MIN);
	out->max_version = le32_load(r + REC_MAX);
}

/* 1 if the record's GUID sorts before the wanted one, else 0: the borrow out of a 128-bit
 * subtraction, computed without a branch. */
static inline size_t record_before(const uint8_t *rec, uint64_t want_hi, uint64_t want_lo)
{
	/* a GUID's 16 bytes as two big-endian halves: comparing the halves as integers orders
	 * GUIDs exactly as memcmp does, without a call per probe */
	uint64_t hi = be64_load(rec + REC_GUID), lo = be64_load(rec + REC_GUID + 8), diff;
	bool borrow_lo = __builtin_sub_overflow(lo, want_lo, &diff);
	bool borrow_hi = __builtin_sub_overflow(hi, want_hi, &diff);

	borrow_hi |= __builtin_sub_overflow(diff, (uint64_t)borrow_lo, &diff);
	return borrow_hi;
}

/*
 * A branch-free lower bound over the records [lo, lo + n), n > 0: the gate looks up one GUID
 * per device, and which way each probe goes depends on that device's schema, so a branching
 * search mispredicts about every other probe. Here a probe only adds a masked step; the loop's
 * trip count depends on n alone. Returns the index of the GUID's record, or -1.
 */
static inline long find_in(const uint8_t *rec, size_t lo, size_t n, uint64_t want_hi, uint64_t want_lo)
{
	const size_t end = lo + n;
	size_t at = lo;

	while (n > 1) {
		size_t half = n / 2;

		at += half & (0 - record_before(rec + (at + half) * LUGATE_SCHEMA_RECORD_SIZE, want_hi, want_lo));
		n -= half;
	}
	at += record_before(rec + at * LUGATE_SCHEMA_RECORD_SIZE, want_hi, want_lo);
	if (at >= end)
		return -1;
	rec += at * LUGATE_SCHEMA_RECORD_SIZE + REC_GUID;
	return be64_load(rec) == want_hi && be64_load(rec + 8) == want_lo ? (long)at : -1;
}

long lugate_manifest_find(const struct lugate_manifest *m, const struct lugate_guid *guid)
{
	if (m->schema_count == 0)
		return -1;
	return find_in(m->schema_records, 0, m->schema_count, be64_load(guid->b), be64_load(guid->b + 8));
}

void lugate_manifest_index(const struct lugate_manifest *m, uint32_t idx[LUGATE_MANIFEST_INDEX_SIZE])
{
	const uint8_t *rec = m->schema_records;
	uint32_t i = 0, n = m->schema_count;

	for (unsigned b = 0; b + 1 < LUGATE_MANIFEST_INDEX_SIZE; b++) {
		while (i < n && rec[(size_t)i * LUGATE_SCHEMA_RECORD_SIZE + REC_GUID] < b)
			i++;
		idx[b] = i;
	}
	idx[LUGATE_MANIFEST_INDEX_SIZE - 1] = n;
}

/* Records are sorted by GUID, so a GUID's record can only lie among those sharing its first
 * byte: [idx[b], idx[b + 1]). With m schemas that is about m / 256 records, not m. */
long lugate_manifest_find_indexed(const struct lugate_manifest *m,
				  const uint32_t idx[LUGATE_MANIFEST_INDEX_SIZE], const struct lugate_guid *guid)
{
	const uint32_t lo = idx[guid->b[0]], hi = idx[guid->b[0] + 1];

	if (hi <= lo || hi > m->schema_count)
		return -1;
	return find_in(m->schema_records, lo, hi - lo, be64_load(guid->b), be64_load(guid->b + 8));
}

bool lugate_manifest_fits_image(const struct lugate_manifest *m, const char *image_release)
{
	return !m || !image_release || !image_release[0] || strcmp(m->release, image_release) == 0;
}

const char *lugate_manifest_compat(const struct lugate_manifest *m, uint32_t i)
{
	return m ? fdtu_stringlist_at(m->compat_list, m->compat_prop_len, m->compat_count, i) : NULL;
}

int lugate_manifest_spec_of(const struct lugate_manifest *m, struct lugate_schema *schemas,
			    const char *compat[LUGATE_MANIFEST_MAX_COMPAT], struct lugate_manifest_spec *spec)
{
	if (!m || !compat || !spec || (m->schema_count && !schemas) || m->compat_count > LUGATE_MANIFEST_MAX_COMPAT)
		return LUGATE_ERR_INVAL;
	for (uint32_t i = 0; i < m->schema_count; i++)
		lugate_manifest_schema(m, i, &schemas[i]);
	fdtu_stringlist_all(m->compat_list, m->compat_prop_len, m->compat_count, compat);
	memset(spec, 0, sizeof(*spec));
	spec->release = m->release;
	spec->schemas = schemas;
	spec->schema_count = m->schema_count;
	spec->compat = compat;
	spec->compat_count = m->compat_count;
	return 0;
}
