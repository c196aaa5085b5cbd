/* SPDX-License-Identifier: MIT */
/*
 * The cycle counter the shared code reads to time its own slow step (target_inspect.c: the image's
 * SHA-256), which the loader's phase split (loader/tsc.h) reports. x86-64 only, like the rest
 * of this room (the x86 boot protocol).
 */
#ifndef LUGATE_BOOT_CYCLES_H
#define LUGATE_BOOT_CYCLES_H

#include <stdint.h>

/* The TSC once every earlier instruction has completed (LFENCE orders RDTSC after them). */
static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

#endif
