// SPDX-License-Identifier: MIT
/* The bundle container for the kexec_file loader (see lugate/bundle.h). */
#include <string.h>
#include <lugate/bundle.h>
#include <lugate/cmdline.h>
#include <lugate/error.h>
#include <lugate/sha256.h>
#include "bytes.h"

#define HDR_VERSION 8
#define HDR_HEADER_SIZE 12
#define HDR_COUNT 16
#define HDR_FLAGS 20
#define HDR_TOTAL 24
#define HDR_DIGEST 32
#define ENT_ROLE 0
#define ENT_RESERVED 4
#define ENT_OFFSET 8
#define ENT_SIZE 16
#define ENT_RESERVED2 24
#define ENT_DIGEST 32

static const char bundle_magic[8] = LUGATE_BUNDLE_MAGIC; /* 8 bytes, no NUL */

static const char *const role_names[LUGATE_BUNDLE_ROLE_MAX + 1] = {
	[0] = "unknown",
	[LUGATE_BUNDLE_TABLE] = "table",
	[LUGATE_BUNDLE_KERNEL] = "kernel",
	[LUGATE_BUNDLE_INITRD] = "initrd",
	[LUGATE_BUNDLE_CMDLINE] = "cmdline",
	[LUGATE_BUNDLE_FALLBACK] = "fallback",
	[LUGATE_BUNDLE_FALLBACK_INITRD] = "fallback-initrd",
	[LUGATE_BUNDLE_FALLBACK_CMDLINE] = "fallback-cmdline",
};

const char *lugate_bundle_role_name(uint32_t role)
{
	return role >= 1 && role <= LUGATE_BUNDLE_ROLE_MAX ? role_names[role] : role_names[0];
}

static bool is_cmdline_role(uint32_t role)
{
	return role == LUGATE_BUNDLE_CMDLINE || role == LUGATE_BUNDLE_FALLBACK_CMDLINE;
}

/* The command-line rule (handoff/cmdline.c); no kernel is at hand here to bound it further. */
static bool valid_cmdline(const void *p, uint64_t size)
{
	return size <= LUGATE_BUNDLE_CMDLINE_MAX && lugate_cmdline_check(p, (size_t)size, 0) == 0;
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static uint64_t directory_end(uint32_t count)
{
	return LUGATE_BUNDLE_HEADER_SIZE + (uint64_t)count * LUGATE_BUNDLE_ENTRY_SIZE;
}

static int check_header(const uint8_t *h, uint64_t size, uint32_t *count)
{
	uint8_t digest[LUGATE_SHA256_SIZE];

	if (size < LUGATE_BUNDLE_HEADER_SIZE)
		return size >= 8 && memcmp(h, LUGATE_BUNDLE_MAGIC, 8) != 0 ? LUGATE_ERR_BADMAGIC
									 : LUGATE_ERR_TRUNCATED;
	if (memcmp(h, LUGATE_BUNDLE_MAGIC, 8) != 0)
		return LUGATE_ERR_BADMAGIC;
	if (le32_load(h + HDR_VERSION) != LUGATE_BUNDLE_VERSION)
		return LUGATE_ERR_BADVERSION;
	if (le32_load(h + HDR_HEADER_SIZE) != LUGATE_BUNDLE_HEADER_SIZE)
		return LUGATE_ERR_BADSIZE;
	if (le32_load(h + HDR_FLAGS) != 0)
		return LUGATE_ERR_UNSUPPORTED;
	*count = le32_load(h + HDR_COUNT);
	if (*count == 0 || *count > LUGATE_BUNDLE_MAX_ENTRIES)
		return LUGATE_ERR_TOOMANY;
	if (le64_load(h + HDR_TOTAL) != size)
		return le64_load(h + HDR_TOTAL) > size ? LUGATE_ERR_TRUNCATED : LUGATE_ERR_BADSIZE;
	if (size < directory_end(*count))
		return LUGATE_ERR_TRUNCATED;
	lugate_sha256(h + LUGATE_BUNDLE_HEADER_SIZE, (size_t)(directory_end(*count) - LUGATE_BUNDLE_HEADER_SIZE),
		      digest);
	if (memcmp(digest, h + HDR_DIGEST, LUGATE_SHA256_SIZE) != 0)
		return LUGATE_ERR_BADHASH;
	return 0;
}

static int read_entry(const uint8_t *blob, uint64_t size, uint32_t i, uint64_t prev_end,
		      struct lugate_bundle_entry *e)
{
	const uint8_t *d = blob + LUGATE_BUNDLE_HEADER_SIZE + (size_t)i * LUGATE_BUNDLE_ENTRY_SIZE;

	e->role = le32_load(d + ENT_ROLE);
	e->offset = le64_load(d + ENT_OFFSET);
	e->size = le64_load(d + ENT_SIZE);
	e->sha256 = d + ENT_DIGEST;
	if (e->role < 1 || e->role > LUGATE_BUNDLE_ROLE_MAX)
		return LUGATE_ERR_UNSUPPORTED;
	if (le32_load(d + ENT_RESERVED) || le64_load(d + ENT_RESERVED2))
		return LUGATE_ERR_UNSUPPORTED;
	if (e->size == 0 || e->offset % LUGATE_BUNDLE_ALIGN != 0 || !range_ok(e->offset, e->size, size))
		return LUGATE_ERR_BADSIZE;
	if (e->offset < prev_end) /* over the directory, out of order, or overlapping */
		return LUGATE_ERR_BADSIZE;
	/* padding between areas is zero: a bundle has exactly one meaning */
	if (!all_zero(blob + prev_end, e->offset - prev_end))
		return LUGATE_ERR_BADSIZE;
	e->data = blob + e->offset;
	if (is_cmdline_role(e->role) && !valid_cmdline(e->data, e->size))
		return LUGATE_ERR_BADSTRING;
	return 0;
}

int lugate_bundle_open(const void *blob, uint64_t size, struct lugate_bundle *out)
{
	struct lugate_bundle b;
	uint64_t end;
	int err;

	if (!blob || !out)
		return LUGATE_ERR_INVAL;
	memset(&b, 0, sizeof(b));
	for (unsigned r = 0; r <= LUGATE_BUNDLE_ROLE_MAX; r++)
		b.by_role[r] = -1;
	err = check_header(blob, size, &b.entry_count);
	if (err)
		return err;
	end = directory_end(b.entry_count);
	for (uint32_t i = 0; i < b.entry_count; i++) {
		struct lugate_bundle_entry *e = &b.entry[i];
		err = read_entry(blob, size, i, end, e);
		if (err)
			return err;
		if (b.by_role[e->role] >= 0)
			return LUGATE_ERR_DUPLICATE;
		b.by_role[e->role] = (int)i;
		end = e->offset + e->size;
	}
	if (!all_zero((const uint8_t *)blob + end, size - end))
		return LUGATE_ERR_BADSIZE;
	if (b.by_role[LUGATE_BUNDLE_TABLE] < 0 || b.by_role[LUGATE_BUNDLE_KERNEL] < 0)
		return LUGATE_ERR_NOTFOUND;
	if (b.by_role[LUGATE_BUNDLE_FALLBACK] < 0 &&
	    (b.by_role[LUGATE_BUNDLE_FALLBACK_INITRD] >= 0 || b.by_role[LUGATE_BUNDLE_FALLBACK_CMDLINE] >= 0))
		return LUGATE_ERR_NOTFOUND;
	b.blob = blob;
	b.size = size;
	*out = b;
	return 0;
}

const struct lugate_bundle_entry *lugate_bundle_get(const struct lugate_bundle *b, uint32_t role)
{
	if (!b || role < 1 || role > LUGATE_BUNDLE_ROLE_MAX || b->by_role[role] < 0)
		return NULL;
	return &b->entry[b->by_role[role]];
}

int lugate_bundle_verify(const struct lugate_bundle_entry *e, uint8_t digest_out[LUGATE_SHA256_SIZE])
{
	uint8_t digest[LUGATE_SHA256_SIZE];

	if (!e)
		return LUGATE_ERR_INVAL;
	lugate_sha256(e->data, (size_t)e->size, digest);
	if (digest_out)
		memcpy(digest_out, digest, LUGATE_SHA256_SIZE);
	return memcmp(digest, e->sha256, LUGATE_SHA256_SIZE) == 0 ? 0 : LUGATE_ERR_BADHASH;
}

static uint64_t align_up(uint64_t v)
{
	return (v + LUGATE_BUNDLE_ALIGN - 1) & ~(uint64_t)(LUGATE_BUNDLE_ALIGN - 1);
}

/* Entries are written in role order, so equal inputs give equal bundles. */
long long lugate_bundle_build(void *buf, uint64_t buf_size, const struct lugate_bundle_input *in,
			      uint32_t count, uint64_t *needed)
{
	const struct lugate_bundle_input *by_role[LUGATE_BUNDLE_ROLE_MAX + 1] = { 0 };
	uint8_t *b = buf;
	uint64_t pos, total;
	uint32_t n = 0;

	if ((!in && count) || count == 0 || count > LUGATE_BUNDLE_MAX_ENTRIES)
		return count ? LUGATE_ERR_TOOMANY : LUGATE_ERR_INVAL;
	for (uint32_t i = 0; i < count; i++) {
		if (in[i].role < 1 || in[i].role > LUGATE_BUNDLE_ROLE_MAX || !in[i].data || in[i].size == 0)
			return LUGATE_ERR_INVAL;
		if (by_role[in[i].role])
			return LUGATE_ERR_DUPLICATE;
		if (is_cmdline_role(in[i].role) && !valid_cmdline(in[i].data, in[i].size))
			return LUGATE_ERR_BADSTRING;
		by_role[in[i].role] = &in[i];
	}
	if (!by_role[LUGATE_BUNDLE_TABLE] || !by_role[LUGATE_BUNDLE_KERNEL])
		return LUGATE_ERR_NOTFOUND;
	if (!by_role[LUGATE_BUNDLE_FALLBACK] && (by_role[LUGATE_BUNDLE_FALLBACK_INITRD] || by_role[LUGATE_BUNDLE_FALLBACK_CMDLINE]))
		return LUGATE_ERR_NOTFOUND;
	total = directory_end(count);
	for (uint32_t r = 1; r <= LUGATE_BUNDLE_ROLE_MAX; r++)
		if (by_role[r]) {
			if (by_role[r]->size > UINT64_MAX / 2)
				return LUGATE_ERR_BADSIZE;
			total = align_up(total) + by_role[r]->size;
		}
	if (needed)
		*needed = total;
	if (!buf || buf_size < total)
		return LUGATE_ERR_NOSPACE;
	memset(b, 0, (size_t)total);
	memcpy(b, bundle_magic, sizeof(bundle_magic));
	le32_store(b + HDR_VERSION, LUGATE_BUNDLE_VERSION);
	le32_store(b + HDR_HEADER_SIZE, LUGATE_BUNDLE_HEADER_SIZE);
	le32_store(b + HDR_COUNT, count);
	le64_store(b + HDR_TOTAL, total);
	pos = directory_end(count);
	for (uint32_t r = 1; r <= LUGATE_BUNDLE_ROLE_MAX; r++) {
		const struct lugate_bundle_input *e = by_role[r];
		uint8_t *d = b + LUGATE_BUNDLE_HEADER_SIZE + (size_t)n++ * LUGATE_BUNDLE_ENTRY_SIZE;
		if (!e) {
			n--;
			continue;
		}
		pos = align_up(pos);
		le32_store(d + ENT_ROLE, r);
		le64_store(d + ENT_OFFSET, pos);
		le64_store(d + ENT_SIZE, e->size);
		memcpy(b + pos, e->data, (size_t)e->size);
		lugate_sha256(b + pos, (size_t)e->size, d + ENT_DIGEST);
		pos += e->size;
	}
	lugate_sha256(b + LUGATE_BUNDLE_HEADER_SIZE, (size_t)(directory_end(count) - LUGATE_BUNDLE_HEADER_SIZE),
		      b + HDR_DIGEST);
	return (long long)total;
}
