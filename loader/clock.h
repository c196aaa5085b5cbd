/* SPDX-License-Identifier: MIT */
/*
 * Waiting a number of seconds on bare metal (the stop's delay before a reset): the TSC, whose
 * frequency comes from CPUID leaf 0x15 (crystal clock and ratio) when the CPU reports it whole,
 * else from the legacy PIT (channel 2, 50 ms, bounded so a missing PIT cannot hang the stop),
 * else from CPUID leaf 0x16's base frequency. Each is what the CPU or board says; none is a
 * guess. With none of them the caller says so and assumes a high frequency, so the wait is at
 * least as long as asked on any slower CPU.
 */
#ifndef LUGATE_LOADER_CLOCK_H
#define LUGATE_LOADER_CLOCK_H

#include <stdint.h>

#define CLOCK_ASSUMED_HZ 6000000000ull   /* no clock at all: above any x86 TSC today */

/* The TSC frequency in Hz and where it came from ("CPUID 0x15", "PIT", "CPUID 0x16"); 0 if none. */
uint64_t clock_tsc_hz(const char **source);
/* Spin for us microseconds of a TSC running at hz. */
void clock_wait_us(uint64_t hz, uint64_t us);

#endif
