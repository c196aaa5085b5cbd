/* SPDX-License-Identifier: MIT */
/*
 * The outgoing kernel's LUO state as the gate's outgoing formats: a boot front end that was
 * handed a KHO FDT (the bzImage64 entry through setup_data, the arm64 loader through /chosen
 * linux,kho-fdt) gives it here with its own window on physical memory; the core's reader
 * (lugate/luo.h) follows it, and LUO's compatible, every preserved file's handler (with its
 * session and token) and every FLB become formats the target must revive. What was read is
 * logged in the same lines on every front end ("LUO: state ...", "LUO: session ...",
 * "LUO: FLB ..."). Part of boot/, the room the boot front ends share (gate.h says why).
 */
#ifndef LUGATE_BOOT_LUO_OUTGOING_H
#define LUGATE_BOOT_LUO_OUTGOING_H

#include <stddef.h>
#include <lugate/check.h>
#include <lugate/luo.h>
#include "log.h"

/* What one jump may carry: hundreds of preserved files are realistic; 7.3 writes at most 63
 * FLBs. More than these is a refusal (handover-unreadable), never a partial check. */
#define LUO_OUTGOING_MAX_SESSIONS 256u
#define LUO_OUTGOING_MAX_FILES 2048u
#define LUO_OUTGOING_MAX_FLBS 128u
/* formats luo_outgoing_read may append: LUO's compatible, one per file, one per FLB */
#define LUO_OUTGOING_MAX_FORMATS (1u + LUO_OUTGOING_MAX_FILES + LUO_OUTGOING_MAX_FLBS)

/* The reader's storage and what it read: large (about 150 KiB), so a front end keeps it
 * static. The formats appended point into it: it must outlive the check. */
struct luo_outgoing {
	struct lugate_luo_state st;
	struct lugate_luo_session sessions[LUO_OUTGOING_MAX_SESSIONS];
	struct lugate_luo_file files[LUO_OUTGOING_MAX_FILES];
	struct lugate_luo_flb flbs[LUO_OUTGOING_MAX_FLBS];
	char why[LOG_LINE_MAX];   /* why the state cannot be read, when it cannot */
};

/*
 * Read the LUO state the KHO FDT (fdt_size bytes, already validated by the front end) refers
 * to, through map/ctx (lugate_luo_map_fn: the front end's window on physical memory), log it,
 * and append the formats the check must demand to out (room for LUO_OUTGOING_MAX_FORMATS).
 * Returns how many were appended. *unreadable is set to why the state cannot be read (the
 * gate's handover_unreadable: the decision is a refusal, the fallback boots with KHO forwarded
 * unchanged), else left alone. No LUO node: nothing appended, nothing to check.
 */
size_t luo_outgoing_read(struct luo_outgoing *lo, const void *kho_fdt, size_t fdt_size, lugate_luo_map_fn map,
			 void *ctx, struct lugate_outgoing_format *out, const char **unreadable);

#endif
