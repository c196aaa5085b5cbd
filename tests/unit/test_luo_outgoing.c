// SPDX-License-Identifier: MIT
/*
 * boot/luo_outgoing.c, the LUO reading both kernel-entered loaders share (the bzImage64 entry
 * and the arm64 loader), on the host: the LUO state a real linux 7.3 kernel serialized at
 * reboot (tests/unit/luo/, the vectors tests/unit/test_luo.c reads) becomes the outgoing
 * formats the gate hands the core's check, in the kernel's order, and the log lines the e2e
 * suites grep, word for word; no LUO node, an unknown LUO version and an unreadable state each
 * take their own path; and through the gate (boot/gate.c) the formats read decide: allowed
 * when the target revives every one, refused naming the file when it lacks the memfd handler,
 * refused (handover-unreadable) when the state cannot be read. Linked with the boot/ sources
 * the front ends compile (mk/35-boot.mk); the test supplies the console and reads it back.
 */
#include <stddef.h>
#include <stdio.h>
#include <libfdt.h>
#include "helpers.h"
#include <lugate/luo.h>
#include "luo_vector.h"
#include "../../boot/console.h"
#include "../../boot/gate.h"
#include "../../boot/log.h"
#include "../../boot/luo_outgoing.h"

#define PREFIX "test-luo-outgoing: "
#define SESSIONS_VECTOR "tests/unit/luo/real-7.3-sessions.bin"
#define EMPTY_VECTOR "tests/unit/luo/real-7.3-empty.bin"
#define TOKEN_E2E UINT64_C(0x6c75676174650001)
#define REL "7.3.4-amd64"

#include "boot_harness.h"

/* The log's lines, in order, without prefix: exactly these. */
static void assert_log_is(const char *const *lines, size_t count)
{
	const char *p = logbuf;

	for (size_t i = 0; i < count; i++) {
		size_t n = strlen(lines[i]);

		if (strncmp(p, PREFIX, strlen(PREFIX)) != 0 || strncmp(p + strlen(PREFIX), lines[i], n) != 0 ||
		    p[strlen(PREFIX) + n] != '\n')
			fail_msg("log line %zu: want '%s', the log reads:\n%s", i, lines[i], logbuf);
		p += strlen(PREFIX) + n + 1;
	}
	if (*p)
		fail_msg("more log lines than the %zu expected:\n%s", count, p);
}

static uint8_t *file_buf;
static struct luo_vector vec;
static struct luo_outgoing lo;        /* 150 KiB: static, as the loaders keep it */
static struct lugate_outgoing_format out[LUO_OUTGOING_MAX_FORMATS];

/* A fresh copy of a captured vector (tests change it in place), an empty log. */
static void load(const char *path)
{
	size_t n = 0;

	free(file_buf);
	file_buf = luo_vector_read_file(path, &n);
	assert_non_null(file_buf);
	assert_int_equal(luo_vector_parse(file_buf, n, &vec), 0);
	memset(out, 0, sizeof(out));
	log_capture_reset();
}

static uint8_t *fdt(void)
{
	uint8_t *p = luo_vector_at(&vec, vec.fdt_pa, vec.fdt_size);

	assert_non_null(p);
	return p;
}

/* luo_ser's address, as the test reads it from the FDT itself. */
static uint64_t luo_ser_pa(void)
{
	int len, node = fdt_subnode_offset(fdt(), 0, "LUO");
	const uint8_t *v;

	assert_true(node >= 0);
	v = fdt_getprop(fdt(), node, "preserved-data", &len);
	assert_non_null(v);
	assert_int_equal(len, 8);
	return luo_vector_le64(v);
}

/* A window on the vector that closes after `allowed` ranges: the reader then faults. */
struct limited {
	unsigned allowed, calls;
};

static const void *limited_map(void *ctx, uint64_t pa, size_t len)
{
	struct limited *l = ctx;

	return l->calls++ < l->allowed ? luo_vector_map(&vec, pa, len) : NULL;
}

static size_t read_vector(const char **unreadable)
{
	return luo_outgoing_read(&lo, fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, out, unreadable);
}

/* Three sessions (2, 70 and 0 memfds), three FLBs: LUO's compatible, then every file in the
 * kernel's order with its session and token, then every FLB; the lines the e2e suites grep. */
static void real_state_read_and_logged(void **state)
{
	const char *unreadable = NULL;
	char summary[LOG_LINE_MAX], flb[3][64];
	const char *lines[7];
	size_t n;

	(void)state;
	load(SESSIONS_VECTOR);
	n = read_vector(&unreadable);
	assert_null(unreadable);
	assert_int_equal(n, 1 + 72 + 3);
	assert_string_equal(out[0].compatible, "luo-v5");
	assert_int_equal(out[0].layer, LUGATE_LAYER_LUO);
	assert_null(out[0].session);
	assert_false(out[0].has_token);
	for (size_t i = 0; i < 72; i++) {
		const struct lugate_outgoing_format *o = &out[1 + i];

		assert_string_equal(o->compatible, "memfd-v2");
		assert_int_equal(o->layer, LUGATE_LAYER_FILE_HANDLER);
		assert_true(o->has_token);
		assert_string_equal(o->session, i < 2 ? "lugate-e2e" : "vm-guest-ram");
		assert_int_equal(o->token, i < 2 ? TOKEN_E2E + i : 0x1000 + (i - 2));
	}
	for (unsigned i = 0; i < 3; i++) {
		const struct lugate_outgoing_format *o = &out[73 + i];

		snprintf(flb[i], sizeof(flb[i]), "liveupdate-test-flb-v%u", i);
		assert_string_equal(o->compatible, flb[i]);
		assert_int_equal(o->layer, LUGATE_LAYER_FLB);
		assert_null(o->session);
		assert_false(o->has_token);
		snprintf(flb[i], sizeof(flb[i]), "LUO: FLB 'liveupdate-test-flb-v%u', 72 dependent file(s)", i);
	}
	/* the formats point into the reader's storage, which outlives the call */
	assert_ptr_equal(out[0].compatible, lo.st.compatible);
	assert_ptr_equal(out[1].session, lo.sessions[0].name);
	snprintf(summary, sizeof(summary),
		 "LUO: state 'luo-v5' at 0x%llx, live update 1: 3 session(s), 72 file(s), 3 FLB(s) "
		 "(4 linked blocks read): every handler and FLB recorded for the check",
		 (unsigned long long)luo_ser_pa());
	lines[0] = summary;
	lines[1] = "LUO: session 'lugate-e2e': 2 file(s): memfd-v2 token 0x6c75676174650001, "
		   "memfd-v2 token 0x6c75676174650002";
	/* at most four files named per session, then "..." */
	lines[2] = "LUO: session 'vm-guest-ram': 70 file(s): memfd-v2 token 0x1000, memfd-v2 token 0x1001, "
		   "memfd-v2 token 0x1002, memfd-v2 token 0x1003, ...";
	lines[3] = "LUO: session 'idle': 0 file(s)";
	lines[4] = flb[0];
	lines[5] = flb[1];
	lines[6] = flb[2];
	assert_log_is(lines, 7);
}

/* LUO on, nothing preserved: only LUO's own compatible is demanded. */
static void real_empty_state(void **state)
{
	const char *unreadable = NULL;
	char summary[LOG_LINE_MAX];
	const char *lines[1] = { summary };

	(void)state;
	load(EMPTY_VECTOR);
	assert_int_equal(read_vector(&unreadable), 1);
	assert_null(unreadable);
	assert_string_equal(out[0].compatible, "luo-v5");
	assert_int_equal(out[0].layer, LUGATE_LAYER_LUO);
	snprintf(summary, sizeof(summary),
		 "LUO: state 'luo-v5' at 0x%llx, live update %llu: 0 session(s), 0 file(s), 0 FLB(s) "
		 "(0 linked blocks read): every handler and FLB recorded for the check",
		 (unsigned long long)luo_ser_pa(), (unsigned long long)lo.st.liveupdate_num);
	assert_log_is(lines, 1);
}

/* LUO off in the outgoing kernel: nothing to demand, nothing refused. */
static void no_luo_node(void **state)
{
	const char *unreadable = NULL;
	const char *lines[] = { "LUO: the KHO FDT has no LUO node: no live update state to check" };
	char *name;

	(void)state;
	load(SESSIONS_VECTOR);
	name = (char *)(uintptr_t)fdt_get_name(fdt(), fdt_subnode_offset(fdt(), 0, "LUO"), NULL);
	assert_non_null(name);
	name[2] = 'X';
	assert_int_equal(read_vector(&unreadable), 0);
	assert_null(unreadable);
	assert_null(out[0].compatible);
	assert_log_is(lines, 1);
}

/* A LUO version this reader does not read: its compatible alone, which the target must revive. */
static void unknown_luo_version(void **state)
{
	const char *unreadable = NULL;
	const char *lines[] = { "LUO: state 'luo-v6' under KHO 'kho-v4' is a layout this loader does not read "
				"(it reads luo-v5 under kho-v4): the target must revive that version exactly" };
	uint8_t *ser;

	(void)state;
	load(SESSIONS_VECTOR);
	ser = luo_vector_at(&vec, luo_ser_pa(), 8);
	assert_non_null(ser);
	memcpy(ser, "luo-v6", 6);
	assert_int_equal(read_vector(&unreadable), 1);
	assert_null(unreadable);
	assert_string_equal(out[0].compatible, "luo-v6");
	assert_int_equal(out[0].layer, LUGATE_LAYER_LUO);
	assert_null(out[1].compatible);
	assert_log_is(lines, 1);
}

/* The state cannot be read: why, for the gate, and the log line; LUO's compatible is still
 * demanded once it was read, never a file or FLB read before the fault. */
static void unreadable_state(void **state)
{
	struct limited none = { 0, 0 }, some = { 3, 0 };
	const char *unreadable = NULL;
	char why[LOG_LINE_MAX], line[2 * LOG_LINE_MAX];
	const char *lines[] = { line };

	(void)state;
	load(SESSIONS_VECTOR);
	/* nothing beyond the FDT may be read: luo_ser itself faults */
	assert_int_equal(luo_outgoing_read(&lo, fdt(), (size_t)vec.fdt_size, limited_map, &none, out, &unreadable), 0);
	snprintf(why, sizeof(why),
		 "the outgoing kernel's LUO state cannot be read (%s at luo_ser 0x%llx): what it preserved is unknown",
		 lugate_strerror(LUGATE_ERR_UNMAPPED), (unsigned long long)luo_ser_pa());
	assert_non_null(unreadable);
	assert_string_equal(unreadable, why);
	assert_ptr_equal(unreadable, lo.why);
	assert_null(out[0].compatible);
	snprintf(line, sizeof(line), "LUO: %s; the check refuses, the fallback gets KHO unchanged", why);
	assert_log_is(lines, 1);

	/* luo_ser read, a later block refused: LUO's compatible only */
	load(SESSIONS_VECTOR);
	unreadable = NULL;
	assert_int_equal(luo_outgoing_read(&lo, fdt(), (size_t)vec.fdt_size, limited_map, &some, out, &unreadable), 1);
	assert_non_null(unreadable);
	assert_non_null(strstr(unreadable, "the outgoing kernel's LUO state cannot be read ("));
	assert_non_null(strstr(unreadable, "): what it preserved is unknown"));
	assert_string_equal(out[0].compatible, "luo-v5");
	assert_int_equal(out[0].layer, LUGATE_LAYER_LUO);
	assert_null(out[1].compatible);
	snprintf(line, sizeof(line), "LUO: %s; the check refuses, the fallback gets KHO unchanged", unreadable);
	assert_log_is(lines, 1);
}

/* ---- through the gate, as a front end hands it the formats ---- */


/* A table sealed to a target of the same release, whose manifest revives compat[0..n). */
static void decide(struct gate_decision *d, const char *const *compat, size_t ncompat,
		   const struct lugate_outgoing_format *outgoing, size_t count, const char *unreadable)
{
	uint8_t sha[LUGATE_SHA256_SIZE];
	struct lugate_table_spec ts;
	struct lugate_manifest_spec ms = { .release = REL, .compat = compat, .compat_count = ncompat };
	struct target_info target;
	struct gate_input in;
	uint8_t *table, *manifest;
	size_t table_size, manifest_size;

	for (size_t i = 0; i < sizeof(sha); i++)
		sha[i] = (uint8_t)(0x40 + i);
	memset(&ts, 0, sizeof(ts));
	ts.release = REL;
	ts.target_sha256 = sha;
	ts.target_release = REL;
	ts.policy_text = "paths = same stable-next\n";
	table_size = build_table(&ts, &table);
	manifest_size = build_manifest(&ms, &manifest);
	memset(&target, 0, sizeof(target));
	target.bootable = true;
	target.manifest = manifest;
	target.manifest_size = manifest_size;
	target.release = REL;
	memcpy(target.sha256, sha, sizeof(sha));
	memset(&in, 0, sizeof(in));
	in.target = &target;
	in.table = table;
	in.table_size = table_size;
	in.outgoing = outgoing;
	in.outgoing_count = count;
	in.handover_unreadable = unreadable;
	in.wording = &wording;
	log_capture_reset();
	gate_decide(d, &in);
	free(table);
	free(manifest);
}

static bool log_has(const char *text)
{
	return strstr(logbuf, text) != NULL;
}

static void gate_decides_on_what_was_read(void **state)
{
	const char *all[] = { "kho-v4", "luo-v5", "memfd-v2", "liveupdate-test-flb-v0", "liveupdate-test-flb-v1",
			      "liveupdate-test-flb-v2" };
	const char *no_memfd[] = { "kho-v4", "luo-v5", "liveupdate-test-flb-v0", "liveupdate-test-flb-v1",
				   "liveupdate-test-flb-v2" };
	struct lugate_outgoing_format formats[1 + LUO_OUTGOING_MAX_FORMATS];
	struct limited some = { 3, 0 };
	const char *unreadable = NULL;
	struct gate_decision d;
	size_t n;

	(void)state;
	/* as the loaders fill it: KHO's root compatible, then what the LUO state adds */
	memset(formats, 0, sizeof(formats));
	formats[0].compatible = "kho-v4";
	formats[0].layer = LUGATE_LAYER_KHO;
	load(SESSIONS_VECTOR);
	n = 1 + luo_outgoing_read(&lo, fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, &formats[1], &unreadable);
	assert_int_equal(n, 77);
	assert_null(unreadable);

	decide(&d, all, 6, formats, n, unreadable);
	assert_true(d.allow);
	assert_int_equal(d.flags, 0);
	assert_true(log_has("verdict: ALLOW " REL " -> " REL " (path same"));

	/* the target cannot revive memfd-v2: one reason per preserved file, naming it */
	decide(&d, no_memfd, 5, formats, n, unreadable);
	assert_false(d.allow);
	assert_int_equal(d.v.decision, LUGATE_REFUSE);
	assert_int_equal(d.v.reason_total, 72);
	assert_int_equal(d.reasons[0].code, LUGATE_REASON_COMPAT_MISSING);
	assert_int_equal(d.reasons[0].layer, LUGATE_LAYER_FILE_HANDLER);
	assert_string_equal(d.reasons[0].session, "lugate-e2e");
	assert_int_equal(d.reasons[0].token, TOKEN_E2E);
	assert_true(log_has("verdict: REFUSED"));
	assert_true(log_has("  reason compat-missing: "));
	assert_true(log_has("file-handler format 'memfd-v2' (session 'vm-guest-ram', token 0x1000)"));

	/* unreadable: refused whatever the core says, the why in the reason line */
	load(SESSIONS_VECTOR);
	unreadable = NULL;
	n = 1 + luo_outgoing_read(&lo, fdt(), (size_t)vec.fdt_size, limited_map, &some, &formats[1], &unreadable);
	assert_int_equal(n, 2);
	assert_non_null(unreadable);
	decide(&d, all, 6, formats, n, unreadable);
	assert_false(d.allow);
	assert_int_equal(d.v.decision, LUGATE_ALLOW);   /* the core alone would have allowed */
	assert_int_equal(d.flags, LUGATE_DELIVERY_F_HANDOVER_UNREADABLE);
	assert_true(log_has("  reason handover-unreadable: the outgoing kernel's LUO state cannot be read ("));
}

static int teardown(void **state)
{
	(void)state;
	free(file_buf);
	file_buf = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_state_read_and_logged), cmocka_unit_test(real_empty_state),
		cmocka_unit_test(no_luo_node), cmocka_unit_test(unknown_luo_version),
		cmocka_unit_test(unreadable_state), cmocka_unit_test(gate_decides_on_what_was_read),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
