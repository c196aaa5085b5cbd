// SPDX-License-Identifier: MIT
/* The outgoing kernel's LUO state, read for the gate and logged; see luo_outgoing.h. */
#include <string.h>
#include <lugate/error.h>
#include <lugate/fmt.h>
#include "luo_outgoing.h"

static void add(struct lugate_outgoing_format *out, size_t *n, const char *compat, enum lugate_layer layer,
		const char *session, uint64_t token, bool has_token)
{
	struct lugate_outgoing_format *o = &out[(*n)++];   /* the caller's room holds every string */

	memset(o, 0, sizeof(*o));
	o->compatible = compat;
	o->layer = layer;
	o->session = session;
	o->token = token;
	o->has_token = has_token;
}

/* "LUO: state ...", then one line per session (its first four files) and one per FLB. */
static void log_summary(const struct luo_outgoing *lo)
{
	const struct lugate_luo_state *st = &lo->st;
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "LUO: state '");
	lugate_fmt_str(&l.f, st->compatible);
	lugate_fmt_str(&l.f, "' at 0x");
	lugate_fmt_hex(&l.f, st->phys, 0);
	lugate_fmt_str(&l.f, ", live update ");
	lugate_fmt_udec(&l.f, st->liveupdate_num);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_udec(&l.f, st->session_count);
	lugate_fmt_str(&l.f, " session(s), ");
	lugate_fmt_udec(&l.f, st->file_count);
	lugate_fmt_str(&l.f, " file(s), ");
	lugate_fmt_udec(&l.f, st->flb_count);
	lugate_fmt_str(&l.f, " FLB(s) (");
	lugate_fmt_udec(&l.f, st->blocks);
	lugate_fmt_str(&l.f, " linked blocks read): every handler and FLB recorded for the check");
	log_emit(&l);
	for (size_t i = 0; i < st->session_count; i++) {
		log_start(&l);
		lugate_fmt_str(&l.f, "LUO: session '");
		lugate_fmt_input(&l.f, lo->sessions[i].name);
		lugate_fmt_str(&l.f, "': ");
		lugate_fmt_udec(&l.f, lo->sessions[i].file_count);
		lugate_fmt_str(&l.f, " file(s)");
		for (size_t k = 0, shown = 0; k < st->file_count && shown < 4; k++) {
			if (lo->files[k].session != i)
				continue;
			lugate_fmt_str(&l.f, shown++ ? ", " : ": ");
			lugate_fmt_str(&l.f, lo->files[k].compatible);
			lugate_fmt_str(&l.f, " token 0x");
			lugate_fmt_hex(&l.f, lo->files[k].token, 0);
		}
		if (lo->sessions[i].file_count > 4)
			lugate_fmt_str(&l.f, ", ...");
		log_emit(&l);
	}
	for (size_t i = 0; i < st->flb_count; i++) {
		log_start(&l);
		lugate_fmt_str(&l.f, "LUO: FLB '");
		lugate_fmt_str(&l.f, lo->flbs[i].compatible);
		lugate_fmt_str(&l.f, "', ");
		lugate_fmt_udec(&l.f, lo->flbs[i].count);
		lugate_fmt_str(&l.f, " dependent file(s)");
		log_emit(&l);
	}
}

/*
 * A state the reader cannot read fails closed: the decision is a refusal (handover-unreadable)
 * and the fallback boots with KHO forwarded unchanged, since what was preserved, and so whether
 * any target revives it, is unknown.
 */
size_t luo_outgoing_read(struct luo_outgoing *lo, const void *kho_fdt, size_t fdt_size, lugate_luo_map_fn map,
			 void *ctx, struct lugate_outgoing_format *out, const char **unreadable)
{
	struct lugate_luo_state *st = &lo->st;
	struct lugate_fmt f;
	struct log_line l;
	size_t n = 0;
	int err;

	memset(st, 0, sizeof(*st));
	st->sessions = lo->sessions;
	st->session_capacity = LUO_OUTGOING_MAX_SESSIONS;
	st->files = lo->files;
	st->file_capacity = LUO_OUTGOING_MAX_FILES;
	st->flbs = lo->flbs;
	st->flb_capacity = LUO_OUTGOING_MAX_FLBS;
	err = lugate_luo_read(kho_fdt, fdt_size, map, ctx, st);
	if (err < 0) {
		lugate_fmt_init(&f, lo->why, sizeof(lo->why));
		lugate_fmt_str(&f, "the outgoing kernel's LUO state cannot be read (");
		lugate_fmt_str(&f, lugate_strerror(err));
		lugate_fmt_str(&f, " at ");
		lugate_fmt_str(&f, st->fault ? st->fault : "?");
		lugate_fmt_str(&f, " 0x");
		lugate_fmt_hex(&f, st->fault_pa, 0);
		lugate_fmt_str(&f, "): what it preserved is unknown");
		*unreadable = lo->why;
		log_start(&l);
		lugate_fmt_str(&l.f, "LUO: ");
		lugate_fmt_str(&l.f, lo->why);
		lugate_fmt_str(&l.f, "; the check refuses, the fallback gets KHO unchanged");
		log_emit(&l);
		if (st->compatible[0])
			add(out, &n, st->compatible, LUGATE_LAYER_LUO, NULL, 0, false);
		return n;
	}
	if (!st->present) {
		log_str("LUO: the KHO FDT has no LUO node: no live update state to check");
		return 0;
	}
	add(out, &n, st->compatible, LUGATE_LAYER_LUO, NULL, 0, false);
	if (!st->known) {
		log_start(&l);
		lugate_fmt_str(&l.f, "LUO: state '");
		lugate_fmt_str(&l.f, st->compatible);
		lugate_fmt_str(&l.f, "' under KHO '");
		lugate_fmt_str(&l.f, st->kho_compatible);
		lugate_fmt_str(&l.f, "' is a layout this loader does not read (it reads " LUGATE_LUO_KNOWN " under "
			       LUGATE_LUO_KNOWN_KHO "): the target must revive that version exactly");
		log_emit(&l);
		return n;
	}
	for (size_t i = 0; i < st->file_count; i++)
		add(out, &n, lo->files[i].compatible, LUGATE_LAYER_FILE_HANDLER, lo->sessions[lo->files[i].session].name,
		    lo->files[i].token, true);
	for (size_t i = 0; i < st->flb_count; i++)
		add(out, &n, lo->flbs[i].compatible, LUGATE_LAYER_FLB, NULL, 0, false);
	log_summary(lo);
	return n;
}
