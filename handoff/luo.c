// SPDX-License-Identifier: MIT
/* The LUO state the outgoing kernel serialized (see lugate/luo.h for the layout). */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/kho.h>
#include <lugate/luo.h>
#include "bytes.h"

#define BLOCK_HEADER 16u           /* kho_block_header_ser: next, count */
#define LUO_SER_SIZE 32u           /* compatible[8], liveupdate_num, sessions_pa, flbs_pa */
#define SESSION_SER_SIZE 80u       /* name[64], files, count */
#define SESSION_NAME_FIELD 64u
#define FILE_SER_SIZE 64u          /* compatible[48], data, token */
#define FLB_HEADER 16u             /* pgcnt, count */
#define FLB_SER_SIZE 64u           /* name[48], data, count */
#define COMPAT_FIELD 48u           /* LIVEUPDATE_HNDL_COMPAT_LENGTH, LIVEUPDATE_FLB_COMPAT_LENGTH */
#define PER_BLOCK(entry) ((LUGATE_LUO_BLOCK_SIZE - BLOCK_HEADER) / (entry))

struct reader {
	lugate_luo_map_fn map;
	void *ctx;
	struct lugate_luo_state *st;
};

static int fault(struct reader *r, int err, const char *what, uint64_t pa)
{
	r->st->fault = what;
	r->st->fault_pa = pa;
	return err;
}

/* The bytes at [pa, pa + len), pa a multiple of align, through the caller's accessor. */
static int map(struct reader *r, uint64_t pa, size_t len, uint64_t align, const char *what, const uint8_t **out)
{
	if (pa == 0 || len == 0 || pa + len < pa)
		return fault(r, LUGATE_ERR_UNMAPPED, what, pa);
	if (pa % align != 0)
		return fault(r, LUGATE_ERR_MISALIGNED, what, pa);
	*out = r->map(r->ctx, pa, len);
	if (!*out)
		return fault(r, LUGATE_ERR_UNMAPPED, what, pa);
	return 0;
}

/* A fixed-width field holding a compatible: NUL inside the field, the token rule before it. */
static int field_token(const uint8_t *field, size_t width, char out[LUGATE_COMPAT_MAX + 1])
{
	const uint8_t *nul = memchr(field, 0, width);

	if (!nul)
		return LUGATE_ERR_BADSTRING;
	return lugate_kho_token((const char *)field, (size_t)(nul - field) + 1, out);
}

/* A u64 property of the LUO node; the kernel stores it raw, in the CPU's (little-endian) order. */
static int node_u64(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const void *v = fdt_getprop(fdt, node, name, &len);

	if (!v || len != 8)
		return LUGATE_ERR_BADPROP;
	*out = le64_load(v);
	return 0;
}

/*
 * A chain of blocks must end: Floyd's two pointers over the headers' next fields, as the next
 * kernel checks before it walks (kho_block_set_is_cyclic), bounded by LUGATE_LUO_CHAIN_MAX
 * blocks. Every header followed is mapped, so an unreadable link fails here too.
 */
/* The address in the header of the block at pa: the next block, 0 at the chain's end. */
static int next_block(struct reader *r, uint64_t pa, const char *what, uint64_t *next)
{
	const uint8_t *h;
	int err = map(r, pa, BLOCK_HEADER, LUGATE_LUO_BLOCK_SIZE, what, &h);

	if (err < 0)
		return err;
	*next = le64_load(h);
	return 0;
}

static int chain_ends(struct reader *r, uint64_t head, const char *what)
{
	uint64_t slow = head, fast = head;
	uint32_t steps = 0;
	int err;

	for (;;) {
		if (++steps > LUGATE_LUO_CHAIN_MAX)
			return fault(r, LUGATE_ERR_LOOP, what, fast);
		for (int i = 0; i < 2; i++) {   /* the fast pointer takes two steps */
			err = next_block(r, fast, what, &fast);
			if (err < 0)
				return err;
			if (fast == 0)
				return 0;
		}
		err = next_block(r, slow, what, &slow);
		if (err < 0)
			return err;
		if (slow == fast)
			return fault(r, LUGATE_ERR_LOOP, what, fast);
	}
}

/* One block of a chain: the page, and its entry count, which must be 1..per_block (the next
 * kernel refuses the whole set otherwise). */
static int block_at(struct reader *r, uint64_t pa, size_t entry_size, const char *what,
		    const uint8_t **blk, uint64_t *count)
{
	int err = map(r, pa, LUGATE_LUO_BLOCK_SIZE, LUGATE_LUO_BLOCK_SIZE, what, blk);

	if (err < 0)
		return err;
	*count = le64_load(*blk + 8);
	if (*count == 0 || *count > PER_BLOCK(entry_size))
		return fault(r, LUGATE_ERR_BADSIZE, what, pa);
	r->st->blocks++;
	return 0;
}

/* A file's or an FLB's entry: the compatible field, then, 8 bytes on, the u64 lugate keeps (a
 * file's token, an FLB's file count). A bad compatible is a fault at e_pa. */
static int read_compat_entry(struct reader *r, const uint8_t *e, uint64_t e_pa, const char *what,
			     char compatible[LUGATE_COMPAT_MAX + 1], uint64_t *value)
{
	int err = field_token(e, COMPAT_FIELD, compatible);

	if (err < 0)
		return fault(r, err, what, e_pa);
	*value = le64_load(e + COMPAT_FIELD + 8);
	return 0;
}

static int read_files(struct reader *r, uint32_t session, uint64_t head, uint64_t declared)
{
	struct lugate_luo_state *st = r->st;
	uint64_t pa = head, seen = 0;
	int err;

	if (head == 0)   /* a session without files; the kernel writes count 0 with it */
		return declared == 0 ? 0 : fault(r, LUGATE_ERR_INCONSISTENT, "session file set", 0);
	err = chain_ends(r, head, "file block");
	if (err < 0)
		return err;
	while (pa) {
		const uint8_t *blk;
		uint64_t count;

		err = block_at(r, pa, FILE_SER_SIZE, "file block", &blk, &count);
		if (err < 0)
			return err;
		if (count > declared - seen)   /* more files than the session says it has */
			return fault(r, LUGATE_ERR_INCONSISTENT, "file block", pa);
		for (uint64_t i = 0; i < count; i++) {
			const uint8_t *e = blk + BLOCK_HEADER + i * FILE_SER_SIZE;
			struct lugate_luo_file *f;

			if (st->file_count >= st->file_capacity)
				return fault(r, LUGATE_ERR_TOOMANY, "file block", pa);
			f = &st->files[st->file_count];
			err = read_compat_entry(r, e, pa + BLOCK_HEADER + i * FILE_SER_SIZE, "file handler compatible",
						f->compatible, &f->token);
			if (err < 0)
				return err;
			f->session = session;
			st->file_count++;
		}
		seen += count;
		pa = le64_load(blk);
	}
	if (seen != declared)
		return fault(r, LUGATE_ERR_INCONSISTENT, "session file set", head);
	return 0;
}

static int read_sessions(struct reader *r, uint64_t head)
{
	struct lugate_luo_state *st = r->st;
	uint64_t pa = head;
	int err;

	if (head == 0)
		return 0;
	err = chain_ends(r, head, "session block");
	if (err < 0)
		return err;
	while (pa) {
		const uint8_t *blk;
		uint64_t count;

		err = block_at(r, pa, SESSION_SER_SIZE, "session block", &blk, &count);
		if (err < 0)
			return err;
		for (uint64_t i = 0; i < count; i++) {
			const uint8_t *e = blk + BLOCK_HEADER + i * SESSION_SER_SIZE;
			uint64_t e_pa = pa + BLOCK_HEADER + i * SESSION_SER_SIZE;
			const uint8_t *nul = memchr(e, 0, SESSION_NAME_FIELD);
			struct lugate_luo_session *s;

			if (!nul || nul == e)
				return fault(r, LUGATE_ERR_BADSTRING, "session name", e_pa);
			if (st->session_count >= st->session_capacity)
				return fault(r, LUGATE_ERR_TOOMANY, "session block", pa);
			/* the next kernel inserts sessions by name and fails on a repeat (-EEXIST),
			 * which loses every session */
			for (size_t k = 0; k < st->session_count; k++)
				if (strcmp(st->sessions[k].name, (const char *)e) == 0)
					return fault(r, LUGATE_ERR_DUPLICATE, "session name", e_pa);
			s = &st->sessions[st->session_count];
			memcpy(s->name, e, (size_t)(nul - e) + 1);
			s->file_count = le64_load(e + SESSION_NAME_FIELD + 8);
			st->session_count++;
			err = read_files(r, (uint32_t)(st->session_count - 1), le64_load(e + SESSION_NAME_FIELD),
					 s->file_count);
			if (err < 0)
				return err;
		}
		pa = le64_load(blk);
	}
	return 0;
}

static int read_flbs(struct reader *r, uint64_t pa)
{
	struct lugate_luo_state *st = r->st;
	const uint8_t *h;
	uint64_t pages, count;
	int err;

	if (pa == 0)   /* no FLB area: the next kernel revives none */
		return 0;
	err = map(r, pa, FLB_HEADER, LUGATE_LUO_BLOCK_SIZE, "FLB header", &h);
	if (err < 0)
		return err;
	pages = le64_load(h);
	count = le64_load(h + 8);
	if (pages == 0 || pages > LUGATE_LUO_FLB_PAGES_MAX ||
	    count > (pages * LUGATE_LUO_BLOCK_SIZE - FLB_HEADER) / FLB_SER_SIZE)
		return fault(r, LUGATE_ERR_BADSIZE, "FLB header", pa);
	if (count == 0)
		return 0;
	err = map(r, pa, FLB_HEADER + (size_t)count * FLB_SER_SIZE, LUGATE_LUO_BLOCK_SIZE, "FLB array", &h);
	if (err < 0)
		return err;
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = h + FLB_HEADER + i * FLB_SER_SIZE;
		struct lugate_luo_flb *f;

		if (st->flb_count >= st->flb_capacity)
			return fault(r, LUGATE_ERR_TOOMANY, "FLB array", pa);
		f = &st->flbs[st->flb_count];
		err = read_compat_entry(r, e, pa + FLB_HEADER + i * FLB_SER_SIZE, "FLB compatible", f->compatible,
					&f->count);
		if (err < 0)
			return err;
		st->flb_count++;
	}
	return 0;
}

static void reset(struct lugate_luo_state *st)
{
	st->present = st->known = false;
	st->kho_compatible[0] = st->compatible[0] = '\0';
	st->phys = st->size = st->liveupdate_num = 0;
	st->session_count = st->file_count = st->flb_count = 0;
	st->blocks = 0;
	st->fault = NULL;
	st->fault_pa = 0;
}

int lugate_luo_read(const void *kho_fdt, size_t fdt_size, lugate_luo_map_fn map_fn, void *ctx,
		    struct lugate_luo_state *st)
{
	struct reader r = { map_fn, ctx, st };
	const uint8_t *ser;
	size_t head;
	int node, err;

	if (!st)
		return LUGATE_ERR_INVAL;
	reset(st);
	if (!kho_fdt || !map_fn || (!st->sessions && st->session_capacity) || (!st->files && st->file_capacity) ||
	    (!st->flbs && st->flb_capacity))
		return LUGATE_ERR_INVAL;
	err = lugate_kho_root_compat(kho_fdt, fdt_size, LUGATE_KHO_WHOLE, st->kho_compatible);
	if (err < 0)
		return fault(&r, err, "KHO FDT", 0);
	node = fdt_subnode_offset(kho_fdt, 0, LUGATE_LUO_NODE);
	if (node == -FDT_ERR_NOTFOUND)
		return 0;
	if (node < 0)
		return fault(&r, LUGATE_ERR_BADFDT, "LUO node", 0);
	if (node_u64(kho_fdt, node, "preserved-data", &st->phys) < 0 ||
	    node_u64(kho_fdt, node, "blob-size", &st->size) < 0)
		return fault(&r, LUGATE_ERR_BADPROP, "LUO node", 0);
	if (st->size == 0 || st->size > LUGATE_LUO_BLOB_MAX)
		return fault(&r, LUGATE_ERR_BADSIZE, "luo_ser", st->phys);
	/* The compatible leads the blob in every LUO version: read it before deciding anything
	 * else (a newer version may have a longer field, up to the 48 bytes lugate keeps). */
	head = st->size < LUGATE_COMPAT_MAX + 1 ? (size_t)st->size : LUGATE_COMPAT_MAX + 1;
	err = map(&r, st->phys, head, 8, "luo_ser", &ser);
	if (err < 0)
		return err;
	err = field_token(ser, head, st->compatible);
	if (err < 0)
		return fault(&r, err, "LUO compatible", st->phys);
	st->present = true;
	if (strcmp(st->kho_compatible, LUGATE_LUO_KNOWN_KHO) != 0 || strcmp(st->compatible, LUGATE_LUO_KNOWN) != 0)
		return 0;
	/* luo-v5: its compatible ended inside its 8-byte field, which the next kernel compares */
	if (st->size < LUO_SER_SIZE)
		return fault(&r, LUGATE_ERR_BADSIZE, "luo_ser", st->phys);
	err = map(&r, st->phys, LUO_SER_SIZE, 8, "luo_ser", &ser);
	if (err < 0)
		return err;
	st->liveupdate_num = le64_load(ser + 8);
	err = read_sessions(&r, le64_load(ser + 16));
	if (err < 0)
		return err;
	err = read_flbs(&r, le64_load(ser + 24));
	if (err < 0)
		return err;
	st->known = true;
	return 0;
}
