/* SPDX-License-Identifier: MIT */
/*
 * The loader's command line: its first word is the loader's own path (QEMU, GRUB and
 * kexec-tools all put it there); the rest is the command line of the kernel it boots, minus
 * the lugate.* options the loader consumes (docs/loader.md lists them):
 *
 *   lugate.debug_exit=1   on a stop, also write the stop code to I/O port 0xf4 (QEMU's
 *                         isa-debug-exit): tests only, never on real hardware
 *   lugate.vga=0          do not mirror the log on the VGA text screen
 *   lugate.stop=reboot[:SECONDS] | lugate.stop=halt
 *                         what a stop does after its message (loader_stop.h); a bad value is
 *                         reported and the default (reboot:10) kept
 *   lugate.luo_dump=1     (bzImage64 entry) hex-dump the KHO FDT and every range of the
 *                         outgoing kernel's LUO state the reader reads, to capture real state
 *                         (tests/unit/luo/capture.py): tests only
 *
 * A later option overrides an earlier one, as on the kernel's command line.
 * Unknown lugate.* words are reported and dropped, never passed on.
 */
#ifndef LUGATE_LOADER_CMDLINE_H
#define LUGATE_LOADER_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include "loader_stop.h"

struct loader_options {
	bool debug_exit;
	bool vga;
	bool luo_dump;
	bool stop_given;             /* a valid lugate.stop= was seen; stop holds the last one */
	struct stop_policy stop;
	bool stop_bad;               /* the last lugate.stop= had a bad value (the default is kept) */
	char bad_stop[64];           /* that word, for the log */
	unsigned unknown;            /* lugate.* words not understood (dropped) */
	char first_unknown[64];      /* the first of them, for the log */
};

/*
 * Split `in`: options into *opt, the kernel's command line into out (words joined by one
 * space; double-quoted spans stay inside their word). Returns false if out was too small
 * (out then holds a truncated, still terminated, line). out NULL: read the options only.
 */
bool cmdline_split(const char *in, char *out, size_t out_size, struct loader_options *opt);

/*
 * The value of lugate.stop= (v, n bytes, not terminated): "halt", "reboot" (the default
 * delay) or "reboot:SECONDS" (decimal digits only, 0..STOP_MAX_SECONDS). false: not one of
 * these (*out unchanged).
 */
bool cmdline_parse_stop(const char *v, size_t n, struct stop_policy *out);

#endif
