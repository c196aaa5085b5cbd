// SPDX-License-Identifier: MIT
/*
 * Fuzz release strings (lugate_release_parse, lugate_release_cmp) and the path rules
 * (lugate_policy_classify), with the rules of docs/policy.md as the oracle.
 *
 * The input is up to three strings separated by '\n'. Each one the parser accepts must print
 * back (MAJOR.MINOR.PATCH[-rcN][+LOCAL][-ABI][-FLAVOUR]) as itself, or, when its ABI has
 * leading zeros, as a shorter string that parses to the same struct. The order must be a
 * total preorder (antisymmetric, transitive). Whatever the policy, an allowed path is never
 * a downgrade, never changes flavour or LOCAL, never lands on another release's -rc, and
 * each path kind means what it says.
 */
#include "fuzz.h"

#define MAX_STRINGS 3

struct parsed {
	char text[LUGATE_RELEASE_MAX + 2]; /* as a C string: up to a NUL, at most 65 chars */
	size_t len;                        /* strlen(text) */
	bool ok;                           /* text parses */
	struct lugate_release r;
};

static void print_release(const struct lugate_release *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%u.%u.%u", r->major, r->minor, r->patch);
	if (r->rc)
		n += snprintf(buf + n, size - (size_t)n, "-rc%u", r->rc);
	if (r->local_len)
		n += snprintf(buf + n, size - (size_t)n, "+%.*s", r->local_len, r->local);
	if (r->has_abi)
		n += snprintf(buf + n, size - (size_t)n, "-%u", r->abi);
	if (r->flavour_len)
		snprintf(buf + n, size - (size_t)n, "-%.*s", r->flavour_len, r->flavour);
}

static void parsed_properties(const struct parsed *p)
{
	char printed[256];
	struct lugate_release again;
	size_t plen;

	FUZZ_ASSERT(p->len >= 5 && p->len <= LUGATE_RELEASE_MAX);
	FUZZ_ASSERT(p->r.local_len == strlen(p->r.local) && p->r.flavour_len == strlen(p->r.flavour));
	print_release(&p->r, printed, sizeof(printed));
	plen = strlen(printed);
	if (plen != p->len || memcmp(printed, p->text, plen) != 0)
		FUZZ_ASSERT(p->r.has_abi && plen < p->len); /* "-007" prints as "-7" */
	FUZZ_ASSERT(lugate_release_parse(printed, plen, &again) == 0);
	FUZZ_ASSERT(memcmp(&again, &p->r, sizeof(again)) == 0); /* NOLINT(bugprone-suspicious-memory-comparison): parse zero-fills the struct */
	FUZZ_ASSERT(lugate_release_cmp(&p->r, &p->r) == 0);
}

static bool same_part(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

static void path_properties(const struct parsed *o, const struct parsed *t, const struct lugate_policy *policy,
			    bool allow_line)
{
	int why = -1;
	enum lugate_path path = lugate_policy_classify(policy, o->text, t->text, &why);
	bool identical = strcmp(o->text, t->text) == 0;

	FUZZ_ASSERT((path == LUGATE_PATH_NONE) == (why != 0));
	FUZZ_ASSERT(why >= 0 && why < LUGATE_REASON_COUNT);
	if (!o->ok || !t->ok) {
		FUZZ_ASSERT(path == LUGATE_PATH_NONE && why == LUGATE_REASON_BAD_RELEASE);
		return;
	}
	FUZZ_ASSERT(why != LUGATE_REASON_BAD_RELEASE);
	if (path == LUGATE_PATH_NONE) {
		/* the rules no policy lifts must really apply */
		if (why == LUGATE_REASON_DOWNGRADE)
			FUZZ_ASSERT(lugate_release_cmp(&t->r, &o->r) < 0);
		if (why == LUGATE_REASON_FLAVOUR_CHANGE)
			FUZZ_ASSERT(!same_part(o->r.flavour, o->r.flavour_len, t->r.flavour, t->r.flavour_len) ||
				    !same_part(o->r.local, o->r.local_len, t->r.local, t->r.local_len));
		if (why == LUGATE_REASON_PRERELEASE)
			FUZZ_ASSERT(t->r.rc && !identical);
		FUZZ_ASSERT(!(allow_line && lugate_release_cmp(&t->r, &o->r) >= 0 &&
			      same_part(o->r.flavour, o->r.flavour_len, t->r.flavour, t->r.flavour_len) &&
			      same_part(o->r.local, o->r.local_len, t->r.local, t->r.local_len) &&
			      (!t->r.rc || identical)));
		return;
	}
	FUZZ_ASSERT(lugate_release_cmp(&t->r, &o->r) >= 0);
	FUZZ_ASSERT(same_part(o->r.flavour, o->r.flavour_len, t->r.flavour, t->r.flavour_len));
	FUZZ_ASSERT(same_part(o->r.local, o->r.local_len, t->r.local, t->r.local_len));
	FUZZ_ASSERT(!t->r.rc || identical);
	switch (path) {
	case LUGATE_PATH_SAME:
		FUZZ_ASSERT(identical && (policy->kinds & LUGATE_PATH_SAME));
		break;
	case LUGATE_PATH_POLICY:
		FUZZ_ASSERT(allow_line && !identical);
		break;
	case LUGATE_PATH_STABLE_NEXT:
		FUZZ_ASSERT(policy->kinds & LUGATE_PATH_STABLE_NEXT);
		FUZZ_ASSERT(o->r.major == t->r.major && o->r.minor == t->r.minor);
		if (o->r.has_abi)
			FUZZ_ASSERT(t->r.has_abi && t->r.patch == o->r.patch && (uint64_t)t->r.abi == (uint64_t)o->r.abi + 1);
		else
			FUZZ_ASSERT(!t->r.has_abi && (uint64_t)t->r.patch == (uint64_t)o->r.patch + 1);
		break;
	case LUGATE_PATH_MINOR_NEXT:
		FUZZ_ASSERT(policy->kinds & LUGATE_PATH_MINOR_NEXT);
		FUZZ_ASSERT(o->r.major == t->r.major && (uint64_t)t->r.minor == (uint64_t)o->r.minor + 1);
		break;
	default:
		FUZZ_ASSERT(!"an unknown path kind");
	}
	if (allow_line && !identical)
		FUZZ_ASSERT(path == LUGATE_PATH_POLICY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parsed s[MAX_STRINGS];
	struct lugate_policy all, def, with_allow;
	size_t n = 0, pos = 0;
	char line[200];

	while (n < MAX_STRINGS && pos <= size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size;
		size_t len = end - pos;
		char *exact = (char *)fuzz_dup(data + pos, len, 0);
		struct parsed *p = &s[n++];
		struct lugate_release r;

		/* the parser reads (text, len) and nothing more: give it an exact-size copy */
		if (lugate_release_parse(exact, len, &r) == 0) {
			FUZZ_ASSERT(!memchr(exact, 0, len) && len <= LUGATE_RELEASE_MAX);
		}
		free(exact);
		/* the classifier takes C strings: what it sees is the text up to a NUL */
		p->len = strnlen((const char *)data + pos, len < sizeof(p->text) - 1 ? len : sizeof(p->text) - 1);
		memcpy(p->text, data + pos, p->len);
		p->text[p->len] = '\0';
		p->ok = lugate_release_parse(p->text, p->len, &p->r) == 0;
		if (p->ok)
			parsed_properties(p);
		if (!nl)
			break;
		pos = end + 1;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (s[i].ok && s[j].ok)
				FUZZ_ASSERT(lugate_release_cmp(&s[i].r, &s[j].r) == -lugate_release_cmp(&s[j].r, &s[i].r));
	if (n == 3 && s[0].ok && s[1].ok && s[2].ok) {
		for (size_t i = 0; i < 3; i++)
			for (size_t j = 0; j < 3; j++)
				for (size_t k = 0; k < 3; k++)
					if (lugate_release_cmp(&s[i].r, &s[j].r) <= 0 &&
					    lugate_release_cmp(&s[j].r, &s[k].r) <= 0)
						FUZZ_ASSERT(lugate_release_cmp(&s[i].r, &s[k].r) <= 0);
	}
	if (n < 2)
		return 0;

	lugate_policy_default(&def);
	lugate_policy_default(&all);
	all.kinds = LUGATE_PATH_SAME | LUGATE_PATH_STABLE_NEXT | LUGATE_PATH_MINOR_NEXT;
	path_properties(&s[0], &s[1], &def, false);
	path_properties(&s[0], &s[1], &all, false);
	/* an `allow A -> B` line for exactly these two strings */
	if (s[0].ok && s[1].ok && strcmp(s[0].text, s[1].text) != 0) {
		snprintf(line, sizeof(line), "paths = same\nallow %s -> %s\n", s[0].text, s[1].text);
		FUZZ_ASSERT(lugate_policy_parse(line, strlen(line), &with_allow, NULL) == 0);
		path_properties(&s[0], &s[1], &with_allow, true);
		path_properties(&s[1], &s[0], &with_allow, false);
	}
	{
		/* a NULL policy is the default policy */
		int why_null = -1, why_def = -1;
		FUZZ_ASSERT(lugate_policy_classify(NULL, s[0].text, s[1].text, &why_null) ==
			    lugate_policy_classify(&def, s[0].text, s[1].text, &why_def));
		FUZZ_ASSERT(why_null == why_def);
	}
	return 0;
}
