// SPDX-License-Identifier: MIT
/* The integrity frame around lugate blobs (see lugate/frame.h). */
#include <string.h>
#include <lugate/error.h>
#include <lugate/frame.h>
#include <lugate/sha256.h>
#include "bytes.h"

#define OFF_MAGIC 0
#define OFF_VERSION 8
#define OFF_HEADER_SIZE 12
#define OFF_PAYLOAD_SIZE 16
#define OFF_FLAGS 20
#define OFF_DIGEST 24
#define OFF_RESERVED 56

/* Checks everything in the header but the digest and the exact blob size. */
static int frame_check_header(const uint8_t *h, size_t blob_size, const char magic[8])
{
	if (blob_size < LUGATE_FRAME_HEADER_SIZE)
		return blob_size >= 8 && memcmp(h, magic, 8) != 0 ? LUGATE_ERR_BADMAGIC
								   : LUGATE_ERR_TRUNCATED;
	if (memcmp(h + OFF_MAGIC, magic, 8) != 0)
		return LUGATE_ERR_BADMAGIC;
	if (le32_load(h + OFF_VERSION) != LUGATE_FRAME_VERSION)
		return LUGATE_ERR_BADVERSION;
	if (le32_load(h + OFF_HEADER_SIZE) != LUGATE_FRAME_HEADER_SIZE)
		return LUGATE_ERR_BADSIZE;
	if (le32_load(h + OFF_FLAGS) != 0)
		return LUGATE_ERR_UNSUPPORTED;
	for (unsigned i = 0; i < 8; i++)
		if (h[OFF_RESERVED + i])
			return LUGATE_ERR_UNSUPPORTED;
	if (le32_load(h + OFF_PAYLOAD_SIZE) > LUGATE_FRAME_PAYLOAD_MAX)
		return LUGATE_ERR_BADSIZE;
	return 0;
}

int lugate_frame_peek_size(const void *blob, size_t blob_size, const char magic[8], size_t *total_size)
{
	int err;

	if (!blob || !magic || !total_size)
		return LUGATE_ERR_INVAL;
	err = frame_check_header(blob, blob_size, magic);
	if (err)
		return err;
	*total_size = LUGATE_FRAME_HEADER_SIZE + (size_t)le32_load((const uint8_t *)blob + OFF_PAYLOAD_SIZE);
	return 0;
}

int lugate_frame_open(const void *blob, size_t blob_size, const char magic[8],
		      const void **payload, uint32_t *payload_size)
{
	const uint8_t *h = blob;
	uint8_t digest[LUGATE_SHA256_SIZE];
	size_t total;
	int err;

	err = lugate_frame_peek_size(blob, blob_size, magic, &total);
	if (err)
		return err;
	if (blob_size < total)
		return LUGATE_ERR_TRUNCATED;
	if (blob_size > total)
		return LUGATE_ERR_BADSIZE;
	lugate_sha256(h + LUGATE_FRAME_HEADER_SIZE, total - LUGATE_FRAME_HEADER_SIZE, digest);
	if (memcmp(digest, h + OFF_DIGEST, LUGATE_SHA256_SIZE) != 0)
		return LUGATE_ERR_BADHASH;
	*payload = h + LUGATE_FRAME_HEADER_SIZE;
	*payload_size = (uint32_t)(total - LUGATE_FRAME_HEADER_SIZE);
	return 0;
}

int lugate_frame_seal(void *blob, size_t blob_size, const char magic[8], uint32_t payload_size)
{
	uint8_t *h = blob;

	if (!blob || !magic || payload_size > LUGATE_FRAME_PAYLOAD_MAX ||
	    blob_size < LUGATE_FRAME_HEADER_SIZE + (size_t)payload_size)
		return LUGATE_ERR_INVAL;
	memcpy(h + OFF_MAGIC, magic, 8);
	le32_store(h + OFF_VERSION, LUGATE_FRAME_VERSION);
	le32_store(h + OFF_HEADER_SIZE, LUGATE_FRAME_HEADER_SIZE);
	le32_store(h + OFF_PAYLOAD_SIZE, payload_size);
	le32_store(h + OFF_FLAGS, 0);
	memset(h + OFF_RESERVED, 0, 8);
	lugate_sha256(h + LUGATE_FRAME_HEADER_SIZE, payload_size, h + OFF_DIGEST);
	return 0;
}
