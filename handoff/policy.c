// SPDX-License-Identifier: MIT
/*
 * Kernel release strings and the version-path policy (docs/policy.md).
 *
 * Everything here reads (text, len) and never past len; nothing assumes a NUL. Numbers
 * are parsed with an overflow check, so a 300-digit component is an error, not a wrap.
 */
#include <string.h>

#include <lugate/check.h>
#include <lugate/error.h>
#include <lugate/fmt.h>
#include <lugate/policy.h>

#define ALL_KINDS (LUGATE_PATH_SAME | LUGATE_PATH_STABLE_NEXT | LUGATE_PATH_MINOR_NEXT)
/* Longest policy line accepted (without its line break). */
#define POLICY_LINE_MAX 1024u

/* ---- character classes (no <ctype.h>: locale-free and freestanding) ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_local_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '~';
}

static bool is_flavour_char(char c)
{
	return is_local_char(c) || c == '+' || c == '-';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- release strings ---- */

/*
 * Reads the decimal digits text[*pos..end) into *out and advances *pos past them.
 * At least one digit; false on overflow, or on a leading zero unless zero_ok (the kernel
 * prints MAJOR.MINOR.PATCH and -rcN as plain integers, so "6.01.0" is not a release and
 * two spellings of one version cannot disagree with the exact-string rules).
 */
static bool take_u32(const char *text, size_t len, size_t *pos, uint32_t *out, bool zero_ok)
{
	size_t start = *pos, i = *pos;
	uint32_t v = 0;

	while (i < len && is_digit(text[i])) {
		uint32_t d = (uint32_t)(text[i] - '0');
		if (v > (UINT32_MAX - d) / 10u)
			return false;
		v = v * 10u + d;
		i++;
	}
	if (i == start)
		return false;
	if (!zero_ok && text[start] == '0' && i - start > 1)
		return false;
	*pos = i;
	*out = v;
	return true;
}

static bool take_char(const char *text, size_t len, size_t *pos, char c)
{
	if (*pos >= len || text[*pos] != c)
		return false;
	(*pos)++;
	return true;
}

/* At the end, or at one of the separators that may follow a release component. */
static bool at_boundary(const char *text, size_t len, size_t pos)
{
	return pos == len || text[pos] == '-' || text[pos] == '+';
}

/* "-rcN", N >= 1, directly after PATCH. Returns false only if it is there but malformed. */
static bool take_rc(const char *text, size_t len, size_t *pos, uint32_t *rc)
{
	size_t p = *pos;

	if (len - p < 4 || text[p] != '-' || text[p + 1] != 'r' || text[p + 2] != 'c' ||
	    !is_digit(text[p + 3]))
		return true; /* not an rc: the '-' starts an ABI or flavour */
	p += 3;
	if (!take_u32(text, len, &p, rc, false) || *rc == 0 || !at_boundary(text, len, p))
		return false;
	*pos = p;
	return true;
}

/* "+LOCAL": one or more [A-Za-z0-9._~], ended by '-' or the end. */
static bool take_local(const char *text, size_t len, size_t *pos, struct lugate_release *out)
{
	size_t p = *pos, start;

	if (p >= len || text[p] != '+')
		return true;
	start = ++p;
	while (p < len && is_local_char(text[p]))
		p++;
	if (p == start || (p < len && text[p] != '-'))
		return false;
	memcpy(out->local, text + start, p - start);
	out->local_len = (uint8_t)(p - start);
	*pos = p;
	return true;
}

/* FLAVOUR: the rest, non-empty, [A-Za-z0-9._+~-], no empty '-'-separated part. */
static bool take_flavour(const char *text, size_t len, size_t *pos, struct lugate_release *out)
{
	size_t p = *pos;

	if (p >= len || text[p] == '-' || text[len - 1] == '-')
		return false;
	for (; p < len; p++) {
		if (!is_flavour_char(text[p]))
			return false;
		if (text[p] == '-' && text[p - 1] == '-')
			return false;
	}
	memcpy(out->flavour, text + *pos, len - *pos);
	out->flavour_len = (uint8_t)(len - *pos);
	*pos = len;
	return true;
}

/* "-ABI" (all digits, then '-' or the end) and/or "-FLAVOUR". */
static bool take_abi_flavour(const char *text, size_t len, size_t *pos, struct lugate_release *out)
{
	size_t p = *pos, digits_end;

	if (p == len)
		return true;
	if (!take_char(text, len, &p, '-'))
		return false;
	digits_end = p;
	while (digits_end < len && is_digit(text[digits_end]))
		digits_end++;
	if (digits_end > p && (digits_end == len || text[digits_end] == '-')) {
		/* ABI: leading zeros allowed (git describe's "-00001-g<sha>" lands here). */
		if (!take_u32(text, len, &p, &out->abi, true))
			return false;
		out->has_abi = true;
		if (p == len) {
			*pos = p;
			return true;
		}
		p++; /* the '-' before FLAVOUR */
	}
	*pos = p;
	return take_flavour(text, len, pos, out);
}

int lugate_release_parse(const char *text, size_t len, struct lugate_release *out)
{
	size_t pos = 0;
	bool ok;

	if (!out || (!text && len))
		return LUGATE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (len == 0 || len > LUGATE_RELEASE_MAX)
		return LUGATE_ERR_BADRELEASE;
	ok = take_u32(text, len, &pos, &out->major, false) && take_char(text, len, &pos, '.') &&
	     take_u32(text, len, &pos, &out->minor, false) && take_char(text, len, &pos, '.') &&
	     take_u32(text, len, &pos, &out->patch, false) && at_boundary(text, len, pos) &&
	     take_rc(text, len, &pos, &out->rc) && take_local(text, len, &pos, out) &&
	     take_abi_flavour(text, len, &pos, out) && pos == len;
	if (!ok) {
		memset(out, 0, sizeof(*out));
		return LUGATE_ERR_BADRELEASE;
	}
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int lugate_release_cmp(const struct lugate_release *a, const struct lugate_release *b)
{
	int c;

	if ((c = cmp_u32(a->major, b->major)) != 0 || (c = cmp_u32(a->minor, b->minor)) != 0 ||
	    (c = cmp_u32(a->patch, b->patch)) != 0)
		return c;
	if ((c = cmp_u32(a->has_abi ? a->abi : 0, b->has_abi ? b->abi : 0)) != 0)
		return c;
	if (a->rc == b->rc)
		return 0;
	if (a->rc == 0)
		return 1; /* the final release comes after all of its candidates */
	if (b->rc == 0)
		return -1;
	return cmp_u32(a->rc, b->rc);
}

/* ---- path kinds ---- */

const char *lugate_path_name(enum lugate_path p)
{
	switch (p) {
	case LUGATE_PATH_SAME:
		return "same";
	case LUGATE_PATH_STABLE_NEXT:
		return "stable-next";
	case LUGATE_PATH_MINOR_NEXT:
		return "minor-next";
	case LUGATE_PATH_POLICY:
		return "policy";
	case LUGATE_PATH_NONE:
	default:
		return "none";
	}
}

struct kind_name {
	const char *name;
	enum lugate_path kind;
};

/* The order is the canonical order of `paths =` in lugate_policy_format. */
static const struct kind_name kind_names[] = {
	{ "same", LUGATE_PATH_SAME },
	{ "stable-next", LUGATE_PATH_STABLE_NEXT },
	{ "minor-next", LUGATE_PATH_MINOR_NEXT },
};

static bool same_text(const char *a, size_t a_len, const char *b, size_t b_len)
{
	return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static enum lugate_path kind_from_text(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (same_text(s, n, kind_names[i].name, strlen(kind_names[i].name)))
			return kind_names[i].kind;
	return LUGATE_PATH_NONE;
}

void lugate_policy_default(struct lugate_policy *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	p->kinds = LUGATE_POLICY_DEFAULT_KINDS;
}

/* Length of a stored allow string, or LUGATE_RELEASE_MAX + 1 if it is not terminated. */
static size_t stored_len(const char s[LUGATE_RELEASE_MAX + 1])
{
	return strnlen(s, LUGATE_RELEASE_MAX + 1);
}

static bool allow_matches(const struct lugate_policy_allow *a, const char *from, size_t from_len,
			  const char *to, size_t to_len)
{
	return same_text(a->from, stored_len(a->from), from, from_len) &&
	       same_text(a->to, stored_len(a->to), to, to_len);
}

/* True if one of the first `count` allow lines of p is exactly from -> to. */
static bool policy_has_allow(const struct lugate_policy *p, uint32_t count, const char *from,
			     size_t from_len, const char *to, size_t to_len)
{
	for (uint32_t i = 0; i < count && i < LUGATE_POLICY_MAX_ALLOW; i++)
		if (allow_matches(&p->allow[i], from, from_len, to, to_len))
			return true;
	return false;
}

/* PATCH+1 without ABIs, or the same PATCH with ABI+1; never wraps at UINT32_MAX. */
static bool is_stable_next(const struct lugate_release *o, const struct lugate_release *t)
{
	if (o->major != t->major || o->minor != t->minor)
		return false;
	if (!o->has_abi && !t->has_abi)
		return o->patch != UINT32_MAX && t->patch == o->patch + 1u;
	if (o->has_abi && t->has_abi)
		return o->patch == t->patch && o->abi != UINT32_MAX && t->abi == o->abi + 1u;
	return false;
}

static bool is_minor_next(const struct lugate_release *o, const struct lugate_release *t)
{
	return o->major == t->major && o->minor != UINT32_MAX && t->minor == o->minor + 1u;
}

static bool same_flavour(const struct lugate_release *a, const struct lugate_release *b)
{
	return same_text(a->flavour, a->flavour_len, b->flavour, b->flavour_len) &&
	       same_text(a->local, a->local_len, b->local, b->local_len);
}

/* The rules no policy can lift; returns a lugate_reason_code, 0 if none applies. */
static int refused_whatever(const struct lugate_release *o, const struct lugate_release *t,
			    bool identical)
{
	if (lugate_release_cmp(t, o) < 0)
		return LUGATE_REASON_DOWNGRADE;
	if (!same_flavour(o, t))
		return LUGATE_REASON_FLAVOUR_CHANGE;
	if (t->rc && !identical)
		return LUGATE_REASON_PRERELEASE;
	return LUGATE_REASON_NONE;
}

static enum lugate_path classify(const struct lugate_policy *p, const char *out_text, size_t out_len,
				 const char *tgt_text, size_t tgt_len, int *why)
{
	struct lugate_release o, t;
	uint32_t kinds = p ? p->kinds : LUGATE_POLICY_DEFAULT_KINDS;
	bool identical;

	if (lugate_release_parse(out_text, out_len, &o) != 0 ||
	    lugate_release_parse(tgt_text, tgt_len, &t) != 0) {
		*why = LUGATE_REASON_BAD_RELEASE;
		return LUGATE_PATH_NONE;
	}
	identical = same_text(out_text, out_len, tgt_text, tgt_len);
	*why = refused_whatever(&o, &t, identical);
	if (*why)
		return LUGATE_PATH_NONE;
	if (identical && (kinds & LUGATE_PATH_SAME))
		return LUGATE_PATH_SAME;
	if (p && policy_has_allow(p, p->allow_count, out_text, out_len, tgt_text, tgt_len))
		return LUGATE_PATH_POLICY;
	if ((kinds & LUGATE_PATH_STABLE_NEXT) && is_stable_next(&o, &t))
		return LUGATE_PATH_STABLE_NEXT;
	if ((kinds & LUGATE_PATH_MINOR_NEXT) && is_minor_next(&o, &t))
		return LUGATE_PATH_MINOR_NEXT;
	*why = LUGATE_REASON_VERSION_JUMP;
	return LUGATE_PATH_NONE;
}

enum lugate_path lugate_policy_classify(const struct lugate_policy *p, const char *outgoing,
					const char *target, int *why)
{
	int reason = LUGATE_REASON_BAD_RELEASE;
	enum lugate_path path = LUGATE_PATH_NONE;

	/* strnlen bounds the read: anything longer than a release is refused unread. */
	if (outgoing && target)
		path = classify(p, outgoing, strnlen(outgoing, LUGATE_RELEASE_MAX + 1), target,
				strnlen(target, LUGATE_RELEASE_MAX + 1), &reason);
	if (why)
		*why = reason;
	return path;
}

/* ---- policy text ---- */

struct span {
	const char *s;
	size_t n;
};

static struct span trim(struct span x)
{
	while (x.n && is_space(x.s[0])) {
		x.s++;
		x.n--;
	}
	while (x.n && is_space(x.s[x.n - 1]))
		x.n--;
	return x;
}

/* Splits off the next whitespace-separated token of *rest; false at the end. */
static bool next_token(struct span *rest, struct span *tok)
{
	size_t i = 0;

	*rest = trim(*rest);
	if (!rest->n)
		return false;
	while (i < rest->n && !is_space(rest->s[i]))
		i++;
	tok->s = rest->s;
	tok->n = i;
	rest->s += i;
	rest->n -= i;
	return true;
}

static bool has_space(struct span x)
{
	for (size_t i = 0; i < x.n; i++)
		if (is_space(x.s[i]))
			return true;
	return false;
}

/* "paths = <kind> [<kind> ...]"; rest starts after the word "paths". */
static int parse_paths(struct span rest, struct lugate_policy *out, bool *seen_paths)
{
	struct span tok;
	uint32_t kinds = 0;

	if (*seen_paths)
		return LUGATE_ERR_BADPOLICY; /* a second `paths` line: which one was meant? */
	rest = trim(rest);
	if (!rest.n || rest.s[0] != '=')
		return LUGATE_ERR_BADPOLICY;
	rest.s++;
	rest.n--;
	while (next_token(&rest, &tok)) {
		enum lugate_path k = kind_from_text(tok.s, tok.n);
		if (k == LUGATE_PATH_NONE)
			return LUGATE_ERR_BADPOLICY;
		kinds |= (uint32_t)k;
	}
	if (!kinds)
		return LUGATE_ERR_BADPOLICY;
	out->kinds = kinds;
	*seen_paths = true;
	return 0;
}

/* "known-bad = allow|refuse"; rest starts after the word "known-bad". */
static int parse_known_bad(struct span rest, struct lugate_policy *out)
{
	struct span tok, extra;

	rest = trim(rest);
	if (!rest.n || rest.s[0] != '=')
		return LUGATE_ERR_BADPOLICY;
	rest.s++;
	rest.n--;
	if (!next_token(&rest, &tok) || next_token(&rest, &extra))
		return LUGATE_ERR_BADPOLICY;
	if (same_text(tok.s, tok.n, "allow", 5))
		out->allow_known_bad = 1;
	else if (same_text(tok.s, tok.n, "refuse", 6))
		out->allow_known_bad = 0;
	else
		return LUGATE_ERR_BADPOLICY;
	return 0;
}

/* The layers a "may-lack" line may name: losing a KHO root or the LUO state is a cold boot or
 * a panic (docs/errors.md), never one object, so no line lifts those. */
static uint32_t lack_layer_from_text(const char *s, size_t n)
{
	if (same_text(s, n, "file-handler", 12))
		return LUGATE_LAYER_FILE_HANDLER;
	if (same_text(s, n, "flb", 3))
		return LUGATE_LAYER_FLB;
	return LUGATE_LAYER_UNKNOWN;
}

/* What the kernel keeps in char compatible[48]: 1..47 of A-Z a-z 0-9 . _ - (no space, no '#'). */
static bool compat_text_ok(const char *s, size_t n)
{
	if (!n || n > LUGATE_COMPAT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static bool lack_matches(const struct lugate_policy_lack *l, uint32_t layer, const char *c, size_t n)
{
	return l->layer == layer && same_text(l->compatible, strnlen(l->compatible, LUGATE_COMPAT_MAX + 1), c, n);
}

static bool policy_has_lack(const struct lugate_policy *p, uint32_t count, uint32_t layer, const char *c, size_t n)
{
	for (uint32_t i = 0; i < count && i < LUGATE_POLICY_MAX_LACK; i++)
		if (lack_matches(&p->lack[i], layer, c, n))
			return true;
	return false;
}

bool lugate_policy_may_lack(const struct lugate_policy *p, uint32_t layer, const char *compatible)
{
	if (!p || !compatible)
		return false;
	return policy_has_lack(p, p->lack_count, layer, compatible, strnlen(compatible, LUGATE_COMPAT_MAX + 1));
}

/* "may-lack LAYER COMPATIBLE"; rest starts after the word "may-lack". */
static int parse_may_lack(struct span rest, struct lugate_policy *out)
{
	struct span layer_tok, compat_tok, extra;
	uint32_t layer;

	if (!rest.n || !is_space(rest.s[0]))
		return LUGATE_ERR_BADPOLICY;
	if (!next_token(&rest, &layer_tok) || !next_token(&rest, &compat_tok) || next_token(&rest, &extra))
		return LUGATE_ERR_BADPOLICY;
	layer = lack_layer_from_text(layer_tok.s, layer_tok.n);
	if (layer == LUGATE_LAYER_UNKNOWN || !compat_text_ok(compat_tok.s, compat_tok.n))
		return LUGATE_ERR_BADPOLICY;
	if (policy_has_lack(out, out->lack_count, layer, compat_tok.s, compat_tok.n))
		return LUGATE_ERR_BADPOLICY; /* duplicate line */
	if (out->lack_count >= LUGATE_POLICY_MAX_LACK)
		return LUGATE_ERR_TOOMANY;
	out->lack[out->lack_count].layer = layer;
	memcpy(out->lack[out->lack_count].compatible, compat_tok.s, compat_tok.n);
	out->lack[out->lack_count].compatible[compat_tok.n] = '\0';
	out->lack_count++;
	return 0;
}

/* "allow A -> B"; rest starts after the word "allow". */
static int parse_allow(struct span rest, struct lugate_policy *out)
{
	struct lugate_release rel;
	struct span from, to;
	size_t arrow;

	if (!rest.n || !is_space(rest.s[0]))
		return LUGATE_ERR_BADPOLICY;
	/* '>' is not a release character, so the first "->" is the arrow. */
	for (arrow = 0; arrow + 1 < rest.n; arrow++)
		if (rest.s[arrow] == '-' && rest.s[arrow + 1] == '>')
			break;
	if (arrow + 1 >= rest.n)
		return LUGATE_ERR_BADPOLICY;
	from = trim((struct span){ rest.s, arrow });
	to = trim((struct span){ rest.s + arrow + 2, rest.n - arrow - 2 });
	if (!from.n || !to.n || has_space(from) || has_space(to))
		return LUGATE_ERR_BADPOLICY;
	if (lugate_release_parse(from.s, from.n, &rel) != 0 ||
	    lugate_release_parse(to.s, to.n, &rel) != 0)
		return LUGATE_ERR_BADRELEASE;
	if (same_text(from.s, from.n, to.s, to.n))
		return LUGATE_ERR_BADPOLICY; /* that is `same`, not a path */
	if (policy_has_allow(out, out->allow_count, from.s, from.n, to.s, to.n))
		return LUGATE_ERR_BADPOLICY; /* duplicate line */
	if (out->allow_count >= LUGATE_POLICY_MAX_ALLOW)
		return LUGATE_ERR_TOOMANY;
	/* Both fit: a release that parsed is at most LUGATE_RELEASE_MAX characters. */
	memcpy(out->allow[out->allow_count].from, from.s, from.n);
	out->allow[out->allow_count].from[from.n] = '\0';
	memcpy(out->allow[out->allow_count].to, to.s, to.n);
	out->allow[out->allow_count].to[to.n] = '\0';
	out->allow_count++;
	return 0;
}

static int parse_line(struct span line, struct lugate_policy *out, bool *seen_paths)
{
	const char *hash;
	size_t word = 0;
	struct span rest;

	if (line.n && line.s[line.n - 1] == '\r')
		line.n--; /* CRLF */
	if (line.n > POLICY_LINE_MAX || memchr(line.s, '\0', line.n))
		return LUGATE_ERR_BADPOLICY;
	hash = memchr(line.s, '#', line.n);
	if (hash)
		line.n = (size_t)(hash - line.s);
	line = trim(line);
	if (!line.n)
		return 0;
	while (word < line.n && !is_space(line.s[word]) && line.s[word] != '=')
		word++;
	rest = (struct span){ line.s + word, line.n - word };
	if (same_text(line.s, word, "paths", 5))
		return parse_paths(rest, out, seen_paths);
	if (same_text(line.s, word, "allow", 5))
		return parse_allow(rest, out);
	if (same_text(line.s, word, "known-bad", 9))
		return parse_known_bad(rest, out);
	if (same_text(line.s, word, "may-lack", 8))
		return parse_may_lack(rest, out);
	return LUGATE_ERR_BADPOLICY;
}

int lugate_policy_parse(const char *text, size_t len, struct lugate_policy *out, uint32_t *err_line)
{
	size_t pos = 0;
	uint32_t line = 0;
	bool seen_paths = false;

	if (err_line)
		*err_line = 0;
	if (!out || (!text && len))
		return LUGATE_ERR_INVAL;
	lugate_policy_default(out);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		int err;

		if (line < UINT32_MAX)
			line++;
		err = parse_line((struct span){ text + pos, end - pos }, out, &seen_paths);
		if (err) {
			if (err_line)
				*err_line = line;
			lugate_policy_default(out); /* never hand back half a policy */
			return err;
		}
		pos = nl ? end + 1 : len;
	}
	return 0;
}

/* What lugate_policy_parse would accept back: checked before formatting. */
static bool policy_valid(const struct lugate_policy *p)
{
	struct lugate_release rel;

	if (!(p->kinds & ALL_KINDS) || (p->kinds & ~(uint32_t)ALL_KINDS) ||
	    p->allow_count > LUGATE_POLICY_MAX_ALLOW)
		return false;
	for (uint32_t i = 0; i < p->allow_count; i++) {
		const struct lugate_policy_allow *a = &p->allow[i];
		size_t from_len = stored_len(a->from), to_len = stored_len(a->to);

		if (lugate_release_parse(a->from, from_len, &rel) != 0 ||
		    lugate_release_parse(a->to, to_len, &rel) != 0 ||
		    same_text(a->from, from_len, a->to, to_len) ||
		    policy_has_allow(p, i, a->from, from_len, a->to, to_len))
			return false;
	}
	if (p->lack_count > LUGATE_POLICY_MAX_LACK)
		return false;
	for (uint32_t i = 0; i < p->lack_count; i++) {
		const struct lugate_policy_lack *l = &p->lack[i];
		size_t n = strnlen(l->compatible, LUGATE_COMPAT_MAX + 1);

		if ((l->layer != LUGATE_LAYER_FILE_HANDLER && l->layer != LUGATE_LAYER_FLB) ||
		    !compat_text_ok(l->compatible, n) || policy_has_lack(p, i, l->layer, l->compatible, n))
			return false;
	}
	return true;
}

long lugate_policy_format(const struct lugate_policy *p, char *buf, size_t buf_size)
{
	struct lugate_fmt f;

	if (!p || (!buf && buf_size))
		return LUGATE_ERR_INVAL;
	if (!policy_valid(p))
		return LUGATE_ERR_INVAL;
	lugate_fmt_init(&f, buf, buf_size);
	lugate_fmt_str(&f, "paths =");
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (p->kinds & (uint32_t)kind_names[i].kind) {
			lugate_fmt_char(&f, ' ');
			lugate_fmt_str(&f, kind_names[i].name);
		}
	}
	lugate_fmt_char(&f, '\n');
	for (uint32_t i = 0; i < p->allow_count; i++) {
		lugate_fmt_str(&f, "allow ");
		lugate_fmt_str(&f, p->allow[i].from);
		lugate_fmt_str(&f, " -> ");
		lugate_fmt_str(&f, p->allow[i].to);
		lugate_fmt_char(&f, '\n');
	}
	for (uint32_t i = 0; i < p->lack_count; i++) {
		lugate_fmt_str(&f, "may-lack ");
		lugate_fmt_str(&f, lugate_layer_name((enum lugate_layer)p->lack[i].layer));
		lugate_fmt_char(&f, ' ');
		lugate_fmt_str(&f, p->lack[i].compatible);
		lugate_fmt_char(&f, '\n');
	}
	if (p->allow_known_bad)
		lugate_fmt_str(&f, "known-bad = allow\n");
	if (f.len >= buf_size)
		return LUGATE_ERR_NOSPACE;
	return (long)f.len;
}
