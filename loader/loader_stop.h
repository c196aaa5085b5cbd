/* SPDX-License-Identifier: MIT */
/*
 * Stopping without booting anything: the message goes to the log, then the stop policy
 * (lugate.stop, docs/loader.md "When the loader stops"): reset the machine after a delay
 * (reboot[:SECONDS], the default: reboot:10), or halt for good (halt). A host that halts stays
 * down with its VMs until someone power-cycles it; one that resets comes back through its
 * firmware's normal boot. Under test (lugate.debug_exit=1) the stop code is also written to
 * QEMU's isa-debug-exit port 0xf4 right after the STOP line, so QEMU exits with status
 * (code << 1) | 1 before the policy runs. The codes are documented in docs/loader.md.
 */
#ifndef LUGATE_LOADER_STOP_H
#define LUGATE_LOADER_STOP_H

#include <stdbool.h>
#include <stdint.h>
#include <lugate/stop.h>

enum loader_stop_code {
	LOADER_STOP_REFUSED = 0x10,        /* refused and no fallback was given: QEMU status 33 */
	LOADER_STOP_FALLBACK_BAD = 0x11,   /* refused, and the fallback cannot be booted either: 35 */
	LOADER_STOP_INPUT = 0x12,          /* the loader's own inputs are unusable (no memory map, ...): 37 */
	LOADER_STOP_EXCEPTION = 0x13,      /* a CPU exception in the loader: 39 */
};


/* What a stop does after its message (lugate.stop=reboot[:SECONDS] or lugate.stop=halt). */
struct stop_policy {
	bool reboot;                 /* false: halt for good */
	uint32_t seconds;            /* reboot: wait this long first (0: reset at once) */
};

/*
 * Set the stop's options (loader_run, once the command line is read); p NULL: the default.
 * A stop before this (an entry's own) reads lugate.debug_exit and lugate.stop from the command
 * line the entry copied into its struct loader_boot_info (loader_info_current()).
 */
void stop_configure(bool debug_exit, const struct stop_policy *p);
_Noreturn void loader_stop(enum loader_stop_code code, const char *why);

#endif
