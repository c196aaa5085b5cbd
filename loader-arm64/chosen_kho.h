/* SPDX-License-Identifier: MIT */
/*
 * KHO as the outgoing kernel hands it to the arm64 loader in /chosen (linux,kho-fdt and
 * linux,kho-scratch, drivers/of/fdt.c): the KHO FDT, whose root compatible (the core's
 * lugate_kho_root_compat, the reader the x86 loader and the CLI use) becomes an outgoing format
 * the check requires; and the scratch array ({u64 addr, u64 size} pairs), whose areas become
 * the only memory the loader writes, as on the bzImage64 entry: outside them may lie preserved
 * pages. Both are read where they lie (MMU off: an address is a pointer), only inside the
 * memory the DTB describes. Portable C, tested on the host.
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

#endif
