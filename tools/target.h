/* SPDX-License-Identifier: MIT */
/* A target (or fallback) kernel image as the CLI sees it: bytes, identity, hash, manifest,
 * and the KHO/LUO strings its payload carries. Shared by check, seal, inspect and load. */
#ifndef LUGATE_TOOLS_TARGET_H
#define LUGATE_TOOLS_TARGET_H

#include <lugate/image.h>
#include "cli.h"

#define CLI_SCAN_MAX 16

struct cli_target {
	const char *path;
	uint8_t *data;
	size_t size;
	struct lugate_image_info info;
	uint8_t sha256[LUGATE_SHA256_SIZE];
	int manifest_error;          /* < 0: a carrier is there but its manifest is corrupt */
	bool has_manifest;           /* a carrier holds a valid manifest */
	bool release_mismatch;       /* the manifest names another release than the image does */
	struct lugate_manifest manifest;
	/* payload scan (only when asked for) */
	bool scanned;                /* the scan ran to the end */
	const char *scan_error;      /* why it could not (NULL if it ran or was not asked) */
	size_t kernel_size;          /* bytes scanned: the decompressed payload, or the image */
	size_t compat_count;
	char compat[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];
	const char *compat_ptrs[CLI_SCAN_MAX];
};

/* Read, identify and hash an image; scan its payload if `scan`. Prints a one-line error and
 * returns false for an unreadable or malformed image. A corrupt manifest (the check's
 * no-manifest) or one naming another release than the image is not an error here: inspect
 * shows both; check, seal and embed refuse the second with cli_target_usable. */
bool cli_target_open(const char *path, bool scan, struct cli_target *t);
/* False (with a one-line error) if the image's manifest names a release the image itself
 * contradicts (a manifest stamped into the wrong kernel): the check would judge the path by
 * a release the kernel is not. Exit 2 material. */
bool cli_target_usable(const struct cli_target *t);
void cli_target_free(struct cli_target *t);

/* Fill the target side of a check from it: manifest, release, scanned strings, hash. */
void cli_target_check_input(const struct cli_target *t, struct lugate_check_input *in);

/* Decompress and scan the payload now, if that has not been done (see scan_error). */
void cli_target_scan(struct cli_target *t);

/*
 * lugate_check with `in` filled (cli_target_check_input, then whatever the caller changes).
 * The payload scan is slow (an xz kernel takes a second to decompress) and only matters when
 * the manifest alone leaves a preserved KHO/LUO format unrevived: it runs then, and the check
 * again with what it found.
 */
void cli_target_check(struct cli_target *t, struct lugate_check_input *in, struct lugate_reason *reasons,
		      size_t capacity, struct lugate_verdict *v);

/* decompress.c: host-only (zlib, liblzma, libzstd, liblz4, libbz2). cli_decompress returns
 * NULL and a malloc'd *out, or a one-line reason. cli_scan_compat finds the KHO/LUO format
 * strings a kernel carries: "<family>-v<digits>" as a whole C string (see decompress.c). */
const char *cli_decompress(enum lugate_compression c, const uint8_t *in, size_t n, uint8_t **out, size_t *out_size);
size_t cli_scan_compat(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], size_t max);

#endif
