// SPDX-License-Identifier: MIT
/* The gate's decision, delivery record and fallback rule; see gate.h. */
#include <string.h>
#include <lugate/lugate.h>
#include "gate.h"
#include "log.h"

static void log_reason_line(const char *name, const char *message)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "  reason ");
	lugate_fmt_str(&l.f, name);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_str(&l.f, message);
	log_emit(&l);
}

static void log_table(const struct lugate_table *t)
{
	struct log_line l;
	char hex[2 * LUGATE_SHA256_SIZE + 1];

	log_start(&l);
	lugate_fmt_str(&l.f, "table: outgoing release ");
	lugate_fmt_str(&l.f, t->release);
	lugate_fmt_str(&l.f, ", ");
	lugate_fmt_udec(&l.f, t->device_count);
	lugate_fmt_str(&l.f, " preserved device(s), ");
	if (t->sealed) {
		lugate_hex_format(t->target_sha256, LUGATE_SHA256_SIZE, hex);
		lugate_fmt_str(&l.f, "sealed to ");
		lugate_fmt_str(&l.f, t->target_release ? t->target_release : "?");
		lugate_fmt_str(&l.f, " sha256 ");
		lugate_fmt_str(&l.f, hex);
	} else {
		lugate_fmt_str(&l.f, "NOT sealed");
	}
	log_emit(&l);
}

static void log_allow(const struct gate_decision *d)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "verdict: ALLOW ");
	lugate_fmt_str(&l.f, d->v.outgoing);
	lugate_fmt_str(&l.f, " -> ");
	lugate_fmt_str(&l.f, d->v.target);
	lugate_fmt_str(&l.f, " (path ");
	lugate_fmt_str(&l.f, lugate_path_name(d->v.path));
	lugate_fmt_str(&l.f, ", ");
	lugate_fmt_udec(&l.f, d->v.device_count);
	lugate_fmt_str(&l.f, " device(s), image hash matches the seal)");
	log_emit(&l);
}

static void log_refusal(const struct gate_decision *d, const struct gate_input *in)
{
	const struct gate_wording *w = in->wording;
	char msg[LOG_LINE_MAX];

	log_str("verdict: REFUSED");
	if (d->flags & LUGATE_DELIVERY_F_BAD_MODULES)
		log_reason_line(w->bad_inputs_name, w->bad_inputs);
	if (d->flags & LUGATE_DELIVERY_F_NO_TARGET)
		log_reason_line("no-target", w->no_target);
	if ((d->flags & LUGATE_DELIVERY_F_TARGET_UNBOOTABLE) && in->target)
		log_reason_line("target-unbootable", in->target->why_unbootable);
	if (d->flags & LUGATE_DELIVERY_F_NO_TABLE)
		log_reason_line("no-table", w->no_table);
	if ((d->flags & LUGATE_DELIVERY_F_HANDOVER_UNREADABLE) && in->handover_unreadable)
		log_reason_line("handover-unreadable", in->handover_unreadable);
	if (d->flags & LUGATE_DELIVERY_F_TABLE_UNSEALED)
		log_reason_line("table-unsealed", "the table is not sealed to a target image (run `lugate seal`)");
	for (size_t i = 0; d->checked && i < d->v.reason_count; i++) {
		lugate_reason_format(&d->reasons[i], msg, sizeof(msg));
		log_reason_line(lugate_reason_name(d->reasons[i].code), msg);
	}
	if (d->checked && d->v.reason_total > d->v.reason_count) {
		struct log_line l;

		log_start(&l);
		lugate_fmt_str(&l.f, "  ... and ");
		lugate_fmt_udec(&l.f, d->v.reason_total - d->v.reason_count);
		lugate_fmt_str(&l.f, " more reason(s) not shown");
		log_emit(&l);
	}
}

void gate_decide(struct gate_decision *d, const struct gate_input *in)
{
	const struct target_info *target = in->target;
	struct lugate_check_input ci;

	memset(d, 0, sizeof(*d));
	d->wording = in->wording;
	if (in->bad_inputs)
		d->flags |= LUGATE_DELIVERY_F_BAD_MODULES;
	if (in->handover_unreadable)
		d->flags |= LUGATE_DELIVERY_F_HANDOVER_UNREADABLE;
	if (!target)
		d->flags |= LUGATE_DELIVERY_F_NO_TARGET;
	else if (!target->bootable)
		d->flags |= LUGATE_DELIVERY_F_TARGET_UNBOOTABLE;
	if (!in->table) {
		d->flags |= LUGATE_DELIVERY_F_NO_TABLE;
	} else {
		d->table_size = in->table_size;
		memset(&ci, 0, sizeof(ci));
		ci.table = in->table;
		ci.table_size = in->table_size;
		if (target) {
			ci.manifest = target->manifest;
			ci.manifest_size = target->manifest_size;
			ci.target_release = target->release;
			ci.scanned_compat = target->compat;
			ci.scanned_compat_count = target->compat_count;
			ci.target_sha256 = target->sha256;
			/* the page-size rule is the core's: the loader applies it like the CLI (0: x86) */
			ci.target_page_size = target->arm64_page_size;
		}
		ci.outgoing = in->outgoing;
		ci.outgoing_count = in->outgoing_count;
		ci.policy = NULL;    /* the policy sealed in the table */
		lugate_check(&ci, d->reasons, LUGATE_DELIVERY_MAX_REASONS, &d->v);
		d->checked = true;
		d->table_intact = !(d->v.reason_count > 0 && d->reasons[0].code == LUGATE_REASON_TABLE_CORRUPT);
		if (d->table_intact) {
			log_table(&d->v.table);
			if (!d->v.table.sealed)
				d->flags |= LUGATE_DELIVERY_F_TABLE_UNSEALED;
		}
	}
	d->allow = d->checked && d->v.decision == LUGATE_ALLOW && d->flags == 0;
	if (d->allow)
		log_allow(d);
	else
		log_refusal(d, in);
}

void gate_refuse_unplaceable(struct gate_decision *d, const char *why)
{
	log_str(why);
	log_str("verdict changed to REFUSED: the approved target cannot be placed in memory");
	d->allow = false;
	d->flags |= LUGATE_DELIVERY_F_TARGET_UNBOOTABLE;
}

void gate_fill_delivery(struct lugate_delivery_header *h, const struct gate_decision *d, bool booted_target,
			const uint8_t booted_sha256[LUGATE_SHA256_SIZE], uint32_t extra_flags)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, LUGATE_DELIVERY_MAGIC, sizeof(h->magic));
	h->version = LUGATE_DELIVERY_VERSION;
	h->header_size = sizeof(*h);
	h->verdict = d->allow ? LUGATE_DELIVERY_ALLOWED : LUGATE_DELIVERY_REFUSED;
	h->booted = booted_target ? LUGATE_DELIVERY_BOOTED_TARGET : LUGATE_DELIVERY_BOOTED_FALLBACK;
	h->flags = d->flags | extra_flags;
	h->table_size = (uint32_t)d->table_size;
	memcpy(h->booted_sha256, booted_sha256, LUGATE_SHA256_SIZE);
	if (d->checked) {
		h->reason_count = (uint32_t)d->v.reason_count;
		h->reason_total = (uint32_t)d->v.reason_total;
		for (size_t i = 0; i < d->v.reason_count; i++)
			h->reasons[i] = (uint32_t)d->reasons[i].code;
		if (d->v.reason_total > d->v.reason_count)
			h->flags |= LUGATE_DELIVERY_F_REASONS_CUT;
	}
}

enum gate_fallback_verdict gate_check_fallback(const struct gate_decision *d, const struct target_info *fallback)
{
	int r;

	if (!fallback->bootable)
		return GATE_FALLBACK_UNBOOTABLE;
	if (!d->table_intact) {
		log_str("fallback: no intact table to verify it against; booting it unverified");
		return GATE_FALLBACK_UNVERIFIED;
	}
	r = lugate_check_fallback(&d->v.table, fallback->sha256);
	if (r == 0) {
		log_str("fallback: matches the fallback hash sealed in the table");
		return GATE_FALLBACK_VERIFIED;
	}
	if (r == LUGATE_ERR_NOTFOUND) {
		log_str("fallback: the table seals no fallback hash; booting it unverified");
		return GATE_FALLBACK_UNVERIFIED;
	}
	return GATE_FALLBACK_MISMATCH;
}

const char *gate_fallback_outcome(const struct gate_decision *d, const struct target_info *fallback,
				  uint32_t *extra_flags)
{
	*extra_flags = 0;
	switch (gate_check_fallback(d, fallback)) {
	case GATE_FALLBACK_VERIFIED:
		*extra_flags = LUGATE_DELIVERY_F_FALLBACK_VERIFIED;
		return NULL;
	case GATE_FALLBACK_UNVERIFIED:
		return NULL;
	case GATE_FALLBACK_UNBOOTABLE:
		return d->wording->fallback_unbootable;
	case GATE_FALLBACK_MISMATCH:
	default:
		return "refused, and the fallback does not match the fallback hash sealed in the table";
	}
}
