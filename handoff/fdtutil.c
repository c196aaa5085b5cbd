// SPDX-License-Identifier: MIT
/* Strict helpers over libfdt for lugate's canonical trees. */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/fdt_check.h>
#include <lugate/frame.h>
#include <lugate/types.h>
#include "bytes.h"
#include "fdtutil.h"

/* Deepest node nesting accepted; lugate's own trees are three levels deep. */
#define FDTU_MAX_DEPTH 32

/*
 * One pass over every tag: exactly one root node, nodes properly nested (never deeper than
 * FDTU_MAX_DEPTH), properties only inside a node with a name that is a terminated string in
 * the strings block, and FDT_END only after the root closed. fdt_next_tag() already keeps
 * every tag, node name and property value inside the structure block (a premature end reads
 * as FDT_END, which the depth test rejects).
 * Our own walk rather than libfdt's fdt_check_full(): the libfdt copy the bare-metal builds
 * compile (Linux's scripts/dtc/libfdt) has no fdt_check.c, and host and loader must accept
 * exactly the same trees.
 * This is the reference walk, through libfdt's fdt_next_tag(); fdtu_walk_tags() below does
 * the same on version-17 trees (all of lugate's) by reading the block directly.
 */
/*
 * fdt_next_tag() adds a property's length to its int offset and then subtracts the start:
 * a length near 2^31 overflows that subtraction (undefined behaviour) before its bounds
 * check can refuse the property. No property longer than the tree is valid, so such a tag is
 * refused here, before libfdt does the arithmetic.
 */
static bool prop_len_sane(const void *fdt, int offset)
{
	const fdt32_t *tag = fdt_offset_ptr(fdt, offset, 2 * FDT_TAGSIZE);

	if (!tag || fdt32_ld(tag) != FDT_PROP)
		return true;    /* not a property, or cut short: fdt_next_tag() answers that */
	return fdt32_ld(tag + 1) <= fdt_totalsize(fdt);
}

int fdtu_walk_tags_libfdt(const void *fdt)
{
	int offset = 0, next = 0, depth = 0, len;
	bool seen_root = false;

	for (;;) {
		uint32_t tag;

		if (!prop_len_sane(fdt, offset))
			return -1;
		tag = fdt_next_tag(fdt, offset, &next);

		if (next < 0)
			return -1;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if ((depth == 0 && seen_root) || ++depth > FDTU_MAX_DEPTH)
				return -1;
			seen_root = true;
			if (!fdt_get_name(fdt, offset, &len))
				return -1;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -1;
			break;
		case FDT_PROP: {
			const struct fdt_property *prop = fdt_get_property_by_offset(fdt, offset, &len);

			if (depth == 0 || !prop || !fdt_get_string(fdt, (int)fdt32_to_cpu(prop->nameoff), &len))
				return -1;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 && seen_root ? 0 : -1;
		default:
			return -1;
		}
		offset = next;
	}
}

/*
 * Property names: a NUL-terminated string inside the strings block, as fdt_get_string
 * requires it. fdt_get_string looks for the NUL in [strings + nameoff, strings + limit),
 * limit = min(strings_size, totalsize - strings): whether it finds one depends only on
 * whether some NUL lies at or after nameoff below limit. So one scan from the block's end for
 * its last NUL answers every property: valid <=> nameoff <= that NUL's offset.
 */
struct name_bound {
	uint32_t last_nul;      /* offset of the last NUL in the searchable strings block */
	bool any;               /* whether it has a NUL at all */
};

static struct name_bound strings_last_nul(const void *fdt)
{
	uint32_t total = fdt_totalsize(fdt), strings = fdt_off_dt_strings(fdt);
	uint32_t limit = fdt_size_dt_strings(fdt);
	const char *s = (const char *)fdt + strings;
	struct name_bound nb = { 0, false };

	if (strings >= total)
		return nb;
	if (limit > total - strings)
		limit = total - strings;
	while (limit > 0) {
		if (s[--limit] == '\0') {
			nb.last_nul = limit;
			nb.any = true;
			break;
		}
	}
	return nb;
}

static inline bool name_in_strings(const struct name_bound *nb, uint32_t nameoff)
{
	return nb->any && nameoff <= nb->last_nul;
}

/* The NUL ending a node name that starts at blk + at, looked for below blk + size: four bytes
 * at a time (a word has a zero byte iff (v - 0x01010101) & ~v & 0x80808080), then the byte. */
static inline const uint8_t *name_end(const uint8_t *blk, uint32_t at, uint32_t size)
{
	while (size - at >= 4) {
		uint32_t v;

		memcpy(&v, blk + at, sizeof(v));
		if ((v - 0x01010101u) & ~v & 0x80808080u)
			break;
		at += 4;
	}
	for (; at < size; at++)
		if (blk[at] == '\0')
			return blk + at;
	return NULL;
}

/*
 * The same walk as fdtu_walk_tags_libfdt(), for version-17 trees, reading the structure
 * block directly: fdt_next_tag() re-checks the header and the bounds of every byte of a node
 * name through fdt_offset_ptr(), which made this walk the largest cost of opening a table
 * after its digest. Same rules: every tag and its payload inside the block (whose bounds
 * fdt_check_header() verified), tags on 4-byte boundaries, names terminated; only a
 * property length that wraps libfdt's int offset arithmetic is refused here and not there
 * (lugate's readers refuse such a property anyway: its length reads as negative).
 */
/* Whether the bytes [from, to) of the block (to clipped at size) are all zero: the padding
 * the builder leaves after a node name or a property value. */
static inline bool zero_pad(const uint8_t *blk, uint32_t from, uint32_t to, uint32_t size)
{
	uint8_t any = 0;

	if (to > size)
		to = size;
	for (; from < to; from++)
		any |= blk[from];
	return any == 0;
}

/*
 * The walk, and, in the same pass, whether the block is laid out as lugate's builder lays it
 * out (*canonical): no FDT_NOP, every padding byte zero, properties only right after their
 * node's FDT_BEGIN_NODE or another property (the devicetree order, which libfdt's readers
 * assume: a property after a subnode is invisible to them), an empty root name, and FDT_END
 * as the block's last four bytes. Soundness alone decides the return value.
 */
static int walk_tags(const void *fdt, bool *canonical)
{
	const uint8_t *blk = (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
	const uint32_t size = fdt_size_dt_struct(fdt);
	uint32_t off = 0, prev = FDT_END;
	int depth = 0;
	bool seen_root = false, canon = true;
	struct name_bound names;

	names = strings_last_nul(fdt);
	for (;;) {
		uint32_t tag, end;
		const uint8_t *nul;

		if (off > size || size - off < 4)
			return -1;
		tag = be32_load(blk + off);
		end = off + 4;
		/* properties first: ten of every twelve tags in a handoff table */
		if (tag == FDT_PROP) {
			uint32_t len, nameoff;

			if (depth == 0 || size - end < 8)
				return -1;
			len = be32_load(blk + end);
			nameoff = be32_load(blk + end + 4);
			if (len > size - end - 8 || nameoff > INT32_MAX || !name_in_strings(&names, nameoff))
				return -1;
			end += 8 + len;
			off = (end + 3) & ~(uint32_t)3;
			canon &= (prev == FDT_BEGIN_NODE || prev == FDT_PROP) && zero_pad(blk, end, off, size);
			prev = tag;
			continue;
		}
		switch (tag) {
		case FDT_BEGIN_NODE:
			if ((depth == 0 && seen_root) || ++depth > FDTU_MAX_DEPTH)
				return -1;
			nul = name_end(blk, end, size);
			if (!nul)
				return -1;
			/* the root's name is empty */
			canon &= seen_root || nul == blk + end;
			seen_root = true;
			end = (uint32_t)(nul - blk) + 1;
			canon &= zero_pad(blk, end, (end + 3) & ~(uint32_t)3, size);
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -1;
			break;
		case FDT_NOP:
			canon = false;
			break;
		case FDT_END:
			if (depth != 0 || !seen_root)
				return -1;
			*canonical = canon && end == size;
			return 0;
		default:
			return -1;
		}
		prev = tag;
		off = (end + 3) & ~(uint32_t)3;
	}
}

/*
 * The same walk as fdtu_walk_tags_libfdt(), for version-17 trees, reading the structure
 * block directly: fdt_next_tag() re-checks the header and the bounds of every byte of a node
 * name through fdt_offset_ptr(), which made this walk the largest cost of opening a table
 * after its digest. Same rules: every tag and its payload inside the block (whose bounds
 * fdt_check_header() verified), tags on 4-byte boundaries, names terminated; only a
 * property length that wraps libfdt's int offset arithmetic is refused here and not there
 * (lugate's readers refuse such a property anyway: its length reads as negative).
 */
int fdtu_walk_tags(const void *fdt)
{
	bool canonical;

	if (fdt_version(fdt) < 17)
		return fdtu_walk_tags_libfdt(fdt);
	return walk_tags(fdt, &canonical);
}

/*
 * The header fields lugate's builder writes (libfdt's sequential writer, fdt_create() then
 * fdt_finish_reservemap()): version 17 (last compatible 16), boot CPU 0, the reservation
 * map at 48 (the 40-byte header rounded up to a 16-byte entry; the 8 bytes between zero),
 * one all-zero terminator entry and nothing else, the structure block right after it, the
 * strings block right after the structure block, and the tree ending where the strings do.
 */
#define FDTU_HEADER_SIZE 40u
#define FDTU_RSVMAP_OFF 48u
#define FDTU_STRUCT_OFF (FDTU_RSVMAP_OFF + 16u)

static bool canonical_header(const void *fdt, uint32_t size)
{
	const uint8_t *b = fdt;
	uint8_t any = 0;

	if (fdt_version(fdt) != 17 || fdt_last_comp_version(fdt) != 16 || fdt_boot_cpuid_phys(fdt) != 0)
		return false;
	if (fdt_off_mem_rsvmap(fdt) != FDTU_RSVMAP_OFF || fdt_off_dt_struct(fdt) != FDTU_STRUCT_OFF)
		return false;
	if (size < FDTU_STRUCT_OFF || fdt_size_dt_struct(fdt) > size - FDTU_STRUCT_OFF ||
	    fdt_off_dt_strings(fdt) != FDTU_STRUCT_OFF + fdt_size_dt_struct(fdt) ||
	    fdt_size_dt_strings(fdt) != size - fdt_off_dt_strings(fdt))
		return false;
	for (uint32_t i = FDTU_HEADER_SIZE; i < FDTU_STRUCT_OFF; i++)
		any |= b[i];
	return any == 0;
}

int fdtu_open(const void *fdt, uint32_t size, bool *canonical)
{
	bool walk_canonical = false;

	if (size < sizeof(struct fdt_header))
		return LUGATE_ERR_BADFDT;
	if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) != size)
		return LUGATE_ERR_BADFDT;
	/* The reservation block is 8-byte aligned, the structure block 4-byte aligned (devicetree
	 * spec 5.1): libfdt reads their entries and tags through pointers of those types. */
	if (fdt_off_mem_rsvmap(fdt) % 8 != 0 || fdt_off_dt_struct(fdt) % 4 != 0)
		return LUGATE_ERR_BADFDT;
	/* lugate's trees never carry memory reservations: one meaning per blob */
	if (fdt_num_mem_rsv(fdt) != 0)
		return LUGATE_ERR_BADFDT;
	if (fdt_version(fdt) < 17) {
		if (fdtu_walk_tags_libfdt(fdt) != 0)
			return LUGATE_ERR_BADFDT;
	} else if (walk_tags(fdt, &walk_canonical) != 0) {
		return LUGATE_ERR_BADFDT;
	}
	*canonical = walk_canonical && canonical_header(fdt, size);
	return 0;
}

int fdtu_strings_layout(const void *fdt, const char *const names[], unsigned count, uint32_t off[])
{
	const char *blk = (const char *)fdt + fdt_off_dt_strings(fdt);
	uint32_t pos = fdt_size_dt_strings(fdt);

	/* fdtu_open proved the block lies inside the tree when the header is canonical; a
	 * header that is not is refused anyway, so its strings are not read */
	if (fdt_off_dt_strings(fdt) > fdt_totalsize(fdt) || pos > fdt_totalsize(fdt) - fdt_off_dt_strings(fdt))
		return -1;
	for (unsigned i = 0; i < count; i++) {
		uint32_t len = (uint32_t)strlen(names[i]) + 1;

		off[i] = FDTU_ABSENT;
		if (pos < len || memcmp(blk + pos - len, names[i], len) != 0 ||
		    (pos > len && blk[pos - len - 1] != '\0'))
			continue;
		pos -= len;
		off[i] = pos;
	}
	return pos == 0 ? 0 : -1;
}

static bool printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

bool fdtu_valid_string(const void *val, int len, size_t max_len)
{
	const char *s = val;
	if (!s || len < 2 || (size_t)len - 1 > max_len || s[len - 1] != '\0')
		return false;
	for (int i = 0; i < len - 1; i++)
		if (!printable(s[i]))
			return false;
	return true;
}

bool fdtu_printable_text(const char *s, size_t max_len, bool allow_empty)
{
	size_t n;

	if (!s)
		return false;
	n = strnlen(s, max_len + 1);
	if (n > max_len || (n == 0 && !allow_empty))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!printable(s[i]))
			return false;
	return true;
}

bool fdtu_compat_text(const char *s)
{
	return fdtu_printable_text(s, LUGATE_COMPAT_MAX, false) && !strchr(s, ' ');
}

int fdtu_check_compat_list(const char *const *compat, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (!fdtu_compat_text(compat[i]))
			return LUGATE_ERR_BADSTRING;
		for (size_t j = 0; j < i; j++)
			if (strcmp(compat[i], compat[j]) == 0)
				return LUGATE_ERR_DUPLICATE;
	}
	return 0;
}

bool fdtu_valid_stringlist(const void *val, int len, size_t max_item, uint32_t max_count,
			   uint32_t *count)
{
	const char *s = val;
	uint32_t n = 0;
	int start = 0;

	if (len < 0 || (len > 0 && (!s || s[len - 1] != '\0')))
		return false;
	for (int i = 0; i < len; i++) {
		if (s[i] != '\0') {
			if (!printable(s[i]) || s[i] == ' ')
				return false;
			continue;
		}
		if (i == start || (size_t)(i - start) > max_item || ++n > max_count)
			return false;
		start = i + 1;
	}
	*count = n;
	return true;
}

bool fdtu_stringlist_unique(const char *list, int len)
{
	for (int a = 0; a < len; a += (int)strlen(list + a) + 1)
		for (int b = a + (int)strlen(list + a) + 1; b < len; b += (int)strlen(list + b) + 1)
			if (strcmp(list + a, list + b) == 0)
				return false;
	return true;
}

const char *fdtu_stringlist_item(const char *list, int len, uint32_t i)
{
	int pos = 0;
	while (pos < len) {
		if (i-- == 0)
			return list + pos;
		pos += (int)strlen(list + pos) + 1;
	}
	return NULL;
}

const char *fdtu_stringlist_at(const char *list, int len, uint32_t count, uint32_t i)
{
	return i < count ? fdtu_stringlist_item(list, len, i) : NULL;
}

void fdtu_stringlist_all(const char *list, int len, uint32_t count, const char **out)
{
	int pos = 0;

	for (uint32_t i = 0; i < count; i++) {
		out[i] = pos < len ? list + pos : NULL;
		if (pos < len)
			pos += (int)strlen(list + pos) + 1;
	}
}

const void *fdtu_take(const void *fdt, int *prop, const char *name, int size, int *len, uint32_t *nameoff)
{
	const struct fdt_property *p;
	const char *pname;
	const void *val;
	int plen;

	if (*prop < 0)
		return NULL;
	val = fdt_getprop_by_offset(fdt, *prop, &pname, &plen);
	if (!val || !pname || strcmp(pname, name) != 0 || (size >= 0 && plen != size))
		return NULL;
	if (len)
		*len = plen;
	if (nameoff) {
		p = fdt_get_property_by_offset(fdt, *prop, NULL);
		*nameoff = p ? fdt32_to_cpu(p->nameoff) : FDTU_ABSENT;
	}
	*prop = fdt_next_property_offset(fdt, *prop);
	return val;
}

int lugate_fdt_check(const void *fdt, size_t size)
{
	if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > size)
		return LUGATE_ERR_BADFDT;
	if (fdt_off_mem_rsvmap(fdt) % 8 != 0 || fdt_off_dt_struct(fdt) % 4 != 0)
		return LUGATE_ERR_BADFDT;
	return fdtu_walk_tags(fdt) == 0 ? 0 : LUGATE_ERR_BADFDT;
}
