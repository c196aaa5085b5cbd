/* SPDX-License-Identifier: MIT */
/*
 * A bounded string builder for freestanding code (no stdio in the core): the loader and
 * the EFI app print with it, the core formats reason messages with it. Writes never run
 * past the buffer; the result is always NUL-terminated; `len` counts what would have been
 * written so truncation can be detected (len >= size).
 */
#ifndef LUGATE_FMT_H
#define LUGATE_FMT_H

#include <lugate/types.h>

struct lugate_fmt {
	char *buf;
	size_t size;
	size_t len;
};

void lugate_fmt_init(struct lugate_fmt *f, char *buf, size_t size);
void lugate_fmt_str(struct lugate_fmt *f, const char *s);
void lugate_fmt_strn(struct lugate_fmt *f, const char *s, size_t n);
void lugate_fmt_char(struct lugate_fmt *f, char c);
/* A string that came from input (a release, a compatible string, a driver name), as a message
 * may show it: printable ASCII as itself, any other byte as \xNN, and after
 * LUGATE_FMT_INPUT_MAX bytes "..." instead of the rest. What the parsers accept is already
 * printable and short; this holds for whatever a front end passes the check. */
#define LUGATE_FMT_INPUT_MAX 64u
void lugate_fmt_input(struct lugate_fmt *f, const char *s);
void lugate_fmt_udec(struct lugate_fmt *f, uint64_t v);
void lugate_fmt_sdec(struct lugate_fmt *f, int64_t v);
/* Hex with at least `width` digits (0 = no padding), no prefix. */
void lugate_fmt_hex(struct lugate_fmt *f, uint64_t v, unsigned width);
void lugate_fmt_guid(struct lugate_fmt *f, const struct lugate_guid *g);
void lugate_fmt_pci(struct lugate_fmt *f, lugate_pci_addr a);

#endif
