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
	size_t bound;
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

	err = write_tree((uint8_t *)buf + LUGATE_FRAME_HEADER_SIZE, fdtu_frame_room(buf_size), spec, scratch);
	return fdtu_frame_finish(buf, buf_size, LUGATE_TABLE_MAGIC, err);
}

/* ---- opening ----------------------------------------------------------------------- */

/*
 * Every property name a table can hold, in the order the builder first uses them (root,
 * then the device properties, then /sealed's): the strings block is these, those used, in
 * reverse (fdtu_strings_layout). The device names are device_u32_names and the three after.
 */
enum {
	N_COMPATIBLE, N_RELEASE, N_PRESERVED, N_DEVICE, N_TARGET_SHA = N_DEVICE + 10, N_TARGET_RELEASE,
	N_FALLBACK_SHA, N_POLICY, N_COUNT
};

static const char *const table_names[N_COUNT] = {
	"compatible", "release", "preserved-compatible",
	"segment", "bus", "device", "function", "vendor-id", "device-id", "class",
	"schema-guid", "schema-version", "driver",
	"target-sha256", "target-release", "fallback-sha256", "policy",
};

/* What opening learns about the tree's bytes beyond its content: where each name is in the
 * strings block (if the block is canonical), which names the tree uses, and whether every
 * byte so far is one lugate would write. */
struct canon_state {
	uint32_t off[N_COUNT];
	bool used[N_COUNT];
	bool ok;
};

/* A property just taken: its name offset must be the canonical one for its name. */
static inline void canon_name(struct canon_state *cs, unsigned name, uint32_t nameoff)
{
	cs->used[name] = true;
	cs->ok &= cs->off[name] == nameoff;
}

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
static bool name_matches_addr(const char *name, int len, lugate_pci_addr addr)
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
static int check_device_values(const struct raw_device *rd)
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

/* The general path: any layout libfdt can walk; decides acceptance and names the error. */
static int validate_device(const void *fdt, int node, lugate_pci_addr *addr)
{
	struct raw_device rd;
	struct lugate_device d;
	const char *name;
	int len, err = read_raw_device(fdt, node, &rd);

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

/*
 * ---- the canonical device node: a fast path for validation and iteration ----------------
 *
 * lugate_table_build writes every device node the same way: FDT_BEGIN_NODE, "dev@XXXXXXXX"
 * (its NUL and padding make 16 bytes), the ten properties in their fixed order with their
 * fixed sizes, FDT_END_NODE. In exactly that layout (no FDT_NOP, nothing else) every field
 * sits at a fixed offset from the node, so a device is read with a few loads instead of some
 * forty libfdt calls, each of which re-checks the header and bounds. Any other layout (NOPs,
 * an FDT older than version 17, repeated name strings) takes the general path above, which
 * alone decides what is accepted and names the error: the fast path only ever agrees with it.
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
static int canon_sibling(const void *fdt, const uint8_t *blk, uint32_t size, int node, uint32_t next,
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
		err = validate_device(fdt, node, addr);
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
			*next = canon_sibling(fdt, blk, blk_size, node, cn.next, devices_end);
			return 0;
		}
	}
	err = validate_device(fdt, node, addr);
	if (err)
		return err;
	/* The general path accepted a node whose name offsets are not the canonical ones
	 * (names->nameoff holds those): the names are right, their bytes are not lugate's. */
	if (!canon_same_names(names, nameoff))
		*canonical = false;
	*next = canon_sibling(fdt, blk, blk_size, node, cn.next, devices_end);
	return 0;
}

/* Validates every device under /devices. *devices_end: the offset after /devices'
 * FDT_END_NODE when the fast path saw it, else -1. cs->ok turns false on a device node lugate
 * would not write byte for byte (its names' offsets must be the strings block's canonical
 * ones, which, when that block is not canonical, no node has). */
static int validate_devices(const void *fdt, uint32_t fdt_size, int devices, uint32_t *count,
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
	if (prop >= 0)
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
	err = validate_devices(fdt, fdt_size, node, &t.device_count, &devices_end, &cs);
	if (err)
		return err;
	/* where the device walk ended, /devices' sibling is one tag away: no second walk */
	if (devices_end >= 0 && canon_block(fdt, fdt_size, &blk, &blk_size))
		node = canon_sibling(fdt, blk, blk_size, node, (uint32_t)devices_end, NULL);
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
		node = canon_sibling(t->fdt, blk, blk_size, node, cn.next, NULL);
	} else {
		if (read_raw_device(t->fdt, node, &rd) != 0)
			return LUGATE_ERR_INVAL; /* cannot happen on a table lugate_table_open accepted */
		raw_to_device(&rd, dev);
		node = fdt_next_subnode(t->fdt, node);
	}
	*cursor = node < 0 ? -1 : node;
	return 1;
}

const char *lugate_table_compat(const struct lugate_table *t, uint32_t i)
{
	if (!t || i >= t->compat_count)
		return NULL;
	return fdtu_stringlist_item(t->compat_list, t->compat_prop_len, i);
}
