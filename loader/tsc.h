/* SPDX-License-Identifier: MIT */
/*
 * The loader's own time (`loader_split`, docs/performance.md): TSC cycles from the entry's first C code
 * to the jump into Linux, split into four phases and printed as the last line before the jump:
 *   lugate-loader: tsc parse=<cycles> policy=<cycles> hash=<cycles> relocate=<cycles> total=<cycles>
 * Each lap gives the time since the previous lap to exactly one phase, so the phases add up
 * to total. The log lines a phase prints are part of that phase. Under QEMU TCG the TSC is
 * QEMU's, not the host's: only the shares mean anything there (docs/performance.md).
 */
#ifndef LUGATE_LOADER_TSC_H
#define LUGATE_LOADER_TSC_H

#include <stdint.h>
#include "../boot/cycles.h"   /* tsc_read */

enum tsc_phase {
	TSC_PARSE,      /* boot information, command line, memory map, modules, image and table headers */
	TSC_POLICY,     /* lugate_check (table digest included) and the decision, delivery record */
	TSC_HASH,       /* SHA-256 of the target image and, after a refusal, of the fallback */
	TSC_RELOCATE,   /* placing kernel, initrd, command line, setup_data; zero page and e820 */
	TSC_PHASES,
};

struct tsc_split {
	uint64_t entry;                  /* TSC at the entry's first C code */
	uint64_t mark;                   /* TSC at the last lap */
	uint64_t cycles[TSC_PHASES];
};

/* Start counting at entry (a TSC value the entry read; 0: now). */
void tsc_start(struct tsc_split *s, uint64_t entry);
/* The time since the last lap was phase p. */
void tsc_lap(struct tsc_split *s, enum tsc_phase p);
/* Of the cycles already given to phase from, move these to phase to (at most what from has). */
void tsc_move(struct tsc_split *s, enum tsc_phase from, enum tsc_phase to, uint64_t cycles);
/* Lap the last phase, then print the tsc line (total = entry to this lap). */
void tsc_finish(struct tsc_split *s, enum tsc_phase last);

#endif
