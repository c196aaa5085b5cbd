// SPDX-License-Identifier: MIT
/* Reading the loader's delivery record in the booted kernel (see lugate/delivery_read.h). */
#include <string.h>
#include <lugate/check.h>
#include <lugate/delivery_read.h>
#include <lugate/error.h>
#include "bytes.h"

#define OFF_MAGIC 0
#define OFF_VERSION 8
#define OFF_HEADER_SIZE 12
#define OFF_VERDICT 16
#define OFF_BOOTED 20
#define OFF_FLAGS 24
#define OFF_TABLE_SIZE 28
#define OFF_REASON_COUNT 32
#define OFF_REASON_TOTAL 36
#define OFF_SHA256 40
#define OFF_REASONS 72
#define HEADER_V1 200u

/* Flags that only a refusal can carry: each names why the loader could not allow. */
#define REFUSAL_FLAGS (LUGATE_DELIVERY_F_TABLE_UNSEALED | LUGATE_DELIVERY_F_NO_TARGET | \
		       LUGATE_DELIVERY_F_TARGET_UNBOOTABLE | LUGATE_DELIVERY_F_NO_TABLE | \
		       LUGATE_DELIVERY_F_BAD_MODULES | LUGATE_DELIVERY_F_HANDOVER_UNREADABLE)

static int read_header(const uint8_t *p, size_t size, struct lugate_delivery *d)
{
	if (size < 8)
		return LUGATE_ERR_TRUNCATED;
	if (memcmp(p + OFF_MAGIC, LUGATE_DELIVERY_MAGIC, 8) != 0)
		return LUGATE_ERR_BADMAGIC;
	if (size < 16)
		return LUGATE_ERR_TRUNCATED;
	d->version = le32_load(p + OFF_VERSION);
	if (d->version != LUGATE_DELIVERY_VERSION)
		return LUGATE_ERR_BADVERSION;
	d->header_size = le32_load(p + OFF_HEADER_SIZE);
	if (d->header_size != HEADER_V1)
		return LUGATE_ERR_BADSIZE;
	if (size < HEADER_V1)
		return LUGATE_ERR_TRUNCATED;
	d->verdict = le32_load(p + OFF_VERDICT);
	d->booted = le32_load(p + OFF_BOOTED);
	d->flags = le32_load(p + OFF_FLAGS);
	d->table_size = le32_load(p + OFF_TABLE_SIZE);
	d->reason_count = le32_load(p + OFF_REASON_COUNT);
	d->reason_total = le32_load(p + OFF_REASON_TOTAL);
	memcpy(d->booted_sha256, p + OFF_SHA256, LUGATE_SHA256_SIZE);
	for (uint32_t i = 0; i < LUGATE_DELIVERY_MAX_REASONS; i++)
		d->reasons[i] = le32_load(p + OFF_REASONS + (size_t)4 * i);
	return 0;
}

/* The fields one by one, then how they must agree (what gate_fill_delivery can produce). */
static int check_fields(const struct lugate_delivery *d, size_t size)
{
	if (d->verdict != LUGATE_DELIVERY_ALLOWED && d->verdict != LUGATE_DELIVERY_REFUSED)
		return LUGATE_ERR_RANGE;
	if (d->booted != LUGATE_DELIVERY_BOOTED_TARGET && d->booted != LUGATE_DELIVERY_BOOTED_FALLBACK)
		return LUGATE_ERR_RANGE;
	if (d->flags & ~LUGATE_DELIVERY_F_KNOWN)
		return LUGATE_ERR_UNSUPPORTED;
	if ((uint64_t)HEADER_V1 + d->table_size > size)
		return LUGATE_ERR_TRUNCATED;
	if ((uint64_t)HEADER_V1 + d->table_size < size)
		return LUGATE_ERR_BADSIZE;
	if (d->reason_count > LUGATE_DELIVERY_MAX_REASONS || d->reason_total < d->reason_count)
		return LUGATE_ERR_BADSIZE;
	for (uint32_t i = 0; i < LUGATE_DELIVERY_MAX_REASONS; i++) {
		if (i < d->reason_count && (d->reasons[i] == LUGATE_REASON_NONE ||
					    d->reasons[i] >= LUGATE_REASON_COUNT))
			return LUGATE_ERR_RANGE;
		if (i >= d->reason_count && d->reasons[i] != 0)
			return LUGATE_ERR_BADPROP;
	}
	if (!(d->flags & LUGATE_DELIVERY_F_REASONS_CUT) != (d->reason_total == d->reason_count))
		return LUGATE_ERR_BADPROP;
	if (d->verdict == LUGATE_DELIVERY_ALLOWED) {
		if (d->booted != LUGATE_DELIVERY_BOOTED_TARGET || d->flags != 0 || d->reason_total != 0 ||
		    d->table_size == 0)
			return LUGATE_ERR_BADPROP;
	} else {
		if (d->booted != LUGATE_DELIVERY_BOOTED_FALLBACK)
			return LUGATE_ERR_BADPROP;
		if (d->reason_total == 0 && !(d->flags & REFUSAL_FLAGS))
			return LUGATE_ERR_BADPROP; /* a refusal names at least one cause */
	}
	return 0;
}

int lugate_delivery_read(const void *data, size_t size, struct lugate_delivery *out)
{
	const uint8_t *p = data;
	int err;

	if (!data || !out)
		return LUGATE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	err = read_header(p, size, out);
	if (err)
		return err;
	err = check_fields(out, size);
	if (err)
		return err;
	if (out->table_size == 0)
		return 0;
	out->table_blob = p + HEADER_V1;
	out->table_error = lugate_table_open(out->table_blob, out->table_size, &out->table);
	if (out->table_error == 0) {
		/* The loader allows only a table sealed to a target (else: table-unsealed). */
		if (out->verdict == LUGATE_DELIVERY_ALLOWED && !out->table.sealed)
			return LUGATE_ERR_BADPROP;
		return 0;
	}
	/* The loader delivers a corrupt table byte for byte, and then its first reason says so. */
	if (out->verdict == LUGATE_DELIVERY_REFUSED && out->reason_count > 0 &&
	    out->reasons[0] == LUGATE_REASON_TABLE_CORRUPT)
		return 0;
	return out->table_error;
}

const char *lugate_delivery_verdict_name(uint32_t verdict)
{
	if (verdict == LUGATE_DELIVERY_ALLOWED)
		return "allowed";
	if (verdict == LUGATE_DELIVERY_REFUSED)
		return "refused";
	return "unknown";
}

const char *lugate_delivery_booted_name(uint32_t booted)
{
	if (booted == LUGATE_DELIVERY_BOOTED_TARGET)
		return "target";
	if (booted == LUGATE_DELIVERY_BOOTED_FALLBACK)
		return "fallback";
	return "unknown";
}

const char *lugate_delivery_flag_name(uint32_t bit)
{
	switch (bit) {
	case LUGATE_DELIVERY_F_FALLBACK_VERIFIED: return "fallback-verified";
	case LUGATE_DELIVERY_F_REASONS_CUT: return "reasons-cut";
	case LUGATE_DELIVERY_F_TABLE_UNSEALED: return "table-unsealed";
	case LUGATE_DELIVERY_F_NO_TARGET: return "no-target";
	case LUGATE_DELIVERY_F_TARGET_UNBOOTABLE: return "target-unbootable";
	case LUGATE_DELIVERY_F_NO_TABLE: return "no-table";
	case LUGATE_DELIVERY_F_BAD_MODULES: return "bad-modules";
	case LUGATE_DELIVERY_F_HANDOVER_UNREADABLE: return "handover-unreadable";
	default: return NULL;
	}
}
