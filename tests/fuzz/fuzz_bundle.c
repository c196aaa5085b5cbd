// SPDX-License-Identifier: MIT
/*
 * Fuzz the bundle reader (handoff/bundle.c, lugate_bundle_open/get/verify): the one initrd
 * the kexec -s loader receives. The input is opened as it is, and again with its directory
 * digest and total size made right (the digest would hide everything behind it).
 * An accepted bundle has known roles, each at most once, with table and kernel; entries that
 * are aligned, ascending, non-overlapping, inside the bundle and after the directory;
 * verification either confirms an entry's hash or refuses; and building a bundle from its
 * entries gives one that opens to the same entries.
 */
#include <lugate/bundle.h>
#include "fuzz.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void rebuild_agrees(const struct lugate_bundle *b)
{
	struct lugate_bundle_input in[LUGATE_BUNDLE_MAX_ENTRIES];
	struct lugate_bundle b2;
	uint64_t needed = 0;
	uint8_t *buf;
	long long len;

	for (uint32_t i = 0; i < b->entry_count; i++) {
		in[i].role = b->entry[i].role;
		in[i].data = b->entry[i].data;
		in[i].size = b->entry[i].size;
	}
	len = lugate_bundle_build(NULL, 0, in, b->entry_count, &needed);
	FUZZ_ASSERT(len == LUGATE_ERR_NOSPACE && needed > 0);
	if (needed > ((uint64_t)64 << 20))
		return;
	buf = malloc(needed);
	FUZZ_ASSERT(buf);
	len = lugate_bundle_build(buf, needed, in, b->entry_count, NULL);
	FUZZ_ASSERT(len > 0 && (uint64_t)len <= needed);
	FUZZ_ASSERT(lugate_bundle_open(buf, (uint64_t)len, &b2) == 0 && b2.entry_count == b->entry_count);
	for (uint32_t role = 1; role <= LUGATE_BUNDLE_ROLE_MAX; role++) {
		const struct lugate_bundle_entry *e = lugate_bundle_get(b, role), *e2 = lugate_bundle_get(&b2, role);
		FUZZ_ASSERT(!e == !e2);
		if (e) {
			FUZZ_ASSERT(e->size == e2->size && memcmp(e->data, e2->data, e->size) == 0);
			FUZZ_ASSERT(lugate_bundle_verify(e2, NULL) == 0);
		}
	}
	free(buf);
}

static void one(const uint8_t *blob, size_t size)
{
	struct lugate_bundle b;
	int err = lugate_bundle_open(blob, size, &b);
	uint64_t prev_end = 0;

	if (err) {
		FUZZ_ASSERT(err < 0 && err >= -LUGATE_ERR_MAX);
		return;
	}
	FUZZ_ASSERT(b.entry_count >= 2 && b.entry_count <= LUGATE_BUNDLE_MAX_ENTRIES);
	FUZZ_ASSERT(lugate_bundle_get(&b, LUGATE_BUNDLE_TABLE) && lugate_bundle_get(&b, LUGATE_BUNDLE_KERNEL));
	FUZZ_ASSERT(!lugate_bundle_get(&b, LUGATE_BUNDLE_FALLBACK_INITRD) || lugate_bundle_get(&b, LUGATE_BUNDLE_FALLBACK));
	FUZZ_ASSERT(lugate_bundle_get(&b, 0) == NULL && lugate_bundle_get(&b, LUGATE_BUNDLE_ROLE_MAX + 1) == NULL);
	for (uint32_t i = 0; i < b.entry_count; i++) {
		const struct lugate_bundle_entry *e = &b.entry[i];
		uint8_t digest[LUGATE_SHA256_SIZE];
		int v;

		FUZZ_ASSERT(e->role >= 1 && e->role <= LUGATE_BUNDLE_ROLE_MAX);
		FUZZ_ASSERT(lugate_bundle_get(&b, e->role) == e);
		FUZZ_ASSERT(e->size > 0 && e->offset % LUGATE_BUNDLE_ALIGN == 0);
		FUZZ_ASSERT(e->offset >= LUGATE_BUNDLE_HEADER_SIZE + (uint64_t)b.entry_count * LUGATE_BUNDLE_ENTRY_SIZE);
		FUZZ_ASSERT(e->offset >= prev_end);
		FUZZ_ASSERT(fuzz_inside(blob, size, e->data, e->size) && (const uint8_t *)e->data == blob + e->offset);
		FUZZ_ASSERT(fuzz_inside(blob, size, e->sha256, LUGATE_SHA256_SIZE));
		prev_end = e->offset + e->size;
		v = lugate_bundle_verify(e, digest);
		FUZZ_ASSERT(v == 0 || v == LUGATE_ERR_BADHASH);
		FUZZ_ASSERT((v == 0) == (memcmp(digest, e->sha256, LUGATE_SHA256_SIZE) == 0));
		if (e->role == LUGATE_BUNDLE_CMDLINE || e->role == LUGATE_BUNDLE_FALLBACK_CMDLINE) {
			FUZZ_ASSERT(e->size <= LUGATE_BUNDLE_CMDLINE_MAX);
			for (uint64_t k = 0; k < e->size; k++)
				FUZZ_ASSERT(((const uint8_t *)e->data)[k] >= 0x20 && ((const uint8_t *)e->data)[k] < 0x7f);
		}
	}
	rebuild_agrees(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t count;

	one(data, size);
	if (size < LUGATE_BUNDLE_HEADER_SIZE)
		return 0;
	count = rd32(data + 16);
	if (count > LUGATE_BUNDLE_MAX_ENTRIES || LUGATE_BUNDLE_HEADER_SIZE + (size_t)count * LUGATE_BUNDLE_ENTRY_SIZE > size)
		return 0;
	copy = fuzz_dup(data, size, 0);
	for (unsigned i = 0; i < 8; i++)
		copy[24 + i] = (uint8_t)((uint64_t)size >> (8 * i));
	lugate_sha256(copy + LUGATE_BUNDLE_HEADER_SIZE, (size_t)count * LUGATE_BUNDLE_ENTRY_SIZE, copy + 32);
	one(copy, size);
	free(copy);
	return 0;
}
