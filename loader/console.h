/* SPDX-License-Identifier: MIT */
/*
 * The loader's log: one line per step on COM1 (16550, 115200 8N1) and, unless
 * lugate.vga=0, mirrored on the VGA text screen. Every line starts with LOG_PREFIX so a
 * log file can be searched for the loader's words among the kernel's.
 */
#ifndef LUGATE_LOADER_CONSOLE_H
#define LUGATE_LOADER_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <lugate/fmt.h>

#define LOG_PREFIX "lugate-loader: "
#define LOG_LINE_MAX 256u

void console_init(bool vga);
void console_write(const char *s, size_t n);

/* What every line starts with: each front end's own (LOG_PREFIX here, EFI_LOG_PREFIX in
 * lugate.efi); log.c builds the lines over that front end's console_write. */
extern const char log_prefix[];

/* Building a line: log_start, lugate_fmt_* on l.f, log_emit (prefix + text + newline). */
struct log_line {
	struct lugate_fmt f;
	char buf[LOG_LINE_MAX];
};

void log_start(struct log_line *l);
void log_emit(struct log_line *l);
/* A whole line at once. */
void log_str(const char *text);
/* "<label><hex>" lines are frequent enough for a helper: "<label>0x<v>". */
void log_hex(const char *label, uint64_t v);

#endif
