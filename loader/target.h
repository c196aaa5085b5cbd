/* SPDX-License-Identifier: MIT */
/*
 * What the check needs to know about a kernel image module: that it is a bzImage the loader
 * can boot, its release, the lugate manifest stamped into it (if any) and its SHA-256.
 */
#ifndef LUGATE_LOADER_TARGET_H
#define LUGATE_LOADER_TARGET_H

#include <stdbool.h>
#include <lugate/types.h>
#include <lugate/image.h>
#include "bzimage.h"
#include "modules.h"

#define TARGET_MAX_COMPAT 32u

struct target_info {
	const struct loader_module *module;
	bool bootable;                /* a 64-bit bzImage this loader can place and enter */
	const char *why_unbootable;
	struct bzimage bz;
	uint8_t sha256[LUGATE_SHA256_SIZE];  /* of the whole module, as given */
	uint64_t sha256_tsc;          /* TSC cycles the hash took (the loader's loader_split) */
	const void *manifest;         /* framed binary manifest inside the image, or NULL */
	size_t manifest_size;
	int manifest_error;           /* < 0: the core's image parser rejected the image (then not bootable) */
	enum lugate_manifest_carrier carrier;  /* where the manifest was found */
	const char *release;          /* the image's own release (core's image parser); NULL if it names none */
	char release_buf[LUGATE_RELEASE_MAX + 1];
	/* KHO/LUO strings found in the image. The loader cannot decompress a payload to scan it
	 * (the CLI can), so this stays empty: a target must list what it revives in its manifest. */
	const char *compat[TARGET_MAX_COMPAT];
	size_t compat_count;
};

/* Inspect a kernel-image module (hashes it: the slowest step of the loader). */
void target_inspect(const struct loader_module *m, const char *label, struct target_info *out);

#endif
