// SPDX-License-Identifier: MIT
/* Strict helpers over libfdt for lugate's canonical trees. */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
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
 */
static int check_structure(const void *fdt)
{
	int offset = 0, next = 0, depth = 0, len;
	bool seen_root = false;

	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);

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

int fdtu_open(const void *fdt, uint32_t size)
{
	if (size < sizeof(struct fdt_header))
		return LUGATE_ERR_BADFDT;
	if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) != size)
		return LUGATE_ERR_BADFDT;
	/* lugate's trees never carry memory reservations: one meaning per blob */
	if (fdt_num_mem_rsv(fdt) != 0)
		return LUGATE_ERR_BADFDT;
	if (check_structure(fdt) != 0)
		return LUGATE_ERR_BADFDT;
	return 0;
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

const void *fdtu_take(const void *fdt, int *prop, const char *name, int size, int *len)
{
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
	*prop = fdt_next_property_offset(fdt, *prop);
	return val;
}
