// SPDX-License-Identifier: MIT
/*
 * Fuzz the policy parser (lugate_policy_parse) and its canonical form.
 *
 * For every text the parser accepts, lugate_policy_format must succeed, fit the table's
 * sealed policy property, and parse back to the very same struct (memcmp: the parser leaves
 * no stray bytes), and formatting that gives the same text again. A text it refuses leaves
 * the default policy behind and names a line that exists. Too small a buffer is NOSPACE with
 * a terminated, truncated text. A sealed table carrying the canonical text must open and
 * check with the same policy.
 */
#include "fuzz.h"

static uint32_t count_lines(const uint8_t *data, size_t size)
{
	uint32_t n = size ? 1 : 0;
	for (size_t i = 0; i + 1 < size; i++)
		n += data[i] == '\n';
	return n;
}

static void same_policy(const struct lugate_policy *a, const struct lugate_policy *b)
{
	FUZZ_ASSERT(a->kinds == b->kinds && a->allow_count == b->allow_count);
	for (uint32_t i = 0; i < a->allow_count; i++)
		FUZZ_ASSERT(strcmp(a->allow[i].from, b->allow[i].from) == 0 &&
			    strcmp(a->allow[i].to, b->allow[i].to) == 0);
	FUZZ_ASSERT(memcmp(a, b, sizeof(*a)) == 0);
}

/* The canonical text, sealed into a table, is the policy the check applies. */
static void sealed_policy_round_trip(const char *text, const struct lugate_policy *p)
{
	static const uint8_t sha[32] = { 1 };
	struct lugate_table_spec spec = { 0 };
	struct lugate_policy from_table;
	struct lugate_table t;
	size_t needed = 0;
	uint8_t *buf;
	long len;

	spec.release = "6.1.0-55-amd64";
	spec.target_sha256 = sha;
	spec.target_release = "6.1.0-56-amd64";
	spec.policy_text = text;
	FUZZ_ASSERT(lugate_table_build(NULL, 0, &spec, NULL, 0, &needed) == LUGATE_ERR_NOSPACE);
	buf = malloc(needed);
	FUZZ_ASSERT(buf);
	len = lugate_table_build(buf, needed, &spec, NULL, 0, NULL);
	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(lugate_table_open(buf, (size_t)len, &t) == 0 && t.policy_text);
	FUZZ_ASSERT(strcmp(t.policy_text, text) == 0);
	FUZZ_ASSERT(lugate_policy_parse(t.policy_text, strlen(t.policy_text), &from_table, NULL) == 0);
	same_policy(&from_table, p);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[LUGATE_POLICY_TEXT_MAX + 1], again[LUGATE_POLICY_TEXT_MAX + 1];
	char *copy = (char *)fuzz_dup(data, size, 0);
	struct lugate_policy p, q, def;
	uint32_t line = 12345;
	long len, len2;
	int err;

	lugate_policy_default(&def);
	err = lugate_policy_parse(copy, size, &p, &line);
	if (err) {
		FUZZ_ASSERT(err == LUGATE_ERR_BADPOLICY || err == LUGATE_ERR_BADRELEASE || err == LUGATE_ERR_TOOMANY);
		FUZZ_ASSERT(line >= 1 && line <= count_lines(data, size));
		FUZZ_ASSERT(memcmp(&p, &def, sizeof(p)) == 0);
		free(copy);
		return 0;
	}
	FUZZ_ASSERT(line == 0);
	FUZZ_ASSERT(p.kinds && (p.kinds & ~(uint32_t)(LUGATE_PATH_SAME | LUGATE_PATH_STABLE_NEXT |
						      LUGATE_PATH_MINOR_NEXT)) == 0);
	FUZZ_ASSERT(p.allow_count <= LUGATE_POLICY_MAX_ALLOW);

	len = lugate_policy_format(&p, text, sizeof(text));
	FUZZ_ASSERT(len > 0 && (size_t)len < sizeof(text) && strlen(text) == (size_t)len);
	FUZZ_ASSERT(lugate_policy_parse(text, (size_t)len, &q, &line) == 0 && line == 0);
	same_policy(&p, &q);
	len2 = lugate_policy_format(&q, again, sizeof(again));
	FUZZ_ASSERT(len2 == len && memcmp(text, again, (size_t)len + 1) == 0);

	/* too small a buffer: NOSPACE, never a write past it, always terminated */
	for (size_t room = 1; room <= (size_t)len; room += 1 + room / 3) {
		memset(again, 'x', sizeof(again));
		FUZZ_ASSERT(lugate_policy_format(&p, again, room) == LUGATE_ERR_NOSPACE);
		FUZZ_ASSERT(again[room - 1] == '\0' && again[room] == 'x' &&
			    memcmp(again, text, room - 1) == 0);
	}
	FUZZ_ASSERT(lugate_policy_format(&p, NULL, 0) == LUGATE_ERR_NOSPACE);

	sealed_policy_round_trip(text, &p);
	free(copy);
	return 0;
}
