// SPDX-License-Identifier: MIT
/*
 * lugate_luo_read (lugate/luo.h) on the LUO state a real linux 7.3 kernel serialized at reboot,
 * captured by tests/unit/luo/capture.sh (the loader's lugate.luo_dump=1): three sessions
 * ("lugate-e2e" with 2 memfds, "vm-guest-ram" with 70, whose file records fill two linked
 * blocks, "idle" with none) and LIVEUPDATE_TEST's three FLBs; and LUO on with nothing
 * preserved. Then the same state with one thing broken at a time: every bound the reader
 * keeps must turn into its error, never a read outside the captured memory.
 */
#include "helpers.h"
#include <stdio.h>
#include <libfdt.h>
#include <lugate/luo.h>
#include "luo_vector.h"

#define SESSIONS_VECTOR "tests/unit/luo/real-7.3-sessions.bin"
#define EMPTY_VECTOR "tests/unit/luo/real-7.3-empty.bin"
#define TOKEN_E2E UINT64_C(0x6c75676174650001)
#define BLOCK 4096u

static uint8_t *file_buf;
static size_t file_size;
static struct luo_vector vec;
static struct lugate_luo_session sessions[8];
static struct lugate_luo_file files[128];
static struct lugate_luo_flb flbs[8];
static struct lugate_luo_state st;

static void load(const char *path)
{
	free(file_buf);
	file_buf = luo_vector_read_file(path, &file_size);
	assert_non_null(file_buf);
	assert_int_equal(luo_vector_parse(file_buf, file_size, &vec), 0);
}

static int read_state(void)
{
	memset(&st, 0, sizeof(st));
	st.sessions = sessions;
	st.session_capacity = 8;
	st.files = files;
	st.file_capacity = 128;
	st.flbs = flbs;
	st.flb_capacity = 8;
	return lugate_luo_read(luo_vector_at(&vec, vec.fdt_pa, vec.fdt_size), (size_t)vec.fdt_size,
			       luo_vector_map, &vec, &st);
}

static uint8_t *fdt(void)
{
	return luo_vector_at(&vec, vec.fdt_pa, vec.fdt_size);
}

/* Where the structures lie, followed the way the kernel does, by the test's own reading. */
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

static uint8_t *at(uint64_t pa, uint64_t len)
{
	uint8_t *p = luo_vector_at(&vec, pa, len);

	assert_non_null(p);
	return p;
}

static uint8_t *luo_ser(void)
{
	return at(luo_ser_pa(), 32);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t sessions_pa(void)
{
	return luo_vector_le64(luo_ser() + 16);
}

/* session i (0..) of the first session block */
static uint8_t *session(unsigned i)
{
	return at(sessions_pa() + 16 + (uint64_t)i * 80, 80);
}

static uint64_t files_pa(unsigned s)
{
	return luo_vector_le64(session(s) + 64);
}

static uint8_t *flb_header(void)
{
	return at(luo_vector_le64(luo_ser() + 24), 16);
}

static void setup_sessions(void)
{
	load(SESSIONS_VECTOR);
}

static void real_state_read_exactly(void **state)
{
	(void)state;
	setup_sessions();
	assert_int_equal(read_state(), 0);
	assert_true(st.present);
	assert_true(st.known);
	assert_string_equal(st.kho_compatible, "kho-v4");
	assert_string_equal(st.compatible, "luo-v5");
	assert_int_equal(st.size, 32);
	assert_int_equal(st.liveupdate_num, 1);
	assert_int_equal(st.session_count, 3);
	assert_string_equal(sessions[0].name, "lugate-e2e");
	assert_int_equal(sessions[0].file_count, 2);
	assert_string_equal(sessions[1].name, "vm-guest-ram");
	assert_int_equal(sessions[1].file_count, 70);
	assert_string_equal(sessions[2].name, "idle");
	assert_int_equal(sessions[2].file_count, 0);
	assert_int_equal(st.file_count, 72);
	for (size_t i = 0; i < 72; i++) {
		assert_string_equal(files[i].compatible, "memfd-v2");
		if (i < 2) {
			assert_int_equal(files[i].session, 0);
			assert_int_equal(files[i].token, TOKEN_E2E + i);
		} else {
			assert_int_equal(files[i].session, 1);
			assert_int_equal(files[i].token, 0x1000 + (i - 2));
		}
	}
	/* one session block, one file block for lugate-e2e, two (63 + 7) for vm-guest-ram */
	assert_int_equal(st.blocks, 4);
	assert_int_not_equal(luo_vector_le64(at(files_pa(1), 16)), 0);
	assert_int_equal(luo_vector_le64(at(files_pa(1), 16) + 8), 63);
	assert_int_equal(st.flb_count, 3);
	for (unsigned i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "liveupdate-test-flb-v%u", i);
		assert_string_equal(flbs[i].compatible, name);
		assert_int_equal(flbs[i].count, 72);
	}
	assert_null(st.fault);
}

static void real_empty_state(void **state)
{
	(void)state;
	load(EMPTY_VECTOR);
	assert_int_equal(read_state(), 0);
	assert_true(st.present);
	assert_true(st.known);
	assert_string_equal(st.compatible, "luo-v5");
	assert_int_equal(st.session_count, 0);
	assert_int_equal(st.file_count, 0);
	assert_int_equal(st.flb_count, 0);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(sessions_pa(), 0);
}

/* A change of the LUO version: only its compatible is reported, the check demands it. */
static void unknown_luo_version(void **state)
{
	(void)state;
	setup_sessions();
	memcpy(luo_ser(), "luo-v6", 6);
	assert_int_equal(read_state(), 0);
	assert_true(st.present);
	assert_false(st.known);
	assert_string_equal(st.compatible, "luo-v6");
	assert_int_equal(st.session_count + st.file_count + st.flb_count, 0);
	/* a longer compatible (a newer, wider field) is read too, up to the blob's end */
	memcpy(luo_ser(), "luo-v10-wide", 13);
	assert_int_equal(read_state(), 0);
	assert_false(st.known);
	assert_string_equal(st.compatible, "luo-v10-wide");
}

static void unknown_kho_version(void **state)
{
	uint8_t *c;
	int len;

	(void)state;
	setup_sessions();
	c = (uint8_t *)(uintptr_t)fdt_getprop(fdt(), 0, "compatible", &len);
	assert_non_null(c);
	assert_int_equal(len, 7);
	c[5] = '5';   /* kho-v5: the block format may differ: LUO's compatible only */
	assert_int_equal(read_state(), 0);
	assert_string_equal(st.kho_compatible, "kho-v5");
	assert_true(st.present);
	assert_false(st.known);
	assert_string_equal(st.compatible, "luo-v5");
	assert_int_equal(st.file_count, 0);
}

static void no_luo_node(void **state)
{
	char *name;

	(void)state;
	setup_sessions();
	name = (char *)(uintptr_t)fdt_get_name(fdt(), fdt_subnode_offset(fdt(), 0, "LUO"), NULL);
	assert_non_null(name);
	name[2] = 'X';
	assert_int_equal(read_state(), 0);
	assert_false(st.present);
	assert_false(st.known);
	assert_string_equal(st.compatible, "");
}

static void luo_node_properties(void **state)
{
	int node, len;
	uint8_t *v;

	(void)state;
	setup_sessions();
	node = fdt_subnode_offset(fdt(), 0, "LUO");
	v = (uint8_t *)(uintptr_t)fdt_getprop(fdt(), node, "blob-size", &len);
	assert_non_null(v);
	put64(v, 0);
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(v, LUGATE_LUO_BLOB_MAX + 1);
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(v, 31);   /* luo-v5 needs its 32 bytes */
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(v, 32);
	v = (uint8_t *)(uintptr_t)fdt_getprop(fdt(), node, "preserved-data", &len);
	put64(v, luo_ser_pa() + 4);
	assert_int_equal(read_state(), LUGATE_ERR_MISALIGNED);
	put64(v, 0);
	assert_int_equal(read_state(), LUGATE_ERR_UNMAPPED);
	put64(v, UINT64_MAX - 7);
	assert_int_equal(read_state(), LUGATE_ERR_UNMAPPED);
	/* a property renamed away */
	setup_sessions();
	node = fdt_subnode_offset(fdt(), 0, "LUO");
	assert_non_null(fdt_getprop(fdt(), node, "preserved-data", &len));
	{
		char *s = (char *)fdt() + fdt_off_dt_strings(fdt());
		char *p = NULL;

		for (uint32_t k = 0; k + 15 <= fdt_size_dt_strings(fdt()) && !p; k++)
			if (memcmp(s + k, "preserved-data", 15) == 0)
				p = s + k;
		assert_non_null(p);
		p[13] = 'X';
	}
	assert_int_equal(read_state(), LUGATE_ERR_BADPROP);
	/* the tree itself is checked first */
	setup_sessions();
	fdt()[0] ^= 1;
	assert_int_equal(read_state(), LUGATE_ERR_BADFDT);
}

/* Every range the reader reads must be captured: a vector missing any byte of it fails
 * closed (UNMAPPED), for each range in turn, from either end. */
static void truncated_ranges(void **state)
{
	(void)state;
	setup_sessions();
	for (size_t i = 0; i < vec.count; i++) {
		if (vec.r[i].pa == vec.fdt_pa)
			continue;
		vec.r[i].len--;
		assert_int_equal(read_state(), LUGATE_ERR_UNMAPPED);
		vec.r[i].len++;
		vec.r[i].pa++;
		vec.r[i].data++;
		assert_int_equal(read_state(), LUGATE_ERR_UNMAPPED);
		vec.r[i].pa--;
		vec.r[i].data--;
		assert_int_equal(read_state(), 0);
	}
}

static void misaligned_links(void **state)
{
	uint64_t pa;

	(void)state;
	setup_sessions();
	pa = sessions_pa();
	put64(luo_ser() + 16, pa + 8);
	assert_int_equal(read_state(), LUGATE_ERR_MISALIGNED);
	assert_string_equal(st.fault, "session block");
	put64(luo_ser() + 16, pa);
	pa = files_pa(1);
	put64(session(1) + 64, pa + 16);
	assert_int_equal(read_state(), LUGATE_ERR_MISALIGNED);
	assert_string_equal(st.fault, "file block");
	put64(session(1) + 64, pa);
	pa = luo_vector_le64(luo_ser() + 24);
	put64(luo_ser() + 24, pa + 64);
	assert_int_equal(read_state(), LUGATE_ERR_MISALIGNED);
	assert_string_equal(st.fault, "FLB header");
	put64(luo_ser() + 24, pa);
	assert_int_equal(read_state(), 0);
}

static void chains_that_loop(void **state)
{
	uint8_t *first, *second;
	uint64_t head;

	(void)state;
	setup_sessions();
	head = files_pa(1);
	first = at(head, 16);
	second = at(luo_vector_le64(first), 16);
	assert_int_equal(luo_vector_le64(second), 0);
	put64(second, head);   /* the last block back to the first */
	assert_int_equal(read_state(), LUGATE_ERR_LOOP);
	assert_string_equal(st.fault, "file block");
	put64(first, head);    /* a block to itself */
	assert_int_equal(read_state(), LUGATE_ERR_LOOP);
	setup_sessions();
	put64(at(sessions_pa(), 16), sessions_pa());
	assert_int_equal(read_state(), LUGATE_ERR_LOOP);
	assert_string_equal(st.fault, "session block");
}

static void counts_out_of_bounds(void **state)
{
	uint8_t *hdr;

	(void)state;
	setup_sessions();
	hdr = at(sessions_pa(), 16);
	put64(hdr + 8, 0);     /* a block with no entry: the next kernel refuses the set */
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr + 8, 52);    /* one more than a page of 80-byte records holds */
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr + 8, UINT64_MAX);
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr + 8, 3);
	hdr = at(files_pa(1), 16);
	put64(hdr + 8, 64);    /* 63 file records fit a block */
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr + 8, 63);
	/* a session's count must be its files exactly, either way */
	put64(session(1) + 72, 69);
	assert_int_equal(read_state(), LUGATE_ERR_INCONSISTENT);
	put64(session(1) + 72, 71);
	assert_int_equal(read_state(), LUGATE_ERR_INCONSISTENT);
	put64(session(1) + 72, UINT64_MAX);
	assert_int_equal(read_state(), LUGATE_ERR_INCONSISTENT);
	put64(session(1) + 72, 70);
	put64(session(2) + 72, 1);   /* files but no file block */
	assert_int_equal(read_state(), LUGATE_ERR_INCONSISTENT);
	put64(session(2) + 72, 0);
	/* the FLB area: pages and count */
	hdr = flb_header();
	put64(hdr, 0);
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr, LUGATE_LUO_FLB_PAGES_MAX + 1);
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr, 1);
	put64(hdr + 8, 64);    /* 63 records fit a page */
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr + 8, UINT64_MAX);
	assert_int_equal(read_state(), LUGATE_ERR_BADSIZE);
	put64(hdr + 8, 4);     /* in bounds, but past what was captured */
	assert_int_equal(read_state(), LUGATE_ERR_UNMAPPED);
	put64(hdr + 8, 3);
	assert_int_equal(read_state(), 0);
}

static void strings(void **state)
{
	uint8_t *e;

	(void)state;
	setup_sessions();
	e = session(1);
	memset(e, 'a', 64);    /* no NUL in the 64-byte name */
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
	assert_string_equal(st.fault, "session name");
	e[0] = '\0';           /* empty */
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
	memcpy(e, "lugate-e2e", 11);   /* the name of another session: every session is lost */
	assert_int_equal(read_state(), LUGATE_ERR_DUPLICATE);
	memcpy(e, "a name with\x01 bytes", 19);   /* any bytes but NUL are a name */
	assert_int_equal(read_state(), 0);
	assert_string_equal(sessions[1].name, "a name with\x01 bytes");

	setup_sessions();
	e = at(files_pa(1) + 16 + 5 * 64, 64);   /* the 6th file of vm-guest-ram */
	memset(e, 'm', 48);
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
	assert_string_equal(st.fault, "file handler compatible");
	assert_int_equal(st.file_count, 2 + 5);   /* what came before is kept */
	e[0] = '\0';
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
	memcpy(e, "memfd v2", 9);
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
	memcpy(e, "memfd-v3", 9);
	assert_int_equal(read_state(), 0);
	assert_string_equal(files[7].compatible, "memfd-v3");
	assert_int_equal(files[7].token, 0x1005);

	setup_sessions();
	e = flb_header() + 16 + 64;   /* the second FLB */
	memset(e, 'f', 48);
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
	assert_string_equal(st.fault, "FLB compatible");
	memcpy(e, "pci-v9", 7);
	assert_int_equal(read_state(), 0);
	assert_string_equal(flbs[1].compatible, "pci-v9");

	setup_sessions();
	memset(luo_ser(), 'l', 32);   /* the LUO compatible itself */
	assert_int_equal(read_state(), LUGATE_ERR_BADSTRING);
}

static void caller_capacity(void **state)
{
	(void)state;
	setup_sessions();
	assert_int_equal(read_state(), 0);
	st.file_capacity = 71;
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, &st), LUGATE_ERR_TOOMANY);
	st.file_capacity = 72;
	st.session_capacity = 2;
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, &st), LUGATE_ERR_TOOMANY);
	st.session_capacity = 3;
	st.flb_capacity = 2;
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, &st), LUGATE_ERR_TOOMANY);
	st.flb_capacity = 3;
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, &st), 0);
	/* misuse */
	st.files = NULL;
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, &st), LUGATE_ERR_INVAL);
	st.files = files;
	assert_int_equal(lugate_luo_read(NULL, 0, luo_vector_map, &vec, &st), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, NULL, &vec, &st), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_luo_read(fdt(), (size_t)vec.fdt_size, luo_vector_map, &vec, NULL), LUGATE_ERR_INVAL);
}

/* Through the check: every string read is one the target must revive, a file's with its
 * session and token (one reason per file), an FLB's once. */
static void strings_reach_the_check(void **state)
{
	struct lugate_outgoing_format out[2 + 72 + 3];
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	struct lugate_check_input in;
	uint8_t *table, *manifest;
	size_t n = 0, table_size, manifest_size;
	const char *compat[] = { "kho-v4", "luo-v5", "liveupdate-test-flb-v0", "liveupdate-test-flb-v1",
				 "liveupdate-test-flb-v2" };
	struct lugate_table_spec ts = { .release = "7.3.4-amd64" };
	struct lugate_manifest_spec ms = { .release = "7.3.4-amd64", .compat = compat, .compat_count = 5 };
	char msg[512];

	(void)state;
	setup_sessions();
	assert_int_equal(read_state(), 0);
	out[n++] = (struct lugate_outgoing_format){ .compatible = st.kho_compatible, .layer = LUGATE_LAYER_KHO };
	out[n++] = (struct lugate_outgoing_format){ .compatible = st.compatible, .layer = LUGATE_LAYER_LUO };
	for (size_t i = 0; i < st.file_count; i++)
		out[n++] = (struct lugate_outgoing_format){
			.compatible = files[i].compatible, .layer = LUGATE_LAYER_FILE_HANDLER,
			.session = sessions[files[i].session].name, .token = files[i].token, .has_token = true };
	for (size_t i = 0; i < st.flb_count; i++)
		out[n++] = (struct lugate_outgoing_format){ .compatible = flbs[i].compatible, .layer = LUGATE_LAYER_FLB };
	table_size = build_table(&ts, &table);
	manifest_size = build_manifest(&ms, &manifest);
	memset(&in, 0, sizeof(in));
	in.table = table;
	in.table_size = table_size;
	in.manifest = manifest;
	in.manifest_size = manifest_size;
	in.outgoing = out;
	in.outgoing_count = n;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, 72);   /* one per memfd: the manifest lacks memfd-v2 */
	assert_int_equal(reasons[0].code, LUGATE_REASON_COMPAT_MISSING);
	assert_int_equal(reasons[0].layer, LUGATE_LAYER_FILE_HANDLER);
	assert_string_equal(reasons[0].subject, "memfd-v2");
	assert_string_equal(reasons[0].session, "lugate-e2e");
	assert_int_equal(reasons[0].token, TOKEN_E2E);
	lugate_reason_format(&reasons[2], msg, sizeof(msg));
	assert_non_null(strstr(msg, "file-handler format 'memfd-v2' (session 'vm-guest-ram', token 0x1000)"));
	free(manifest);
	/* with memfd-v2 revived: allowed */
	{
		const char *all[] = { "kho-v4", "luo-v5", "memfd-v2", "liveupdate-test-flb-v0",
				      "liveupdate-test-flb-v1", "liveupdate-test-flb-v2" };

		ms.compat = all;
		ms.compat_count = 6;
		manifest_size = build_manifest(&ms, &manifest);
		in.manifest = manifest;
		in.manifest_size = manifest_size;
		assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
		assert_int_equal(v.decision, LUGATE_ALLOW);
		free(manifest);
		/* without one FLB: refused once, naming it */
		ms.compat_count = 5;
		manifest_size = build_manifest(&ms, &manifest);
		in.manifest = manifest;
		in.manifest_size = manifest_size;
		assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
		assert_int_equal(v.reason_total, 1);
		assert_int_equal(reasons[0].layer, LUGATE_LAYER_FLB);
		assert_string_equal(reasons[0].subject, "liveupdate-test-flb-v2");
		free(manifest);
	}
	free(table);
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
		cmocka_unit_test(real_state_read_exactly), cmocka_unit_test(real_empty_state),
		cmocka_unit_test(unknown_luo_version), cmocka_unit_test(unknown_kho_version),
		cmocka_unit_test(no_luo_node), cmocka_unit_test(luo_node_properties),
		cmocka_unit_test(truncated_ranges), cmocka_unit_test(misaligned_links),
		cmocka_unit_test(chains_that_loop), cmocka_unit_test(counts_out_of_bounds),
		cmocka_unit_test(strings), cmocka_unit_test(caller_capacity),
		cmocka_unit_test(strings_reach_the_check),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
