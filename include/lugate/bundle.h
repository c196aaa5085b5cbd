/* SPDX-License-Identifier: MIT */
/*
 * The bundle: everything the kexec_file (bzImage64) loader needs, in the one initrd that
 * `kexec -s` can pass it (docs/bundle-format.md). Little-endian throughout.
 *
 *   header (64 bytes)
 *     0   8   magic        "LUGBUNDL"
 *     8   4   version      1
 *     12  4   header_size  64
 *     16  4   entry_count  1..LUGATE_BUNDLE_MAX_ENTRIES
 *     20  4   flags        0
 *     24  8   total_size   bytes of the whole bundle
 *     32  32  dir_sha256   SHA-256 of the entry directory that follows
 *   directory: entry_count entries of 64 bytes, in ascending offset order
 *     0   4   role         enum lugate_bundle_role
 *     4   4   reserved     0
 *     8   8   offset       from the start of the bundle; a multiple of LUGATE_BUNDLE_ALIGN
 *     16  8   size         bytes (> 0)
 *     24  8   reserved     0
 *     32  32  sha256       SHA-256 of the entry's bytes
 *   data: each entry's bytes at its offset; the areas do not overlap, lie after the
 *   directory and end within total_size; the gaps (alignment padding) are zero.
 */
#ifndef LUGATE_BUNDLE_H
#define LUGATE_BUNDLE_H

#include <lugate/types.h>

#define LUGATE_BUNDLE_MAGIC "LUGBUNDL"
#define LUGATE_BUNDLE_VERSION 1u
#define LUGATE_BUNDLE_HEADER_SIZE 64u
#define LUGATE_BUNDLE_ENTRY_SIZE 64u
#define LUGATE_BUNDLE_MAX_ENTRIES 8u
#define LUGATE_BUNDLE_ALIGN 4096u
#define LUGATE_BUNDLE_CMDLINE_MAX 4096u

enum lugate_bundle_role {
	LUGATE_BUNDLE_TABLE = 1,           /* the sealed handoff table */
	LUGATE_BUNDLE_KERNEL = 2,          /* the target kernel image */
	LUGATE_BUNDLE_INITRD = 3,          /* its initrd (optional) */
	LUGATE_BUNDLE_CMDLINE = 4,         /* its command line, text without NUL (optional) */
	LUGATE_BUNDLE_FALLBACK = 5,        /* the fallback kernel image (optional) */
	LUGATE_BUNDLE_FALLBACK_INITRD = 6, /* its initrd (optional) */
	LUGATE_BUNDLE_FALLBACK_CMDLINE = 7,/* its command line (optional; default: the target's) */
	LUGATE_BUNDLE_ROLE_MAX = 7,
};

const char *lugate_bundle_role_name(uint32_t role); /* "table", "kernel", ..., "unknown" */

struct lugate_bundle_entry {
	uint32_t role;
	uint64_t offset;
	uint64_t size;
	const uint8_t *sha256;        /* into the bundle */
	const void *data;             /* into the bundle */
};

struct lugate_bundle {
	const void *blob;
	uint64_t size;
	uint32_t entry_count;
	struct lugate_bundle_entry entry[LUGATE_BUNDLE_MAX_ENTRIES];
	int by_role[LUGATE_BUNDLE_ROLE_MAX + 1]; /* index into entry[], or -1 */
};

/*
 * Validate the structure: header, directory digest, roles (known, each at most once; table
 * and kernel required; a fallback initrd needs a fallback), offsets (aligned, ascending,
 * after the directory, no overlap, within total_size == size), command lines (printable,
 * at most LUGATE_BUNDLE_CMDLINE_MAX). Entry contents are not hashed here: see
 * lugate_bundle_verify (the caller may already be hashing an entry for another reason).
 */
int lugate_bundle_open(const void *blob, uint64_t size, struct lugate_bundle *out);

/* The entry of a role, or NULL. */
const struct lugate_bundle_entry *lugate_bundle_get(const struct lugate_bundle *b, uint32_t role);

/* Hash an entry and compare it with its recorded SHA-256: 0 or LUGATE_ERR_BADHASH. If
 * digest_out is non-NULL it receives the computed digest (to reuse, e.g. as an image hash). */
int lugate_bundle_verify(const struct lugate_bundle_entry *e, uint8_t digest_out[LUGATE_SHA256_SIZE]);

/* Building: the caller lists the entries (data pointers and sizes, any order); the core lays
 * them out and writes the bundle into buf. Returns the total size or a negative error;
 * *needed says how much room it takes (call with buf NULL to learn it). */
struct lugate_bundle_input {
	uint32_t role;
	const void *data;
	uint64_t size;
};
long long lugate_bundle_build(void *buf, uint64_t buf_size, const struct lugate_bundle_input *in,
			      uint32_t count, uint64_t *needed);

#endif
