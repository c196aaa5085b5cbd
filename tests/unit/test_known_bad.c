// SPDX-License-Identifier: MIT
/* The known-bad input of the check (a pair that failed after an earlier jump) and the policy
 * line that lifts it. */
#include "helpers.h"

static size_t table_and_manifest(uint8_t **table, uint8_t **manifest, size_t *manifest_size, const char *policy)
{
	struct lugate_device dev = make_device("0000:3b:00.0", GUID_A, 2, "mlx5_core");
	struct lugate_table_spec ts = { .release = "6.1.0-55-amd64", .devices = &dev, .device_count = 1,
					.policy_text = policy };
	struct lugate_schema schema = { guid_of(GUID_A), 1, 3 };
	struct lugate_manifest_spec ms = { .release = "6.1.0-56-amd64", .schemas = &schema, .schema_count = 1 };
	static const uint8_t sha[32] = { 1 };

	if (policy)
		ts.target_sha256 = sha;
	*manifest_size = build_manifest(&ms, manifest);
	return build_table(&ts, table);
}

static void known_bad_refuses(void **state)
{
	(void)state;
	uint8_t *table, *manifest;
	size_t msize, tsize = table_and_manifest(&table, &manifest, &msize, NULL);
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	struct lugate_check_input in = { .table = table, .table_size = tsize, .manifest = manifest,
					 .manifest_size = msize };
	char msg[512];

	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);

	in.known_bad_since = "2026-12-04T18:00:00Z";
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_REFUSE);
	assert_int_equal(v.reason_total, 1);
	assert_int_equal(reasons[0].code, LUGATE_REASON_KNOWN_BAD);
	assert_string_equal(lugate_reason_name(LUGATE_REASON_KNOWN_BAD), "known-bad");
	assert_string_equal(reasons[0].from, "6.1.0-55-amd64");
	assert_string_equal(reasons[0].to, "6.1.0-56-amd64");
	lugate_reason_format(&reasons[0], msg, sizeof(msg));
	assert_string_equal(msg, "6.1.0-55-amd64 -> 6.1.0-56-amd64 failed after the jump on 2026-12-04T18:00:00Z "
				 "(`lugate history`); \"known-bad = allow\" in the policy tries it again");
	/* the numbering the delivery record carries stays: known-bad comes after table-corrupt */
	assert_int_equal(LUGATE_REASON_KNOWN_BAD, 12);
	assert_int_equal(LUGATE_REASON_TABLE_CORRUPT, 11);
	free(table);
	free(manifest);
}

static void policy_lifts_known_bad(void **state)
{
	(void)state;
	uint8_t *table, *manifest;
	size_t msize, tsize = table_and_manifest(&table, &manifest, &msize, NULL);
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	struct lugate_policy p;
	const char *text = "paths = same stable-next\nknown-bad = allow\n";
	struct lugate_check_input in = { .table = table, .table_size = tsize, .manifest = manifest,
					 .manifest_size = msize, .known_bad_since = "2026-12-04T18:00:00Z" };
	char buf[256];
	uint32_t line = 0;

	assert_int_equal(lugate_policy_parse(text, strlen(text), &p, &line), 0);
	assert_int_equal(p.allow_known_bad, 1);
	in.policy = &p;
	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	/* canonical form keeps the line, and parses back the same */
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), (long)strlen(text));
	assert_string_equal(buf, text);
	/* "refuse" is the default and is not written */
	assert_int_equal(lugate_policy_parse("known-bad = refuse\n", 19, &p, &line), 0);
	assert_int_equal(p.allow_known_bad, 0);
	assert_int_equal(lugate_policy_format(&p, buf, sizeof(buf)), 25);
	/* bad lines: no '=', an unknown word, two words */
	static const char *const bad[] = { "known-bad allow\n", "known-bad = maybe\n", "known-bad = allow refuse\n",
					   "known-bad =\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lugate_policy_parse(bad[i], strlen(bad[i]), &p, &line), LUGATE_ERR_BADPOLICY);
		assert_int_equal(line, 1);
		assert_int_equal(p.allow_known_bad, 0);
	}
	free(table);
	free(manifest);
}

static void sealed_policy_lifts_known_bad(void **state)
{
	(void)state;
	uint8_t *table, *manifest;
	size_t msize, tsize = table_and_manifest(&table, &manifest, &msize, "paths = same stable-next\nknown-bad = allow\n");
	struct lugate_reason reasons[8];
	struct lugate_verdict v;
	struct lugate_check_input in = { .table = table, .table_size = tsize, .manifest = manifest,
					 .manifest_size = msize, .known_bad_since = "2026-12-04T18:00:00Z" };

	assert_int_equal(lugate_check(&in, reasons, 8, &v), 0);
	assert_int_equal(v.decision, LUGATE_ALLOW);
	free(table);
	free(manifest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_bad_refuses),
		cmocka_unit_test(policy_lifts_known_bad),
		cmocka_unit_test(sealed_policy_lifts_known_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
