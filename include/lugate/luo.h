/* SPDX-License-Identifier: MIT */
/*
 * The LUO state the outgoing kernel serialized at reboot, as the next kernel will read it:
 * every session, every preserved file's handler compatible and token, every FLB's compatible.
 * The loader reads it after the old kernel is gone, when it is complete and final (per-file
 * handler strings are written only when reboot(LINUX_REBOOT_CMD_KEXEC) freezes the sessions),
 * so the check can demand that the target revives each of them.
 *
 * Where it lies (linux 7.3, include/linux/kho/abi/{kexec_handover,luo,block}.h): the KHO FDT's
 * root node has a child "LUO" whose "preserved-data" and "blob-size" (u64 each, in the CPU's
 * byte order: KHO copies the values raw) give the physical address and size of struct luo_ser:
 *
 *   luo_ser          compatible[8] "luo-v5", liveupdate_num, sessions_pa, flbs_pa   (32 bytes)
 *   sessions_pa  ->  a chain of KHO blocks (one page each): {next, count} then count
 *                    luo_session_ser {name[64], files, file_count}              (80 bytes)
 *   files        ->  a chain of KHO blocks of luo_file_ser
 *                    {compatible[48], data, token}                              (64 bytes)
 *   flbs_pa      ->  luo_flb_header_ser {pgcnt, count} then count
 *                    luo_flb_ser {name[48], data, count}                        (64 bytes)
 *
 * Every address is followed only through the caller's accessor, after the reader checked it
 * (not 0, aligned, no wrap); every count is bounded before it is used; chains are checked for
 * loops before they are walked. Nothing is allocated: the caller gives the arrays.
 */
#ifndef LUGATE_LUO_H
#define LUGATE_LUO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lugate/types.h>

/* The one layout this reader reads: LUO "luo-v5" inside KHO "kho-v4" (whose version also
 * covers the linked-block format). Any other version is reported by its compatible only. */
#define LUGATE_LUO_KNOWN_KHO "kho-v4"
#define LUGATE_LUO_KNOWN "luo-v5"
#define LUGATE_LUO_NODE "LUO"               /* LUO_KHO_ENTRY_NAME */

#define LUGATE_LUO_BLOCK_SIZE 4096u          /* KHO_BLOCK_SIZE: PAGE_SIZE on x86-64 */
#define LUGATE_LUO_SESSION_NAME_MAX 63u      /* LIVEUPDATE_SESSION_NAME_LENGTH less the NUL */
#define LUGATE_LUO_BLOB_MAX 0x100000u        /* a larger blob-size is hostile: 1 MiB */
#define LUGATE_LUO_CHAIN_MAX 10000u          /* blocks in one chain: the kernel's KHO_MAX_BLOCKS */
#define LUGATE_LUO_FLB_PAGES_MAX 16u         /* the FLB area: 7.3 writes one page */

/*
 * The reader's only way into physical memory: a pointer to the len bytes at physical address
 * pa, or NULL if that range may not be read. Called with pa != 0, len in
 * 1..LUGATE_LUO_FLB_PAGES_MAX pages and pa + len not wrapping. A pointer returned stays valid
 * until lugate_luo_read returns. The loader maps through its identity map; tests and fuzzers
 * through captured buffers.
 */
typedef const void *(*lugate_luo_map_fn)(void *ctx, uint64_t pa, size_t len);

struct lugate_luo_session {
	char name[LUGATE_LUO_SESSION_NAME_MAX + 1];  /* as the kernel keeps it: any bytes but NUL */
	uint64_t file_count;
};

struct lugate_luo_file {
	char compatible[LUGATE_COMPAT_MAX + 1];      /* the file handler, e.g. "memfd-v2" */
	uint64_t token;                              /* the user's token for the file */
	uint32_t session;                            /* index in sessions[] */
};

struct lugate_luo_flb {
	char compatible[LUGATE_COMPAT_MAX + 1];      /* e.g. "liveupdate-test-flb-v0" */
	uint64_t count;                              /* files that depend on it */
};

struct lugate_luo_state {
	/* the caller's storage (any may be NULL with capacity 0) */
	struct lugate_luo_session *sessions;
	size_t session_capacity;
	struct lugate_luo_file *files;
	size_t file_capacity;
	struct lugate_luo_flb *flbs;
	size_t flb_capacity;

	/* what was read */
	bool present;             /* the KHO FDT has a LUO node: compatible is set */
	bool known;               /* and its layout is the one above: the lists are complete */
	char kho_compatible[LUGATE_COMPAT_MAX + 1];
	char compatible[LUGATE_COMPAT_MAX + 1];     /* luo_ser.compatible, e.g. "luo-v5" */
	uint64_t phys, size;      /* luo_ser: preserved-data, blob-size */
	uint64_t liveupdate_num;
	size_t session_count, file_count, flb_count;
	uint32_t blocks;          /* linked blocks read (session and file chains) */

	/* on an error: the structure being read ("luo_ser", "session block", ...) and where */
	const char *fault;
	uint64_t fault_pa;
};

/*
 * Read the LUO state the KHO FDT (a whole tree, as lugate_kho_root_compat reads it) refers to.
 * The caller sets the storage fields of *st; the rest is filled.
 *
 * Returns 0 with:
 *   present == false: no LUO node (LUO was off in the outgoing kernel): nothing to check;
 *   present, !known: the KHO or LUO version is not the one this reader reads: only
 *                    compatible (the LUO ABI's) is reported, which the check then demands;
 *   present, known: every session, file and FLB, in the kernel's order.
 * Or an error (then the lists hold what was read before it, and fault/fault_pa say where):
 *   the tree's own (lugate_kho_root_compat), LUGATE_ERR_BADPROP (LUO node without u64
 *   preserved-data / blob-size), _BADSIZE (a size or count out of its bounds), _UNMAPPED (the
 *   accessor refused a range, or an address is 0 or wraps), _MISALIGNED, _LOOP (a chain loops
 *   or is longer than LUGATE_LUO_CHAIN_MAX), _BADSTRING (a name or compatible not
 *   NUL-terminated in its field, empty, or a compatible that is not one printable token),
 *   _DUPLICATE (two sessions of one name: the next kernel fails them all), _INCONSISTENT (a
 *   session's file count differs from its files), _TOOMANY (more than the caller's arrays
 *   hold), _INVAL (misuse).
 */
int lugate_luo_read(const void *kho_fdt, size_t fdt_size, lugate_luo_map_fn map, void *ctx,
		    struct lugate_luo_state *st);

#endif
