// SPDX-License-Identifier: MIT
/*
 * The handoff table, building: the canonical layout (sorted, unique), written with libfdt's
 * sequential writer. Layout and rules: lugate/table.h and docs/handoff-format.md.
 */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/fmt.h>
#include <lugate/frame.h>
#include <lugate/policy.h>
#include <lugate/table.h>
#include "bytes.h"
#include "fdtbuild.h"
#include "table_internal.h"

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
	size += 16; /* /page-size */
	return size;
}

static bool valid_release_text(const char *s)
{
	struct lugate_release rel;
	return fdtu_printable_text(s, LUGATE_RELEASE_MAX, false) &&
	       lugate_release_parse(s, strlen(s), &rel) == 0;
}

static int check_spec(const struct lugate_table_spec *spec)
{
	int err;

	if (!valid_release_text(spec->release))
		return LUGATE_ERR_BADRELEASE;
	if (spec->compat_count > LUGATE_TABLE_MAX_COMPAT)
		return LUGATE_ERR_TOOMANY;
	err = fdtu_check_compat_list(spec->compat, spec->compat_count);
	if (err)
		return err;
	if (spec->device_count > LUGATE_TABLE_MAX_DEVICES)
		return LUGATE_ERR_TOOMANY;
	if (spec->device_count && !spec->devices)
		return LUGATE_ERR_INVAL;
	for (size_t i = 0; i < spec->device_count; i++) {
		const struct lugate_device *d = &spec->devices[i];
		if (d->class_code > 0xffffff)
			return LUGATE_ERR_RANGE;
		if (d->driver && !fdtu_printable_text(d->driver, LUGATE_DRIVER_MAX, true))
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
	if (spec->page_size && spec->page_size != TABLE_PAGE_SIZE_DEFAULT && !table_page_size_valid(spec->page_size))
		return LUGATE_ERR_RANGE;
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

/* Only a page size other than the default is written: see TABLE_PAGE_SIZE_DEFAULT. */
static int write_page_size(void *fdt, uint32_t page_size)
{
	if (!page_size || page_size == TABLE_PAGE_SIZE_DEFAULT)
		return 0;
	return prop_u32(fdt, "page-size", page_size);
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

/* The root's properties and nodes after "compatible" and "release". */
static int write_root(void *fdt, const void *table_spec, const uint32_t *order)
{
	const struct lugate_table_spec *spec = table_spec;
	int err = 0;

	if (spec->compat_count)
		err = fdtb_stringlist(fdt, "preserved-compatible", spec->compat, spec->compat_count);
	if (!err)
		err = write_page_size(fdt, spec->page_size);
	if (!err)
		err = fdt_begin_node(fdt, "devices");
	for (size_t i = 0; !err && i < spec->device_count; i++)
		err = write_device(fdt, &spec->devices[order[i]]);
	if (!err)
		err = fdt_end_node(fdt);
	if (!err && spec->target_sha256)
		err = write_sealed(fdt, spec);
	return err;
}

long lugate_table_build(void *buf, size_t buf_size, const struct lugate_table_spec *spec,
			uint32_t *scratch, size_t scratch_count, size_t *needed)
{
	struct fdtb_job job = { .magic = LUGATE_TABLE_MAGIC, .compatible = LUGATE_TABLE_COMPATIBLE,
				.cmp = device_cmp, .write_root = write_root, .spec = spec };
	int err = spec ? check_spec(spec) : LUGATE_ERR_INVAL;

	if (err)
		return err;
	job.release = spec->release;
	job.bound = table_size_bound(spec);
	job.items = spec->devices;
	job.count = spec->device_count;
	return fdtb_build(buf, buf_size, scratch, scratch_count, needed, &job);
}
