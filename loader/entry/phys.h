/* SPDX-License-Identifier: MIT */
/*
 * The entries' view of the machine: what a boot loader handed them, read by physical address
 * (the entries run on an identity map), and the one control register they look at. Shared by
 * the Multiboot and bzImage64 entries. memcpy: boot information is not always naturally
 * aligned.
 *
 * Every access an entry makes to boot information goes through phys_ptr(), so a host build
 * can put the "physical memory" into a buffer: with LUGATE_PHYS_SANDBOX defined, phys_ptr,
 * phys_addr and phys_la57 are the host's functions (tests/fuzz/fuzz_boot_params.c), and any
 * read the entry's own bounds checks let through lands in that buffer, where ASan sees it.
 */
#ifndef LUGATE_LOADER_ENTRY_PHYS_H
#define LUGATE_LOADER_ENTRY_PHYS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef LUGATE_PHYS_SANDBOX
const void *phys_ptr(uint64_t addr);
uint64_t phys_addr(const void *p);
bool phys_la57(void);
#else
/* the identity map: a physical address is the pointer */
static inline const void *phys_ptr(uint64_t addr)
{
	return (const void *)(uintptr_t)addr;
}

static inline uint64_t phys_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Is 5-level paging on (CR4.LA57)? Then the identity map sits behind PML5[0]. */
static inline bool phys_la57(void)
{
	uint64_t cr4;

	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	return (cr4 & (1ull << 12)) != 0;
}
#endif

static inline uint32_t rd32(uint64_t addr)
{
	uint32_t v;

	memcpy(&v, phys_ptr(addr), sizeof(v));
	return v;
}

static inline uint64_t rd64(uint64_t addr)
{
	uint64_t v;

	memcpy(&v, phys_ptr(addr), sizeof(v));
	return v;
}

static inline uint8_t rd8(uint64_t addr)
{
	return *(const uint8_t *)phys_ptr(addr);
}

#endif
