/* SPDX-License-Identifier: MIT */
/*
 * The gate: the decision a front end that boots Linux takes before the point of no return,
 * shared by the bare-metal loader (loader/loader_run.c) and the EFI app (efi/efi_main.c), so both apply
 * the same rules and log them in the same words. It is the core's lugate_check() with the sealed table, the target image's
 * manifest, release and SHA-256, plus the front end's own preconditions (a target and a table
 * were given, the target is bootable, the table is sealed, the inputs were well-formed), each
 * logged as a reason and recorded as a LUGATE_DELIVERY_F_* flag in the delivery record.
 *
 * boot/ is the room for what every boot front end shares, named for what its files do: they
 * run at boot, between the firmware or the outgoing kernel and the kernel that is started, in
 * every program that boots Linux behind the gate (the loader, lugate.efi, a later arm64
 * loader), as Limine's common/ serves its BIOS and UEFI builds. It holds the gate, target
 * inspection, the bzImage header, the zero page, the log and its console interface. Each
 * front end compiles it with its own flags (mk/35-boot.mk); it uses the core (include/lugate)
 * and nothing of loader/ or efi/: what differs per front end comes in as an argument (the
 * image's bytes, the wording of a reason) or through console.h, which each front end
 * implements. docs/architecture.md draws the rooms.
 */
#ifndef LUGATE_BOOT_GATE_H
#define LUGATE_BOOT_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lugate/check.h>
#include <lugate/delivery.h>
#include "target_inspect.h"

/* How a front end words its own input problems in the log ("reason <name>: <text>"). */
struct gate_wording {
	const char *bad_inputs_name;  /* e.g. "bad-modules" */
	const char *bad_inputs;       /* e.g. "a module has no, an unknown or a repeated role=" */
	const char *no_target;        /* e.g. "no module with role=kernel" */
	const char *no_table;         /* e.g. "no module with role=table: nothing to check against" */
	const char *fallback_unbootable;  /* why a refused front end stops rather than boot the
					   * fallback it cannot enter, e.g. "refused, and the fallback
					   * is not a bootable 64-bit bzImage" */
};

struct gate_input {
	const struct target_info *target;   /* inspected target image; NULL if none was given */
	const void *table;                  /* the table as received; NULL if none was given */
	size_t table_size;
	bool bad_inputs;                    /* the front end's inputs were malformed or ambiguous */
	/* formats the outgoing kernel was seen to preserve state in (KHO root, LUO state) */
	const struct lugate_outgoing_format *outgoing;
	size_t outgoing_count;
	/* why the outgoing kernel's handed-over state could not be read (a corrupt LUO state):
	 * what it preserved is unknown, so no target can be shown to revive it; NULL if read */
	const char *handover_unreadable;
	const struct gate_wording *wording;
};

struct gate_decision {
	bool allow;
	uint32_t flags;                     /* LUGATE_DELIVERY_F_* reasons found by the front end */
	bool checked;                       /* lugate_check ran (a table was given) */
	bool table_intact;                  /* the table opened: v.table is valid */
	size_t table_size;                  /* bytes delivered after the record (0: no table) */
	struct lugate_verdict v;
	struct lugate_reason reasons[LUGATE_DELIVERY_MAX_REASONS];
	const struct gate_wording *wording; /* the input's, for the fallback's outcome */
};

/* Decide, and log the table, the verdict and every reason. */
void gate_decide(struct gate_decision *d, const struct gate_input *in);

/*
 * The allowed target could not be placed after all: the decision becomes a refusal
 * (flag target-unbootable), logged with why.
 */
void gate_refuse_unplaceable(struct gate_decision *d, const char *why);

/* The delivery record for the image about to be booted (target or fallback). */
void gate_fill_delivery(struct lugate_delivery_header *h, const struct gate_decision *d, bool booted_target,
			const uint8_t booted_sha256[LUGATE_SHA256_SIZE], uint32_t extra_flags);

enum gate_fallback_verdict {
	GATE_FALLBACK_VERIFIED,    /* matches the fallback hash sealed in the table */
	GATE_FALLBACK_UNVERIFIED,  /* no intact table, or it seals no fallback hash: boot it as chosen */
	GATE_FALLBACK_UNBOOTABLE,  /* not a 64-bit bzImage this front end can boot */
	GATE_FALLBACK_MISMATCH,    /* differs from the fallback hash sealed in the table: never boot it */
};

/* After a refusal: may this (inspected) fallback image boot? Logged. */
enum gate_fallback_verdict gate_check_fallback(const struct gate_decision *d, const struct target_info *fallback);

/*
 * The same, as the outcome every front end acts on: NULL if the fallback may boot, with
 * *extra_flags the delivery record's flags to add (LUGATE_DELIVERY_F_FALLBACK_VERIFIED or 0);
 * else why nothing is booted (the wording's fallback_unbootable, or a hash mismatch), for the
 * front end's stop.
 */
const char *gate_fallback_outcome(const struct gate_decision *d, const struct target_info *fallback,
				  uint32_t *extra_flags);

#endif
