// SPDX-License-Identifier: MIT
/*
 * The handoff table: build (canonical layout, sorted, unique) and open (validate once).
 * Layout and rules: lugate/table.h and docs/handoff-format.md.
 */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/fmt.h>
#include <lugate/frame.h>
#include <lugate/policy.h>
#include <lugate/table.h>
#include "bytes.h"
#include "fdtutil.h"
#include "sort.h"

#define DEV_NAME_LEN 12 /* "dev@" + 8 hex digits */

/* ---- building ---------------------------------------------------------------------- */

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* A safe upper bound for the framed size of a table built from spec. */
static size_t table_size_bound(const struct lugate_table_spec *spec)
{
	size_t size = LUGATE_FRAME_HEADER_SIZE + 1024; /* header, reserve map, names, fixed nodes */

	size += 16 + align4(LUGATE_RELEASE_MAX + 1) * 2;
	for (size_t i = 0; i < spec->compat_count; i++)
		size += spec->compat[i] ? strnlen(spec->compat[i], LUGATE_COMPAT_MAX + 1) + 1 : 0;
	size = align4(size) + 12;
	/* per device: node begin+name 20, 8 u32 props 128, guid 28, driver <= 76, end 4 */
	size += spec->device_count * 256;
	if (spec->policy_text)
		size += 12 + align4(strnlen(spec->policy_text, LUGATE_POLICY_TEXT_MAX + 1) + 1);
	size += (size_t)2 * (12 + LUGATE_SHA256_SIZE);
	return size;
}

static bool valid_text(const char *s, size_t max_len, bool allow_empty)
{
	size_t n;
	if (!s)
		return false;
	n = strnlen(s, max_len + 1);
	if (n > max_len || (n == 0 && !allow_empty))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool valid_compat(const char *s)
{
	return valid_text(s, LUGATE_COMPAT_MAX, false) && !memchr(s, ' ', strlen(s));
}

static bool valid_release_text(const char *s)
{
	struct lugate_release rel;
	return valid_text(s, LUGATE_RELEASE_MAX, false) &&
	       lugate_release_parse(s, strlen(s), &rel) == 0;
}

static int check_spec(const struct lugate_table_spec *spec)
{
	if (!valid_release_text(spec->release))
		return LUGATE_ERR_BADRELEASE;
	if (spec->compat_count > LUGATE_TABLE_MAX_COMPAT)
		return LUGATE_ERR_TOOMANY;
	for (size_t i = 0; i < spec->compat_count; i++) {
		if (!valid_compat(spec->compat[i]))
			return LUGATE_ERR_BADSTRING;
		for (size_t j = 0; j < i; j++)
			if (strcmp(spec->compat[i], spec->compat[j]) == 0)
				return LUGATE_ERR_DUPLICATE;
	}
	if (spec->device_count > LUGATE_TABLE_MAX_DEVICES)
		return LUGATE_ERR_TOOMANY;
	if (spec->device_count && !spec->devices)
		return LUGATE_ERR_INVAL;
	for (size_t i = 0; i < spec->device_count; i++) {
		const struct lugate_device *d = &spec->devices[i];
		if (d->class_code > 0xffffff)
			return LUGATE_ERR_RANGE;
		if (d->driver && !valid_text(d->driver, LUGATE_DRIVER_MAX, true))
			return LUGATE_ERR_BADSTRING;
	}
	if (spec->target_release && !valid_release_text(spec->target_release))
		return LUGATE_ERR_BADRELEASE;
	if (!spec->target_sha256 && (spec->target_release || spec->fallback_sha256 || spec->policy_text))
		return LUGATE_ERR_INVAL; /* sealing data without a target hash means nothing */
	if (spec->policy_text) {
		size_t n = strnlen(spec->policy_text, LUGATE_POLICY_TEXT_MAX + 1);
		if (n > LUGATE_POLICY_TEXT_MAX)
			return LUGATE_ERR_TOOMANY;
	}
	return 0;
}

static int device_cmp(const void *ctx, uint32_t a, uint32_t b)
{
	const struct lugate_device *devs = ctx;
	return devs[a].addr < devs[b].addr ? -1 : devs[a].addr > devs[b].addr;
}

static int prop_u32(void *fdt, const char *name, uint32_t v)
{
	uint8_t le[4];
	le32_store(le, v);
	return fdt_property(fdt, name, le, sizeof(le));
}

static int write_device(void *fdt, const struct lugate_device *d)
{
	char name[DEV_NAME_LEN + 1];
	struct lugate_fmt f;
	int err;

	lugate_fmt_init(&f, name, sizeof(name));
	lugate_fmt_str(&f, "dev@");
	lugate_fmt_hex(&f, d->addr, 8);
	err = fdt_begin_node(fdt, name);
	if (!err)
		err = prop_u32(fdt, "segment", lugate_pci_segment(d->addr));
	if (!err)
		err = prop_u32(fdt, "bus", lugate_pci_bus(d->addr));
	if (!err)
		err = prop_u32(fdt, "device", lugate_pci_device(d->addr));
	if (!err)
		err = prop_u32(fdt, "function", lugate_pci_function(d->addr));
	if (!err)
		err = prop_u32(fdt, "vendor-id", d->vendor_id);
	if (!err)
		err = prop_u32(fdt, "device-id", d->device_id);
	if (!err)
		err = prop_u32(fdt, "class", d->class_code);
	if (!err)
		err = fdt_property(fdt, "schema-guid", d->schema.b, LUGATE_GUID_SIZE);
	if (!err)
		err = prop_u32(fdt, "schema-version", d->schema_version);
	if (!err)
		err = fdt_property_string(fdt, "driver", d->driver ? d->driver : "");
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int write_compat_list(void *fdt, const char *name, const char *const *list, size_t count)
{
	size_t total = 0;
	char *val;
	int err;

	for (size_t i = 0; i < count; i++)
		total += strlen(list[i]) + 1;
	err = fdt_property_placeholder(fdt, name, (int)total, (void **)&val);
	if (err)
		return err;
	for (size_t i = 0; i < count; i++) {
		size_t n = strlen(list[i]) + 1;
		memcpy(val, list[i], n);
		val += n;
	}
	return 0;
}

static int write_sealed(void *fdt, const struct lugate_table_spec *spec)
{
	int err = fdt_begin_node(fdt, "sealed");
	if (!err)
		err = fdt_property(fdt, "target-sha256", spec->target_sha256, LUGATE_SHA256_SIZE);
	if (!err && spec->target_release)
		err = fdt_property_string(fdt, "target-release", spec->target_release);
	if (!err && spec->fallback_sha256)
		err = fdt_property(fdt, "fallback-sha256", spec->fallback_sha256, LUGATE_SHA256_SIZE);
	if (!err && spec->policy_text)
		err = fdt_property_string(fdt, "policy", spec->policy_text);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int write_tree(void *fdt, size_t size, const struct lugate_table_spec *spec, const uint32_t *order)
{
	int err = fdt_create(fdt, (int)size);
	if (!err)
		err = fdt_finish_reservemap(fdt);
	if (!err)
		err = fdt_begin_node(fdt, "");
	if (!err)
		err = fdt_property_string(fdt, "compatible", LUGATE_TABLE_COMPATIBLE);
	if (!err)
		err = fdt_property_string(fdt, "release", spec->release);
	if (!err && spec->compat_count)
		err = write_compat_list(fdt, "preserved-compatible", spec->compat, spec->compat_count);
	if (!err)
		err = fdt_begin_node(fdt, "devices");
	for (size_t i = 0; !err && i < spec->device_count; i++)
		err = write_device(fdt, &spec->devices[order[i]]);
	if (!err)
		err = fdt_end_node(fdt);
	if (!err && spec->target_sha256)
		err = write_sealed(fdt, spec);
	if (!err)
		err = fdt_end_node(fdt);
	if (!err)
		err = fdt_finish(fdt);
	return err;
}

long lugate_table_build(void *buf, size_t buf_size, const struct lugate_table_spec *spec,
			uint32_t *scratch, size_t scratch_count, size_t *needed)
{
	size_t bound, fdt_room;
	int err;

	if (!spec)
		return LUGATE_ERR_INVAL;
	err = check_spec(spec);
	if (err)
		return err;
	bound = table_size_bound(spec);
	if (needed)
		*needed = bound;
	if (!buf || buf_size < LUGATE_FRAME_HEADER_SIZE + sizeof(struct fdt_header))
		return LUGATE_ERR_NOSPACE;
	if (spec->device_count && (!scratch || scratch_count < spec->device_count))
		return LUGATE_ERR_INVAL;
	for (size_t i = 0; i < spec->device_count; i++)
		scratch[i] = (uint32_t)i;
	lugate_sort_indices(scratch, spec->device_count, device_cmp, spec->devices);
	for (size_t i = 1; i < spec->device_count; i++)
		if (spec->devices[scratch[i]].addr == spec->devices[scratch[i - 1]].addr)
			return LUGATE_ERR_DUPLICATE;

	fdt_room = buf_size - LUGATE_FRAME_HEADER_SIZE;
	if (fdt_room > LUGATE_FRAME_PAYLOAD_MAX)
		fdt_room = LUGATE_FRAME_PAYLOAD_MAX;
	err = write_tree((uint8_t *)buf + LUGATE_FRAME_HEADER_SIZE, fdt_room, spec, scratch);
	if (err == -FDT_ERR_NOSPACE)
		return LUGATE_ERR_NOSPACE;
	if (err)
		return LUGATE_ERR_BADFDT;
	uint32_t fdt_size = fdt_totalsize((uint8_t *)buf + LUGATE_FRAME_HEADER_SIZE);
	err = lugate_frame_seal(buf, buf_size, LUGATE_TABLE_MAGIC, fdt_size);
	if (err)
		return err;
	return (long)(LUGATE_FRAME_HEADER_SIZE + fdt_size);
}

/* ---- opening ----------------------------------------------------------------------- */

/* Reads one device node in canonical order; on success *prop_end says whether the node had
 * no further properties. Used by both validation and iteration. */
struct raw_device {
	const uint8_t *u32[7];      /* segment, bus, device, function, vendor-id, device-id, class */
	const uint8_t *guid;
	const uint8_t *version;
	const char *driver;
	int driver_len;
};

static const char *const device_u32_names[7] = {
	"segment", "bus", "device", "function", "vendor-id", "device-id", "class",
};

static int read_raw_device(const void *fdt, int node, struct raw_device *rd)
{
	int prop = fdt_first_property_offset(fdt, node);

	for (unsigned i = 0; i < 7; i++) {
		rd->u32[i] = fdtu_take(fdt, &prop, device_u32_names[i], 4, NULL);
		if (!rd->u32[i])
			return LUGATE_ERR_BADPROP;
	}
	rd->guid = fdtu_take(fdt, &prop, "schema-guid", LUGATE_GUID_SIZE, NULL);
	rd->version = fdtu_take(fdt, &prop, "schema-version", 4, NULL);
	rd->driver = fdtu_take(fdt, &prop, "driver", -1, &rd->driver_len);
	if (!rd->guid || !rd->version || !rd->driver || prop >= 0)
		return LUGATE_ERR_BADPROP;
	return 0;
}

static void raw_to_device(const struct raw_device *rd, struct lugate_device *d)
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

static bool name_matches_addr(const void *fdt, int node, lugate_pci_addr addr)
{
	char want[DEV_NAME_LEN + 1];
	struct lugate_fmt f;
	int len;
	const char *name = fdt_get_name(fdt, node, &len);

	lugate_fmt_init(&f, want, sizeof(want));
	lugate_fmt_str(&f, "dev@");
	lugate_fmt_hex(&f, addr, 8);
	return name && len == DEV_NAME_LEN && memcmp(name, want, DEV_NAME_LEN) == 0;
}

static int validate_device(const void *fdt, int node, lugate_pci_addr *addr)
{
	static const uint32_t limits[7] = { 0xffff, 0xff, 0x1f, 0x7, 0xffff, 0xffff, 0xffffff };
	struct raw_device rd;
	struct lugate_device d;
	int err = read_raw_device(fdt, node, &rd);

	if (err)
		return err;
	for (unsigned i = 0; i < 7; i++)
		if (le32_load(rd.u32[i]) > limits[i])
			return LUGATE_ERR_RANGE;
	if (rd.driver_len != 1 && !fdtu_valid_string(rd.driver, rd.driver_len, LUGATE_DRIVER_MAX))
		return LUGATE_ERR_BADSTRING;
	if (rd.driver_len == 1 && rd.driver[0] != '\0')
		return LUGATE_ERR_BADSTRING;
	if (fdt_first_subnode(fdt, node) >= 0)
		return LUGATE_ERR_BADFDT;
	raw_to_device(&rd, &d);
	if (!name_matches_addr(fdt, node, d.addr))
		return LUGATE_ERR_BADPROP;
	*addr = d.addr;
	return 0;
}

static int validate_devices(const void *fdt, int devices, uint32_t *count)
{
	lugate_pci_addr prev = 0, addr;
	uint32_t n = 0;
	int node, err;

	if (fdt_first_property_offset(fdt, devices) >= 0)
		return LUGATE_ERR_BADPROP;
	fdt_for_each_subnode(node, fdt, devices) {
		err = validate_device(fdt, node, &addr);
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
	*count = n;
	return 0;
}

static int validate_sealed(const void *fdt, int node, struct lugate_table *t)
{
	int prop = fdt_first_property_offset(fdt, node);
	int len;
	const char *s;

	t->target_sha256 = fdtu_take(fdt, &prop, "target-sha256", LUGATE_SHA256_SIZE, NULL);
	if (!t->target_sha256)
		return LUGATE_ERR_BADPROP;
	s = fdtu_take(fdt, &prop, "target-release", -1, &len);
	if (s && !fdtu_valid_string(s, len, LUGATE_RELEASE_MAX))
		return LUGATE_ERR_BADSTRING;
	t->target_release = s;
	t->fallback_sha256 = fdtu_take(fdt, &prop, "fallback-sha256", LUGATE_SHA256_SIZE, NULL);
	s = fdtu_take(fdt, &prop, "policy", -1, &len);
	if (s && (len < 1 || len > (int)LUGATE_POLICY_TEXT_MAX + 1 || s[len - 1] != '\0' ||
		  memchr(s, '\0', (size_t)len - 1)))
		return LUGATE_ERR_BADSTRING;
	t->policy_text = s;
	if (prop >= 0 || fdt_first_subnode(fdt, node) >= 0)
		return LUGATE_ERR_BADPROP;
	t->sealed = true;
	return 0;
}

static int validate_root(const void *fdt, struct lugate_table *t)
{
	int prop = fdt_first_property_offset(fdt, 0);
	int len;
	const char *s;

	s = fdtu_take(fdt, &prop, "compatible", -1, &len);
	if (!s || len != (int)sizeof(LUGATE_TABLE_COMPATIBLE) ||
	    memcmp(s, LUGATE_TABLE_COMPATIBLE, sizeof(LUGATE_TABLE_COMPATIBLE)) != 0)
		return LUGATE_ERR_BADCOMPAT;
	s = fdtu_take(fdt, &prop, "release", -1, &len);
	if (!s || !fdtu_valid_string(s, len, LUGATE_RELEASE_MAX))
		return LUGATE_ERR_BADPROP;
	t->release = s;
	s = fdtu_take(fdt, &prop, "preserved-compatible", -1, &len);
	if (s) {
		if (!fdtu_valid_stringlist(s, len, LUGATE_COMPAT_MAX, LUGATE_TABLE_MAX_COMPAT,
					   &t->compat_count) || t->compat_count == 0)
			return LUGATE_ERR_BADSTRING;
		t->compat_list = s;
		t->compat_prop_len = len;
	}
	if (prop >= 0)
		return LUGATE_ERR_BADPROP;
	return 0;
}

int lugate_table_open(const void *blob, size_t blob_size, struct lugate_table *out)
{
	struct lugate_table t;
	const void *fdt;
	uint32_t fdt_size;
	int node, err;

	if (!blob || !out)
		return LUGATE_ERR_INVAL;
	memset(&t, 0, sizeof(t));
	t.devices_node = -1;
	err = lugate_frame_open(blob, blob_size, LUGATE_TABLE_MAGIC, &fdt, &fdt_size);
	if (err)
		return err;
	err = fdtu_open(fdt, fdt_size);
	if (err)
		return err;
	t.fdt = fdt;
	t.fdt_size = fdt_size;
	t.blob = blob;
	t.blob_size = blob_size;
	err = validate_root(fdt, &t);
	if (err)
		return err;
	/* Subnodes in canonical order: devices, then optionally sealed; nothing else. */
	node = fdt_first_subnode(fdt, 0);
	if (node < 0 || strcmp(fdt_get_name(fdt, node, NULL), "devices") != 0)
		return LUGATE_ERR_BADPROP;
	t.devices_node = node;
	err = validate_devices(fdt, node, &t.device_count);
	if (err)
		return err;
	node = fdt_next_subnode(fdt, node);
	if (node >= 0) {
		if (strcmp(fdt_get_name(fdt, node, NULL), "sealed") != 0)
			return LUGATE_ERR_BADPROP;
		err = validate_sealed(fdt, node, &t);
		if (err)
			return err;
		if (fdt_next_subnode(fdt, node) >= 0)
			return LUGATE_ERR_BADPROP;
	}
	*out = t;
	return 0;
}

int lugate_table_next_device(const struct lugate_table *t, int *cursor, struct lugate_device *dev)
{
	struct raw_device rd;
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
	if (read_raw_device(t->fdt, node, &rd) != 0)
		return LUGATE_ERR_INVAL; /* cannot happen on a table lugate_table_open accepted */
	raw_to_device(&rd, dev);
	node = fdt_next_subnode(t->fdt, node);
	*cursor = node < 0 ? -1 : node;
	return 1;
}

const char *lugate_table_compat(const struct lugate_table *t, uint32_t i)
{
	if (!t || i >= t->compat_count)
		return NULL;
	return fdtu_stringlist_item(t->compat_list, t->compat_prop_len, i);
}
