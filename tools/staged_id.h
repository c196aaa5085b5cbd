/* SPDX-License-Identifier: MIT */
/*
 * What `lugate load` staged, as one identity: a SHA-256 over the exact kexec command, the sealed
 * table, the bundle and the initrds the command names. `load` keeps it in the runtime folder as
 * staged.id beside the sealed table; a later `load` of the same inputs finds it, sees that the
 * kernel still holds a staged image, and stages nothing new. This is what lets a fleet tool
 * (contrib/ansible) report "changed" only when something new was staged.
 */
#ifndef LUGATE_TOOLS_STAGED_ID_H
#define LUGATE_TOOLS_STAGED_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kexec.h"

#define CLI_STAGED_ID_FILE "staged.id"
#define CLI_STAGED_ID_HEX 64

/* What the identity covers; bundle and the initrd paths may be NULL. */
struct cli_staged_inputs {
	const struct cli_argv *cmd;
	const uint8_t *sealed;
	size_t sealed_size;
	const uint8_t *bundle;
	size_t bundle_size;
	const char *initrd, *fallback_initrd;
};

/* The identity as lowercase hex and a newline (the file's content), NUL-terminated. False
 * (printed, exit 3 material) when an initrd cannot be read. */
bool cli_staged_id(const struct cli_staged_inputs *in, char out[CLI_STAGED_ID_HEX + 2]);

/* True when the kernel has an image staged (kexec_loaded) and dir_fd's staged.id, a regular
 * file owned by the caller and not a symbolic link, holds exactly `id`. Prints nothing: any
 * doubt means "not staged yet", and `load` stages again. */
bool cli_staged_id_current(int dir_fd, const char *id);

#endif
