// SPDX-License-Identifier: MIT
/*
 * The handoff table, the canonical device node: a fast path for validating /devices and
 * for iterating over it. Layout and rules: lugate/table.h and docs/handoff-format.md.
 */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/table.h>
#include "bytes.h"
#include "fdtutil.h"
#include "table_internal.h"

/*
 * lugate_table_build writes every device node the same way: FDT_BEGIN_NODE, "dev@XXXXXXXX"
 * (its NUL and padding make 16 bytes), the ten properties in their fixed order with their
 * fixed sizes, FDT_END_NODE. In exactly that layout (no FDT_NOP, nothing else) every field
 * sits at a fixed offset from the node, so a device is read with a few loads instead of some
 * forty libfdt calls, each of which re-checks the header and bounds. Any other layout (NOPs,
 * an FDT older than version 17, repeated name strings) takes the general path (table_open.c),
 * which alone decides what is accepted and names the error: the fast path only ever agrees
 * with it.
 */
#define CANON_PROPS 10
#define CANON_FIRST_PROP (4 + DEV_NAME_LEN + 4)           /* tag + name + NUL, padded to 4 */
#define CANON_PROP_HEADER 12                              /* tag, value length, name offset */
#define CANON_U32_PROP_SIZE (CANON_PROP_HEADER + 4)
#define CANON_GUID_PROP (CANON_FIRST_PROP + 7 * CANON_U32_PROP_SIZE)
#define CANON_VERSION_PROP (CANON_GUID_PROP + CANON_PROP_HEADER + LUGATE_GUID_SIZE)
#define CANON_DRIVER_PROP (CANON_VERSION_PROP + CANON_U32_PROP_SIZE)
#define CANON_DRIVER_VALUE (CANON_DRIVER_PROP + CANON_PROP_HEADER)

/* Where a canonical node is: its offset, its driver value's length, and the tag after it. */
struct canon_node {
	const uint8_t *p;                 /* the node's FDT_BEGIN_NODE tag */
	uint32_t driver_len;
	uint32_t next;                    /* the tag after FDT_END_NODE */
};

/* Names are compared by their strings-block offset against those of a node the general path
 * accepted: equal offsets are the same string. */
struct canon_names {
	bool known;
	uint32_t nameoff[CANON_PROPS];
};

static const uint16_t canon_prop_at[CANON_PROPS] = {
	CANON_FIRST_PROP, CANON_FIRST_PROP + 16, CANON_FIRST_PROP + 32, CANON_FIRST_PROP + 48,
	CANON_FIRST_PROP + 64, CANON_FIRST_PROP + 80, CANON_FIRST_PROP + 96, CANON_GUID_PROP,
	CANON_VERSION_PROP, CANON_DRIVER_PROP,
};

/* The word two big-endian u32s make, as ne64_load reads it: a property header's tag and
 * length are compared in one operation, with no byte swap (the constant folds). */
static inline uint64_t be32_pair(uint32_t a, uint32_t b)
{
	const uint8_t x[8] = {
		(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a,
		(uint8_t)(b >> 24), (uint8_t)(b >> 16), (uint8_t)(b >> 8), (uint8_t)b,
	};
	return ne64_load(x);
}

/*
 * Whether the node at `node` has the canonical layout; false means "take the general path".
 * Every tag but the last sits at a fixed offset, so the loads do not wait on one another;
 * every read is inside the block.
 */
static inline bool canon_layout(const uint8_t *blk, uint32_t size, int node, struct canon_node *cn)
{
	const uint64_t u32_hdr = be32_pair(FDT_PROP, 4), guid_hdr = be32_pair(FDT_PROP, LUGATE_GUID_SIZE);
	const uint8_t *p;
	uint32_t off = (uint32_t)node, len, end;
	uint64_t differs;

	if (node < 0 || off > size || size - off < CANON_DRIVER_VALUE)
		return false;
	p = blk + off;
	differs = (uint64_t)((be32_load(p) ^ FDT_BEGIN_NODE) | p[4 + DEV_NAME_LEN]);
	differs |= ne64_load(p + canon_prop_at[0]) ^ u32_hdr;
	differs |= ne64_load(p + canon_prop_at[1]) ^ u32_hdr;
	differs |= ne64_load(p + canon_prop_at[2]) ^ u32_hdr;
	differs |= ne64_load(p + canon_prop_at[3]) ^ u32_hdr;
	differs |= ne64_load(p + canon_prop_at[4]) ^ u32_hdr;
	differs |= ne64_load(p + canon_prop_at[5]) ^ u32_hdr;
	differs |= ne64_load(p + canon_prop_at[6]) ^ u32_hdr;
	differs |= ne64_load(p + CANON_GUID_PROP) ^ guid_hdr;
	differs |= ne64_load(p + CANON_VERSION_PROP) ^ u32_hdr;
	differs |= be32_load(p + CANON_DRIVER_PROP) ^ FDT_PROP;
	len = be32_load(p + CANON_DRIVER_PROP + 4);
	if (differs || len > LUGATE_DRIVER_MAX + 1 || size - off - CANON_DRIVER_VALUE < len)
		return false;
	end = off + CANON_DRIVER_VALUE + ((len + 3) & ~3u);
	if (end > size || size - end < 4 || be32_load(blk + end) != FDT_END_NODE)
		return false;
	cn->p = p;
	cn->driver_len = len;
	cn->next = end + 4;
	return true;
}

/* A canonical node's values as the general path's reader returns them (validation). */
static void canon_raw(const struct canon_node *cn, struct raw_device *rd, uint32_t nameoff[CANON_PROPS])
{
	for (unsigned i = 0; i < 7; i++)
		rd->u32[i] = cn->p + canon_prop_at[i] + CANON_PROP_HEADER;
	rd->guid = cn->p + CANON_GUID_PROP + CANON_PROP_HEADER;
	rd->version = cn->p + CANON_VERSION_PROP + CANON_PROP_HEADER;
	rd->driver = (const char *)cn->p + CANON_DRIVER_VALUE;
	rd->driver_len = (int)cn->driver_len;
	for (unsigned i = 0; i < CANON_PROPS; i++)
		nameoff[i] = be32_load(cn->p + canon_prop_at[i] + 8);
}

/* A canonical node's device, read straight from the fixed offsets (iteration). */
static inline void canon_device(const struct canon_node *cn, struct lugate_device *d)
{
	const uint8_t *p = cn->p;
#define CANON_U32(i) le32_load(p + canon_prop_at[i] + CANON_PROP_HEADER)
	d->addr = lugate_pci_make((uint16_t)CANON_U32(0), (uint8_t)CANON_U32(1), (uint8_t)CANON_U32(2),
				  (uint8_t)CANON_U32(3));
	d->vendor_id = (uint16_t)CANON_U32(4);
	d->device_id = (uint16_t)CANON_U32(5);
	d->class_code = CANON_U32(6);
#undef CANON_U32
	memcpy(d->schema.b, p + CANON_GUID_PROP + CANON_PROP_HEADER, LUGATE_GUID_SIZE);
	d->schema_version = le32_load(p + CANON_VERSION_PROP + CANON_PROP_HEADER);
	d->driver = (const char *)p + CANON_DRIVER_VALUE;
}

/*
 * The sibling after a node, as fdt_next_subnode would find it, given `next`, the offset of
 * the tag after the node's FDT_END_NODE: FDT_BEGIN_NODE there is the sibling, FDT_END_NODE
 * closes the parent (then *parent_end, if given, is the offset after it); anything else is
 * left to libfdt.
 */
int table_canon_sibling(const void *fdt, const uint8_t *blk, uint32_t size, int node, uint32_t next,
			 int *parent_end)
{
	uint32_t tag;

	if (next > size || size - next < 4)
		return fdt_next_subnode(fdt, node);
	tag = be32_load(blk + next);
	if (tag == FDT_BEGIN_NODE)
		return (int)next;
	if (tag == FDT_END_NODE) {
		if (parent_end)
			*parent_end = (int)next + 4;
		return -FDT_ERR_NOTFOUND;
	}
	return fdt_next_subnode(fdt, node);
}

static bool canon_same_names(const struct canon_names *names, const uint32_t nameoff[CANON_PROPS])
{
	if (!names->known)
		return false;
	for (unsigned i = 0; i < CANON_PROPS; i++)
		if (names->nameoff[i] != nameoff[i])
			return false;
	return true;
}

/* Validates the device at `node` and finds its sibling; the fast path when it applies. */
static int validate_device_at(const void *fdt, const uint8_t *blk, uint32_t blk_size, int node,
			      const struct canon_names *names, lugate_pci_addr *addr, int *next, int *devices_end,
			      bool *canonical)
{
	struct canon_node cn;
	struct raw_device rd;
	uint32_t nameoff[CANON_PROPS];
	int err;

	if (!blk || !canon_layout(blk, blk_size, node, &cn)) {
		/* a node laid out otherwise (FDT_NOPs, other tags) is not one lugate writes */
		err = table_validate_device(fdt, node, addr);
		*canonical = false;
		*next = fdt_next_subnode(fdt, node);
		return err;
	}
	canon_raw(&cn, &rd, nameoff);
	if (canon_same_names(names, nameoff) && check_device_values(&rd) == 0) {
		struct lugate_device d;

		raw_to_device(&rd, &d);
		if (name_matches_addr((const char *)cn.p + 4, DEV_NAME_LEN, d.addr)) {
			*addr = d.addr;
			*next = table_canon_sibling(fdt, blk, blk_size, node, cn.next, devices_end);
			return 0;
		}
	}
	err = table_validate_device(fdt, node, addr);
	if (err)
		return err;
	/* The general path accepted a node whose name offsets are not the canonical ones
	 * (names->nameoff holds those): the names are right, their bytes are not lugate's. */
	if (!canon_same_names(names, nameoff))
		*canonical = false;
	*next = table_canon_sibling(fdt, blk, blk_size, node, cn.next, devices_end);
	return 0;
}

/* Validates every device under /devices. *devices_end: the offset after /devices'
 * FDT_END_NODE when the fast path saw it, else -1. cs->ok turns false on a device node lugate
 * would not write byte for byte (its names' offsets must be the strings block's canonical
 * ones, which, when that block is not canonical, no node has). */
int table_validate_devices(const void *fdt, uint32_t fdt_size, int devices, uint32_t *count,
			    int *devices_end, struct canon_state *cs)
{
	struct canon_names names = { .known = cs->off[N_DEVICE] != FDTU_ABSENT };
	const uint8_t *blk = NULL;
	uint32_t blk_size = 0;
	lugate_pci_addr prev = 0, addr = 0;
	uint32_t n = 0;
	int node, next, err;

	*devices_end = -1;
	if (fdt_first_property_offset(fdt, devices) >= 0)
		return LUGATE_ERR_BADPROP;
	for (unsigned i = 0; i < CANON_PROPS; i++)
		names.nameoff[i] = cs->off[N_DEVICE + i];
	if (!canon_block(fdt, fdt_size, &blk, &blk_size))
		blk = NULL;
	for (node = fdt_first_subnode(fdt, devices); node >= 0; node = next) {
		err = validate_device_at(fdt, blk, blk_size, node, &names, &addr, &next, devices_end, &cs->ok);
		if (err)
			return err;
		if (n > 0 && addr == prev)
			return LUGATE_ERR_DUPLICATE;
		if (n > 0 && addr < prev)
			return LUGATE_ERR_UNSORTED;
		if (++n > LUGATE_TABLE_MAX_DEVICES)
			return LUGATE_ERR_TOOMANY;
		prev = addr;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return LUGATE_ERR_BADFDT;
	for (unsigned i = 0; i < CANON_PROPS; i++)
		cs->used[N_DEVICE + i] = n > 0;
	*count = n;
	return 0;
}

int lugate_table_next_device(const struct lugate_table *t, int *cursor, struct lugate_device *dev)
{
	struct raw_device rd;
	struct canon_node cn;
	const uint8_t *blk;
	uint32_t blk_size;
	int node;

	if (!t || !cursor || !dev || t->devices_node < 0)
		return LUGATE_ERR_INVAL;
	if (*cursor < 0)
		return 0;
	node = *cursor == 0 ? fdt_first_subnode(t->fdt, t->devices_node) : *cursor;
	if (node < 0) {
		*cursor = -1;
		return 0;
	}
	/* lugate_table_open proved every device node has exactly the canonical properties (NOPs
	 * aside); a node read at the canonical offsets has no NOPs, so no name needs a look-up. */
	if (canon_block(t->fdt, t->fdt_size, &blk, &blk_size) && canon_layout(blk, blk_size, node, &cn)) {
		canon_device(&cn, dev);
		node = table_canon_sibling(t->fdt, blk, blk_size, node, cn.next, NULL);
	} else {
		if (table_read_raw_device(t->fdt, node, &rd) != 0)
			return LUGATE_ERR_INVAL; /* cannot happen on a table lugate_table_open accepted */
		raw_to_device(&rd, dev);
		node = fdt_next_subnode(t->fdt, node);
	}
	*cursor = node < 0 ? -1 : node;
	return 1;
}
