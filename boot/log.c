// SPDX-License-Identifier: MIT
/*
 * The log's lines (log.h) over the front end's console_write (console.h). Shared by the
 * loader (COM1 and VGA) and lugate.efi (ConOut, serial), so a line reads the same on every
 * front end; a line cut at LOG_LINE_MAX ends in "...".
 */
#include <string.h>
#include "console.h"
#include "log.h"

void log_start(struct log_line *l)
{
	lugate_fmt_init(&l->f, l->buf, sizeof(l->buf));
}

void log_emit(struct log_line *l)
{
	console_write(log_prefix, strlen(log_prefix));
	console_write(l->buf, strlen(l->buf));
	if (l->f.len >= l->f.size)
		console_write("...", 3);
	console_write("\n", 1);
}

void log_str(const char *text)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, text);
	log_emit(&l);
}

void log_hex(const char *label, uint64_t v)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, label);
	lugate_fmt_str(&l.f, "0x");
	lugate_fmt_hex(&l.f, v, 0);
	log_emit(&l);
}

void log_range(const char *label, const char *what, uint64_t start, uint64_t size)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, label);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_str(&l.f, what);
	lugate_fmt_str(&l.f, " at [0x");
	lugate_fmt_hex(&l.f, start, 0);
	lugate_fmt_str(&l.f, "-0x");
	lugate_fmt_hex(&l.f, start + size, 0);
	lugate_fmt_str(&l.f, ")");
	log_emit(&l);
}
