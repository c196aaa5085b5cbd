/* SPDX-License-Identifier: MIT */
/*
 * The cycle counter the shared code reads to time its own slow step (target_inspect.c: the image's
 * SHA-256), which the loader's phase split (loader/tsc.h) reports: the TSC on x86-64, the
 * virtual counter (CNTVCT_EL0) on arm64, whose loader logs it as the time the hash took.
 */
#ifndef LUGATE_BOOT_CYCLES_H
#define LUGATE_BOOT_CYCLES_H

#include <stdint.h>

#if defined(__aarch64__)
/* The virtual counter once every earlier instruction has completed (ISB orders the read). */
static inline uint64_t tsc_read(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}
#else
/* The TSC once every earlier instruction has completed (LFENCE orders RDTSC after them). */
static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}
#endif

#endif
