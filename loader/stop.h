/* SPDX-License-Identifier: MIT */
/*
 * Stopping without booting anything: the message goes to the log, the CPU halts. Under test
 * (lugate.debug_exit=1) the stop code is also written to QEMU's isa-debug-exit port 0xf4,
 * so QEMU exits with status (code << 1) | 1. The codes are documented in docs/loader.md.
 */
#ifndef LUGATE_LOADER_STOP_H
#define LUGATE_LOADER_STOP_H

#include <stdbool.h>

enum loader_stop_code {
	LOADER_STOP_REFUSED = 0x10,        /* refused and no fallback was given: QEMU status 33 */
	LOADER_STOP_FALLBACK_BAD = 0x11,   /* refused, and the fallback cannot be booted either: 35 */
	LOADER_STOP_INPUT = 0x12,          /* the loader's own inputs are unusable (no memory map, ...): 37 */
	LOADER_STOP_EXCEPTION = 0x13,      /* a CPU exception in the loader: 39 */
};

void stop_set_debug_exit(bool on);
_Noreturn void loader_stop(enum loader_stop_code code, const char *why);

#endif
