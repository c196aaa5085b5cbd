/* SPDX-License-Identifier: MIT */
/*
 * The loader's command line: its first word is the loader's own path (QEMU, GRUB and
 * kexec-tools all put it there); the rest is the command line of the kernel it boots, minus
 * the lugate.* options the loader consumes (docs/loader.md lists them):
 *
 *   lugate.debug_exit=1   on a stop, also write the stop code to I/O port 0xf4 (QEMU's
 *                         isa-debug-exit): tests only, never on real hardware
 *   lugate.vga=0          do not mirror the log on the VGA text screen
 *
 * Unknown lugate.* words are reported and dropped, never passed on.
 */
#ifndef LUGATE_LOADER_CMDLINE_H
#define LUGATE_LOADER_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct loader_options {
	bool debug_exit;
	bool vga;
	unsigned unknown;            /* lugate.* words not understood (dropped) */
	char first_unknown[64];      /* the first of them, for the log */
};

/*
 * Split `in`: options into *opt, the kernel's command line into out (words joined by one
 * space; double-quoted spans stay inside their word). Returns false if out was too small
 * (out then holds a truncated, still terminated, line).
 */
bool cmdline_split(const char *in, char *out, size_t out_size, struct loader_options *opt);

#endif
