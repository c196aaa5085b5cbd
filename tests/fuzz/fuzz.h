/* SPDX-License-Identifier: MIT */
/*
 * Shared bits of the libFuzzer harnesses (docs/fuzzing.md). Each harness is one
 * tests/fuzz/fuzz_NAME.c built with clang -fsanitize=fuzzer,address,undefined against the
 * core (and libfdt) compiled with the same sanitizers, so a read past a buffer anywhere on
 * the path is a crash, and every FUZZ_ASSERT below is a property the code must keep.
 */
#ifndef LUGATE_FUZZ_H
#define LUGATE_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/lugate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken property is a crash, with the file, line and condition for the reproducer's log. */
#define FUZZ_ASSERT(cond)                                                                      \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

/*
 * A blob's integrity frame hides everything behind it from a mutator: nearly every mutation
 * breaks the digest. fuzz_reframe() gives the parser behind the frame a chance: the input,
 * less a frame header if it starts with `magic`, becomes the payload of a freshly sealed
 * frame. Returns a malloc'ed blob (size in *out_size) or NULL if the payload is too large.
 */
static inline uint8_t *fuzz_reframe(const uint8_t *data, size_t size, const char magic[8], size_t *out_size)
{
	const uint8_t *payload = data;
	size_t payload_size = size;
	uint8_t *blob;

	if (size >= LUGATE_FRAME_HEADER_SIZE && memcmp(data, magic, 8) == 0) {
		payload += LUGATE_FRAME_HEADER_SIZE;
		payload_size -= LUGATE_FRAME_HEADER_SIZE;
	}
	if (payload_size > LUGATE_FRAME_PAYLOAD_MAX)
		return NULL;
	blob = malloc(LUGATE_FRAME_HEADER_SIZE + payload_size + 1);
	if (!blob)
		abort();
	if (payload_size)
		memcpy(blob + LUGATE_FRAME_HEADER_SIZE, payload, payload_size);
	FUZZ_ASSERT(lugate_frame_seal(blob, LUGATE_FRAME_HEADER_SIZE + payload_size, magic,
				      (uint32_t)payload_size) == 0);
	*out_size = LUGATE_FRAME_HEADER_SIZE + payload_size;
	return blob;
}

/* A copy of the input in a buffer of exactly its size (libFuzzer's own buffer is exact too,
 * but a copy lets a harness hand out a writable or NUL-terminated variant). */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size, size_t extra)
{
	uint8_t *p = malloc(size + extra + 1);
	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	memset(p + size, 0, extra + 1);
	return p;
}

/* True if a view lies inside [base, base + size). */
static inline int fuzz_inside(const void *base, size_t size, const void *p, size_t len)
{
	const uint8_t *b = base, *q = p;
	return q >= b && q <= b + size && len <= (size_t)(b + size - q);
}

/* True if a string list has the same string twice (readers take that; builders refuse it). */
static inline int fuzz_has_duplicate(const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(list[i], list[j]) == 0)
				return 1;
	return 0;
}

#endif
