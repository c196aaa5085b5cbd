/* SPDX-License-Identifier: MIT */
/*
 * Where the arm64 loader may write: the memory the DTB describes, minus every range it must
 * not touch (itself, the DTB, the bundle, /memreserve/ and /reserved-memory, KHO's FDT and
 * scratch array) and everything it has already placed. Placements are the lowest address that
 * fits. Portable C, tested on the host (tests/unit/test_loader_arm64.c).
 */
#ifndef LUGATE_LOADER_ARM64_PLACE_H
#define LUGATE_LOADER_ARM64_PLACE_H

#include <stdbool.h>
#include <stdint.h>
#include "dtb_read.h"

#define A64_MAX_BUSY 64u

struct a64_place {
	struct a64_range mem[A64_MAX_MEM];
	uint32_t mem_count;
	struct a64_range busy[A64_MAX_BUSY];
	uint32_t busy_count;
};

void a64_place_init(struct a64_place *p, const struct a64_range *mem, uint32_t count);
/* From now on place only inside these areas (KHO scratch), each inside memory. */
void a64_place_only(struct a64_place *p, const struct a64_range *areas, uint32_t count);
/* Keep [addr, addr + size) from being placed over; false if busy[] is full. */
bool a64_place_busy(struct a64_place *p, uint64_t addr, uint64_t size);
/* Is [addr, addr + size) inside one memory range? */
bool a64_place_in_memory(const struct a64_place *p, uint64_t addr, uint64_t size);
/*
 * The lowest addr = k * align + offset (align a power of two, offset < align) such that
 * [addr, addr + size) lies inside one memory range and clear of every busy range; the range
 * is then busy. false if nothing fits (or busy[] is full).
 */
bool a64_place(struct a64_place *p, uint64_t size, uint64_t align, uint64_t offset, uint64_t *addr);

#endif
