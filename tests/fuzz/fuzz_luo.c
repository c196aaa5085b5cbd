// SPDX-License-Identifier: MIT
/*
 * Fuzz lugate_luo_read (lugate/luo.h), the loader's reading of the LUO state the outgoing
 * kernel serialized. The input is a LUO memory vector (tests/unit/luo_vector.h): a KHO FDT
 * and ranges of "physical memory"; the seeds are the real 7.3 states captured by
 * tests/unit/luo/capture.sh. Each range the reader maps is handed out as a fresh copy of
 * exactly the length asked for, so reading one byte past what it mapped is an ASan report.
 * An answer is an error with a fault named, or a state whose every string obeys its rule and
 * whose every index and count is in bounds; reading twice gives the same answer.
 */
#include <lugate/kho.h>
#include <lugate/luo.h>
#include "fuzz.h"
#include "../unit/luo_vector.h"

#define MAPS_MAX 4096u

struct sandbox {
	struct luo_vector v;
	void *copies[MAPS_MAX];
	size_t n;
};

static const void *map_copy(void *ctx, uint64_t pa, size_t len)
{
	struct sandbox *s = ctx;
	const uint8_t *src = luo_vector_at(&s->v, pa, len);
	void *copy;

	FUZZ_ASSERT(pa != 0 && len != 0 && pa + len > pa);
	FUZZ_ASSERT(len <= (size_t)LUGATE_LUO_FLB_PAGES_MAX * LUGATE_LUO_BLOCK_SIZE);
	if (!src || s->n == MAPS_MAX)
		return NULL;
	copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, src, len);
	s->copies[s->n++] = copy;
	return copy;
}

static void release(struct sandbox *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->copies[i]);
	s->n = 0;
}

static void token(const char *c)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t len = strnlen(c, LUGATE_COMPAT_MAX + 1);

	FUZZ_ASSERT(len >= 1 && len <= LUGATE_COMPAT_MAX);
	FUZZ_ASSERT(lugate_kho_token(c, len + 1, out) == 0);
}

static struct lugate_luo_session sessions[2][64];
static struct lugate_luo_file files[2][256];
static struct lugate_luo_flb flbs[2][64];

static int read_once(struct sandbox *s, const void *fdt, size_t fdt_size, int k, struct lugate_luo_state *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->sessions = sessions[k];
	st->session_capacity = 64;
	st->files = files[k];
	st->file_capacity = 256;
	st->flbs = flbs[k];
	st->flb_capacity = 64;
	err = lugate_luo_read(fdt, fdt_size, map_copy, s, st);
	release(s);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sandbox s;
	struct lugate_luo_state a, b;
	uint8_t *buf = fuzz_dup(data, size, 8);
	const uint8_t *fdt;
	void *fdt_copy;
	int err;

	if (luo_vector_parse(buf, size, &s.v) != 0 || s.v.fdt_size > LUGATE_KHO_FDT_MAX ||
	    !(fdt = luo_vector_at(&s.v, s.v.fdt_pa, s.v.fdt_size))) {
		free(buf);
		return 0;
	}
	/* the tree in a buffer of its exact size (8-byte aligned, as libfdt wants it) */
	fdt_copy = malloc(s.v.fdt_size ? (size_t)s.v.fdt_size : 1);
	if (!fdt_copy)
		abort();
	memcpy(fdt_copy, fdt, (size_t)s.v.fdt_size);
	err = read_once(&s, fdt_copy, (size_t)s.v.fdt_size, 0, &a);
	FUZZ_ASSERT(err <= 0 && err >= -LUGATE_ERR_MAX);
	FUZZ_ASSERT(a.session_count <= 64 && a.file_count <= 256 && a.flb_count <= 64);
	for (size_t i = 0; i < a.file_count; i++) {
		token(files[0][i].compatible);
		FUZZ_ASSERT(files[0][i].session < a.session_count);
	}
	for (size_t i = 0; i < a.session_count; i++) {
		size_t len = strnlen(sessions[0][i].name, LUGATE_LUO_SESSION_NAME_MAX + 1);

		FUZZ_ASSERT(len >= 1 && len <= LUGATE_LUO_SESSION_NAME_MAX);
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(strcmp(sessions[0][i].name, sessions[0][k].name) != 0);
	}
	for (size_t i = 0; i < a.flb_count; i++)
		token(flbs[0][i].compatible);
	if (err < 0) {
		FUZZ_ASSERT(a.fault != NULL);
		FUZZ_ASSERT(!a.known);
	} else {
		FUZZ_ASSERT(a.fault == NULL);
		FUZZ_ASSERT(a.present || (!a.known && a.compatible[0] == '\0'));
		if (a.present)
			token(a.compatible);
		if (!a.known)
			FUZZ_ASSERT(a.session_count == 0 && a.file_count == 0 && a.flb_count == 0);
		else
			FUZZ_ASSERT(strcmp(a.compatible, LUGATE_LUO_KNOWN) == 0 &&
				    strcmp(a.kho_compatible, LUGATE_LUO_KNOWN_KHO) == 0);
	}
	/* the same memory, the same answer */
	FUZZ_ASSERT(read_once(&s, fdt_copy, (size_t)s.v.fdt_size, 1, &b) == err);
	FUZZ_ASSERT(a.present == b.present && a.known == b.known && a.session_count == b.session_count &&
		    a.file_count == b.file_count && a.flb_count == b.flb_count && a.blocks == b.blocks);
	for (size_t i = 0; i < a.file_count; i++)
		FUZZ_ASSERT(strcmp(files[0][i].compatible, files[1][i].compatible) == 0 &&
			    files[0][i].token == files[1][i].token && files[0][i].session == files[1][i].session);
	free(fdt_copy);
	free(buf);
	return 0;
}
