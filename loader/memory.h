/* SPDX-License-Identifier: MIT */
/*
 * Where the loader may write: a first-fit allocator over the RAM the memory map lists as
 * available, restricted to [1 MiB, 4 GiB) (below 1 MiB live the BIOS data, the real-mode
 * area and, under kexec-tools, the modules; above 4 GiB the loader's identity map does not
 * reach), and never over a busy range: the loader's own image, every module, the boot
 * information, memory-map entries that are not RAM, and everything allocated before.
 * Allocations are never freed: the loader runs once.
 */
#ifndef LUGATE_LOADER_MEMORY_H
#define LUGATE_LOADER_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include "loader.h"

#define MEM_FLOOR 0x100000ull            /* 1 MiB */
#define MEM_CEILING 0x100000000ull       /* 4 GiB: the loader's identity map */
#define MEM_PAGE 4096ull
#define MEM_MAX_BUSY (LOADER_MAX_MEM + LOADER_MAX_MODULES + LOADER_MAX_RESERVED + 16u)

struct mem_allocator {
	uint32_t free_count;
	struct loader_range free[LOADER_MAX_MEM];
	uint32_t busy_count;
	struct loader_range busy[MEM_MAX_BUSY];
};

/* Returns false if there is no usable RAM at all or a list overflowed. */
bool mem_init(struct mem_allocator *a, const struct loader_boot_info *info);

/* Mark [start, end) busy. False if the busy list is full. */
bool mem_add_busy(struct mem_allocator *a, uint64_t start, uint64_t end);

/*
 * Find size bytes aligned to align (a power of two) inside [min, max), entirely within one
 * free range and clear of every busy range; mark it busy. top_down picks the highest such
 * address, else the lowest. Returns false if none fits.
 */
bool mem_alloc(struct mem_allocator *a, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
	       bool top_down, uint64_t *out);

/* True if [start, end) overlaps a busy range (exported for the self-checks). */
bool mem_overlaps_busy(const struct mem_allocator *a, uint64_t start, uint64_t end);

#endif
