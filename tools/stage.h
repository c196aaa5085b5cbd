/* SPDX-License-Identifier: MIT */
/*
 * What lugate's loader will accept, asked by `lugate load` and `lugate bundle build` before
 * they stage or pack anything: a 64-bit bzImage it can boot (lugate_bzimage_boot64) and a
 * command line the kernel can take (lugate_cmdline_check). The rules are the core's; this file
 * only reads the inputs and words the refusals (one line each, exit 2).
 */
#ifndef LUGATE_TOOLS_STAGE_H
#define LUGATE_TOOLS_STAGE_H

#include "cli.h"

/* An image in memory that lugate's loader must be able to boot. `what` names it ("kernel",
 * "fallback"). On success *cmdline_size is the longest command line it declares (0: none). */
bool cli_stage_image(const char *what, const char *path, const void *data, size_t size, uint32_t *cmdline_size);

/* The same for a bundle (`lugate bundle build`), which either loader may receive: a bzImage
 * for the bzImage64 loader or an arm64 Image for build/loader.arm64 (lugate_arm64_boot). */
bool cli_stage_bundle_image(const char *what, const char *path, const void *data, size_t size,
			    uint32_t *cmdline_size, enum lugate_image_format *format);

/* The same, reading the file (malloc'd into *data, which the caller frees); arm64: the image
 * must be an arm64 Image build/loader.arm64 boots (an arm64 host), else a bzImage. */
bool cli_stage_image_file(const char *what, const char *path, bool arm64, uint8_t **data, size_t *size,
			  uint32_t *cmdline_size);

/* The command-line rule for `line` (what: "--append", ...) as the kernel `image` (its path) with
 * cmdline_size will receive it. Prints why not: the offset and value of a bad byte, or the
 * length and the limit. Never repeats the line itself. */
bool cli_stage_cmdline(const char *what, const char *line, size_t len, const char *image, uint32_t cmdline_size);

/* The entries of a bundle: the table, kernel and fallback already in memory (they were
 * validated, or sealed, from these very bytes); the initrds read here from their paths. */
struct cli_bundle_parts {
	const char *table_name;
	const void *table;
	size_t table_size;
	const char *kernel_name;
	const void *kernel;
	size_t kernel_size;
	const char *fallback_name;    /* NULL: no fallback */
	const void *fallback;
	size_t fallback_size;
	const char *initrd, *fallback_initrd;       /* paths, optional */
	const char *append, *fallback_append;       /* optional; "" is none */
};
/* Pack into a malloc'd buffer; `name` (the output) names it in errors. Prints errors. */
bool cli_bundle_pack(const struct cli_bundle_parts *p, const char *name, uint8_t **out, size_t *out_size);

#endif
