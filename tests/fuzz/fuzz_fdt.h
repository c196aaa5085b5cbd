/* SPDX-License-Identifier: MIT */
/* Fuzz helpers for the FDT payloads (tables, manifests): see fuzz.h. */
#ifndef LUGATE_FUZZ_FDT_H
#define LUGATE_FUZZ_FDT_H

#include <libfdt.h>
#include "fuzz.h"
#include "../../handoff/fdtutil.h"

/* The direct structure walk must give libfdt's walk's answer (docs: handoff/fdtutil.c). */
static inline void fuzz_walks_agree(const uint8_t *fdt, size_t size)
{
	int fast, ref;

	/* fdtu_open's preconditions of the walks: a sound header, aligned blocks */
	if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) != size ||
	    fdt_off_mem_rsvmap(fdt) % 8 != 0 || fdt_off_dt_struct(fdt) % 4 != 0)
		return;
	fast = fdtu_walk_tags(fdt);
	ref = fdtu_walk_tags_libfdt(fdt);
	if (fast == ref)
		return;
	/* the one documented difference: a property length that wraps libfdt's int arithmetic */
	FUZZ_ASSERT(fast != 0 && ref == 0);
	{
		const uint8_t *blk = fdt + fdt_off_dt_struct(fdt);
		uint32_t blk_size = fdt_size_dt_struct(fdt);
		bool wraps = false;
		for (uint32_t off = 0; off + 8 <= blk_size && !wraps; off += 4)
			wraps = fdt32_ld((const fdt32_t *)(blk + off)) == FDT_PROP &&
				fdt32_ld((const fdt32_t *)(blk + off + 4)) >= 0x7ffffff0u;
		FUZZ_ASSERT(wraps);
	}
}

#endif
