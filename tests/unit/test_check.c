// SPDX-License-Identifier: MIT
/* The check: every reason, all at once, and the path kinds' examples end to end in the core. */
#include "helpers.h"

struct fixture {
	uint8_t *table, *manifest;
	size_t table_size, manifest_size;
	struct lugate_reason reasons[64];
	struct lugate_verdict v;
};

static void make(struct fixture *f, const char *out_rel, const char *tgt_rel, const char *const *pcompat,
		 size_t npc, const char *const *mcompat, size_t nmc, const uint8_t *seal)
{
	struct lugate_device devs[2] = { make_device("0000:3b:00.0", GUID_A, 2, "mlx5_core"),
					 make_device("0000:5e:00.1", GUID_B, 7, "nvme") };
	struct lugate_table_spec ts = { .release = out_rel, .compat = pcompat, .compat_count = npc,
					.devices = devs, .device_count = 2, .target_sha256 = seal };
	struct lugate_schema schemas[2] = { { guid_of(GUID_A), 1, 3 }, { guid_of(GUID_B), 7, 9 } };
	struct lugate_manifest_spec ms = { .release = tgt_rel, .schemas = schemas, .schema_count = 2,
					   .compat = mcompat, .compat_count = nmc };
	f->table_size = build_table(&ts, &f->table);
	f->manifest_size = build_manifest(&ms, &f->manifest);
}

static void run(struct fixture *f, const struct lugate_policy *p, const uint8_t *sha)
{
	struct lugate_check_input in = { .table = f->table, .table_size = f->table_size,
					 .manifest = f->manifest, .manifest_size = f->manifest_size,
					 .policy = p, .target_sha256 = sha };
	assert_int_equal(lugate_check(&in, f->reasons, 64, &f->v), 0);
}

static void done(struct fixture *f)
{
	free(f->table);
	free(f->manifest);
}

static const char *const kho1[] = { "kho-v1", "luo-v1" };

/* The page size: KHO state laid out in 16 KiB pages cannot be read by a 4 KiB kernel. Refused
 * in the core only when state is preserved and the target's page size is known. */
static void page_size_change(void **state)
{
	(void)state;
	struct lugate_table_spec ts = { .release = "6.1.0-56-arm64", .page_size = 16384 };
	struct lugate_manifest_spec ms = { .release = "6.1.0-56-arm64", .compat = kho1, .compat_count = 2 };
	struct lugate_outgoing_format held = { .compatible = "luo-v1" }; /* the target revives it */
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	uint8_t *table, *manifest;
	size_t tsize, msize = build_manifest(&ms, &manifest);
	char msg[256];

	/* nothing preserved: any page size boots (the rule has nothing to protect) */
	tsize = build_table(&ts, &table);
	struct lugate_check_input in = { .table = table, .table_size = tsize, .manifest = manifest,
					 .manifest_size = msize, .target_page_size = 4096 };
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	assert_int_equal(v.table.page_size, 16384);
	/* state the outgoing kernel is seen to hold: refused */
	in.outgoing = &held;
	in.outgoing_count = 1;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, 1);
	assert_int_equal(reasons[0].code, LUGATE_REASON_PAGE_SIZE_CHANGE);
	/* only compiled in, nothing held: not state */
	held.compiled_only = true;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	free(table);

	/* preserved formats in the table */
	ts.compat = kho1;
	ts.compat_count = 2;
	tsize = build_table(&ts, &table);
	in.table = table;
	in.table_size = tsize;
	in.outgoing = NULL;
	in.outgoing_count = 0;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, 1);
	assert_int_equal(reasons[0].code, LUGATE_REASON_PAGE_SIZE_CHANGE);
	assert_string_equal(lugate_reason_name(reasons[0].code), "page-size-change");
	assert_int_equal(reasons[0].from_page_size, 16384);
	assert_int_equal(reasons[0].to_page_size, 4096);
	lugate_reason_format(&reasons[0], msg, sizeof(msg));
	assert_string_equal(msg, "the page size changes from 16384 to 4096 bytes: KHO/LUO state laid out in the outgoing "
				 "kernel's pages cannot be revived; pick a target built with 16384-byte pages");
	/* the same page size, or one the caller does not know: allowed */
	in.target_page_size = 16384;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	in.target_page_size = 0;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	free(table);

	/* a table without /page-size is a 4 KiB kernel's: a 64 KiB target is refused */
	ts.page_size = 0;
	tsize = build_table(&ts, &table);
	in.table = table;
	in.table_size = tsize;
	in.target_page_size = 65536;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.table.page_size, 4096);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(reasons[0].from_page_size, 4096);
	assert_int_equal(reasons[0].to_page_size, 65536);
	in.target_page_size = 4096;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	free(table);
	free(manifest);
}

static void allow_stable_next(void **state)
{
	(void)state;
	struct fixture f;
	make(&f, "6.1.0-55-amd64", "6.1.0-56-amd64", kho1, 2, kho1, 2, NULL);
	run(&f, NULL, NULL);
	assert_int_equal(f.v.decision, LUGATE_ALLOW);
	assert_int_equal(f.v.path, LUGATE_PATH_STABLE_NEXT);
	assert_int_equal(f.v.reason_total, 0);
	assert_string_equal(f.v.outgoing, "6.1.0-55-amd64");
	assert_string_equal(f.v.target, "6.1.0-56-amd64");
	assert_int_equal(f.v.device_count, 2);
	done(&f);
}

/* lugate_check_devices alone, as the benchmark times it, on a verdict set up the way
 * lugate_check sets it: the same device reasons as the whole check (one version out of
 * range, one schema missing), in address order. */
static void device_loop_alone(void **state)
{
	(void)state;
	struct fixture f;
	struct lugate_schema only_a = { guid_of(GUID_A), 1, 1 };
	struct lugate_manifest_spec ms = { .release = "6.1.0-56-amd64", .schemas = &only_a, .schema_count = 1 };
	struct lugate_manifest m;
	struct lugate_reason reasons[4];
	struct lugate_verdict v;

	make(&f, "6.1.0-55-amd64", "6.1.0-56-amd64", NULL, 0, NULL, 0, NULL);
	free(f.manifest);
	f.manifest_size = build_manifest(&ms, &f.manifest);
	run(&f, NULL, NULL);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_total, 2);

	assert_int_equal(lugate_manifest_open(f.manifest, f.manifest_size, &m), 0);
	memset(&v, 0, sizeof(v));
	v.table = f.v.table;
	v.reasons = reasons;
	v.reason_capacity = 4;
	lugate_check_devices(&m, &v);
	assert_int_equal(v.reason_total, 2);
	assert_int_equal(v.reason_count, 2);
	assert_int_equal(reasons[0].code, LUGATE_REASON_SCHEMA_VERSION);
	assert_int_equal(reasons[0].code, f.reasons[0].code);
	assert_int_equal(reasons[0].version, 2);
	assert_int_equal(reasons[0].max_version, 1);
	assert_string_equal(reasons[0].subject, "mlx5_core");
	assert_int_equal(reasons[1].code, LUGATE_REASON_SCHEMA_MISSING);
	assert_int_equal(reasons[1].code, f.reasons[1].code);
	assert_true(reasons[1].has_device);
	assert_int_equal(reasons[1].device, f.reasons[1].device);
	assert_string_equal(reasons[1].subject, "nvme");
	done(&f);
}

/* A manifest stamped into another kernel's image: refused in the core, so the CLI, the loader
 * and the EFI app all see it; an image that names no release cannot contradict it. */
static void manifest_of_another_kernel(void **state)
{
	(void)state;
	struct fixture f;
	char msg[256];
	make(&f, "6.1.0-55-amd64", "6.1.0-56-amd64", kho1, 2, kho1, 2, NULL);
	struct lugate_check_input in = { .table = f.table, .table_size = f.table_size,
					 .manifest = f.manifest, .manifest_size = f.manifest_size,
					 .target_release = "6.1.0-57-amd64" };
	assert_int_equal(lugate_check(&in, f.reasons, 64, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_total, 1);
	assert_int_equal(f.reasons[0].code, LUGATE_REASON_WRONG_MANIFEST);
	assert_string_equal(lugate_reason_name(f.reasons[0].code), "wrong-manifest");
	lugate_reason_format(&f.reasons[0], msg, sizeof(msg));
	assert_string_equal(msg, "target's manifest names release 6.1.0-56-amd64 but the image is 6.1.0-57-amd64: "
				 "it was stamped with another kernel's manifest; stamp it with its own");
	in.target_release = "6.1.0-56-amd64";
	assert_int_equal(lugate_check(&in, f.reasons, 64, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_ALLOW);
	in.target_release = "";
	assert_int_equal(lugate_check(&in, f.reasons, 64, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_ALLOW);
	in.target_release = NULL;
	assert_int_equal(lugate_check(&in, f.reasons, 64, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_ALLOW);
	done(&f);
}

static void every_reason_reported(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const pc[] = { "kho-v1", "luo-v1", "pci-v3" };
	static const char *const mc[] = { "kho-v2" };
	struct lugate_device devs[3] = { make_device("0000:3b:00.0", GUID_A, 4, "mlx5_core"),
					 make_device("0000:5e:00.1", GUID_C, 1, "nvme"),
					 make_device("0000:01:00.0", GUID_B, 8, "") };
	struct lugate_table_spec ts = { .release = "6.12.6", .compat = pc, .compat_count = 3,
					.devices = devs, .device_count = 3 };
	struct lugate_schema schemas[2] = { { guid_of(GUID_A), 1, 3 }, { guid_of(GUID_B), 7, 9 } };
	struct lugate_manifest_spec ms = { .release = "6.12.5", .schemas = schemas, .schema_count = 2,
					   .compat = mc, .compat_count = 1 };
	f.table_size = build_table(&ts, &f.table);
	f.manifest_size = build_manifest(&ms, &f.manifest);
	run(&f, NULL, NULL);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	/* downgrade + 3 compat-missing + schema-version (3b) + schema-missing (5e) */
	assert_int_equal(f.v.reason_total, 6);
	assert_int_equal(f.v.reasons[0].code, LUGATE_REASON_DOWNGRADE);
	int compat = 0, version = 0, missing = 0;
	char msg[256];
	for (size_t i = 0; i < f.v.reason_count; i++) {
		struct lugate_reason *r = &f.v.reasons[i];
		lugate_reason_format(r, msg, sizeof(msg));
		assert_true(strlen(msg) > 10);
		if (r->code == LUGATE_REASON_COMPAT_MISSING)
			compat++;
		if (r->code == LUGATE_REASON_SCHEMA_VERSION) {
			version++;
			assert_true(r->has_device);
			assert_int_equal(r->version, 4);
			assert_int_equal(r->max_version, 3);
			assert_non_null(strstr(msg, "0000:3b:00.0 (mlx5_core)"));
			assert_non_null(strstr(msg, "1..3"));
		}
		if (r->code == LUGATE_REASON_SCHEMA_MISSING) {
			missing++;
			assert_non_null(strstr(msg, "0000:5e:00.1 (nvme)"));
			assert_non_null(strstr(msg, GUID_C));
			assert_non_null(strstr(msg, "lugate embed"));
		}
	}
	assert_int_equal(compat, 3);
	assert_int_equal(version, 1);
	assert_int_equal(missing, 1);
	done(&f);
}

static void reasons_beyond_capacity_still_refuse(void **state)
{
	(void)state;
	struct fixture f;
	struct lugate_check_input in;
	make(&f, "6.12.6", "6.12.5", kho1, 2, NULL, 0, NULL);
	in = (struct lugate_check_input){ .table = f.table, .table_size = f.table_size,
					  .manifest = f.manifest, .manifest_size = f.manifest_size };
	assert_int_equal(lugate_check(&in, f.reasons, 1, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_count, 1);
	assert_int_equal(f.v.reason_total, 3); /* downgrade + kho-v1 + luo-v1 */
	assert_int_equal(lugate_check(&in, NULL, 0, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_total, 3);
	done(&f);
}

static void corrupt_table(void **state)
{
	(void)state;
	struct fixture f;
	make(&f, "6.12.5", "6.12.5", NULL, 0, NULL, 0, NULL);
	f.table[f.table_size - 3] ^= 1;
	run(&f, NULL, NULL);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_total, 1);
	assert_int_equal(f.v.reasons[0].code, LUGATE_REASON_TABLE_CORRUPT);
	assert_int_equal(f.v.reasons[0].error, LUGATE_ERR_BADHASH);
	assert_null(f.v.outgoing);
	done(&f);
}

static void no_manifest(void **state)
{
	(void)state;
	struct fixture f;
	struct lugate_check_input in;
	make(&f, "6.12.5", "6.12.5", NULL, 0, NULL, 0, NULL);
	in = (struct lugate_check_input){ .table = f.table, .table_size = f.table_size, .target_release = "6.12.5" };
	assert_int_equal(lugate_check(&in, f.reasons, 64, &f.v), 0);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_total, 1);
	assert_int_equal(f.v.reasons[0].code, LUGATE_REASON_NO_MANIFEST);
	assert_int_equal(f.v.reasons[0].count, 2);
	/* a corrupt manifest is reported as such */
	f.manifest[f.manifest_size - 1] ^= 1;
	in.manifest = f.manifest;
	in.manifest_size = f.manifest_size;
	assert_int_equal(lugate_check(&in, f.reasons, 64, &f.v), 0);
	assert_int_equal(f.v.manifest_error, LUGATE_ERR_BADHASH);
	assert_int_equal(f.v.reasons[0].code, LUGATE_REASON_NO_MANIFEST);
	assert_int_equal(f.v.reasons[0].error, LUGATE_ERR_BADHASH);
	done(&f);
}

static void unknown_target_release(void **state)
{
	(void)state;
	struct lugate_table_spec ts = { .release = "6.12.5" };
	struct lugate_reason reasons[4];
	struct lugate_verdict v;
	uint8_t *table;
	size_t n = build_table(&ts, &table);
	struct lugate_check_input in = { .table = table, .table_size = n };
	assert_int_equal(lugate_check(&in, reasons, 4, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reasons[0].code, LUGATE_REASON_BAD_RELEASE);
	/* no devices, no compat, release known from the image: allowed without a manifest */
	in.target_release = "6.12.6";
	assert_int_equal(lugate_check(&in, reasons, 4, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	assert_int_equal(v.path, LUGATE_PATH_STABLE_NEXT);
	free(table);
}

static void scanned_compat_counts(void **state)
{
	(void)state;
	static const char *const kho[] = { "kho-v1" };
	struct lugate_table_spec ts = { .release = "6.12.5", .compat = kho, .compat_count = 1 };
	struct lugate_reason reasons[4];
	struct lugate_verdict v;
	uint8_t *table;
	size_t n = build_table(&ts, &table);
	struct lugate_check_input in = { .table = table, .table_size = n, .target_release = "6.12.5" };
	assert_int_equal(lugate_check(&in, reasons, 4, &v), 0);
	assert_int_equal(v.reasons[0].code, LUGATE_REASON_COMPAT_MISSING);
	assert_string_equal(v.reasons[0].subject, "kho-v1");
	in.scanned_compat = kho;
	in.scanned_compat_count = 1;
	assert_int_equal(lugate_check(&in, reasons, 4, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	free(table);
}

/* A format the loader sees the outgoing kernel use (the KHO FDT's root compatible) counts like
 * the table's preserved-compatible list: the target must revive it; a string the table also
 * lists is reported once. */
static void outgoing_compat_counts(void **state)
{
	(void)state;
	static const char *const kho4[] = { "kho-v4" }, *const luo[] = { "luo-v5" };
	static const char *const seen[] = { "kho-v4", "kho-v4", "luo-v5" };
	static const struct lugate_outgoing_format seen_fmt[] = {
		{ .compatible = "kho-v4", .layer = LUGATE_LAYER_KHO }, { .compatible = "kho-v4" },
		{ .compatible = "luo-v5", .layer = LUGATE_LAYER_LUO } };
	struct lugate_table_spec ts = { .release = "6.12.5", .compat = luo, .compat_count = 1 };
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	uint8_t *table;
	size_t n = build_table(&ts, &table);
	struct lugate_check_input in = { .table = table, .table_size = n, .target_release = "6.12.5",
					 .scanned_compat = luo, .scanned_compat_count = 1 };
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	in.outgoing = seen_fmt;
	in.outgoing_count = 3;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, 1);
	assert_int_equal(v.reasons[0].code, LUGATE_REASON_COMPAT_MISSING);
	assert_string_equal(v.reasons[0].subject, "kho-v4");
	assert_int_equal(v.reasons[0].layer, LUGATE_LAYER_KHO);
	/* a target that revives it (scanned here; a manifest's list counts the same way) */
	in.scanned_compat = seen;
	in.scanned_compat_count = 3;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	/* the table lists it too and the target lacks it: one reason, not two */
	free(table);
	ts.compat = kho4;
	n = build_table(&ts, &table);
	in.table = table;
	in.table_size = n;
	in.scanned_compat = luo;
	in.scanned_compat_count = 1;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.reason_total, 1);
	assert_string_equal(v.reasons[0].subject, "kho-v4");
	free(table);
}


static void policy_text(const char *text, struct lugate_policy *p)
{
	assert_int_equal(lugate_policy_parse(text, strlen(text), p, NULL), 0);
}

/* The layer of a string known only by name, and each layer's name and consequence. */
static void layer_classification(void **state)
{
	(void)state;
	assert_int_equal(lugate_layer_of("kho-v4"), LUGATE_LAYER_KHO);
	assert_int_equal(lugate_layer_of("luo-v5"), LUGATE_LAYER_LUO);
	assert_int_equal(lugate_layer_of("luo-session-v1"), LUGATE_LAYER_LUO);
	assert_int_equal(lugate_layer_of("memfd-v2"), LUGATE_LAYER_FILE_HANDLER);
	assert_int_equal(lugate_layer_of("xkho-v4"), LUGATE_LAYER_FILE_HANDLER);
	assert_int_equal(lugate_layer_of(""), LUGATE_LAYER_UNKNOWN);
	assert_int_equal(lugate_layer_of(NULL), LUGATE_LAYER_UNKNOWN);
	assert_string_equal(lugate_layer_name(LUGATE_LAYER_FILE_HANDLER), "file-handler");
	assert_string_equal(lugate_layer_name(LUGATE_LAYER_FLB), "flb");
	assert_string_equal(lugate_layer_name(LUGATE_LAYER_COUNT), "unknown");
	assert_non_null(strstr(lugate_layer_consequence(LUGATE_LAYER_LUO), "panics"));
	assert_non_null(strstr(lugate_layer_consequence(LUGATE_LAYER_KHO), "boots cold"));
	assert_non_null(strstr(lugate_layer_consequence(LUGATE_LAYER_FILE_HANDLER), "every session is lost"));
	assert_non_null(strstr(lugate_layer_consequence(LUGATE_LAYER_FLB), "does not revive the object"));
	assert_string_equal(lugate_layer_consequence((enum lugate_layer)99),
			    lugate_layer_consequence(LUGATE_LAYER_UNKNOWN));
}

/* The outgoing kernel's image has memfd-v2 and an FLB compiled in; the target lacks both. */
static void compiled_in_handlers_and_may_lack(void **state)
{
	(void)state;
	static const char *const target[] = { "kho-v4", "luo-v5" };
	struct lugate_outgoing_format out[] = {
		{ .compatible = "kho-v4", .layer = LUGATE_LAYER_KHO },
		{ .compatible = "memfd-v2", .layer = LUGATE_LAYER_FILE_HANDLER, .compiled_only = true },
		{ .compatible = "liveupdate-test-flb-v0", .layer = LUGATE_LAYER_FLB, .compiled_only = true },
	};
	struct lugate_table_spec ts = { .release = "7.3.4" };
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	struct lugate_policy p;
	char msg[512];
	uint8_t *table;
	size_t n = build_table(&ts, &table);
	struct lugate_check_input in = { .table = table, .table_size = n, .target_release = "7.3.4",
					 .scanned_compat = target, .scanned_compat_count = 2,
					 .outgoing = out, .outgoing_count = 3 };

	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, 2);
	assert_string_equal(v.reasons[0].subject, "memfd-v2");
	assert_int_equal(v.reasons[0].layer, LUGATE_LAYER_FILE_HANDLER);
	assert_true(v.reasons[0].compiled_only);
	assert_string_equal(v.reasons[1].subject, "liveupdate-test-flb-v0");
	assert_int_equal(v.reasons[1].layer, LUGATE_LAYER_FLB);
	lugate_reason_format(&v.reasons[0], msg, sizeof(msg));
	assert_string_equal(msg, "file-handler format 'memfd-v2' compiled into the outgoing kernel is not revived by the "
				 "target: the next kernel has no handler for it, so restoring the sessions fails, "
				 "/dev/liveupdate returns -EIO and every session is lost (if nothing is preserved in it, "
				 "`may-lack file-handler memfd-v2` in the policy lets the target lack it)");

	/* the policy lets the target lack exactly the line's layer and string */
	policy_text("may-lack file-handler memfd-v2\n", &p);
	in.policy = &p;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.reason_total, 1);
	assert_string_equal(v.reasons[0].subject, "liveupdate-test-flb-v0");
	policy_text("may-lack flb memfd-v2\nmay-lack file-handler liveupdate-test-flb-v0\n", &p);
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.reason_total, 2); /* another layer than the line's: still refused */
	policy_text("may-lack file-handler memfd-v2\nmay-lack flb liveupdate-test-flb-v0\n", &p);
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);

	/* state known to be in it is never lifted: a file in a session, or a format without the
	 * compiled_only mark (the loader's serialized FLB); the same string compiled in as well
	 * does not hide it */
	struct lugate_outgoing_format held[] = {
		{ .compatible = "memfd-v2", .layer = LUGATE_LAYER_FILE_HANDLER, .compiled_only = true },
		{ .compatible = "memfd-v2", .layer = LUGATE_LAYER_FILE_HANDLER, .session = "s1", .token = 42,
		  .has_token = true, .compiled_only = true },
		{ .compatible = "liveupdate-test-flb-v0", .layer = LUGATE_LAYER_FLB, .compiled_only = true },
		{ .compatible = "liveupdate-test-flb-v0", .layer = LUGATE_LAYER_FLB },
	};
	in.outgoing = held;
	in.outgoing_count = 4;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.reason_total, 2);
	assert_string_equal(v.reasons[0].session, "s1");
	assert_false(v.reasons[0].compiled_only);
	lugate_reason_format(&v.reasons[0], msg, sizeof(msg));
	assert_non_null(strstr(msg, "file-handler format 'memfd-v2' (session 's1', token 0x2a) of the outgoing kernel"));
	assert_null(strstr(msg, "may-lack"));
	assert_int_equal(v.reasons[1].layer, LUGATE_LAYER_FLB);
	assert_false(v.reasons[1].compiled_only);

	/* no line lifts a KHO or LUO format, even marked compiled_only */
	struct lugate_outgoing_format kho5[] = { { .compatible = "kho-v5", .layer = LUGATE_LAYER_KHO, .compiled_only = true } };
	in.outgoing = kho5;
	in.outgoing_count = 1;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.reason_total, 1);
	lugate_reason_format(&v.reasons[0], msg, sizeof(msg));
	assert_null(strstr(msg, "may-lack"));

	/* a policy sealed in the table is applied by the check itself, as the loader runs it */
	static const uint8_t sha[LUGATE_SHA256_SIZE] = { 1 };
	struct lugate_table_spec sealed = { .release = "7.3.4", .target_sha256 = sha,
					    .policy_text = "may-lack file-handler memfd-v2\n" };
	free(table);
	n = build_table(&sealed, &table);
	in.table = table;
	in.table_size = n;
	in.policy = NULL;
	in.outgoing = out;
	in.outgoing_count = 2;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	free(table);
}

static void sealed_image_and_policy(void **state)
{
	(void)state;
	uint8_t sha[32] = { 0xaa }, other[32] = { 0xbb };
	struct fixture f;
	make(&f, "6.1.0-55-amd64", "6.1.0-56-amd64", NULL, 0, NULL, 0, sha);
	run(&f, NULL, sha);
	assert_int_equal(f.v.decision, LUGATE_ALLOW);
	run(&f, NULL, other);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reason_total, 1);
	assert_int_equal(f.v.reasons[0].code, LUGATE_REASON_IMAGE_MISMATCH);
	/* an explicit policy overrides: `paths = same` refuses the stable step */
	struct lugate_policy p;
	assert_int_equal(lugate_policy_parse("paths = same\n", 13, &p, NULL), 0);
	run(&f, &p, sha);
	assert_int_equal(f.v.decision, LUGATE_REFUSE);
	assert_int_equal(f.v.reasons[0].code, LUGATE_REASON_VERSION_JUMP);
	done(&f);
}

static void policy_sealed_in_table(void **state)
{
	(void)state;
	uint8_t sha[32] = { 1 };
	struct lugate_table_spec ts = { .release = "6.12.5", .target_sha256 = sha,
					.policy_text = "paths = same\n" };
	struct lugate_reason reasons[4];
	struct lugate_verdict v;
	uint8_t *table;
	size_t n = build_table(&ts, &table);
	struct lugate_check_input in = { .table = table, .table_size = n, .target_release = "6.12.6",
					 .target_sha256 = sha };
	assert_int_equal(lugate_check(&in, reasons, 4, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE); /* the sealed `paths = same` is in force */
	assert_int_equal(v.reasons[0].code, LUGATE_REASON_VERSION_JUMP);
	in.target_release = "6.12.5";
	assert_int_equal(lugate_check(&in, reasons, 4, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	assert_int_equal(v.path, LUGATE_PATH_SAME);
	free(table);
}

static void fallback_hash(void **state)
{
	(void)state;
	uint8_t sha[32] = { 1 }, fb[32] = { 2 }, wrong[32] = { 3 };
	struct lugate_table_spec ts = { .release = "6.12.5", .target_sha256 = sha, .fallback_sha256 = fb };
	struct lugate_table t;
	uint8_t *table;
	size_t n = build_table(&ts, &table);
	assert_int_equal(lugate_table_open(table, n, &t), 0);
	assert_int_equal(lugate_check_fallback(&t, fb), 0);
	assert_int_equal(lugate_check_fallback(&t, wrong), LUGATE_ERR_BADHASH);
	free(table);
	ts.fallback_sha256 = NULL;
	n = build_table(&ts, &table);
	assert_int_equal(lugate_table_open(table, n, &t), 0);
	assert_int_equal(lugate_check_fallback(&t, fb), LUGATE_ERR_NOTFOUND);
	free(table);
}

/* A hash that differs from the sealed one in a single byte, wherever: the first, one in the
 * middle, the last; and every other byte for good measure. A comparison that reads fewer than
 * all 32 bytes (say the first 16) would let some of these through. */
static const size_t hash_positions[] = { 0, 15, 16, 17, 31 };

static void target_hash_every_byte(void **state)
{
	(void)state;
	uint8_t sha[32], other[32];
	struct fixture f;

	for (size_t i = 0; i < 32; i++)
		sha[i] = (uint8_t)(0x40 + 3 * i);
	make(&f, "6.1.0-55-amd64", "6.1.0-56-amd64", NULL, 0, NULL, 0, sha);
	run(&f, NULL, sha);
	assert_int_equal(f.v.decision, LUGATE_ALLOW);
	for (size_t k = 0; k < sizeof(hash_positions) / sizeof(hash_positions[0]); k++) {
		memcpy(other, sha, 32);
		other[hash_positions[k]] ^= 0x01;
		run(&f, NULL, other);
		if (f.v.decision != LUGATE_REFUSE || f.v.reason_total != 1 ||
		    f.v.reasons[0].code != LUGATE_REASON_IMAGE_MISMATCH)
			fail_msg("target hash differing only in byte %zu: not refused as image-mismatch", hash_positions[k]);
	}
	for (size_t i = 0; i < 32; i++) {
		memcpy(other, sha, 32);
		other[i] ^= 0x80;
		run(&f, NULL, other);
		if (f.v.decision != LUGATE_REFUSE)
			fail_msg("target hash differing only in byte %zu (0x80): allowed", i);
	}
	done(&f);
}

static void fallback_hash_every_byte(void **state)
{
	(void)state;
	uint8_t sha[32] = { 1 }, fb[32], other[32];
	struct lugate_table_spec ts = { .release = "6.12.5", .target_sha256 = sha, .fallback_sha256 = fb };
	struct lugate_table t;
	uint8_t *table;
	size_t n;

	for (size_t i = 0; i < 32; i++)
		fb[i] = (uint8_t)(0x90 + 5 * i);
	n = build_table(&ts, &table);
	assert_int_equal(lugate_table_open(table, n, &t), 0);
	assert_int_equal(lugate_check_fallback(&t, fb), 0);
	for (size_t k = 0; k < sizeof(hash_positions) / sizeof(hash_positions[0]); k++) {
		memcpy(other, fb, 32);
		other[hash_positions[k]] ^= 0x01;
		if (lugate_check_fallback(&t, other) != LUGATE_ERR_BADHASH)
			fail_msg("fallback hash differing only in byte %zu: accepted", hash_positions[k]);
	}
	for (size_t i = 0; i < 32; i++) {
		memcpy(other, fb, 32);
		other[i] ^= 0x80;
		assert_int_equal(lugate_check_fallback(&t, other), LUGATE_ERR_BADHASH);
	}
	free(table);
}

/* Every device's schema verdict equals a linear search's, whichever first-byte bucket of the
 * manifest index its GUID falls in: present, absent from an empty bucket, absent beside a
 * record of its bucket, at both ends of the GUID space; repeated GUIDs (the look-up reused)
 * and alternating ones. */
static void schema_lookups_match_linear(void **state)
{
	(void)state;
	enum { NS = 40, ND = 400 };
	struct lugate_schema schemas[NS];
	struct lugate_device devs[ND];
	struct lugate_reason reasons[ND];
	struct lugate_verdict v;
	uint64_t seed = 0x243f6a8885a308d3ull;
	uint8_t *table, *manifest;
	size_t tsize, msize, r = 0;

	for (unsigned i = 0; i < NS; i++) {
		for (unsigned k = 0; k < LUGATE_GUID_SIZE; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			schemas[i].guid.b[k] = (uint8_t)(seed >> 56);
		}
		schemas[i].guid.b[0] = (uint8_t)(i < 4 ? (i & 1 ? 0xff : 0x00) : schemas[i].guid.b[0] & 0x7f);
		schemas[i].guid.b[15] = (uint8_t)i; /* unique */
		schemas[i].min_version = 2;
		schemas[i].max_version = 4;
	}
	for (unsigned i = 0; i < ND; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		devs[i] = make_device("0000:00:00.0", GUID_A, 1 + (uint32_t)(seed >> 60) % 5, "");
		devs[i].addr = (lugate_pci_addr)i;
		devs[i].schema = schemas[(seed >> 32) % NS].guid;
		switch ((seed >> 40) % 6) {
		case 0: devs[i].schema.b[0] |= 0x80; break;     /* a bucket with no record */
		case 1: devs[i].schema.b[15] ^= 0x80; break;    /* a record's bucket, not the record */
		case 2: if (i > 0) devs[i].schema = devs[i - 1].schema; break; /* a run */
		default: break;
		}
	}
	struct lugate_table_spec ts = { .release = "6.1.0-55-amd64", .devices = devs, .device_count = ND };
	struct lugate_manifest_spec ms = { .release = "6.1.0-55-amd64", .schemas = schemas, .schema_count = NS };
	tsize = build_table(&ts, &table);
	msize = build_manifest(&ms, &manifest);
	struct lugate_check_input in = { .table = table, .table_size = tsize,
					 .manifest = manifest, .manifest_size = msize };
	assert_int_equal(lugate_check(&in, reasons, ND, &v), 0);
	for (unsigned i = 0; i < ND; i++) {
		const struct lugate_schema *hit = NULL;
		for (unsigned k = 0; k < NS; k++)
			if (memcmp(schemas[k].guid.b, devs[i].schema.b, LUGATE_GUID_SIZE) == 0)
				hit = &schemas[k];
		if (hit && devs[i].schema_version >= hit->min_version && devs[i].schema_version <= hit->max_version)
			continue;
		assert_true(r < v.reason_count);
		assert_int_equal(reasons[r].device, devs[i].addr);
		assert_memory_equal(reasons[r].guid.b, devs[i].schema.b, LUGATE_GUID_SIZE);
		assert_int_equal(reasons[r].version, devs[i].schema_version);
		if (!hit) {
			assert_int_equal(reasons[r].code, LUGATE_REASON_SCHEMA_MISSING);
		} else {
			assert_int_equal(reasons[r].code, LUGATE_REASON_SCHEMA_VERSION);
			assert_int_equal(reasons[r].min_version, hit->min_version);
			assert_int_equal(reasons[r].max_version, hit->max_version);
		}
		r++;
	}
	assert_true(r > ND / 4);
	assert_int_equal(r, v.reason_total);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	free(table);
	free(manifest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allow_stable_next),
		cmocka_unit_test(device_loop_alone),
		cmocka_unit_test(manifest_of_another_kernel),
		cmocka_unit_test(page_size_change),
		cmocka_unit_test(every_reason_reported),
		cmocka_unit_test(reasons_beyond_capacity_still_refuse),
		cmocka_unit_test(corrupt_table),
		cmocka_unit_test(no_manifest),
		cmocka_unit_test(unknown_target_release),
		cmocka_unit_test(scanned_compat_counts),
		cmocka_unit_test(outgoing_compat_counts),
		cmocka_unit_test(layer_classification),
		cmocka_unit_test(compiled_in_handlers_and_may_lack),
		cmocka_unit_test(sealed_image_and_policy),
		cmocka_unit_test(policy_sealed_in_table),
		cmocka_unit_test(fallback_hash),
		cmocka_unit_test(target_hash_every_byte),
		cmocka_unit_test(fallback_hash_every_byte),
		cmocka_unit_test(schema_lookups_match_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
