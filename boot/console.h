/* SPDX-License-Identifier: MIT */
/*
 * The console a boot front end gives the shared log (log.c): the one interface of this room
 * that the front ends implement rather than call. The bare-metal loader writes to COM1 and the
 * VGA text screen (loader/serial_console.c), lugate.efi to ConOut and a serial port (efi/console.c),
 * the host unit tests to a buffer they read back. Each defines both symbols below once.
 * Part of boot/, the room the boot front ends share (gate.h says why it is one room).
 */
#ifndef LUGATE_BOOT_CONSOLE_H
#define LUGATE_BOOT_CONSOLE_H

#include <stddef.h>

/* Write n bytes (no NUL among them, at most one line's worth); never fails, may drop bytes. */
void console_write(const char *s, size_t n);

/* What every line starts with, so a log can be searched for the front end's words among the
 * kernel's: "lugate-loader: " (loader), "lugate-efi: " (lugate.efi). */
extern const char log_prefix[];

#endif
