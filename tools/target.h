/* SPDX-License-Identifier: MIT */
/* A target (or fallback) kernel image as the CLI sees it: bytes, identity, hash, manifest,
 * and the KHO/LUO strings its payload carries. Shared by check, seal, inspect and load. */
#ifndef LUGATE_TOOLS_TARGET_H
#define LUGATE_TOOLS_TARGET_H

#include <lugate/image.h>
#include "cli.h"

#define CLI_SCAN_MAX 32

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
	bool scan_too_large;         /* it stopped past scan_limit: an input error, not a skipped scan */
	size_t scan_limit;           /* the most the payload may decompress to (its init_size + 1/4) */
	size_t kernel_size;          /* bytes scanned: the decompressed payload, or the image */
	size_t compat_count;
	char compat[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];
	uint8_t compat_layer[CLI_SCAN_MAX]; /* a handler's or FLB's layer, else UNKNOWN (cli_scan_finish_layers) */
	const char *compat_ptrs[CLI_SCAN_MAX];
};

/* Read, identify and hash an image; scan its payload if `scan`. Prints a one-line error and
 * returns false for an unreadable or malformed image, or (when scanned) one whose payload
 * decompresses to more than its header declares (cli_target_scan_ok). The file is read
 * only after its first 64 KiB name a format, and only up to that format's cap. A corrupt manifest (the check's
 * no-manifest) or one naming another release than the image is not an error here: inspect
 * shows both, and the check refuses the second (wrong-manifest). */
bool cli_target_open(const char *path, bool scan, struct cli_target *t);
/* False (with a one-line error) if the image's manifest names a release the image itself
 * contradicts (lugate_manifest_fits_image): inspect's exit 2. */
bool cli_target_usable(const struct cli_target *t);
void cli_target_free(struct cli_target *t);

/* zboot.c: decompress a zboot payload (the image's, or its UKI's .linux) once, reading the
 * arm64 Image inside (release, page size) and its KHO/LUO strings: the scan is then done.
 * False, with a one-line error, if the payload is corrupt, too large or not an arm64 Image. */
bool cli_target_read_zboot(struct cli_target *t);

/* Fill the target side of a check from it: manifest, release, scanned strings, hash. */
void cli_target_check_input(const struct cli_target *t, struct lugate_check_input *in);

/* Decompress and scan the payload now, if that has not been done (see scan_error). */
void cli_target_scan(struct cli_target *t);
/* False, with a one-line error, if the scan stopped because the payload decompresses to more
 * than the image declares ("output too large": exit 2). A corrupt payload only skips the scan. */
bool cli_target_scan_ok(const struct cli_target *t);

/*
 * lugate_check with `in` filled (cli_target_check_input, then whatever the caller changes).
 * The payload scan is slow (an xz kernel takes a second to decompress) and only matters when
 * the manifest alone leaves a preserved KHO/LUO format unrevived: it runs then, and the check
 * again with what it found. False (error printed: exit 2) if the scan found the payload
 * larger than declared (cli_target_scan_ok).
 */
bool cli_target_check(struct cli_target *t, struct lugate_check_input *in, struct lugate_reason *reasons,
		      size_t capacity, struct lugate_verdict *v);

/*
 * The check as the verbs that decide run it: cli_target_check (with t NULL: lugate_check on
 * the manifest in `in`), then, if the history in state_dir (an option, NULL: the default) says
 * the pair's last jump went bad (`lugate status --record`), once more with that date as one
 * more input: in->known_bad_since then points into known_bad. target_sha256 (may be NULL)
 * narrows the history look-up to that image. Returns EXIT_ALLOW to go on, EXIT_INPUT if the
 * payload is larger than declared, EXIT_SYSTEM if the history cannot be read (both printed).
 */
int cli_target_check_with_history(struct cli_target *t, struct lugate_check_input *in,
				  struct lugate_reason *reasons, size_t capacity, const char *state_dir,
				  const uint8_t *target_sha256, char known_bad[64], struct lugate_verdict *v);

/*
 * decompress.c: host-only (zlib, liblzma, libzstd, liblz4, libbz2). cli_decompress hands the
 * output to `sink` in pieces (none kept: memory stays at a chunk plus the decoder's window) and
 * stops past `limit` bytes of output: then it
 * returns "<format> output too large" and sets *too_large. Otherwise NULL, or a one-line reason
 * ("... data is corrupt"). *out_size: the bytes produced (up to the stop).
 */
typedef void (*cli_sink_fn)(void *ctx, const uint8_t *p, size_t n);
const char *cli_decompress(enum lugate_compression c, const uint8_t *in, size_t n, size_t limit, cli_sink_fn sink,
			   void *ctx, size_t *out_size, bool *too_large);

/*
 * The KHO/LUO format strings a kernel carries, in two shapes (see decompress.c):
 * - "<family>-v<digits>" as a whole C string, for the known families (kho-v, luo-v, memfd-v, ...);
 * - the compatible of a LUO file handler or FLB compiled in: struct liveupdate_file_handler and
 *   struct liveupdate_flb both hold an ops pointer followed by `char compatible[48]`, so an
 *   8-byte aligned record of a kernel address, a "<name>-v<digits>" string NUL-padded to 48
 *   bytes and the zeroed private fields the kernel fills at registration.
 * At most CLI_SCAN_MAX of them, in (family, first offset) order, each with its layer. The data
 * may come in pieces (cli_scan_feed, or cli_scan_sink as a cli_decompress sink): the result is
 * the same as cli_scan_compat over the whole.
 */
#define CLI_SCAN_TAIL (LUGATE_COMPAT_MAX + 2u)
/* A record: the ops pointer (8), compatible[48], then the private fields. A file handler's are
 * two list heads: 32 bytes, whatever the config. An FLB's struct luo_flb_private (include/linux/
 * liveupdate.h in 7.3) is a list head and two states, each a refcount, data, obj, a mutex and
 * two flags: at least 16 + 2 * 40 = 96 bytes with the smallest mutex (one word), 120 in the
 * 7.3 KHO kernel (its test FLBs lie 176 bytes apart). */
#define CLI_RECORD_HANDLER_ZEROS 32u
#define CLI_RECORD_FLB_ZEROS 96u
#define CLI_RECORD_SPAN (8u + 48u + CLI_RECORD_FLB_ZEROS)
#define CLI_RECORD_BUF ((size_t)16 << 10)
struct cli_compat_scan {
	uint64_t total;              /* bytes fed */
	size_t count, tail_len;
	uint64_t at[CLI_SCAN_MAX];   /* each string's first offset */
	uint8_t fam[CLI_SCAN_MAX];   /* and family (one past the families: a record's own name) */
	uint8_t layer[CLI_SCAN_MAX]; /* and layer (enum lugate_layer) */
	bool by_record[CLI_SCAN_MAX]; /* the layer was read from a handler/FLB record */
	char found[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];
	uint8_t tail[CLI_SCAN_TAIL]; /* the last bytes fed */
	uint64_t rec_base;           /* offset of rec[0] in the data (a multiple of 8) */
	size_t rec_len;
	uint8_t rec[CLI_RECORD_BUF]; /* bytes not yet looked at for records */
};
void cli_scan_init(struct cli_compat_scan *s);
void cli_scan_feed(struct cli_compat_scan *s, const uint8_t *p, size_t n);
void cli_scan_sink(void *ctx, const uint8_t *p, size_t n);
size_t cli_scan_finish(struct cli_compat_scan *s, char found[][LUGATE_COMPAT_MAX + 1], size_t max);
/* The same, and in layers[] (if not NULL) each string's layer as its handler or FLB record says
 * (enum lugate_layer), or LUGATE_LAYER_UNKNOWN for a string found only as a literal. */
size_t cli_scan_finish_layers(struct cli_compat_scan *s, char found[][LUGATE_COMPAT_MAX + 1], uint8_t *layers,
			      size_t max);
size_t cli_scan_compat(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], size_t max);
size_t cli_scan_compat_layers(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], uint8_t *layers,
			      size_t max);

#endif
