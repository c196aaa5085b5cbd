/* SPDX-License-Identifier: MIT */
/*
 * The boot front ends' log: one line per step, each "<log_prefix><text>\n" over the front
 * end's console_write (console.h), so a line reads the same from the loader and from
 * lugate.efi. A line longer than LOG_LINE_MAX is cut and ends in "...".
 * Part of boot/, the room the boot front ends share (gate.h says why it is one room).
 */
#ifndef LUGATE_BOOT_LOG_H
#define LUGATE_BOOT_LOG_H

#include <stdint.h>
#include <lugate/fmt.h>

#define LOG_LINE_MAX 256u

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
/* Where a front end placed something: "<label>: <what> at [0x<start>-0x<start + size>)". */
void log_range(const char *label, const char *what, uint64_t start, uint64_t size);

#endif
