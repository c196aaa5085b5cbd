// SPDX-License-Identifier: MIT
/* The DTB the arm64 loader hands over; see dtb_deliver.h. */
#include <libfdt.h>
#include "dtb_deliver.h"

/* Encode v in cells (1 or 2) big-endian 32-bit words at p. */
static void put_cells(fdt32_t *p, int cells, uint64_t v)
{
	if (cells == 2)
		*p++ = cpu_to_fdt32((uint32_t)(v >> 32));
	*p = cpu_to_fdt32((uint32_t)v);
}

static int cells_or(const void *fdt, int node, const char *name, int dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return p && len == 4 ? (int)fdt32_to_cpu(*p) : dflt;
}

/* /reserved-memory, created as the kernel's bindings describe it (the root's cells, an empty
 * ranges) if the entry DTB has none. */
static int reserved_memory(void *fdt)
{
	int rm = fdt_path_offset(fdt, "/reserved-memory");

	if (rm >= 0)
		return rm;
	rm = fdt_add_subnode(fdt, 0, "reserved-memory");
	if (rm < 0)
		return rm;
	if (fdt_setprop_u32(fdt, rm, "#address-cells", (uint32_t)cells_or(fdt, 0, "#address-cells", 2)) ||
	    fdt_setprop_u32(fdt, rm, "#size-cells", (uint32_t)cells_or(fdt, 0, "#size-cells", 1)) ||
	    fdt_setprop_empty(fdt, rm, "ranges"))
		return -FDT_ERR_NOSPACE;
	return fdt_path_offset(fdt, "/reserved-memory");
}

static const char *add_record_node(void *fdt, const struct a64_deliver *d)
{
	static const char hexdig[] = "0123456789abcdef";
	char name[sizeof(A64_HANDOFF_NODE) + 1 + 16 + 1] = A64_HANDOFF_NODE "@";
	size_t n = sizeof(A64_HANDOFF_NODE);
	fdt32_t reg[4];
	int rm = reserved_memory(fdt), node, ac, sc, shift;

	if (rm < 0)
		return "no room for /reserved-memory in the handed-over DTB";
	ac = cells_or(fdt, rm, "#address-cells", 2);
	sc = cells_or(fdt, rm, "#size-cells", 1);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return "/reserved-memory has #address-cells or #size-cells other than 1 or 2";
	if ((ac == 1 && d->record_addr >> 32) || (sc == 1 && d->record_size >> 32))
		return "the delivery record does not fit /reserved-memory's cells";
	/* the unit address: the record's address in hex, no leading zeros */
	for (shift = 60; shift > 0 && !((d->record_addr >> shift) & 0xf); shift -= 4)
		;
	for (; shift >= 0; shift -= 4)
		name[n++] = hexdig[(d->record_addr >> shift) & 0xf];
	name[n] = '\0';
	node = fdt_add_subnode(fdt, rm, name);
	if (node == -FDT_ERR_EXISTS)
		return "the entry DTB already has a lugate-handoff node at that address";
	put_cells(reg, ac, d->record_addr);
	put_cells(reg + ac, sc, d->record_size);
	if (node < 0 || fdt_setprop_string(fdt, node, "compatible", A64_HANDOFF_COMPATIBLE) ||
	    fdt_setprop(fdt, node, "reg", reg, (int)sizeof(fdt32_t) * (ac + sc)) ||
	    fdt_setprop_empty(fdt, node, "no-map"))
		return "no room for the lugate-handoff node in the handed-over DTB";
	return NULL;
}

static const char *set_chosen(void *fdt, const struct a64_deliver *d)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	fdt64_t pair[2];
	int err;

	if (chosen < 0)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	if (chosen < 0)
		return "no room for /chosen in the handed-over DTB";
	if (d->bootargs && fdt_setprop_string(fdt, chosen, "bootargs", d->bootargs))
		return "no room for the command line in the handed-over DTB";
	if (d->has_initrd) {
		err = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", d->initrd_start);
		if (!err)
			err = fdt_setprop_u64(fdt, chosen, "linux,initrd-end", d->initrd_end);
	} else {
		err = fdt_delprop(fdt, chosen, "linux,initrd-start");
		if (err == -FDT_ERR_NOTFOUND || !err)
			err = fdt_delprop(fdt, chosen, "linux,initrd-end");
		if (err == -FDT_ERR_NOTFOUND)
			err = 0;
	}
	if (err)
		return "no room for the initrd in the handed-over DTB";
	pair[0] = cpu_to_fdt64(d->record_addr);
	pair[1] = cpu_to_fdt64(d->record_size);
	if (fdt_setprop(fdt, chosen, A64_HANDOFF_CHOSEN, pair, sizeof(pair)))
		return "no room for /chosen lugate,handoff in the handed-over DTB";
	return NULL;
}

const char *a64_dtb_deliver(const void *in, void *out, size_t out_size, const struct a64_deliver *d)
{
	const char *why;

	if (out_size > INT32_MAX || fdt_open_into(in, out, (int)out_size) != 0)
		return "the entry DTB cannot be copied into the loader's buffer (fdt_open_into failed)";
	why = add_record_node(out, d);
	if (!why)
		why = set_chosen(out, d);
	if (!why && fdt_pack(out) != 0)
		why = "the handed-over DTB cannot be packed";
	return why;
}
