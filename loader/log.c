// SPDX-License-Identifier: MIT
/*
 * The log's lines (console.h): a prefix, the text, a newline, over the front end's
 * console_write. Shared by the loader (COM1 and VGA) and lugate.efi (ConOut, serial), so a
 * line reads the same on every front end; a line cut at LOG_LINE_MAX ends in "...".
 */
#include <string.h>
#include "console.h"

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
