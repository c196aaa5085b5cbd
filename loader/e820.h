/* SPDX-License-Identifier: MIT */
/*
 * The e820 map handed to Linux: the boot memory map, normalised (sorted, no overlaps, where
 * entries overlap the more restrictive type wins, neighbours of one type merged), with the
 * given ranges carved out as reserved (the delivery record's pages).
 */
#ifndef LUGATE_LOADER_E820_H
#define LUGATE_LOADER_E820_H

#include <stdint.h>
#include "loader.h"

#define E820_MAX_ZEROPAGE 128u
#define E820_MAX_CARVE 4u

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* Returns the number of entries written, or -1 if the map needs more than max entries. */
int e820_build(const struct loader_mem_region *mem, uint32_t mem_count, const struct loader_range *carve,
	       uint32_t carve_count, struct e820_entry *out, uint32_t max);

#endif
