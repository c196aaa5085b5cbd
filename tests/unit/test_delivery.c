// SPDX-License-Identifier: MIT
/* The delivery record as the booted kernel reads it: every field, every corruption. */
#include <lugate/delivery_read.h>
#include "helpers.h"

/* Written field by field at the documented offsets (docs/loader.md), not through the struct,
 * so a layout change in the header would show here. */
struct rec_spec {
	uint32_t version, header_size, verdict, booted, flags, reason_count, reason_total;
	uint8_t sha[32];
	uint32_t reasons[32];
	const uint8_t *table;
	size_t table_size;
};

static void st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static size_t make_record(const struct rec_spec *s, uint8_t **out)
{
	size_t size = 200 + s->table_size;
	uint8_t *p = calloc(1, size + 1);
	assert_non_null(p);
	memcpy(p, "LUGDELIV", 8);
	st32(p + 8, s->version);
	st32(p + 12, s->header_size);
	st32(p + 16, s->verdict);
	st32(p + 20, s->booted);
	st32(p + 24, s->flags);
	st32(p + 28, (uint32_t)s->table_size);
	st32(p + 32, s->reason_count);
	st32(p + 36, s->reason_total);
	memcpy(p + 40, s->sha, 32);
	for (int i = 0; i < 32; i++)
		st32(p + 72 + 4 * i, s->reasons[i]);
	if (s->table_size)
		memcpy(p + 200, s->table, s->table_size);
	*out = p;
	return size;
}

static size_t sealed_table(uint8_t **out)
{
	static const uint8_t sha_t[32] = { 0xaa, 0xbb }, sha_f[32] = { 0xcc };
	struct lugate_device devs[2] = {
		make_device("0000:3b:00.0", GUID_A, 2, "mlx5_core"),
		make_device("0000:03:00.0", GUID_B, 1, ""),
	};
	struct lugate_table_spec spec = {
		.release = "6.1.0-55-amd64", .devices = devs, .device_count = 2,
		.target_sha256 = sha_t, .target_release = "6.1.0-56-amd64", .fallback_sha256 = sha_f,
		.policy_text = "paths = same stable-next\n",
	};
	return build_table(&spec, out);
}

static struct rec_spec allowed_spec(const uint8_t *table, size_t table_size)
{
	struct rec_spec s = { .version = 1, .header_size = 200, .verdict = 1, .booted = 1,
			      .table = table, .table_size = table_size };
	for (int i = 0; i < 32; i++)
		s.sha[i] = (uint8_t)(0x40 + i);
	return s;
}

static void allowed_target_fields(void **state)
{
	(void)state;
	uint8_t *table, *rec;
	size_t tsize = sealed_table(&table);
	struct rec_spec s = allowed_spec(table, tsize);
	size_t size = make_record(&s, &rec);
	struct lugate_delivery d;

	assert_int_equal(lugate_delivery_read(rec, size, &d), 0);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.header_size, 200);
	assert_int_equal(d.verdict, LUGATE_DELIVERY_ALLOWED);
	assert_int_equal(d.booted, LUGATE_DELIVERY_BOOTED_TARGET);
	assert_int_equal(d.flags, 0);
	assert_int_equal(d.table_size, tsize);
	assert_int_equal(d.reason_count, 0);
	assert_int_equal(d.reason_total, 0);
	assert_memory_equal(d.booted_sha256, s.sha, 32);
	assert_ptr_equal(d.table_blob, rec + 200);
	assert_int_equal(d.table_error, 0);
	assert_string_equal(d.table.release, "6.1.0-55-amd64");
	assert_true(d.table.sealed);
	assert_string_equal(d.table.target_release, "6.1.0-56-amd64");
	assert_int_equal(d.table.target_sha256[0], 0xaa);
	assert_int_equal(d.table.device_count, 2);
	assert_string_equal(lugate_delivery_verdict_name(d.verdict), "allowed");
	assert_string_equal(lugate_delivery_booted_name(d.booted), "target");
	free(rec);
	free(table);
}

static void refused_fallback_fields(void **state)
{
	(void)state;
	uint8_t *table, *rec;
	size_t tsize = sealed_table(&table);
	struct rec_spec s = allowed_spec(table, tsize);
	struct lugate_delivery d;

	s.verdict = 2;
	s.booted = 2;
	s.flags = LUGATE_DELIVERY_F_FALLBACK_VERIFIED | LUGATE_DELIVERY_F_REASONS_CUT;
	s.reason_count = 32;
	s.reason_total = 40;
	for (uint32_t i = 0; i < 32; i++)
		s.reasons[i] = 1 + i % (LUGATE_REASON_TABLE_CORRUPT - 1);
	size_t size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), 0);
	assert_int_equal(d.verdict, LUGATE_DELIVERY_REFUSED);
	assert_int_equal(d.booted, LUGATE_DELIVERY_BOOTED_FALLBACK);
	assert_int_equal(d.flags, 3);
	assert_int_equal(d.reason_count, 32);
	assert_int_equal(d.reason_total, 40);
	for (uint32_t i = 0; i < 32; i++)
		assert_int_equal(d.reasons[i], s.reasons[i]);
	assert_string_equal(lugate_delivery_verdict_name(d.verdict), "refused");
	assert_string_equal(lugate_delivery_booted_name(d.booted), "fallback");
	assert_string_equal(lugate_reason_name((enum lugate_reason_code)d.reasons[0]), "downgrade");
	free(rec);

	/* reasons cut without the flag, or the flag without a cut: inconsistent */
	s.flags = LUGATE_DELIVERY_F_FALLBACK_VERIFIED;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADPROP);
	free(rec);
	s.flags = LUGATE_DELIVERY_F_REASONS_CUT;
	s.reason_total = 32;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADPROP);
	free(rec);
	/* more reasons stored than the record holds, or fewer found than stored */
	s.flags = 0;
	s.reason_count = 33;
	s.reason_total = 33;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADSIZE);
	free(rec);
	s.reason_count = 2;
	s.reason_total = 1;
	memset(s.reasons + 2, 0, sizeof(s.reasons) - 2 * sizeof(s.reasons[0]));
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADSIZE);
	free(rec);
	/* a stored reason 0 or past the last code */
	s.reason_total = 2;
	s.reasons[1] = 0;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_RANGE);
	free(rec);
	s.reasons[1] = LUGATE_REASON_COUNT;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_RANGE);
	free(rec);
	/* a refusal with neither reasons nor a refusal flag names no cause */
	memset(s.reasons, 0, sizeof(s.reasons));
	s.reason_count = s.reason_total = 0;
	s.flags = LUGATE_DELIVERY_F_FALLBACK_VERIFIED;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADPROP);
	free(rec);
	s.flags = LUGATE_DELIVERY_F_TABLE_UNSEALED;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), 0);
	free(rec);
	free(table);
}

static void refused_without_table(void **state)
{
	(void)state;
	struct rec_spec s = allowed_spec(NULL, 0);
	struct lugate_delivery d;
	uint8_t *rec;

	s.verdict = 2;
	s.booted = 2;
	s.flags = LUGATE_DELIVERY_F_NO_TABLE;
	size_t size = make_record(&s, &rec);
	assert_int_equal(size, 200);
	assert_int_equal(lugate_delivery_read(rec, size, &d), 0);
	assert_null(d.table_blob);
	assert_int_equal(d.table_size, 0);
	assert_int_equal(d.table_error, 0);
	free(rec);
	/* allowed without a table is not something the loader writes */
	s.verdict = 1;
	s.booted = 1;
	s.flags = 0;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADPROP);
	free(rec);
}

static void corrupt_table_delivered(void **state)
{
	(void)state;
	uint8_t *table, *rec;
	size_t tsize = sealed_table(&table);
	struct rec_spec s = allowed_spec(table, tsize);
	struct lugate_delivery d;

	table[tsize - 1] ^= 1; /* payload byte: the frame digest no longer matches */
	size_t size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADHASH);
	free(rec);
	/* the same table, delivered with the refusal the loader gives it: a sound record */
	s.verdict = 2;
	s.booted = 2;
	s.reason_count = s.reason_total = 1;
	s.reasons[0] = LUGATE_REASON_TABLE_CORRUPT;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), 0);
	assert_int_equal(d.table_error, LUGATE_ERR_BADHASH);
	assert_ptr_equal(d.table_blob, rec + 200);
	free(rec);
	/* a corrupt table with some other first reason is a corrupt record */
	s.reasons[0] = LUGATE_REASON_DOWNGRADE;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADHASH);
	free(rec);
	free(table);
}

static void allowed_needs_sealed_table(void **state)
{
	(void)state;
	struct lugate_device dev = make_device("0000:3b:00.0", GUID_A, 2, "mlx5_core");
	struct lugate_table_spec spec = { .release = "6.1.0-55-amd64", .devices = &dev, .device_count = 1 };
	struct lugate_delivery d;
	uint8_t *table, *rec;
	size_t tsize = build_table(&spec, &table);
	struct rec_spec s = allowed_spec(table, tsize);
	size_t size = make_record(&s, &rec);

	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADPROP);
	free(rec);
	free(table);
}

static void header_field_errors(void **state)
{
	(void)state;
	uint8_t *table, *rec;
	size_t tsize = sealed_table(&table);
	struct rec_spec s = allowed_spec(table, tsize);
	struct lugate_delivery d;
	size_t size;

	s.version = 2;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADVERSION);
	free(rec);
	s.version = 1;
	s.header_size = 208;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADSIZE);
	free(rec);
	s.header_size = 200;
	s.verdict = 3;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_RANGE);
	free(rec);
	s.verdict = 1;
	s.booted = 0;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_RANGE);
	free(rec);
	s.booted = 2; /* allowed, yet the fallback booted */
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADPROP);
	free(rec);
	s.booted = 1;
	s.flags = 0x100;
	size = make_record(&s, &rec);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_UNSUPPORTED);
	free(rec);
	s.flags = 0;
	size = make_record(&s, &rec);
	memcpy(rec, "LUGTABLE", 8);
	assert_int_equal(lugate_delivery_read(rec, size, &d), LUGATE_ERR_BADMAGIC);
	/* one byte more than header + table: one meaning only */
	memcpy(rec, "LUGDELIV", 8);
	assert_int_equal(lugate_delivery_read(rec, size + 1, &d), LUGATE_ERR_BADSIZE);
	assert_int_equal(lugate_delivery_read(NULL, size, &d), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_delivery_read(rec, size, NULL), LUGATE_ERR_INVAL);
	free(rec);
	free(table);
}

/* Every byte of a sound record, set to each of its 255 other values: only the booted image's
 * hash may change (it is any 32 bytes), and then exactly that byte changes. */
static void every_byte_changed(void **state)
{
	(void)state;
	uint8_t *table, *rec;
	size_t tsize = sealed_table(&table);
	struct rec_spec s = allowed_spec(table, tsize);
	size_t size = make_record(&s, &rec);
	struct lugate_delivery d;
	unsigned accepted = 0;

	for (size_t off = 0; off < size; off++) {
		uint8_t orig = rec[off];
		for (unsigned v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			rec[off] = (uint8_t)v;
			int r = lugate_delivery_read(rec, size, &d);
			if (off >= 40 && off < 72) {
				assert_int_equal(r, 0);
				assert_int_equal(d.booted_sha256[off - 40], v);
				accepted++;
			} else if (r == 0) {
				fail_msg("byte %zu set to 0x%02x was accepted", off, v);
			} else {
				assert_true(r < 0);
			}
		}
		rec[off] = orig;
	}
	assert_int_equal(accepted, 32 * 255);
	assert_int_equal(lugate_delivery_read(rec, size, &d), 0);
	free(rec);
	free(table);
}

static void every_truncation(void **state)
{
	(void)state;
	uint8_t *table, *rec;
	size_t tsize = sealed_table(&table);
	struct rec_spec s = allowed_spec(table, tsize);
	size_t size = make_record(&s, &rec);
	struct lugate_delivery d;

	for (size_t n = 0; n < size; n++) {
		/* a copy of exactly n bytes, so a read past n is a fault under the sanitizers */
		uint8_t *cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, rec, n);
		int r = lugate_delivery_read(cut, n, &d);
		if (r != LUGATE_ERR_TRUNCATED)
			fail_msg("record cut to %zu bytes: %d, want truncated", n, r);
		free(cut);
	}
	free(rec);
	free(table);
}

static void flag_names(void **state)
{
	(void)state;
	static const char *const want[] = { "fallback-verified", "reasons-cut", "table-unsealed", "no-target",
					     "target-unbootable", "no-table", "bad-modules", "handover-unreadable" };
	for (unsigned i = 0; i < 8; i++)
		assert_string_equal(lugate_delivery_flag_name(1u << i), want[i]);
	assert_null(lugate_delivery_flag_name(1u << 8));
	assert_null(lugate_delivery_flag_name(3));
	assert_int_equal(LUGATE_DELIVERY_F_KNOWN, 0xff);
	assert_string_equal(lugate_delivery_verdict_name(0), "unknown");
	assert_string_equal(lugate_delivery_booted_name(3), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allowed_target_fields),
		cmocka_unit_test(refused_fallback_fields),
		cmocka_unit_test(refused_without_table),
		cmocka_unit_test(corrupt_table_delivered),
		cmocka_unit_test(allowed_needs_sealed_table),
		cmocka_unit_test(header_field_errors),
		cmocka_unit_test(every_byte_changed),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(flag_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
