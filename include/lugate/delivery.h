/* SPDX-License-Identifier: MIT */
/*
 * The delivery record: what a boot front end (the loader, lugate.efi) hands the kernel it
 * boots, in one setup_data entry of type LUGATE_SETUP_DATA_TYPE (docs/loader.md, "Delivery
 * record"). Wire ABI: the booted kernel, its init and tools read it, so it lives here beside
 * the core's other formats, not in a front end. Little-endian:
 *
 *   offset size field
 *   0      8    magic          "LUGDELIV"
 *   8      4    version        1
 *   12     4    header_size    bytes before the table (200 in version 1; a multiple of 8)
 *   16     4    verdict        1 = allowed, 2 = refused
 *   20     4    booted         1 = the approved target, 2 = the fallback
 *   24     4    flags          LUGATE_DELIVERY_F_* below
 *   28     4    table_size     bytes of table that follow the header (0: no table was given)
 *   32     4    reason_count   reason codes stored in reasons[]
 *   36     4    reason_total   reasons found (> reason_count: the list was cut)
 *   40     32   booted_sha256  SHA-256 of the image file that was booted
 *   72     128  reasons[32]    u32 lugate_reason_code values (include/lugate/check.h), 0-padded
 *   200    ...  table          the handoff table exactly as the front end received it
 *
 * On Linux the entry appears as /sys/kernel/boot_params/setup_data/<n>/ with
 * type = 0x4c554741 and data = this record.
 */
#ifndef LUGATE_DELIVERY_H
#define LUGATE_DELIVERY_H

#include <stdint.h>
#include <stddef.h>
#include <lugate/types.h>

#define LUGATE_SETUP_DATA_TYPE 0x4c554741u  /* "LUGA" read as a big-endian word; not a Linux SETUP_* */
#define LUGATE_DELIVERY_MAGIC "LUGDELIV"
#define LUGATE_DELIVERY_VERSION 1u
#define LUGATE_DELIVERY_MAX_REASONS 32u

enum lugate_delivery_verdict { LUGATE_DELIVERY_ALLOWED = 1, LUGATE_DELIVERY_REFUSED = 2 };
enum lugate_delivery_booted { LUGATE_DELIVERY_BOOTED_TARGET = 1, LUGATE_DELIVERY_BOOTED_FALLBACK = 2 };

/* flags */
#define LUGATE_DELIVERY_F_FALLBACK_VERIFIED (1u << 0) /* fallback matched the sealed fallback hash */
#define LUGATE_DELIVERY_F_REASONS_CUT (1u << 1)       /* more reasons than reasons[] holds */
#define LUGATE_DELIVERY_F_TABLE_UNSEALED (1u << 2)    /* refused: the table is not sealed to a target */
#define LUGATE_DELIVERY_F_NO_TARGET (1u << 3)         /* refused: no target image (loader: role=kernel) */
#define LUGATE_DELIVERY_F_TARGET_UNBOOTABLE (1u << 4) /* refused: target not a bootable 64-bit bzImage */
#define LUGATE_DELIVERY_F_NO_TABLE (1u << 5)          /* refused: no table (loader: role=table) */
#define LUGATE_DELIVERY_F_BAD_MODULES (1u << 6)       /* refused: malformed inputs (module roles, EFI config) */
#define LUGATE_DELIVERY_F_HANDOVER_UNREADABLE (1u << 7) /* refused: the outgoing kernel's LUO state is unreadable */

struct lugate_delivery_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint32_t verdict;
	uint32_t booted;
	uint32_t flags;
	uint32_t table_size;
	uint32_t reason_count;
	uint32_t reason_total;
	uint8_t booted_sha256[LUGATE_SHA256_SIZE];
	uint32_t reasons[LUGATE_DELIVERY_MAX_REASONS];
} __attribute__((packed));

_Static_assert(sizeof(struct lugate_delivery_header) == 200, "delivery header is 200 bytes");

#endif
