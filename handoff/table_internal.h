/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the handoff table's builder (table_build.c), its opener (table_open.c) and
 * the canonical device-node fast path (table_fast.c) share.
 */
#ifndef LUGATE_TABLE_INTERNAL_H
#define LUGATE_TABLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/table.h>
#include "bytes.h"
#include "fdtutil.h"

#define DEV_NAME_LEN 12 /* "dev@" + 8 hex digits */

/* /page-size: the outgoing kernel's page size, present only when it is not the default (a
 * table of a 4 KiB kernel stays byte for byte what it was before the property existed). */
#define TABLE_PAGE_SIZE_DEFAULT 4096u
static inline bool table_page_size_valid(uint32_t v)
{
	return v == 16384u || v == 65536u;
}

/* Every property name a table can hold, in the order the builder first uses them: see
 * table_names in table_open.c. */
enum {
	N_COMPATIBLE, N_RELEASE, N_PRESERVED, N_PAGE_SIZE, N_DEVICE, N_TARGET_SHA = N_DEVICE + 10, N_TARGET_RELEASE,
	N_FALLBACK_SHA, N_POLICY, N_COUNT
};

/* What opening learns about the tree's bytes beyond its content: where each name is in the
 * strings block (if the block is canonical), which names the tree uses, and whether every
 * byte so far is one lugate would write. */
struct canon_state {
	uint32_t off[N_COUNT];
	bool used[N_COUNT];
	bool ok;
};

/* Reads one device node in canonical order; on success *prop_end says whether the node had
 * no further properties. Used by both validation and iteration. */
struct raw_device {
	const uint8_t *u32[7];      /* segment, bus, device, function, vendor-id, device-id, class */
	const uint8_t *guid;
	const uint8_t *version;
	const char *driver;
	int driver_len;
};

/* The general path's reader (table_open.c): a device node's properties in canonical order. */
int table_read_raw_device(const void *fdt, int node, struct raw_device *rd);
/* The general path (table_open.c): any layout libfdt can walk; decides acceptance and names
 * the error. */
int table_validate_device(const void *fdt, int node, lugate_pci_addr *addr);

static inline void raw_to_device(const struct raw_device *rd, struct lugate_device *d)
{
	d->addr = lugate_pci_make((uint16_t)le32_load(rd->u32[0]), (uint8_t)le32_load(rd->u32[1]),
				  (uint8_t)le32_load(rd->u32[2]), (uint8_t)le32_load(rd->u32[3]));
	d->vendor_id = (uint16_t)le32_load(rd->u32[4]);
	d->device_id = (uint16_t)le32_load(rd->u32[5]);
	d->class_code = le32_load(rd->u32[6]);
	memcpy(d->schema.b, rd->guid, LUGATE_GUID_SIZE);
	d->schema_version = le32_load(rd->version);
	d->driver = rd->driver;
}

/* Whether a node name is "dev@" and the address as 8 lower-case hex digits (as
 * write_device formats it), compared without formatting the expected name. */
static inline bool name_matches_addr(const char *name, int len, lugate_pci_addr addr)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t diff;

	if (!name || len != DEV_NAME_LEN)
		return false;
	diff = (uint8_t)((name[0] ^ 'd') | (name[1] ^ 'e') | (name[2] ^ 'v') | (name[3] ^ '@'));
	for (unsigned i = 0; i < 8; i++)
		diff |= (uint8_t)(name[4 + i] ^ hex[(addr >> (28 - 4 * i)) & 15]);
	return diff == 0;
}

/* The checks on a device's values, whichever way its properties were found. */
static inline int check_device_values(const struct raw_device *rd)
{
	static const uint32_t limits[7] = { 0xffff, 0xff, 0x1f, 0x7, 0xffff, 0xffff, 0xffffff };

	for (unsigned i = 0; i < 7; i++)
		if (le32_load(rd->u32[i]) > limits[i])
			return LUGATE_ERR_RANGE;
	if (rd->driver_len != 1 && !fdtu_valid_string(rd->driver, rd->driver_len, LUGATE_DRIVER_MAX))
		return LUGATE_ERR_BADSTRING;
	if (rd->driver_len == 1 && rd->driver[0] != '\0')
		return LUGATE_ERR_BADSTRING;
	return 0;
}

/* The structure block, if the fast path may read it: version 17 (no 8-byte property
 * alignment, the block's size in the header) and inside the fdt_size bytes validated. */
static inline bool canon_block(const void *fdt, uint32_t fdt_size, const uint8_t **block, uint32_t *size)
{
	uint32_t off, len;

	if (fdt_size < sizeof(struct fdt_header) || fdt_version(fdt) < 17)
		return false;
	off = fdt_off_dt_struct(fdt);
	len = fdt_size_dt_struct(fdt);
	if (off > fdt_size || len > fdt_size - off)
		return false;
	*block = (const uint8_t *)fdt + off;
	*size = len;
	return true;
}

/* table_fast.c: validates every device under /devices (see there). */
int table_validate_devices(const void *fdt, uint32_t fdt_size, int devices, uint32_t *count,
			   int *devices_end, struct canon_state *cs);
/* table_fast.c: the sibling after a node, given the offset of the tag after it (see there). */
int table_canon_sibling(const void *fdt, const uint8_t *blk, uint32_t size, int node, uint32_t next,
			int *parent_end);

#endif
