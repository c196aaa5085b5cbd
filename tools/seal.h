/* SPDX-License-Identifier: MIT */
/* Sealing a table to the approved image (tools/seal_cmd.c); `lugate load` seals the same way. */
#ifndef LUGATE_TOOLS_SEAL_H
#define LUGATE_TOOLS_SEAL_H

#include "cli.h"

struct cli_seal_args {
	const char *table_path;      /* the handoff table (sealed or not) */
	const uint8_t *table;        /* or the table in memory (then table_path names it) */
	size_t table_size;
	const char *kernel_path;     /* the target image */
	const char *fallback_path;   /* optional */
	const char *policy_path;     /* optional: else the table's sealed policy, else the default */
	const struct lugate_outgoing_format *outgoing; /* formats the running kernel shows (load) */
	size_t outgoing_count;
	bool manifest_only;          /* judge the KHO/LUO formats by the manifest alone, as the
				      * loader must (it cannot decompress the image to scan it) */
	bool json, quiet;            /* how to report the verdict */
	const char *state_dir;       /* the jump history (NULL: $LUGATE_STATE_DIR, else the default):
				      * a pair whose last jump went bad is refused, known-bad */
	struct json_object **verdict_json; /* if set: the verdict's JSON goes here (the caller
					    * adds to it and prints it), not to stdout */
};

/*
 * Run the check of the table against the image; on allow, build the sealed table (target
 * and fallback SHA-256, target release, canonical policy) into *sealed (malloc'd). Prints
 * the verdict (unless quiet) and errors. Returns the exit code: 0 sealed, 1 refused, 2 input.
 */
int cli_seal(const struct cli_seal_args *a, uint8_t **sealed, size_t *sealed_size);

#endif
