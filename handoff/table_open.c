// SPDX-License-Identifier: MIT
/*
 * The handoff table, opening: validate once (the general path, any layout libfdt can walk),
 * then read. Layout and rules: lugate/table.h and docs/handoff-format.md.
 */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/frame.h>
#include <lugate/table.h>
#include "bytes.h"
#include "fdtutil.h"
#include "table_internal.h"

/*
 * Every property name a table can hold, in the order the builder first uses them (root,
 * then the device properties, then /sealed's): the strings block is these, those used, in
 * reverse (fdtu_strings_layout). The device names are device_u32_names and the three after.
 */
static const char *const table_names[N_COUNT] = {
	"compatible", "release", "preserved-compatible", "page-size",
	"segment", "bus", "device", "function", "vendor-id", "device-id", "class",
	"schema-guid", "schema-version", "driver",
	"target-sha256", "target-release", "fallback-sha256", "policy",
};

/* A property just taken: its name offset must be the canonical one for its name. */
static inline void canon_name(struct canon_state *cs, unsigned name, uint32_t nameoff)
{
	cs->used[name] = true;
	cs->ok &= cs->off[name] == nameoff;
}

static const char *const device_u32_names[7] = {
	"segment", "bus", "device", "function", "vendor-id", "device-id", "class",
};

int table_read_raw_device(const void *fdt, int node, struct raw_device *rd)
{
	int prop = fdt_first_property_offset(fdt, node);

	for (unsigned i = 0; i < 7; i++) {
		rd->u32[i] = fdtu_take(fdt, &prop, device_u32_names[i], 4, NULL, NULL);
		if (!rd->u32[i])
			return LUGATE_ERR_BADPROP;
	}
	rd->guid = fdtu_take(fdt, &prop, "schema-guid", LUGATE_GUID_SIZE, NULL, NULL);
	rd->version = fdtu_take(fdt, &prop, "schema-version", 4, NULL, NULL);
	rd->driver = fdtu_take(fdt, &prop, "driver", -1, &rd->driver_len, NULL);
	if (!rd->guid || !rd->version || !rd->driver || prop >= 0)
		return LUGATE_ERR_BADPROP;
	return 0;
}

/* The general path: any layout libfdt can walk; decides acceptance and names the error. */
int table_validate_device(const void *fdt, int node, lugate_pci_addr *addr)
{
	struct raw_device rd;
	struct lugate_device d;
	const char *name;
	int len, err = table_read_raw_device(fdt, node, &rd);

	if (!err)
		err = check_device_values(&rd);
	if (err)
		return err;
	if (fdt_first_subnode(fdt, node) >= 0)
		return LUGATE_ERR_BADFDT;
	raw_to_device(&rd, &d);
	name = fdt_get_name(fdt, node, &len);
	if (!name_matches_addr(name, len, d.addr))
		return LUGATE_ERR_BADPROP;
	*addr = d.addr;
	return 0;
}

static int validate_sealed(const void *fdt, int node, struct lugate_table *t, struct canon_state *cs)
{
	int prop = fdt_first_property_offset(fdt, node);
	uint32_t nameoff;
	int len;
	const char *s;

	t->target_sha256 = fdtu_take(fdt, &prop, "target-sha256", LUGATE_SHA256_SIZE, NULL, &nameoff);
	if (!t->target_sha256)
		return LUGATE_ERR_BADPROP;
	canon_name(cs, N_TARGET_SHA, nameoff);
	s = fdtu_take(fdt, &prop, "target-release", -1, &len, &nameoff);
	if (s && !fdtu_valid_string(s, len, LUGATE_RELEASE_MAX))
		return LUGATE_ERR_BADSTRING;
	if (s)
		canon_name(cs, N_TARGET_RELEASE, nameoff);
	t->target_release = s;
	t->fallback_sha256 = fdtu_take(fdt, &prop, "fallback-sha256", LUGATE_SHA256_SIZE, NULL, &nameoff);
	if (t->fallback_sha256)
		canon_name(cs, N_FALLBACK_SHA, nameoff);
	s = fdtu_take(fdt, &prop, "policy", -1, &len, &nameoff);
	if (s && (len < 1 || len > (int)LUGATE_POLICY_TEXT_MAX + 1 || s[len - 1] != '\0' ||
		  memchr(s, '\0', (size_t)len - 1)))
		return LUGATE_ERR_BADSTRING;
	if (s)
		canon_name(cs, N_POLICY, nameoff);
	t->policy_text = s;
	if (prop >= 0 || fdt_first_subnode(fdt, node) >= 0)
		return LUGATE_ERR_BADPROP;
	t->sealed = true;
	return 0;
}

/* /page-size, if there: one u32 (little-endian, as every u32 of the table), never the default. */
static int take_page_size(const void *fdt, int *prop, struct lugate_table *t, struct canon_state *cs)
{
	uint32_t nameoff;
	const uint8_t *v = fdtu_take(fdt, prop, "page-size", 4, NULL, &nameoff);

	t->page_size = TABLE_PAGE_SIZE_DEFAULT;
	if (!v)
		return 0;
	canon_name(cs, N_PAGE_SIZE, nameoff);
	if (!table_page_size_valid(le32_load(v)))
		return LUGATE_ERR_BADPROP;
	t->page_size = le32_load(v);
	return 0;
}

static int validate_root(const void *fdt, struct lugate_table *t, struct canon_state *cs)
{
	int prop = fdt_first_property_offset(fdt, 0);
	uint32_t nameoff;
	int len;
	const char *s;

	s = fdtu_take(fdt, &prop, "compatible", -1, &len, &nameoff);
	if (!s || len != (int)sizeof(LUGATE_TABLE_COMPATIBLE) ||
	    memcmp(s, LUGATE_TABLE_COMPATIBLE, sizeof(LUGATE_TABLE_COMPATIBLE)) != 0)
		return LUGATE_ERR_BADCOMPAT;
	canon_name(cs, N_COMPATIBLE, nameoff);
	s = fdtu_take(fdt, &prop, "release", -1, &len, &nameoff);
	if (!s || !fdtu_valid_string(s, len, LUGATE_RELEASE_MAX))
		return LUGATE_ERR_BADPROP;
	canon_name(cs, N_RELEASE, nameoff);
	t->release = s;
	s = fdtu_take(fdt, &prop, "preserved-compatible", -1, &len, &nameoff);
	if (s) {
		canon_name(cs, N_PRESERVED, nameoff);
		if (!fdtu_valid_stringlist(s, len, LUGATE_COMPAT_MAX, LUGATE_TABLE_MAX_COMPAT,
					   &t->compat_count) || t->compat_count == 0)
			return LUGATE_ERR_BADSTRING;
		if (!fdtu_stringlist_unique(s, len))
			return LUGATE_ERR_DUPLICATE;
		t->compat_list = s;
		t->compat_prop_len = len;
	}
	if (take_page_size(fdt, &prop, t, cs) != 0 || prop >= 0)
		return LUGATE_ERR_BADPROP;
	return 0;
}

int lugate_table_open(const void *blob, size_t blob_size, struct lugate_table *out)
{
	struct lugate_table t;
	struct canon_state cs;
	const void *fdt;
	uint32_t fdt_size;
	const uint8_t *blk;
	uint32_t blk_size;
	int node, devices_end, err;

	if (!blob || !out)
		return LUGATE_ERR_INVAL;
	memset(&t, 0, sizeof(t));
	t.devices_node = -1;
	err = lugate_frame_open(blob, blob_size, LUGATE_TABLE_MAGIC, &fdt, &fdt_size);
	if (err)
		return err;
	memset(&cs, 0, sizeof(cs));
	err = fdtu_open(fdt, fdt_size, &cs.ok);
	if (err)
		return err;
	/* a strings block that is not the builder's leaves every offset absent: no name matches */
	if (fdtu_strings_layout(fdt, table_names, N_COUNT, cs.off) != 0) {
		cs.ok = false;
		memset(cs.off, 0xff, sizeof(cs.off));
	}
	t.fdt = fdt;
	t.fdt_size = fdt_size;
	t.blob = blob;
	t.blob_size = blob_size;
	err = validate_root(fdt, &t, &cs);
	if (err)
		return err;
	/* Subnodes in canonical order: devices, then optionally sealed; nothing else. */
	node = fdt_first_subnode(fdt, 0);
	if (node < 0 || strcmp(fdt_get_name(fdt, node, NULL), "devices") != 0)
		return LUGATE_ERR_BADPROP;
	t.devices_node = node;
	err = table_validate_devices(fdt, fdt_size, node, &t.device_count, &devices_end, &cs);
	if (err)
		return err;
	/* where the device walk ended, /devices' sibling is one tag away: no second walk */
	if (devices_end >= 0 && canon_block(fdt, fdt_size, &blk, &blk_size))
		node = table_canon_sibling(fdt, blk, blk_size, node, (uint32_t)devices_end, NULL);
	else
		node = fdt_next_subnode(fdt, node);
	if (node >= 0) {
		if (strcmp(fdt_get_name(fdt, node, NULL), "sealed") != 0)
			return LUGATE_ERR_BADPROP;
		err = validate_sealed(fdt, node, &t, &cs);
		if (err)
			return err;
		if (fdt_next_subnode(fdt, node) >= 0)
			return LUGATE_ERR_BADPROP;
	}
	/* the strings block holds exactly the names the tree uses */
	for (unsigned i = 0; i < N_COUNT; i++)
		cs.ok &= cs.used[i] == (cs.off[i] != FDTU_ABSENT);
	if (!cs.ok)
		return LUGATE_ERR_NONCANONICAL;
	*out = t;
	return 0;
}

const char *lugate_table_compat(const struct lugate_table *t, uint32_t i)
{
	return t ? fdtu_stringlist_at(t->compat_list, t->compat_prop_len, t->compat_count, i) : NULL;
}

int lugate_table_spec_of(const struct lugate_table *t, struct lugate_device *devices,
			 const char *compat[LUGATE_TABLE_MAX_COMPAT], struct lugate_table_spec *spec)
{
	int cursor = 0;
	uint32_t n = 0;

	if (!t || !compat || !spec || (t->device_count && !devices) || t->compat_count > LUGATE_TABLE_MAX_COMPAT)
		return LUGATE_ERR_INVAL;
	while (n < t->device_count && lugate_table_next_device(t, &cursor, &devices[n]) == 1)
		n++;
	if (n != t->device_count)
		return LUGATE_ERR_INVAL; /* not a table lugate_table_open accepted */
	fdtu_stringlist_all(t->compat_list, t->compat_prop_len, t->compat_count, compat);
	memset(spec, 0, sizeof(*spec));
	spec->release = t->release;
	spec->compat = compat;
	spec->compat_count = t->compat_count;
	spec->devices = devices;
	spec->device_count = n;
	spec->target_sha256 = t->target_sha256;
	spec->target_release = t->target_release;
	spec->fallback_sha256 = t->fallback_sha256;
	spec->policy_text = t->policy_text;
	spec->page_size = t->page_size;
	return 0;
}
