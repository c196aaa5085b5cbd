/* SPDX-License-Identifier: MIT */
/*
 * Reading the delivery record (lugate/delivery.h) in the kernel that was booted: every field
 * checked once, so a front end (`lugate status`) never reads an unchecked byte of it.
 */
#ifndef LUGATE_DELIVERY_READ_H
#define LUGATE_DELIVERY_READ_H

#include <lugate/delivery.h>
#include <lugate/table.h>

#define LUGATE_DELIVERY_F_KNOWN 0xffu /* every flag version 1 defines */

struct lugate_delivery {
	uint32_t version;
	uint32_t header_size;
	uint32_t verdict;             /* enum lugate_delivery_verdict */
	uint32_t booted;              /* enum lugate_delivery_booted */
	uint32_t flags;
	uint32_t table_size;
	uint32_t reason_count;
	uint32_t reason_total;
	uint8_t booted_sha256[LUGATE_SHA256_SIZE];
	uint32_t reasons[LUGATE_DELIVERY_MAX_REASONS]; /* enum lugate_reason_code values */
	const void *table_blob;       /* inside the caller's buffer; NULL when table_size is 0 */
	/* 0: table (when table_size > 0) opened. Negative: the loader was handed a corrupt table
	 * and refused for it (reasons[0] is table-corrupt); the record itself is still sound. */
	int table_error;
	struct lugate_table table;    /* valid only when table_size > 0 and table_error == 0 */
};

/*
 * Verify and decode a delivery record (the setup_data entry's data, exactly `size` bytes):
 * magic, version, header size, sizes, the enums and flags, the reasons and their padding,
 * the agreement between verdict, booted kernel, flags and reasons, and the embedded table's
 * frame and content. Never allocates; views point into `data`.
 * Returns 0 or a negative LUGATE_ERR_*.
 */
int lugate_delivery_read(const void *data, size_t size, struct lugate_delivery *out);

/* "allowed"/"refused", "target"/"fallback"; "unknown" for anything else. Never NULL. */
const char *lugate_delivery_verdict_name(uint32_t verdict);
const char *lugate_delivery_booted_name(uint32_t booted);
/* The stable name of flag bit `bit` (a single LUGATE_DELIVERY_F_* value), or NULL. */
const char *lugate_delivery_flag_name(uint32_t bit);

#endif
