// SPDX-License-Identifier: MIT
/*
 * Fuzz the delivery record reader (lugate_delivery_read), what `lugate status` trusts in the
 * booted kernel.
 *
 * The input is read as it is, and again with the embedded table re-framed with a correct
 * digest and the record's table_size made to match (else the digest hides every mutation of
 * the table). Every record accepted must:
 *  - be exactly header_size + table_size bytes, version 1, header 200;
 *  - hold only enum values, known flags, reason_count <= 32 <= ... reason_total >= count,
 *    stored reasons that are codes, zero padding behind them, the cut flag exactly when cut;
 *  - agree with itself: allowed means the target booted, no flag, no reason, a sealed table;
 *    refused means the fallback booted and a cause is named;
 *  - give a table view inside the input, which lugate_table_open reads the same way again,
 *    or, corrupt, only behind a table-corrupt first reason;
 *  - decode every field as the little-endian bytes at its documented offset;
 * and the same input read twice gives the same answer.
 */
#include <lugate/delivery_read.h>
#include "fuzz.h"

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void accepted(const uint8_t *rec, size_t size, const struct lugate_delivery *d)
{
	bool cause = false;

	FUZZ_ASSERT(size >= 200 && size == 200u + d->table_size);
	FUZZ_ASSERT(memcmp(rec, LUGATE_DELIVERY_MAGIC, 8) == 0);
	FUZZ_ASSERT(d->version == 1 && d->header_size == 200);
	FUZZ_ASSERT(d->version == ld32(rec + 8) && d->header_size == ld32(rec + 12) && d->verdict == ld32(rec + 16) &&
		    d->booted == ld32(rec + 20) && d->flags == ld32(rec + 24) && d->table_size == ld32(rec + 28) &&
		    d->reason_count == ld32(rec + 32) && d->reason_total == ld32(rec + 36));
	FUZZ_ASSERT(memcmp(d->booted_sha256, rec + 40, 32) == 0);
	FUZZ_ASSERT(d->verdict == LUGATE_DELIVERY_ALLOWED || d->verdict == LUGATE_DELIVERY_REFUSED);
	FUZZ_ASSERT(d->booted == LUGATE_DELIVERY_BOOTED_TARGET || d->booted == LUGATE_DELIVERY_BOOTED_FALLBACK);
	FUZZ_ASSERT((d->flags & ~LUGATE_DELIVERY_F_KNOWN) == 0);
	FUZZ_ASSERT(d->reason_count <= LUGATE_DELIVERY_MAX_REASONS && d->reason_total >= d->reason_count);
	FUZZ_ASSERT(!!(d->flags & LUGATE_DELIVERY_F_REASONS_CUT) == (d->reason_total > d->reason_count));
	for (uint32_t i = 0; i < LUGATE_DELIVERY_MAX_REASONS; i++) {
		FUZZ_ASSERT(d->reasons[i] == ld32(rec + 72 + (size_t)4 * i));
		if (i < d->reason_count)
			FUZZ_ASSERT(d->reasons[i] > LUGATE_REASON_NONE && d->reasons[i] < LUGATE_REASON_COUNT &&
				    lugate_reason_name((enum lugate_reason_code)d->reasons[i]) != NULL);
		else
			FUZZ_ASSERT(d->reasons[i] == 0);
	}
	for (uint32_t bit = 1; bit && bit <= LUGATE_DELIVERY_F_KNOWN; bit <<= 1)
		if (d->flags & bit) {
			FUZZ_ASSERT(lugate_delivery_flag_name(bit) != NULL);
			cause = cause || (bit & ~(LUGATE_DELIVERY_F_FALLBACK_VERIFIED | LUGATE_DELIVERY_F_REASONS_CUT));
		}
	if (d->verdict == LUGATE_DELIVERY_ALLOWED) {
		FUZZ_ASSERT(d->booted == LUGATE_DELIVERY_BOOTED_TARGET && d->flags == 0 && d->reason_total == 0);
		FUZZ_ASSERT(d->table_size > 0 && d->table_error == 0 && d->table.sealed);
	} else {
		FUZZ_ASSERT(d->booted == LUGATE_DELIVERY_BOOTED_FALLBACK);
		FUZZ_ASSERT(cause || d->reason_total > 0);
	}
	if (d->table_size == 0) {
		FUZZ_ASSERT(d->table_blob == NULL && d->table_error == 0);
		return;
	}
	FUZZ_ASSERT(d->table_blob == rec + 200);
	if (d->table_error == 0) {
		struct lugate_table t;
		FUZZ_ASSERT(fuzz_inside(rec, size, d->table.blob, d->table.blob_size));
		FUZZ_ASSERT(fuzz_inside(rec, size, d->table.fdt, d->table.fdt_size));
		FUZZ_ASSERT(lugate_table_open(d->table_blob, d->table_size, &t) == 0);
		FUZZ_ASSERT(t.device_count == d->table.device_count && t.sealed == d->table.sealed &&
			    strcmp(t.release, d->table.release) == 0);
	} else {
		struct lugate_table t;
		FUZZ_ASSERT(d->table_error < 0 && d->table_error >= -LUGATE_ERR_MAX);
		FUZZ_ASSERT(lugate_table_open(d->table_blob, d->table_size, &t) == d->table_error);
		FUZZ_ASSERT(d->verdict == LUGATE_DELIVERY_REFUSED && d->reason_count > 0 &&
			    d->reasons[0] == LUGATE_REASON_TABLE_CORRUPT);
	}
}

static void one_record(const uint8_t *rec, size_t size)
{
	struct lugate_delivery d, again;
	int err = lugate_delivery_read(rec, size, &d);

	FUZZ_ASSERT(err <= 0 && err >= -LUGATE_ERR_MAX);
	FUZZ_ASSERT(lugate_delivery_read(rec, size, &again) == err);
	if (err == 0)
		accepted(rec, size, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_dup(data, size, 0), *table, *rec;
	size_t table_size;

	one_record(copy, size);
	free(copy);
	/* the same header in front of the rest re-framed as a sound table frame */
	if (size < 200)
		return 0;
	table = fuzz_reframe(data + 200, size - 200, LUGATE_TABLE_MAGIC, &table_size);
	if (!table)
		return 0;
	rec = malloc(200 + table_size);
	FUZZ_ASSERT(rec);
	memcpy(rec, data, 200);
	memcpy(rec + 200, table, table_size);
	rec[28] = (uint8_t)table_size;
	rec[29] = (uint8_t)(table_size >> 8);
	rec[30] = (uint8_t)(table_size >> 16);
	rec[31] = (uint8_t)(table_size >> 24);
	one_record(rec, 200 + table_size);
	free(rec);
	free(table);
	return 0;
}
