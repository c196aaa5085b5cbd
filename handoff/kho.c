// SPDX-License-Identifier: MIT
/* The root compatible of a KHO FDT (see lugate/kho.h). */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/fdt_check.h>
#include <lugate/kho.h>
#include "fdtutil.h"

#define FDT_HEADER_MIN 40u   /* magic .. size_dt_strings: what a version-16 header has */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The string rule every KHO/LUO compatible shares (lugate/kho.h). */
int lugate_kho_token(const char *val, size_t len, char out[LUGATE_COMPAT_MAX + 1])
{
	if (len < 2 || len > LUGATE_COMPAT_MAX + 1 || val[len - 1] != '\0')
		return LUGATE_ERR_BADSTRING;
	for (size_t i = 0; i + 1 < len; i++)
		if (val[i] <= ' ' || val[i] > '~')
			return LUGATE_ERR_BADSTRING;
	memcpy(out, val, len);
	return 0;
}

static int whole_tree(const void *fdt, size_t size, char out[LUGATE_COMPAT_MAX + 1])
{
	const char *val;
	int len;

	if (size < FDT_HEADER_MIN || size > LUGATE_KHO_FDT_MAX)
		return LUGATE_ERR_BADSIZE;
	if (lugate_fdt_check(fdt, size) != 0)
		return LUGATE_ERR_BADFDT;
	val = fdt_getprop(fdt, 0, "compatible", &len);
	if (!val || len < 0)
		return LUGATE_ERR_BADPROP;
	return lugate_kho_token(val, (uint32_t)len, out);
}

/* BEGIN_NODE, the root's empty name padded to 4 bytes, then PROP, len, nameoff, value. */
static int tree_prefix(const uint8_t *p, size_t size, char out[LUGATE_COMPAT_MAX + 1])
{
	uint32_t off, len;

	if (size < FDT_HEADER_MIN)
		return LUGATE_ERR_TRUNCATED;
	if (be32(p) != FDT_MAGIC)
		return LUGATE_ERR_BADMAGIC;
	off = be32(p + 8);   /* off_dt_struct */
	if (off < FDT_HEADER_MIN || off % 4 != 0)
		return LUGATE_ERR_BADFDT;
	if (off > size || size - off < 20)
		return LUGATE_ERR_TRUNCATED;
	if (be32(p + off) != FDT_BEGIN_NODE || p[off + 4] != 0)
		return LUGATE_ERR_BADFDT;
	if (be32(p + off + 8) != FDT_PROP)
		return LUGATE_ERR_BADPROP;
	len = be32(p + off + 12);
	if (len > size - off - 20)
		return len > LUGATE_COMPAT_MAX + 1 ? LUGATE_ERR_BADSTRING : LUGATE_ERR_TRUNCATED;
	return lugate_kho_token((const char *)p + off + 20, len, out);
}

int lugate_kho_root_compat(const void *fdt, size_t size, enum lugate_kho_read how,
			   char out[LUGATE_COMPAT_MAX + 1])
{
	int err;

	out[0] = '\0';
	if (!fdt)
		return LUGATE_ERR_INVAL;
	err = how == LUGATE_KHO_WHOLE ? whole_tree(fdt, size, out) : tree_prefix(fdt, size, out);
	if (err < 0)
		out[0] = '\0';
	return err;
}
