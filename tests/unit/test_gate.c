// SPDX-License-Identifier: MIT
/*
 * The gate (boot/gate.c), the decision the bare-metal loader and lugate.efi share, on the host:
 * every outcome (allow, refuse with the core's reasons, each front-end precondition), every
 * LUGATE_DELIVERY_F_* flag, the delivery record it fills, the fallback rule and the outcome both
 * front ends act on; target inspection (boot/target_inspect.c) on a real and a rejected header; the
 * setup_data entry (boot/zeropage.c). Linked with the very boot/ sources both front ends compile
 * (mk/35-boot.mk). The test is the front end here: it supplies the console the log writes to
 * (boot/console.h) and reads every line back.
 */
#include <stddef.h>
#include <stdio.h>
#include <openssl/sha.h>
#include "helpers.h"
#include <lugate/x86_boot.h>
#include "../../boot/console.h"
#include "../../boot/gate.h"
#include "../../boot/log.h"
#include "../../boot/target_inspect.h"
#include "../../boot/zeropage.h"

#define PREFIX "test-gate: "
#define OUT_REL "6.1.0-55-amd64"
#define TGT_REL "6.1.0-56-amd64"

/* The console: everything the log wrote since the last reset, prefix included. */
#include "boot_harness.h"

/* The log holds this exact line (prefix and newline added here). */
static bool log_has_line(const char *text)
{
	char want[LOG_LINE_MAX + 64];

	snprintf(want, sizeof(want), "%s%s\n", PREFIX, text);
	for (const char *p = logbuf; (p = strstr(p, want)) != NULL; p++)
		if (p == logbuf || p[-1] == '\n')
			return true;
	return false;
}

/* Every line the log wrote starts with the prefix and ends in a newline. */
static void assert_log_well_formed(void)
{
	const char *p = logbuf;

	assert_true(loglen > 0);
	assert_int_equal(logbuf[loglen - 1], '\n');
	while (*p) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_memory_equal(p, PREFIX, strlen(PREFIX));
		assert_true((size_t)(nl - p) <= strlen(PREFIX) + LOG_LINE_MAX + 3);
		p = nl + 1;
	}
}


/* What a front end would have read: a sealed table, the target's manifest, its SHA-256. */
struct world {
	uint8_t target_sha[LUGATE_SHA256_SIZE], fallback_sha[LUGATE_SHA256_SIZE];
	uint8_t *table, *manifest;
	size_t table_size, manifest_size;
	struct target_info target, fallback;
	struct gate_input in;
	struct gate_decision d;
};

enum seal { SEALED, SEALED_WITH_FALLBACK, UNSEALED };

static void world_make(struct world *w, enum seal seal, const char *tgt_rel, size_t ndev,
		       const struct lugate_schema *schemas, size_t nschemas)
{
	struct lugate_device *devs = calloc(ndev ? ndev : 1, sizeof(*devs));
	struct lugate_table_spec ts;
	struct lugate_manifest_spec ms = { .release = tgt_rel, .schemas = schemas, .schema_count = nschemas };
	char addr[16];

	assert_non_null(devs);
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < LUGATE_SHA256_SIZE; i++) {
		w->target_sha[i] = (uint8_t)(0x10 + i);
		w->fallback_sha[i] = (uint8_t)(0xa0 + i);
	}
	for (size_t i = 0; i < ndev; i++) {
		snprintf(addr, sizeof(addr), "0000:%02zx:00.0", i + 1);
		devs[i] = make_device(addr, GUID_A, 2, "mlx5_core");
	}
	memset(&ts, 0, sizeof(ts));
	ts.release = OUT_REL;
	ts.devices = devs;
	ts.device_count = ndev;
	if (seal != UNSEALED) {
		ts.target_sha256 = w->target_sha;
		ts.target_release = tgt_rel;
		ts.policy_text = "paths = same stable-next\n";
	}
	if (seal == SEALED_WITH_FALLBACK)
		ts.fallback_sha256 = w->fallback_sha;
	w->table_size = build_table(&ts, &w->table);
	w->manifest_size = build_manifest(&ms, &w->manifest);
	free(devs);

	/* The inspected images, as target_inspect leaves them for a bootable bzImage. */
	w->target.bootable = true;
	w->target.manifest = w->manifest;
	w->target.manifest_size = w->manifest_size;
	w->target.release = tgt_rel;
	memcpy(w->target.sha256, w->target_sha, LUGATE_SHA256_SIZE);
	w->fallback.bootable = true;
	w->fallback.release = OUT_REL;
	memcpy(w->fallback.sha256, w->fallback_sha, LUGATE_SHA256_SIZE);

	w->in.target = &w->target;
	w->in.table = w->table;
	w->in.table_size = w->table_size;
	w->in.wording = &wording;
	log_capture_reset();
}

/* The usual world: two devices whose schema the target carries, sealed to the target. */
static void world_default(struct world *w, enum seal seal)
{
	struct lugate_schema s = { guid_of(GUID_A), 1, 3 };

	world_make(w, seal, TGT_REL, 2, &s, 1);
}

static void world_free(struct world *w)
{
	free(w->table);
	free(w->manifest);
}

static bool has_reason(const struct gate_decision *d, enum lugate_reason_code code)
{
	for (size_t i = 0; i < d->v.reason_count; i++)
		if (d->reasons[i].code == code)
			return true;
	return false;
}

/* ---- allow ---- */

static void allow_boots_target_with_record(void **state)
{
	struct world w;
	struct lugate_delivery_header h;
	char line[256];
	(void)state;

	world_default(&w, SEALED);
	gate_decide(&w.d, &w.in);
	assert_true(w.d.allow);
	assert_int_equal(w.d.flags, 0);
	assert_true(w.d.checked);
	assert_true(w.d.table_intact);
	assert_int_equal(w.d.table_size, w.table_size);
	assert_int_equal(w.d.v.decision, LUGATE_ALLOW);
	assert_int_equal(w.d.v.reason_total, 0);
	assert_log_well_formed();
	snprintf(line, sizeof(line), "verdict: ALLOW %s -> %s (path stable-next, 2 device(s), image hash matches the seal)",
		 OUT_REL, TGT_REL);
	assert_true(log_has_line(line));
	assert_non_null(strstr(logbuf, "table: outgoing release " OUT_REL ", 2 preserved device(s), sealed to " TGT_REL
				       " sha256 101112"));
	assert_null(strstr(logbuf, "REFUSED"));
	assert_null(strstr(logbuf, "reason"));

	gate_fill_delivery(&h, &w.d, true, w.target.sha256, 0);
	assert_memory_equal(h.magic, "LUGDELIV", 8);
	assert_int_equal(h.version, LUGATE_DELIVERY_VERSION);
	assert_int_equal(h.header_size, 200);
	assert_int_equal(h.verdict, LUGATE_DELIVERY_ALLOWED);
	assert_int_equal(h.booted, LUGATE_DELIVERY_BOOTED_TARGET);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.table_size, w.table_size);
	assert_int_equal(h.reason_count, 0);
	assert_int_equal(h.reason_total, 0);
	assert_memory_equal(h.booted_sha256, w.target_sha, LUGATE_SHA256_SIZE);
	for (size_t i = 0; i < LUGATE_DELIVERY_MAX_REASONS; i++)
		assert_int_equal(h.reasons[i], 0);
	world_free(&w);
}

/* The approved target could not be placed: the decision becomes a refusal, target-unbootable. */
static void allowed_but_unplaceable_becomes_refusal(void **state)
{
	struct world w;
	struct lugate_delivery_header h;
	(void)state;

	world_default(&w, SEALED_WITH_FALLBACK);
	gate_decide(&w.d, &w.in);
	assert_true(w.d.allow);
	log_capture_reset();
	gate_refuse_unplaceable(&w.d, "no room for the kernel");
	assert_false(w.d.allow);
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_TARGET_UNBOOTABLE);
	assert_true(log_has_line("no room for the kernel"));
	assert_true(log_has_line("verdict changed to REFUSED: the approved target cannot be placed in memory"));
	gate_fill_delivery(&h, &w.d, false, w.fallback.sha256, LUGATE_DELIVERY_F_FALLBACK_VERIFIED);
	assert_int_equal(h.verdict, LUGATE_DELIVERY_REFUSED);
	assert_int_equal(h.booted, LUGATE_DELIVERY_BOOTED_FALLBACK);
	assert_int_equal(h.flags, LUGATE_DELIVERY_F_TARGET_UNBOOTABLE | LUGATE_DELIVERY_F_FALLBACK_VERIFIED);
	assert_memory_equal(h.booted_sha256, w.fallback_sha, LUGATE_SHA256_SIZE);
	world_free(&w);
}

/* ---- refusals from the core's check ---- */

/* The image differs from the sealed one in the last byte of its hash. */
static void image_mismatch_last_byte(void **state)
{
	struct world w;
	struct lugate_delivery_header h;
	(void)state;

	world_default(&w, SEALED);
	w.target.sha256[LUGATE_SHA256_SIZE - 1] ^= 0x01;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.flags, 0);
	assert_true(w.d.table_intact);
	assert_int_equal(w.d.v.decision, LUGATE_REFUSE);
	assert_int_equal(w.d.v.reason_total, 1);
	assert_int_equal(w.d.reasons[0].code, LUGATE_REASON_IMAGE_MISMATCH);
	assert_true(log_has_line("verdict: REFUSED"));
	assert_non_null(strstr(logbuf, PREFIX "  reason image-mismatch: "));
	gate_fill_delivery(&h, &w.d, false, w.fallback.sha256, 0);
	assert_int_equal(h.verdict, LUGATE_DELIVERY_REFUSED);
	assert_int_equal(h.reason_count, 1);
	assert_int_equal(h.reason_total, 1);
	assert_int_equal(h.reasons[0], LUGATE_REASON_IMAGE_MISMATCH);
	assert_int_equal(h.reasons[1], 0);
	world_free(&w);
}

/* The loader applies the core's rule that a manifest belongs to its own image: a target whose
 * header names another release than its manifest is refused, and the fallback's outcome follows. */
static void manifest_of_another_kernel_refused(void **state)
{
	struct world w;
	struct lugate_schema s = { guid_of(GUID_A), 1, 9 };
	(void)state;

	world_make(&w, SEALED, "6.1.0-56-amd64", 1, &s, 1);
	gate_decide(&w.d, &w.in);
	assert_true(w.d.allow);
	world_free(&w);
	world_make(&w, SEALED, "6.1.0-56-amd64", 1, &s, 1);
	w.target.release = "6.1.0-57-amd64";
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_true(has_reason(&w.d, LUGATE_REASON_WRONG_MANIFEST));
	assert_non_null(strstr(logbuf, PREFIX "  reason wrong-manifest: target's manifest names release 6.1.0-56-amd64 "
					   "but the image is 6.1.0-57-amd64"));
	world_free(&w);
}

/* A target that is older than the outgoing kernel and lacks a schema: both reasons, logged. */
static void refusal_lists_every_reason(void **state)
{
	struct world w;
	struct lugate_schema other = { guid_of(GUID_B), 1, 9 };
	static const struct lugate_outgoing_format kho[] = { { .compatible = "kho-v1", .layer = LUGATE_LAYER_KHO } };
	struct lugate_delivery_header h;
	(void)state;

	world_make(&w, SEALED, "6.1.0-54-amd64", 1, &other, 1);
	w.in.outgoing = kho;   /* the outgoing kernel used KHO; the target's manifest names none */
	w.in.outgoing_count = 1;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.flags, 0);
	assert_true(has_reason(&w.d, LUGATE_REASON_DOWNGRADE));
	assert_true(has_reason(&w.d, LUGATE_REASON_SCHEMA_MISSING));
	assert_true(has_reason(&w.d, LUGATE_REASON_COMPAT_MISSING));
	assert_non_null(strstr(logbuf, PREFIX "  reason downgrade: "));
	assert_non_null(strstr(logbuf, PREFIX "  reason schema-missing: "));
	assert_non_null(strstr(logbuf, PREFIX "  reason compat-missing: "));
	assert_null(strstr(logbuf, "more reason(s) not shown"));
	gate_fill_delivery(&h, &w.d, false, w.fallback.sha256, 0);
	assert_int_equal(h.reason_count, w.d.v.reason_count);
	assert_int_equal(h.reason_total, w.d.v.reason_total);
	for (size_t i = 0; i < h.reason_count; i++)
		assert_int_equal(h.reasons[i], w.d.reasons[i].code);
	assert_int_equal(h.flags & LUGATE_DELIVERY_F_REASONS_CUT, 0);
	world_free(&w);
}

/* More reasons than the record holds: the first 32 kept, the rest counted, reasons-cut set. */
static void reasons_cut_flag(void **state)
{
	struct world w;
	struct lugate_schema other = { guid_of(GUID_B), 1, 9 };
	struct lugate_delivery_header h;
	char line[128];
	(void)state;

	world_make(&w, SEALED, TGT_REL, 40, &other, 1);   /* 40 devices, none with its schema */
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.v.reason_count, LUGATE_DELIVERY_MAX_REASONS);
	assert_int_equal(w.d.v.reason_total, 40);
	snprintf(line, sizeof(line), "  ... and %u more reason(s) not shown", 40u - LUGATE_DELIVERY_MAX_REASONS);
	assert_true(log_has_line(line));
	gate_fill_delivery(&h, &w.d, false, w.fallback.sha256, 0);
	assert_int_equal(h.reason_count, LUGATE_DELIVERY_MAX_REASONS);
	assert_int_equal(h.reason_total, 40);
	assert_int_equal(h.flags, LUGATE_DELIVERY_F_REASONS_CUT);
	for (size_t i = 0; i < LUGATE_DELIVERY_MAX_REASONS; i++)
		assert_int_equal(h.reasons[i], LUGATE_REASON_SCHEMA_MISSING);
	world_free(&w);
}

/* ---- the front end's preconditions, one flag each ---- */

static void unsealed_table_refused(void **state)
{
	struct world w;
	(void)state;

	world_default(&w, UNSEALED);
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_TABLE_UNSEALED);
	assert_true(w.d.table_intact);
	assert_non_null(strstr(logbuf, "2 preserved device(s), NOT sealed\n"));
	assert_true(log_has_line("  reason table-unsealed: the table is not sealed to a target image (run `lugate seal`)"));
	world_free(&w);
}

/* One flipped byte: table-corrupt, no table line, nothing of the table trusted. */
static void corrupt_table_refused(void **state)
{
	struct world w;
	(void)state;

	world_default(&w, SEALED_WITH_FALLBACK);
	w.table[w.table_size - 5] ^= 0x40;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_true(w.d.checked);
	assert_false(w.d.table_intact);
	assert_int_equal(w.d.flags, 0);
	assert_int_equal(w.d.v.reason_total, 1);
	assert_int_equal(w.d.reasons[0].code, LUGATE_REASON_TABLE_CORRUPT);
	assert_null(strstr(logbuf, "table: outgoing release"));
	assert_non_null(strstr(logbuf, PREFIX "  reason table-corrupt: "));
	world_free(&w);
}

static void no_table_refused(void **state)
{
	struct world w;
	struct lugate_delivery_header h;
	(void)state;

	world_default(&w, SEALED);
	w.in.table = NULL;
	w.in.table_size = 0;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_false(w.d.checked);
	assert_false(w.d.table_intact);
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_NO_TABLE);
	assert_true(log_has_line("  reason no-table: the test gave no table"));
	gate_fill_delivery(&h, &w.d, false, w.fallback.sha256, 0);
	assert_int_equal(h.table_size, 0);
	assert_int_equal(h.reason_count, 0);
	assert_int_equal(h.reason_total, 0);
	assert_int_equal(h.flags, LUGATE_DELIVERY_F_NO_TABLE);
	world_free(&w);
}

static void no_target_refused(void **state)
{
	struct world w;
	(void)state;

	world_default(&w, SEALED);
	w.in.target = NULL;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_true(w.d.checked);
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_NO_TARGET);
	assert_true(log_has_line("  reason no-target: the test gave no target"));
	assert_true(has_reason(&w.d, LUGATE_REASON_NO_MANIFEST));
	world_free(&w);
}

/* A target that is not bootable is refused even if its hash is the sealed one. */
static void unbootable_target_refused(void **state)
{
	struct world w;
	(void)state;

	world_default(&w, SEALED);
	w.target.bootable = false;
	w.target.why_unbootable = "not a bzImage (the test says so)";
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.v.decision, LUGATE_ALLOW);   /* the core alone would have allowed */
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_TARGET_UNBOOTABLE);
	assert_true(log_has_line("  reason target-unbootable: not a bzImage (the test says so)"));
	world_free(&w);
}

static void bad_inputs_refused(void **state)
{
	struct world w;
	(void)state;

	world_default(&w, SEALED);
	w.in.bad_inputs = true;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.v.decision, LUGATE_ALLOW);
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_BAD_MODULES);
	assert_true(log_has_line("  reason bad-inputs: the test said its inputs were malformed"));
	world_free(&w);
}

/* The outgoing kernel's LUO state could not be read: whatever the core says, a refusal that
 * says why, recorded in the delivery record's flags. */
static void unreadable_handover_refused(void **state)
{
	struct world w;
	(void)state;

	world_default(&w, SEALED);
	w.in.handover_unreadable = "the outgoing kernel's LUO state cannot be read (the test says so)";
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.v.decision, LUGATE_ALLOW);   /* the core alone would have allowed */
	assert_int_equal(w.d.flags, LUGATE_DELIVERY_F_HANDOVER_UNREADABLE);
	assert_true(log_has_line("  reason handover-unreadable: the outgoing kernel's LUO state cannot be read (the test says so)"));
	world_free(&w);
}

/* Every precondition at once: each flag, each reason line, in the documented order. */
static void every_precondition_at_once(void **state)
{
	struct world w;
	const char *a, *b, *c;
	(void)state;

	world_default(&w, SEALED);
	w.in.bad_inputs = true;
	w.in.target = NULL;
	w.in.table = NULL;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	assert_int_equal(w.d.flags,
			 LUGATE_DELIVERY_F_BAD_MODULES | LUGATE_DELIVERY_F_NO_TARGET | LUGATE_DELIVERY_F_NO_TABLE);
	a = strstr(logbuf, "reason bad-inputs:");
	b = strstr(logbuf, "reason no-target:");
	c = strstr(logbuf, "reason no-table:");
	assert_true(a && b && c && a < b && b < c);
	assert_log_well_formed();
	world_free(&w);
}

/* ---- the fallback ---- */

static void fallback_verified(void **state)
{
	struct world w;
	struct lugate_delivery_header h;
	uint32_t extra = 0xdead;
	(void)state;

	world_default(&w, SEALED_WITH_FALLBACK);
	w.target.sha256[0] ^= 0x80;
	gate_decide(&w.d, &w.in);
	assert_false(w.d.allow);
	log_capture_reset();
	assert_int_equal(gate_check_fallback(&w.d, &w.fallback), GATE_FALLBACK_VERIFIED);
	assert_true(log_has_line("fallback: matches the fallback hash sealed in the table"));
	assert_null(gate_fallback_outcome(&w.d, &w.fallback, &extra));
	assert_int_equal(extra, LUGATE_DELIVERY_F_FALLBACK_VERIFIED);
	gate_fill_delivery(&h, &w.d, false, w.fallback.sha256, extra);
	assert_int_equal(h.verdict, LUGATE_DELIVERY_REFUSED);
	assert_int_equal(h.booted, LUGATE_DELIVERY_BOOTED_FALLBACK);
	assert_int_equal(h.flags, LUGATE_DELIVERY_F_FALLBACK_VERIFIED);
	assert_int_equal(h.reasons[0], LUGATE_REASON_IMAGE_MISMATCH);
	assert_memory_equal(h.booted_sha256, w.fallback_sha, LUGATE_SHA256_SIZE);
	world_free(&w);
}

static void fallback_mismatch_last_byte_never_boots(void **state)
{
	struct world w;
	uint32_t extra = 0xdead;
	(void)state;

	world_default(&w, SEALED_WITH_FALLBACK);
	w.target.sha256[0] ^= 0x80;
	w.fallback.sha256[LUGATE_SHA256_SIZE - 1] ^= 0x01;
	gate_decide(&w.d, &w.in);
	assert_int_equal(gate_check_fallback(&w.d, &w.fallback), GATE_FALLBACK_MISMATCH);
	assert_string_equal(gate_fallback_outcome(&w.d, &w.fallback, &extra),
			    "refused, and the fallback does not match the fallback hash sealed in the table");
	assert_int_equal(extra, 0);
	world_free(&w);
}

/* Not bootable: stop, whatever the table says, in the front end's words. */
static void fallback_unbootable_never_boots(void **state)
{
	struct world w;
	uint32_t extra = 0xdead;
	(void)state;

	world_default(&w, SEALED_WITH_FALLBACK);
	w.in.target = NULL;
	gate_decide(&w.d, &w.in);
	w.fallback.bootable = false;
	assert_int_equal(gate_check_fallback(&w.d, &w.fallback), GATE_FALLBACK_UNBOOTABLE);
	assert_string_equal(gate_fallback_outcome(&w.d, &w.fallback, &extra), wording.fallback_unbootable);
	assert_int_equal(extra, 0);
	world_free(&w);
}

/* Nothing to verify against: booted as chosen, without the verified flag. */
static void fallback_unverified(void **state)
{
	struct world w;
	uint32_t extra = 0xdead;
	(void)state;

	/* sealed, but with no fallback hash */
	world_default(&w, SEALED);
	w.target.sha256[0] ^= 0x80;
	gate_decide(&w.d, &w.in);
	log_capture_reset();
	assert_int_equal(gate_check_fallback(&w.d, &w.fallback), GATE_FALLBACK_UNVERIFIED);
	assert_true(log_has_line("fallback: the table seals no fallback hash; booting it unverified"));
	assert_null(gate_fallback_outcome(&w.d, &w.fallback, &extra));
	assert_int_equal(extra, 0);
	world_free(&w);

	/* a corrupt table, even one that sealed this fallback */
	world_default(&w, SEALED_WITH_FALLBACK);
	w.table[w.table_size / 2] ^= 0x01;
	gate_decide(&w.d, &w.in);
	log_capture_reset();
	assert_int_equal(gate_check_fallback(&w.d, &w.fallback), GATE_FALLBACK_UNVERIFIED);
	assert_true(log_has_line("fallback: no intact table to verify it against; booting it unverified"));
	assert_null(gate_fallback_outcome(&w.d, &w.fallback, &extra));
	assert_int_equal(extra, 0);
	world_free(&w);

	/* no table at all */
	world_default(&w, SEALED_WITH_FALLBACK);
	w.in.table = NULL;
	gate_decide(&w.d, &w.in);
	assert_int_equal(gate_check_fallback(&w.d, &w.fallback), GATE_FALLBACK_UNVERIFIED);
	world_free(&w);
}

/* ---- the record's wire layout (include/lugate/delivery.h) ---- */

static void delivery_record_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct lugate_delivery_header), 200);
	assert_int_equal(offsetof(struct lugate_delivery_header, version), 8);
	assert_int_equal(offsetof(struct lugate_delivery_header, header_size), 12);
	assert_int_equal(offsetof(struct lugate_delivery_header, verdict), 16);
	assert_int_equal(offsetof(struct lugate_delivery_header, booted), 20);
	assert_int_equal(offsetof(struct lugate_delivery_header, flags), 24);
	assert_int_equal(offsetof(struct lugate_delivery_header, table_size), 28);
	assert_int_equal(offsetof(struct lugate_delivery_header, reason_count), 32);
	assert_int_equal(offsetof(struct lugate_delivery_header, reason_total), 36);
	assert_int_equal(offsetof(struct lugate_delivery_header, booted_sha256), 40);
	assert_int_equal(offsetof(struct lugate_delivery_header, reasons), 72);
	assert_int_equal(LUGATE_SETUP_DATA_TYPE, 0x4c554741u);
}

/* The setup_data entry: Linux's header, the record, the table unchanged. */
static void setup_data_entry(void **state)
{
	struct world w;
	struct lugate_delivery_header h;
	struct lugate_x86_setup_data sd;
	uint8_t *buf;
	size_t n;
	(void)state;

	world_default(&w, SEALED);
	gate_decide(&w.d, &w.in);
	gate_fill_delivery(&h, &w.d, true, w.target.sha256, 0);
	n = setup_data_entry_size(w.table_size);
	assert_int_equal(n, 16 + 200 + w.table_size);
	buf = malloc(n);
	assert_non_null(buf);
	setup_data_write(buf, 0x1234000, &h, w.table, w.table_size);
	memcpy(&sd, buf, sizeof(sd));
	assert_int_equal(sd.next, 0x1234000);
	assert_int_equal(sd.type, LUGATE_SETUP_DATA_TYPE);
	assert_int_equal(sd.len, 200 + w.table_size);
	assert_memory_equal(buf + 16, &h, 200);
	assert_memory_equal(buf + 216, w.table, w.table_size);
	free(buf);
	world_free(&w);
}

/* ---- target inspection ---- */

static void put16(uint8_t *p, uint32_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

/* A 64-bit bzImage as far as its setup header goes: 4 setup sectors, protocol 2.15. */
static uint8_t *synth_bzimage(size_t size)
{
	uint8_t *f = calloc(1, size);

	assert_non_null(f);
	f[LUGATE_X86_OFF(hdr.setup_sects)] = 4;
	put16(f, LUGATE_X86_OFF(hdr.boot_flag), LUGATE_X86_BOOT_FLAG);
	f[LUGATE_X86_OFF(hdr.jump)] = 0xeb;                          /* a short jump over the header, */
	f[0x201] = 0x6a;                              /* which ends at 0x26c */
	memcpy(f + LUGATE_X86_OFF(hdr.header), LUGATE_X86_HEADER_MAGIC, 4);
	put16(f, LUGATE_X86_OFF(hdr.version), 0x020f);
	f[LUGATE_X86_OFF(hdr.loadflags)] = LUGATE_X86_LOADED_HIGH;
	put32(f, LUGATE_X86_OFF(hdr.kernel_alignment), 0x200000);
	f[LUGATE_X86_OFF(hdr.relocatable_kernel)] = 1;
	put16(f, LUGATE_X86_OFF(hdr.xloadflags), LUGATE_X86_XLF_KERNEL_64 | LUGATE_X86_XLF_CAN_BE_LOADED_ABOVE_4G);
	put32(f, LUGATE_X86_OFF(hdr.cmdline_size), 2047);
	put32(f, LUGATE_X86_OFF(hdr.syssize), (uint32_t)((size - 5 * 512) / 16));
	put32(f, LUGATE_X86_OFF(hdr.init_size), 0x400000);
	return f;
}

static void check_logged_sha(const char *label, const uint8_t *image, size_t size, const struct target_info *t)
{
	uint8_t want[SHA256_DIGEST_LENGTH];
	char hex[2 * LUGATE_SHA256_SIZE + 1], line[256];

	SHA256(image, size, want);   /* OpenSSL as the oracle */
	assert_memory_equal(t->sha256, want, LUGATE_SHA256_SIZE);
	lugate_hex_format(want, LUGATE_SHA256_SIZE, hex);
	snprintf(line, sizeof(line), "%s: sha256 %s (%s)", label, hex,
		 lugate_sha256_have_shani() ? "SHA-NI" : "portable");
	assert_true(log_has_line(line));
}

static void inspect_rejects_non_bzimage(void **state)
{
	static uint8_t zeros[8192];
	struct target_info t;
	(void)state;

	log_capture_reset();
	target_inspect(zeros, sizeof(zeros), "fallback", &t);
	assert_false(t.bootable);
	assert_string_equal(t.why_unbootable, "not a bzImage (no 0xAA55 boot flag or \"HdrS\" header)");
	assert_null(t.manifest);
	check_logged_sha("fallback", zeros, sizeof(zeros), &t);
	assert_true(log_has_line("fallback: not bootable: not a bzImage (no 0xAA55 boot flag or \"HdrS\" header)"));

	/* a 2.11 header has no 64-bit entry to use */
	uint8_t *f = synth_bzimage(16384);
	put16(f, LUGATE_X86_OFF(hdr.version), 0x020b);
	log_capture_reset();
	target_inspect(f, 16384, "target", &t);
	assert_false(t.bootable);
	assert_true(log_has_line("target: not bootable: boot protocol older than 2.12 (no 64-bit entry)"));
	free(f);
}

static void inspect_reads_bzimage_header(void **state)
{
	const size_t size = 16384;
	uint8_t *f = synth_bzimage(size);
	struct target_info t;
	(void)state;

	log_capture_reset();
	target_inspect(f, size, "target", &t);
	check_logged_sha("target", f, size, &t);
	if (!t.bootable)
		fail_msg("a well-formed header was refused: %s", t.why_unbootable);
	assert_int_equal(t.bz.version, 0x020f);
	assert_int_equal(t.bz.code_offset, 5 * 512);
	assert_int_equal(t.bz.code_size, size - 5 * 512);
	assert_ptr_equal(t.code, f + 5 * 512);
	assert_int_equal(t.bz.kernel_alignment, 0x200000);
	assert_int_equal(t.bz.init_size, 0x400000);
	assert_null(t.manifest);
	assert_int_equal(t.carrier, LUGATE_CARRIER_NONE);
	assert_true(log_has_line("target: bzImage protocol 2.15, release (none), no manifest, init_size 0x400000, "
				 "alignment 0x200000"));
	free(f);
}

/* The arm64 loader's inspection (target_inspect_as, LUGATE_IMAGE_ARM64): an Image header read
 * and logged with its layout; a bzImage is not what it boots, nor an arm64 Image for the x86
 * front ends. */
static void inspect_reads_arm64_image(void **state)
{
	const size_t size = 16384;
	uint8_t *f = calloc(1, size), *bz = synth_bzimage(size);
	struct target_info t;
	(void)state;

	assert_non_null(f);
	put32(f, 0, 0x14000010);
	put32(f, 16, 0x2010000);                      /* image_size */
	put32(f, 24, 0xa);                            /* LE, 4K pages, anywhere */
	memcpy(f + 0x38, "ARM\x64", 4);
	log_capture_reset();
	target_inspect_as(f, size, "target", LUGATE_IMAGE_ARM64, &t);
	check_logged_sha("target", f, size, &t);
	if (!t.bootable)
		fail_msg("an arm64 Image was refused: %s", t.why_unbootable);
	assert_int_equal(t.format, LUGATE_IMAGE_ARM64);
	assert_int_equal(t.arm64_image_size, 0x2010000);
	assert_int_equal(t.arm64_page_size, 4096);
	assert_ptr_equal(t.code, f);
	assert_true(log_has_line("target: arm64 Image, release (none), no manifest, text_offset 0x0, "
				 "image_size 0x2010000, page size 4096"));
	log_capture_reset();
	target_inspect(f, size, "target", &t);
	assert_false(t.bootable);
	assert_true(log_has_line("target: not bootable: not a bzImage (no 0xAA55 boot flag or \"HdrS\" header)"));
	log_capture_reset();
	target_inspect_as(bz, size, "fallback", LUGATE_IMAGE_ARM64, &t);
	assert_false(t.bootable);
	assert_true(log_has_line("fallback: not bootable: not an arm64 Image (no \"ARM\\x64\" magic at 0x38)"));
	put32(f, 16, 0);                              /* no image_size: before 3.17 */
	target_inspect_as(f, size, "target", LUGATE_IMAGE_ARM64, &t);
	assert_false(t.bootable);
	assert_non_null(strstr(t.why_unbootable, "image_size"));
	free(f);
	free(bz);
}

/* The log itself: a line longer than LOG_LINE_MAX is cut and says so; log_range's format. */
static void log_lines(void **state)
{
	char longtext[LOG_LINE_MAX * 2];
	(void)state;

	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	log_capture_reset();
	log_str(longtext);
	assert_log_well_formed();
	assert_int_equal(loglen, strlen(PREFIX) + (LOG_LINE_MAX - 1) + 3 + 1);
	assert_memory_equal(logbuf + loglen - 4, "...\n", 4);
	log_capture_reset();
	log_range("target", "initrd", 0x7f000000, 0x1000);
	assert_true(log_has_line("target: initrd at [0x7f000000-0x7f001000)"));
	log_hex("entry at ", 0x1000200);
	assert_true(log_has_line("entry at 0x1000200"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allow_boots_target_with_record),
		cmocka_unit_test(allowed_but_unplaceable_becomes_refusal),
		cmocka_unit_test(image_mismatch_last_byte),
		cmocka_unit_test(manifest_of_another_kernel_refused),
		cmocka_unit_test(refusal_lists_every_reason),
		cmocka_unit_test(reasons_cut_flag),
		cmocka_unit_test(unsealed_table_refused),
		cmocka_unit_test(corrupt_table_refused),
		cmocka_unit_test(no_table_refused),
		cmocka_unit_test(no_target_refused),
		cmocka_unit_test(unbootable_target_refused),
		cmocka_unit_test(bad_inputs_refused),
		cmocka_unit_test(unreadable_handover_refused),
		cmocka_unit_test(every_precondition_at_once),
		cmocka_unit_test(fallback_verified),
		cmocka_unit_test(fallback_mismatch_last_byte_never_boots),
		cmocka_unit_test(fallback_unbootable_never_boots),
		cmocka_unit_test(fallback_unverified),
		cmocka_unit_test(delivery_record_layout),
		cmocka_unit_test(setup_data_entry),
		cmocka_unit_test(inspect_rejects_non_bzimage),
		cmocka_unit_test(inspect_reads_bzimage_header),
		cmocka_unit_test(inspect_reads_arm64_image),
		cmocka_unit_test(log_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
