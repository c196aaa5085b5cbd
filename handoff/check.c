// SPDX-License-Identifier: MIT
/*
 * The check: one decision for every front end. It collects every reason, never only the
 * first, and never allocates: the caller's reason array bounds what is kept, while
 * reason_total still counts everything found.
 */
#include <string.h>
#include <lugate/check.h>
#include <lugate/error.h>
#include <lugate/fmt.h>

static const char *const reason_names[LUGATE_REASON_COUNT] = {
	[LUGATE_REASON_NONE] = "none",
	[LUGATE_REASON_DOWNGRADE] = "downgrade",
	[LUGATE_REASON_VERSION_JUMP] = "version-jump",
	[LUGATE_REASON_FLAVOUR_CHANGE] = "flavour-change",
	[LUGATE_REASON_PRERELEASE] = "prerelease",
	[LUGATE_REASON_BAD_RELEASE] = "bad-release",
	[LUGATE_REASON_SCHEMA_MISSING] = "schema-missing",
	[LUGATE_REASON_SCHEMA_VERSION] = "schema-version",
	[LUGATE_REASON_COMPAT_MISSING] = "compat-missing",
	[LUGATE_REASON_NO_MANIFEST] = "no-manifest",
	[LUGATE_REASON_IMAGE_MISMATCH] = "image-mismatch",
	[LUGATE_REASON_TABLE_CORRUPT] = "table-corrupt",
	[LUGATE_REASON_KNOWN_BAD] = "known-bad",
	[LUGATE_REASON_WRONG_MANIFEST] = "wrong-manifest",
	[LUGATE_REASON_PAGE_SIZE_CHANGE] = "page-size-change",
};

const char *lugate_reason_name(enum lugate_reason_code c)
{
	if ((unsigned)c >= LUGATE_REASON_COUNT)
		return "unknown";
	return reason_names[c];
}

static const char *const layer_names[LUGATE_LAYER_COUNT] = {
	[LUGATE_LAYER_UNKNOWN] = "unknown",
	[LUGATE_LAYER_KHO] = "kho",
	[LUGATE_LAYER_LUO] = "luo",
	[LUGATE_LAYER_FILE_HANDLER] = "file-handler",
	[LUGATE_LAYER_FLB] = "flb",
};

/* From linux-source-7.3: kexec_handover.c, luo_core.c, luo_file.c, luo_flb.c (docs/errors.md). */
static const char *const layer_consequences[LUGATE_LAYER_COUNT] = {
	[LUGATE_LAYER_UNKNOWN] = "the next kernel cannot revive it, so the preserved state is lost",
	[LUGATE_LAYER_KHO] = "KHO revival is disabled, so the next kernel boots cold and frees every preserved page",
	[LUGATE_LAYER_LUO] = "LUO cannot restore its state, so the next kernel panics",
	[LUGATE_LAYER_FILE_HANDLER] = ("the next kernel has no handler for it, so restoring the sessions fails, "
				       "/dev/liveupdate returns -EIO and every session is lost"),
	[LUGATE_LAYER_FLB] = "the next kernel does not revive the object, so its preserved state is lost",
};

const char *lugate_layer_name(enum lugate_layer l)
{
	return (unsigned)l < LUGATE_LAYER_COUNT ? layer_names[l] : "unknown";
}

const char *lugate_layer_consequence(enum lugate_layer l)
{
	return (unsigned)l < LUGATE_LAYER_COUNT ? layer_consequences[l] : layer_consequences[0];
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum lugate_layer lugate_layer_of(const char *compatible)
{
	if (!compatible || !compatible[0])
		return LUGATE_LAYER_UNKNOWN;
	if (has_prefix(compatible, "kho-v"))
		return LUGATE_LAYER_KHO;
	/* "luo-v5", and the session and FLB subtrees older LUO versions named on their own
	 * ("luo-session-v1", "luo-flb-v1"): LUO's own state, read in luo_early_startup */
	if (has_prefix(compatible, "luo-"))
		return LUGATE_LAYER_LUO;
	return LUGATE_LAYER_FILE_HANDLER;
}

static struct lugate_reason *add_reason(struct lugate_verdict *v, enum lugate_reason_code code)
{
	struct lugate_reason *r;

	v->reason_total++;
	if (v->reason_count >= v->reason_capacity) {
		/* No room: still counted; its details go to a record nobody reads. */
		r = &v->spill;
	} else {
		r = &v->reasons[v->reason_count++];
	}
	memset(r, 0, sizeof(*r));
	r->code = code;
	return r;
}

static bool list_has(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; list && i < n; i++)
		if (list[i] && strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool manifest_revives(const struct lugate_manifest *m, const char *s)
{
	for (uint32_t i = 0; m && i < m->compat_count; i++)
		if (strcmp(lugate_manifest_compat(m, i), s) == 0)
			return true;
	return false;
}

static bool revived(const struct lugate_check_input *in, const struct lugate_manifest *m, const char *c)
{
	return manifest_revives(m, c) || list_has(in->scanned_compat, in->scanned_compat_count, c);
}

static bool table_lists(const struct lugate_table *t, const char *c)
{
	for (uint32_t k = 0; k < t->compat_count; k++)
		if (strcmp(lugate_table_compat(t, k), c) == 0)
			return true;
	return false;
}

static enum lugate_layer outgoing_layer(const struct lugate_outgoing_format *o)
{
	return o->layer != LUGATE_LAYER_UNKNOWN ? o->layer : lugate_layer_of(o->compatible);
}

/* The policy may let the target lack a file handler or FLB the outgoing kernel merely has
 * compiled in; never a format that state is known to be in. */
static bool may_lack(const struct lugate_policy *policy, const struct lugate_outgoing_format *o)
{
	return o->compiled_only && !o->session && lugate_policy_may_lack(policy, (uint32_t)outgoing_layer(o), o->compatible);
}

/* An outgoing format without a session is reported once per string, and not at all when the
 * table lists it too (the table's entry is reported). One from a session: once per file. */
static bool reported_before(const struct lugate_check_input *in, const struct lugate_policy *policy, size_t i,
			    const struct lugate_table *t)
{
	const struct lugate_outgoing_format *o = &in->outgoing[i];

	if (o->session)
		return false;
	if (table_lists(t, o->compatible))
		return true;
	for (size_t k = 0; k < i; k++)
		if (!in->outgoing[k].session && in->outgoing[k].compatible &&
		    strcmp(in->outgoing[k].compatible, o->compatible) == 0 && !may_lack(policy, &in->outgoing[k]))
			return true;
	return false;
}

static void check_compat(const struct lugate_check_input *in, const struct lugate_policy *policy,
			 const struct lugate_manifest *m, struct lugate_verdict *v)
{
	struct lugate_reason *r;

	for (uint32_t i = 0; i < v->table.compat_count; i++) {
		const char *c = lugate_table_compat(&v->table, i);
		if (revived(in, m, c))
			continue;
		r = add_reason(v, LUGATE_REASON_COMPAT_MISSING);
		r->subject = c;
		r->layer = lugate_layer_of(c);
	}
	for (size_t i = 0; in->outgoing && i < in->outgoing_count; i++) {
		const struct lugate_outgoing_format *o = &in->outgoing[i];

		if (!o->compatible || revived(in, m, o->compatible) || may_lack(policy, o) ||
		    reported_before(in, policy, i, &v->table))
			continue;
		r = add_reason(v, LUGATE_REASON_COMPAT_MISSING);
		r->subject = o->compatible;
		r->layer = outgoing_layer(o);
		r->session = o->session;
		r->token = o->token;
		r->has_token = o->has_token;
		r->compiled_only = o->compiled_only && !o->session;
	}
}

static bool same_guid(const struct lugate_guid *a, const struct lugate_guid *b)
{
	uint8_t diff = 0;
	for (unsigned i = 0; i < LUGATE_GUID_SIZE; i++)
		diff |= (uint8_t)(a->b[i] ^ b->b[i]);
	return diff == 0;
}

void lugate_check_devices(const struct lugate_manifest *m, struct lugate_verdict *v)
{
	struct lugate_device dev;
	struct lugate_schema schema;
	struct lugate_guid last_guid;
	uint32_t index[LUGATE_MANIFEST_INDEX_SIZE];
	long idx = -1;
	bool have_last = false;
	int cursor = 0;

	lugate_manifest_index(m, index);
	while (lugate_table_next_device(&v->table, &cursor, &dev) == 1) {
		struct lugate_reason *r;

		/* Devices come in address order, and the functions of one card share a schema:
		 * look a GUID up only when it differs from the previous device's, and then only
		 * among the records sharing its first byte. */
		if (!have_last || !same_guid(&dev.schema, &last_guid)) {
			idx = lugate_manifest_find_indexed(m, index, &dev.schema);
			last_guid = dev.schema;
			have_last = true;
		}
		if (idx < 0) {
			r = add_reason(v, LUGATE_REASON_SCHEMA_MISSING);
		} else {
			lugate_manifest_schema(m, (uint32_t)idx, &schema);
			if (dev.schema_version >= schema.min_version && dev.schema_version <= schema.max_version)
				continue;
			r = add_reason(v, LUGATE_REASON_SCHEMA_VERSION);
			r->min_version = schema.min_version;
			r->max_version = schema.max_version;
		}
		r->has_device = true;
		r->device = dev.addr;
		r->guid = dev.schema;
		r->version = dev.schema_version;
		r->subject = dev.driver;
	}
}

static void check_release(const struct lugate_policy *policy, struct lugate_verdict *v)
{
	int why = 0;
	struct lugate_reason *r;

	if (!v->target) {
		r = add_reason(v, LUGATE_REASON_BAD_RELEASE);
		r->from = v->outgoing;
		r->subject = "target release unknown: the image names none";
		return;
	}
	v->path = lugate_policy_classify(policy, v->outgoing, v->target, &why);
	if (v->path != LUGATE_PATH_NONE)
		return;
	r = add_reason(v, why ? (enum lugate_reason_code)why : LUGATE_REASON_VERSION_JUMP);
	r->from = v->outgoing;
	r->to = v->target;
}

/* A pair that failed after an earlier jump is refused again unless the policy says otherwise:
 * upstream has no rollback, and such bugs depend on the exact pair of kernels. */
static void check_known_bad(const struct lugate_check_input *in, const struct lugate_policy *policy,
			    struct lugate_verdict *v)
{
	struct lugate_reason *r;

	if (!in->known_bad_since || (policy && policy->allow_known_bad))
		return;
	r = add_reason(v, LUGATE_REASON_KNOWN_BAD);
	r->from = v->outgoing;
	r->to = v->target;
	r->subject = in->known_bad_since;
}

static void check_image(const struct lugate_check_input *in, struct lugate_verdict *v)
{
	if (!v->table.sealed || !in->target_sha256)
		return;
	if (memcmp(v->table.target_sha256, in->target_sha256, LUGATE_SHA256_SIZE) != 0)
		add_reason(v, LUGATE_REASON_IMAGE_MISMATCH)->subject = "target";
}

/* The manifest describes the kernel it was built for: in another kernel's image it would vouch
 * for drivers and formats that image may not have. */
static void check_manifest_fits(const struct lugate_check_input *in, const struct lugate_manifest *m,
				struct lugate_verdict *v)
{
	struct lugate_reason *r;

	if (!m || lugate_manifest_fits_image(m, in->target_release))
		return;
	r = add_reason(v, LUGATE_REASON_WRONG_MANIFEST);
	r->from = m->release;
	r->to = in->target_release;
}

/* KHO lays preserved memory out in pages (its bitmaps and the folios LUO hands over): a kernel
 * with another page size cannot read it. Only state that is there matters: preserved formats
 * in the table, preserved devices, or formats the outgoing kernel is seen to hold state in. */
static bool state_preserved(const struct lugate_check_input *in, const struct lugate_verdict *v)
{
	if (v->table.compat_count || v->table.device_count)
		return true;
	for (size_t i = 0; i < in->outgoing_count; i++)
		if (!in->outgoing[i].compiled_only)
			return true;
	return false;
}

static void check_page_size(const struct lugate_check_input *in, struct lugate_verdict *v)
{
	uint32_t outgoing = v->table.page_size;
	struct lugate_reason *r;

	if (!in->target_page_size || in->target_page_size == outgoing || !state_preserved(in, v))
		return;
	r = add_reason(v, LUGATE_REASON_PAGE_SIZE_CHANGE);
	r->from_page_size = outgoing;
	r->to_page_size = in->target_page_size;
	r->from = v->outgoing;
	r->to = v->target;
}

int lugate_check_fallback(const struct lugate_table *t, const uint8_t sha256[LUGATE_SHA256_SIZE])
{
	if (!t || !sha256)
		return LUGATE_ERR_INVAL;
	if (!t->fallback_sha256)
		return LUGATE_ERR_NOTFOUND;
	return memcmp(t->fallback_sha256, sha256, LUGATE_SHA256_SIZE) == 0 ? 0 : LUGATE_ERR_BADHASH;
}

/* The policy in force: the caller's, else the one sealed in the table, else the default. */
static int resolve_policy(const struct lugate_check_input *in, const struct lugate_table *t,
			  struct lugate_policy *storage, const struct lugate_policy **out)
{
	if (in->policy) {
		*out = in->policy;
		return 0;
	}
	*out = storage;
	if (t->policy_text)
		return lugate_policy_parse(t->policy_text, strlen(t->policy_text), storage, NULL);
	lugate_policy_default(storage);
	return 0;
}

int lugate_check(const struct lugate_check_input *in, struct lugate_reason *reasons,
		 size_t capacity, struct lugate_verdict *out)
{
	struct lugate_manifest manifest, *m = NULL;
	struct lugate_policy policy_storage;
	const struct lugate_policy *policy;
	struct lugate_reason *r;
	int err;

	if (!in || !out || (capacity && !reasons))
		return LUGATE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->reasons = reasons;
	out->reason_capacity = capacity;
	out->decision = LUGATE_REFUSE;
	out->path = LUGATE_PATH_NONE;

	err = lugate_table_open(in->table, in->table_size, &out->table);
	if (!err)
		err = resolve_policy(in, &out->table, &policy_storage, &policy);
	if (err) {
		add_reason(out, LUGATE_REASON_TABLE_CORRUPT)->error = err;
		return 0;
	}
	out->outgoing = out->table.release;
	out->device_count = out->table.device_count;

	if (in->manifest) {
		err = lugate_manifest_open(in->manifest, in->manifest_size, &manifest);
		if (err)
			out->manifest_error = err;
		else
			m = &manifest;
	}
	out->target = m ? m->release : in->target_release;

	check_image(in, out);
	check_manifest_fits(in, m, out);
	check_release(policy, out);
	check_known_bad(in, policy, out);
	check_page_size(in, out);
	check_compat(in, policy, m, out);
	if (m) {
		lugate_check_devices(m, out);
	} else if (out->device_count > 0 || out->manifest_error) {
		r = add_reason(out, LUGATE_REASON_NO_MANIFEST);
		r->count = out->device_count;
		r->error = out->manifest_error;
	}
	if (out->reason_total == 0)
		out->decision = LUGATE_ALLOW;
	return 0;
}

/* ---- messages ---------------------------------------------------------------------- */

static void fmt_device(struct lugate_fmt *f, const struct lugate_reason *r)
{
	lugate_fmt_pci(f, r->device);
	if (r->subject && r->subject[0]) {
		lugate_fmt_str(f, " (");
		lugate_fmt_input(f, r->subject);
		lugate_fmt_char(f, ')');
	}
}

static void fmt_release_reason(struct lugate_fmt *f, const struct lugate_reason *r)
{
	const char *from = r->from ? r->from : "?", *to = r->to ? r->to : "?";

	switch (r->code) {
	case LUGATE_REASON_DOWNGRADE:
		lugate_fmt_str(f, "target ");
		lugate_fmt_input(f, to);
		lugate_fmt_str(f, " is older than outgoing ");
		lugate_fmt_input(f, from);
		lugate_fmt_str(f, ": downgrades are never supported");
		break;
	case LUGATE_REASON_VERSION_JUMP:
		lugate_fmt_input(f, from);
		lugate_fmt_str(f, " -> ");
		lugate_fmt_input(f, to);
		lugate_fmt_str(f, " is not an allowed path under the policy; enable its kind or add `allow ");
		lugate_fmt_input(f, from);
		lugate_fmt_str(f, " -> ");
		lugate_fmt_input(f, to);
		lugate_fmt_str(f, "` if it is supported");
		break;
	case LUGATE_REASON_FLAVOUR_CHANGE:
		lugate_fmt_str(f, "flavour differs: ");
		lugate_fmt_input(f, from);
		lugate_fmt_str(f, " -> ");
		lugate_fmt_input(f, to);
		lugate_fmt_str(f, "; a live update never changes flavour");
		break;
	case LUGATE_REASON_PRERELEASE:
		lugate_fmt_str(f, "target ");
		lugate_fmt_input(f, to);
		lugate_fmt_str(f, " is a pre-release: only the identical release may be targeted");
		break;
	default: /* LUGATE_REASON_BAD_RELEASE */
		if (r->subject) {
			lugate_fmt_str(f, r->subject);
			break;
		}
		lugate_fmt_str(f, "release does not parse: outgoing '");
		lugate_fmt_input(f, from);
		lugate_fmt_str(f, "', target '");
		lugate_fmt_input(f, to);
		lugate_fmt_char(f, '\'');
		break;
	}
}

/* "<layer> format 'memfd-v2' (session 's1', token 0x2a) is not revived by the target: <consequence>" */
static void fmt_compat_missing(struct lugate_fmt *f, const struct lugate_reason *r)
{
	lugate_fmt_str(f, lugate_layer_name(r->layer));
	lugate_fmt_str(f, " format '");
	lugate_fmt_input(f, r->subject ? r->subject : "?");
	lugate_fmt_char(f, '\'');
	if (r->session) {
		lugate_fmt_str(f, " (session '");
		lugate_fmt_input(f, r->session);
		lugate_fmt_char(f, '\'');
		if (r->has_token) {
			lugate_fmt_str(f, ", token 0x");
			lugate_fmt_hex(f, r->token, 0);
		}
		lugate_fmt_char(f, ')');
	}
	lugate_fmt_str(f, r->compiled_only ? " compiled into the outgoing kernel" : " of the outgoing kernel");
	lugate_fmt_str(f, " is not revived by the target: ");
	lugate_fmt_str(f, lugate_layer_consequence(r->layer));
	if (r->compiled_only && (r->layer == LUGATE_LAYER_FILE_HANDLER || r->layer == LUGATE_LAYER_FLB)) {
		/* no state is known to be in it yet: say how to go on if none will be */
		lugate_fmt_str(f, " (if nothing is preserved in it, `may-lack ");
		lugate_fmt_str(f, lugate_layer_name(r->layer));
		lugate_fmt_char(f, ' ');
		lugate_fmt_input(f, r->subject ? r->subject : "?");
		lugate_fmt_str(f, "` in the policy lets the target lack it)");
	}
}

size_t lugate_reason_format(const struct lugate_reason *r, char *buf, size_t buf_size)
{
	struct lugate_fmt f;

	lugate_fmt_init(&f, buf, buf_size);
	switch (r->code) {
	case LUGATE_REASON_DOWNGRADE:
	case LUGATE_REASON_VERSION_JUMP:
	case LUGATE_REASON_FLAVOUR_CHANGE:
	case LUGATE_REASON_PRERELEASE:
	case LUGATE_REASON_BAD_RELEASE:
		fmt_release_reason(&f, r);
		break;
	case LUGATE_REASON_SCHEMA_MISSING:
		lugate_fmt_str(&f, "target advertises no schema ");
		lugate_fmt_guid(&f, &r->guid);
		lugate_fmt_str(&f, " for ");
		fmt_device(&f, r);
		lugate_fmt_str(&f, "; stamp it with `lugate embed` or pick another target");
		break;
	case LUGATE_REASON_SCHEMA_VERSION:
		fmt_device(&f, r);
		lugate_fmt_str(&f, " was preserved with schema ");
		lugate_fmt_guid(&f, &r->guid);
		lugate_fmt_str(&f, " version ");
		lugate_fmt_udec(&f, r->version);
		lugate_fmt_str(&f, "; target accepts versions ");
		lugate_fmt_udec(&f, r->min_version);
		lugate_fmt_str(&f, "..");
		lugate_fmt_udec(&f, r->max_version);
		break;
	case LUGATE_REASON_COMPAT_MISSING:
		fmt_compat_missing(&f, r);
		break;
	case LUGATE_REASON_NO_MANIFEST:
		if (r->error) {
			lugate_fmt_str(&f, "target manifest is corrupt: ");
			lugate_fmt_str(&f, lugate_strerror(r->error));
		} else {
			lugate_fmt_str(&f, "target carries no lugate manifest but ");
			lugate_fmt_udec(&f, r->count);
			lugate_fmt_str(&f, r->count == 1 ? " device is" : " devices are");
			lugate_fmt_str(&f, " preserved; stamp it with `lugate embed`");
		}
		break;
	case LUGATE_REASON_IMAGE_MISMATCH:
		lugate_fmt_str(&f, r->subject ? r->subject : "target");
		lugate_fmt_str(&f, " image does not match the SHA-256 sealed in the table: it changed after sealing");
		break;
	case LUGATE_REASON_TABLE_CORRUPT:
		lugate_fmt_str(&f, "handoff table is corrupt: ");
		lugate_fmt_str(&f, lugate_strerror(r->error));
		break;
	case LUGATE_REASON_WRONG_MANIFEST:
		lugate_fmt_str(&f, "target's manifest names release ");
		lugate_fmt_input(&f, r->from ? r->from : "?");
		lugate_fmt_str(&f, " but the image is ");
		lugate_fmt_input(&f, r->to ? r->to : "?");
		lugate_fmt_str(&f, ": it was stamped with another kernel's manifest; stamp it with its own");
		break;
	case LUGATE_REASON_PAGE_SIZE_CHANGE:
		lugate_fmt_str(&f, "the page size changes from ");
		lugate_fmt_udec(&f, r->from_page_size);
		lugate_fmt_str(&f, " to ");
		lugate_fmt_udec(&f, r->to_page_size);
		lugate_fmt_str(&f, " bytes: KHO/LUO state laid out in the outgoing kernel's pages cannot be revived; "
				   "pick a target built with ");
		lugate_fmt_udec(&f, r->from_page_size);
		lugate_fmt_str(&f, "-byte pages");
		break;
	case LUGATE_REASON_KNOWN_BAD:
		lugate_fmt_str(&f, r->from ? r->from : "?");
		lugate_fmt_str(&f, " -> ");
		lugate_fmt_str(&f, r->to ? r->to : "?");
		lugate_fmt_str(&f, " failed after the jump on ");
		lugate_fmt_str(&f, r->subject ? r->subject : "an earlier boot");
		lugate_fmt_str(&f, " (`lugate history`); \"known-bad = allow\" in the policy tries it again");
		break;
	default:
		lugate_fmt_str(&f, "unknown reason");
		break;
	}
	return f.len < buf_size ? f.len : (buf_size ? buf_size - 1 : 0);
}
