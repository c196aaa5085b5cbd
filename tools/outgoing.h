/* SPDX-License-Identifier: MIT */
/* The outgoing kernel's image and the file handlers and FLBs compiled into it (outgoing.c). */
#ifndef LUGATE_TOOLS_OUTGOING_H
#define LUGATE_TOOLS_OUTGOING_H

#include <limits.h>
#include "target.h"

struct cli_outgoing_image {
	char path[PATH_MAX];
	bool open;                   /* image holds the opened, scanned image */
	struct cli_target image;
	size_t count;
	/* its file handlers and FLBs, compiled_only; the strings live in image */
	struct lugate_outgoing_format formats[CLI_SCAN_MAX];
};

/*
 * Open and scan the outgoing kernel's image: `given` (--outgoing-image), else
 * /boot/vmlinuz-<running release> (under $LUGATE_SYSROOT in tests, whose fake
 * /proc/sys/kernel/osrelease names the release). Returns 0 (formats filled), 1 when no
 * path was given and the default is not there (nothing to scan: the caller warns), or -1
 * with a one-line error (exit 2): unreadable, malformed, not scannable, or of another
 * release than the table's outgoing kernel (table_release, if not NULL).
 */
int cli_outgoing_image_open(const char *given, const char *table_release, struct cli_outgoing_image *o);
void cli_outgoing_image_free(struct cli_outgoing_image *o);
/* {"path", "release", "formats": [{"compatible", "layer"}]}, or NULL if none was opened. */
struct json_object *cli_outgoing_image_json(const struct cli_outgoing_image *o);

#endif
