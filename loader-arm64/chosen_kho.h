/* SPDX-License-Identifier: MIT */
/*
 * KHO as the outgoing kernel hands it to the arm64 loader in /chosen (linux,kho-fdt and
 * linux,kho-scratch, drivers/of/fdt.c): the KHO FDT, whose root compatible (the core's
 * lugate_kho_root_compat, the reader the x86 loader and the CLI use) becomes an outgoing format
 * the check requires; and the scratch array ({u64 addr, u64 size} pairs), whose areas become
 * the only memory the loader writes, as on the bzImage64 entry: outside them may lie preserved
 * pages. Both are read where they lie (MMU off: an address is a pointer), only inside the
 * memory the DTB describes; so is the LUO state the KHO FDT refers to, which the boot room's
 * reader (boot/luo_outgoing.h) follows through a64_kho_luo_map. Portable C, tested on the host.
 */
#ifndef LUGATE_LOADER_ARM64_KHO_H
#define LUGATE_LOADER_ARM64_KHO_H

#include <lugate/types.h>
#include "place.h"

#define A64_KHO_SCRATCH_MAX 16u

struct a64_kho {
	char compat[LUGATE_COMPAT_MAX + 1];       /* the KHO FDT's root compatible, e.g. "kho-v4" */
	struct a64_range scratch[A64_KHO_SCRATCH_MAX];  /* the non-empty scratch areas */
	uint32_t scratch_count;
};

/* Read both; p says what memory exists. NULL, or why the handover cannot be used. */
const char *a64_kho_read(const struct a64_dtb_info *dtb, const struct a64_place *p, struct a64_kho *out);

/*
 * The LUO reader's window on memory (lugate_luo_map_fn, with ctx the struct a64_dtb_info read
 * from the entry DTB): [pa, pa + len) where it lies, if it is inside one range of the memory
 * the DTB describes, else NULL. Not the placements' memory: once KHO is read those are only
 * the scratch areas, and the LUO state lies in preserved pages outside them.
 */
const void *a64_kho_luo_map(void *ctx, uint64_t pa, size_t len);

#endif
