/* SPDX-License-Identifier: MIT */
/*
 * The handoff table: what the outgoing kernel preserved, for the next kernel and the gate.
 * A frame (lugate/frame.h, magic "LUGTABLE") around a flattened device tree laid out the
 * KHO way (native little-endian properties, no reg/#cells semantics):
 *
 *   / {
 *       compatible = "lugate,handoff-v1";
 *       release = "6.1.0-55-amd64";                 outgoing kernel's release
 *       preserved-compatible = "kho-v1", "luo-v1";  optional string list
 *       devices {
 *           dev@00003b00 {                         unit = address as 8 hex digits
 *               segment = <u32>; bus = <u32>; device = <u32>; function = <u32>;
 *               vendor-id = <u32>; device-id = <u32>; class = <u32>;
 *               schema-guid = [16 bytes]; schema-version = <u32>;
 *               driver = "mlx5_core";               informational only
 *           };
 *       };
 *       sealed {                                    only once sealed to a target
 *           target-sha256 = [32 bytes];
 *           target-release = "6.1.0-56-amd64";
 *           fallback-sha256 = [32 bytes];           optional
 *           policy = "paths = same stable-next\n";  the policy in force at sealing
 *       };
 *   };
 *
 * The full description is docs/handoff-format.md.
 */
#ifndef LUGATE_TABLE_H
#define LUGATE_TABLE_H

#include <lugate/types.h>

#define LUGATE_TABLE_COMPATIBLE "lugate,handoff-v1"
#define LUGATE_TABLE_MAX_DEVICES 131072u
#define LUGATE_TABLE_MAX_COMPAT 32u
#define LUGATE_POLICY_TEXT_MAX 16384u /* fits the largest canonical policy (64 allow lines) */

struct lugate_device {
	lugate_pci_addr addr;
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code;          /* 24-bit PCI class code */
	struct lugate_guid schema;
	uint32_t schema_version;
	const char *driver;           /* "" if none; informational, never used for decisions */
};

/* Building: the caller describes the table; the core writes it into the caller's buffer. */
struct lugate_table_spec {
	const char *release;
	const char *const *compat;    /* preserved KHO/LUO compatible strings */
	size_t compat_count;
	const struct lugate_device *devices; /* any order; sorted by the builder */
	size_t device_count;
	/* sealing (all optional): */
	const uint8_t *target_sha256;
	const char *target_release;
	const uint8_t *fallback_sha256;
	const char *policy_text;
	/* The outgoing kernel's page size, written as /page-size only when it is not 4096 (so
	 * tables of 4 KiB kernels stay as they were); 0 means 4096. */
	uint32_t page_size;
};

/*
 * Build a framed table into buf. Returns the number of bytes written, or a negative error;
 * on LUGATE_ERR_NOSPACE *needed (if non-NULL) says how much is required. The device array
 * is not modified: ordering is done on an index scratch array the caller provides
 * (scratch_count >= device_count uint32_t entries), keeping the core allocation-free.
 */
long lugate_table_build(void *buf, size_t buf_size, const struct lugate_table_spec *spec,
			uint32_t *scratch, size_t scratch_count, size_t *needed);

/* A verified table: only produced by lugate_table_open, read-only views into the blob. */
struct lugate_table {
	const void *blob;             /* the framed table as given to lugate_table_open */
	size_t blob_size;
	const void *fdt;
	uint32_t fdt_size;
	const char *release;
	uint32_t device_count;
	uint32_t compat_count;
	int compat_prop_len;          /* internal: length of the preserved-compatible list */
	const char *compat_list;      /* internal: NUL-separated list */
	int devices_node;             /* internal: FDT offset of /devices, or -1 */
	bool sealed;
	const uint8_t *target_sha256;   /* NULL unless sealed */
	const char *target_release;     /* NULL unless sealed */
	const uint8_t *fallback_sha256; /* NULL if none */
	const char *policy_text;        /* NULL if none */
	uint32_t page_size;             /* the outgoing kernel's: /page-size, or 4096 when absent */
};

/*
 * Validate everything once: frame and digest, FDT structure, root compatible, every
 * property's presence and size, every string's termination, address order and
 * uniqueness, field ranges. After success, the accessors below cannot fail on content.
 */
int lugate_table_open(const void *blob, size_t blob_size, struct lugate_table *out);

/* Iterate the devices in address order: *cursor starts at 0; returns 1 with *dev filled,
 * 0 at the end, negative only on misuse. */
int lugate_table_next_device(const struct lugate_table *t, int *cursor, struct lugate_device *dev);

/* The i-th preserved compatible string (0 <= i < compat_count), or NULL. */
const char *lugate_table_compat(const struct lugate_table *t, uint32_t i);

/*
 * The spec that builds t again, byte for byte (lugate_table_build): devices (room for
 * t->device_count) and compat are the caller's, filled here; the strings point into t's blob.
 * A front end that seals the table again sets the sealing fields after. 0, or
 * LUGATE_ERR_INVAL on misuse.
 */
int lugate_table_spec_of(const struct lugate_table *t, struct lugate_device *devices,
			 const char *compat[LUGATE_TABLE_MAX_COMPAT], struct lugate_table_spec *spec);

#endif
