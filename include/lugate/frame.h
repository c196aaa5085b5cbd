/* SPDX-License-Identifier: MIT */
/*
 * The integrity frame around every lugate blob (handoff table, binary manifest).
 *
 *   offset size field
 *   0      8    magic         "LUGTABLE" (handoff table) or "LUGMANIF" (manifest)
 *   8      4    version       frame version, 1
 *   12     4    header_size   64
 *   16     4    payload_size  bytes of FDT that follow the header
 *   20     4    flags         0 in version 1 (any other value is rejected)
 *   24     32   payload_sha256  SHA-256 of the payload bytes
 *   56     8    reserved      zero
 *
 * All fields little-endian. Nothing in the payload is read before the digest matches.
 * The digest detects corruption; it is not a signature (see docs/handoff-format.md).
 */
#ifndef LUGATE_FRAME_H
#define LUGATE_FRAME_H

#include <lugate/types.h>

#define LUGATE_FRAME_HEADER_SIZE 64u
#define LUGATE_FRAME_VERSION 1u
#define LUGATE_TABLE_MAGIC "LUGTABLE"
#define LUGATE_MANIFEST_MAGIC "LUGMANIF"
/* Upper bound on any payload: 64 MiB is far beyond 100,000 devices and keeps sizes sane. */
#define LUGATE_FRAME_PAYLOAD_MAX 0x4000000u /* 64 MiB */

struct lugate_frame_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint32_t payload_size;
	uint32_t flags;
	uint8_t payload_sha256[LUGATE_SHA256_SIZE];
	uint8_t reserved[8];
} __attribute__((packed));

_Static_assert(sizeof(struct lugate_frame_header) == LUGATE_FRAME_HEADER_SIZE, "frame header size");

/*
 * Validate a frame of the given magic: header fields, sizes, digest. On success the payload
 * lies at blob + LUGATE_FRAME_HEADER_SIZE, *payload_size bytes. Trailing bytes after the
 * payload are rejected (LUGATE_ERR_BADSIZE) so that a blob has exactly one meaning.
 */
int lugate_frame_open(const void *blob, size_t blob_size, const char magic[8],
		      const void **payload, uint32_t *payload_size);

/* Write the header for a payload already placed at blob + LUGATE_FRAME_HEADER_SIZE. */
int lugate_frame_seal(void *blob, size_t blob_size, const char magic[8], uint32_t payload_size);

/* Read the payload size a frame claims, after checking only magic/version/header size.
 * Lets a reader find where a frame ends inside a larger file (e.g. an image trailer). */
int lugate_frame_peek_size(const void *blob, size_t blob_size, const char magic[8], size_t *total_size);

#endif
