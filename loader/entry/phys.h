/* SPDX-License-Identifier: MIT */
/* Reading what a boot loader handed the entry, by physical address (the entries run on an
 * identity map). memcpy: boot information is not always naturally aligned. Shared by the
 * Multiboot and bzImage64 entries. */
#ifndef LUGATE_LOADER_ENTRY_PHYS_H
#define LUGATE_LOADER_ENTRY_PHYS_H

#include <stdint.h>
#include <string.h>

static inline uint32_t rd32(uint64_t addr)
{
	uint32_t v;

	memcpy(&v, (const void *)(uintptr_t)addr, sizeof(v));
	return v;
}

static inline uint64_t rd64(uint64_t addr)
{
	uint64_t v;

	memcpy(&v, (const void *)(uintptr_t)addr, sizeof(v));
	return v;
}

#endif
