// SPDX-License-Identifier: MIT
/*
 * The JSON source forms (device list, manifest) -> the core's structures. Strict: unknown
 * keys, duplicate keys, null values, wrong types and out-of-range numbers are errors naming
 * the file and the field.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* A device list's JSON: 131,072 devices take about 35 MiB; this leaves room for layout. */
#define JSON_MAX_SIZE (256u << 20)
/*
 * A manifest file, binary or JSON: what a frame can hold (64 MiB of payload and its
 * header). The JSON of the largest manifest (65,536 schemas) is about 7 MiB, so the
 * smaller bound refuses nothing real and keeps `check --manifest` small.
 */
#define MANIFEST_MAX_SIZE (LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX)
/* json-c's nesting limit, set below; the key scan holds one frame per level. */
#define JSON_MAX_DEPTH 64u
/* Keys of one object the duplicate scan tracks. No object of these formats has more than
 * seven keys, so a larger object is refused for its size instead of holding every key. */
#define JSON_MAX_KEYS 64u
/* ---- duplicate keys ------------------------------------------------------------------
 *
 * json-c keeps the last of two equal keys without a word, so {"devices": [...], "devices": []}
 * would read as an empty list. Before json-c builds anything, this scan walks the text once,
 * decodes each key the way json-c does (escapes, surrogate pairs, a lone surrogate as
 * U+FFFD) and compares it with the keys seen so far in the same object: by length and a
 * 64-bit hash first, then byte by byte. It holds at most JSON_MAX_KEYS keys for each of at
 * most JSON_MAX_DEPTH open objects, whatever the input's size. A key holding "\u0000" is
 * refused too: json-c's keys are C strings, so "vendor\u0000x" would read as "vendor".
 */
struct key_ref {
	uint64_t hash;
	size_t off, end; /* the key's text between its quotes */
	size_t dlen;     /* decoded length */
};

struct key_frame {
	bool object;
	uint32_t first; /* object: index of its first key in keys[] */
	uint32_t count; /* object: keys so far; array: the current element's index */
};

struct key_scan {
	const char *text;
	size_t size, pos;
	const char *path;
	struct key_frame frames[JSON_MAX_DEPTH];
	uint32_t depth;
	struct key_ref keys[JSON_MAX_DEPTH * JSON_MAX_KEYS];
};

/* Four hex digits at t[p..end), or -1. */
static long hex4(const char *t, size_t p, size_t end)
{
	long v = 0;

	if (end - p < 4)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		int d = lugate_hex_digit(t[p + i]);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * The next decoded bytes of a string body t[*p..end) into out[4]: their count, 0 at the
 * end, -1 for a bad escape, -2 for "\u0000".
 */
static int key_next(const char *t, size_t *p, size_t end, uint8_t out[4])
{
	size_t i = *p;
	long cp;

	if (i >= end)
		return 0;
	if (t[i] != '\\') {
		out[0] = (uint8_t)t[i];
		*p = i + 1;
		return 1;
	}
	if (end - i < 2)
		return -1;
	*p = i + 2;
	switch (t[i + 1]) {
	case '"': out[0] = '"'; return 1;
	case '\\': out[0] = '\\'; return 1;
	case '/': out[0] = '/'; return 1;
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: return -1;
	}
	cp = hex4(t, i + 2, end);
	if (cp < 0)
		return -1;
	*p = i + 6;
	if (cp == 0)
		return -2;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		long lo = (end - *p >= 6 && t[*p] == '\\' && t[*p + 1] == 'u') ? hex4(t, *p + 2, end) : -1;
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*p += 6;
		} else {
			cp = 0xfffd; /* a lone high surrogate, as json-c reads it */
		}
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		cp = 0xfffd;
	}
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* The end of the string body starting at s->pos (just past its quote), or 0 if none. */
static size_t string_end(const struct key_scan *s)
{
	for (size_t i = s->pos; i < s->size; i++) {
		if (s->text[i] == '"')
			return i;
		if (s->text[i] == '\\')
			i++;
	}
	return 0;
}

/* Whether two keys decode to the same bytes. */
static bool keys_equal(const char *t, const struct key_ref *a, const struct key_ref *b)
{
	size_t pa = a->off, pb = b->off;
	uint8_t ba[4], bb[4];
	int na = 0, nb = 0, ia = 0, ib = 0;

	if (a->hash != b->hash || a->dlen != b->dlen)
		return false;
	for (;;) {
		if (ia == na) {
			na = key_next(t, &pa, a->end, ba);
			ia = 0;
		}
		if (ib == nb) {
			nb = key_next(t, &pb, b->end, bb);
			ib = 0;
		}
		if (na <= 0 || nb <= 0)
			return na == nb;
		if (ba[ia++] != bb[ib++])
			return false;
	}
}

/* "top level", or the path of the innermost open value: devices[2], a.b[0]. */
static const char *scan_where(const struct key_scan *s, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i + 1 < s->depth && o < size; i++) {
		const struct key_frame *f = &s->frames[i];
		char q[CLI_QUOTE_SIZE];
		if (f->object) {
			const struct key_ref *k = &s->keys[f->first + f->count - 1];
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "." : "",
					      cli_quote_json_text(q, s->text + k->off, k->end - k->off));
		} else {
			o += (size_t)snprintf(buf + o, size - o, "[%u]", f->count);
		}
	}
	return buf[0] ? buf : "top level";
}

static bool scan_fail(const struct key_scan *s, const char *what, const struct key_ref *k)
{
	char buf[512], q[CLI_QUOTE_SIZE];
	const char *where = scan_where(s, buf, sizeof(buf));

	if (k)
		cli_error("%s: %s: %s \"%s\" (byte %zu)", s->path, where, what,
			  cli_quote_json_text(q, s->text + k->off, k->end - k->off), k->off - 1);
	else
		cli_error("%s: %s: %s (byte %zu)", s->path, where, what, s->pos);
	return false;
}

/* A key at s->pos (its opening quote) in the innermost object: decode, compare, keep. */
static bool scan_key(struct key_scan *s)
{
	struct key_frame *f = &s->frames[s->depth - 1];
	struct key_ref k = { .hash = 0xcbf29ce484222325ull };
	uint8_t b[4];
	size_t p;
	int n;

	s->pos++;
	k.off = p = s->pos;
	k.end = string_end(s);
	if (!k.end)
		return scan_fail(s, "unterminated key", NULL);
	while ((n = key_next(s->text, &p, k.end, b)) > 0) {
		for (int i = 0; i < n; i++)
			k.hash = (k.hash ^ b[i]) * 0x100000001b3ull;
		k.dlen += (size_t)n;
	}
	if (n == -2)
		return scan_fail(s, "a NUL character (\\u0000) in key", &k);
	if (n < 0)
		return scan_fail(s, "a bad escape in key", &k);
	for (uint32_t i = 0; i < f->count; i++)
		if (keys_equal(s->text, &s->keys[f->first + i], &k))
			return scan_fail(s, "duplicate key", &k);
	if (f->count == JSON_MAX_KEYS)
		return scan_fail(s, "more than 64 keys in one object at key", &k);
	s->keys[f->first + f->count++] = k;
	s->pos = k.end + 1;
	return true;
}

static void skip_space(struct key_scan *s)
{
	while (s->pos < s->size && (s->text[s->pos] == ' ' || s->text[s->pos] == '\t' ||
				    s->text[s->pos] == '\n' || s->text[s->pos] == '\r'))
		s->pos++;
}

/* Past a scalar (number, true, false, null) at s->pos. */
static void skip_scalar(struct key_scan *s)
{
	while (s->pos < s->size && strchr(",]} \t\n\r", s->text[s->pos]) == NULL)
		s->pos++;
}

/* After '{' or ',' in an object: a key, then ':'. */
static bool scan_member(struct key_scan *s)
{
	skip_space(s);
	if (s->pos >= s->size || s->text[s->pos] != '"')
		return scan_fail(s, "expected a key", NULL);
	if (!scan_key(s))
		return false;
	skip_space(s);
	if (s->pos >= s->size || s->text[s->pos] != ':')
		return scan_fail(s, "expected ':'", NULL);
	s->pos++;
	return true;
}

/* Opens an object or array at s->pos; *want_value says whether a value comes next. */
static bool scan_open(struct key_scan *s, bool *want_value)
{
	char close = s->text[s->pos] == '{' ? '}' : ']';

	if (s->depth == JSON_MAX_DEPTH)
		return scan_fail(s, "nested too deeply", NULL);
	/* each level has its own row of keys[]: a nested object never overwrites its parent's */
	s->frames[s->depth] = (struct key_frame){ .object = close == '}', .first = s->depth * JSON_MAX_KEYS };
	s->depth++;
	s->pos++;
	skip_space(s);
	if (s->pos < s->size && s->text[s->pos] == close) {
		s->depth--;
		s->pos++;
		*want_value = false;
		return true;
	}
	*want_value = true;
	return close == ']' || scan_member(s);
}

/* One step: a value, or what follows one (',' or a closing bracket). */
static bool scan_step(struct key_scan *s, bool *want_value)
{
	struct key_frame *top = s->depth ? &s->frames[s->depth - 1] : NULL;
	char c = s->text[s->pos];

	if (*want_value) {
		if (c == '{' || c == '[')
			return scan_open(s, want_value);
		if (c == '"') {
			s->pos++;
			size_t e = string_end(s);
			if (!e)
				return scan_fail(s, "unterminated string", NULL);
			s->pos = e + 1;
		} else {
			skip_scalar(s);
		}
		*want_value = false;
		return true;
	}
	if (!top)
		return scan_fail(s, "trailing data", NULL);
	if (c == (top->object ? '}' : ']')) {
		s->depth--;
		s->pos++;
		return true;
	}
	if (c != ',')
		return scan_fail(s, "expected ',' or a closing bracket", NULL);
	s->pos++;
	*want_value = true;
	if (!top->object) {
		top->count++;
		return true;
	}
	return scan_member(s);
}

/*
 * Every object in text has distinct keys. Runs on text json-c has accepted in strict mode,
 * so the grammar is known good; anything unexpected is still refused, never skipped.
 */
static bool json_keys_unique(const char *text, size_t size, const char *path)
{
	struct key_scan *s = malloc(sizeof(*s));
	bool ok, want_value = true;

	if (!s)
		return cli_error("%s: out of memory", path), false;
	s->text = text;
	s->size = size;
	s->pos = 0;
	s->path = path;
	s->depth = 0;
	for (;;) {
		skip_space(s);
		if (s->pos >= s->size) {
			ok = s->depth == 0 && !want_value;
			if (!ok)
				scan_fail(s, "unexpected end of input", NULL);
			break;
		}
		if (!scan_step(s, &want_value)) {
			ok = false;
			break;
		}
	}
	free(s);
	return ok;
}

/* Parse JSON text (not NUL-terminated; `path` only names it in errors). Strict: one
 * top-level object, nothing after it, no NUL byte. */
static struct json_object *json_parse_text(const char *text, size_t size, const char *path)
{
	struct json_tokener *tok;
	struct json_object *root;

	if (memchr(text, 0, size)) {
		cli_error("%s: not JSON text (contains a NUL byte)", path);
		return NULL;
	}
	if (size > JSON_MAX_SIZE) {
		cli_error("%s: too large (%zu bytes; limit %u)", path, size, JSON_MAX_SIZE);
		return NULL;
	}
	tok = json_tokener_new_ex(64);
	if (!tok) {
		cli_error("%s: out of memory", path);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)size);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < size) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t at = json_tokener_get_parse_end(tok);
		if (root && e == json_tokener_success)
			cli_error("%s: not valid JSON: trailing data at byte %zu", path, at);
		else
			cli_error("%s: not valid JSON: %s at byte %zu", path,
				  e == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(e), at);
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	if (root && !json_object_is_type(root, json_type_object)) {
		cli_error("%s: expected a JSON object at the top level", path);
		json_object_put(root);
		return NULL;
	}
	if (root && !json_keys_unique(text, size, path)) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* Every key of obj must be in allowed[]. */
static bool keys_known(struct json_object *obj, const char *const *allowed, const char *path, const char *where)
{
	json_object_object_foreach(obj, key, val) {
		bool ok = false;
		(void)val;
		for (const char *const *a = allowed; *a; a++)
			ok = ok || strcmp(key, *a) == 0;
		if (!ok) {
			cli_error("%s: %s: unknown key \"%s\"", path, where, CLI_Q(key));
			return false;
		}
	}
	return true;
}

/* A JSON string as a C string, or NULL if it holds a NUL character ("\u0000"): the C string
 * would silently end there ("0000:3b:00.0\u0000junk" read as "0000:3b:00.0"). */
static const char *c_string(struct json_object *v)
{
	const char *s = json_object_get_string(v);
	return s && strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* null is never a value in these forms: a key is given with its value, or left out. */
static bool not_null(struct json_object *obj, const char *key, const char *path, const char *where)
{
	struct json_object *v;
	if (json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_null)) {
		cli_error("%s: %s: \"%s\" is null (leave the key out, or give a value)", path, where, key);
		return false;
	}
	return true;
}

static const char *get_string(struct json_object *obj, const char *key, bool required,
			      const char *path, const char *where, bool *ok)
{
	struct json_object *v;
	if (!not_null(obj, key, path, where)) {
		*ok = false;
		return NULL;
	}
	if (!json_object_object_get_ex(obj, key, &v)) {
		if (required) {
			cli_error("%s: %s: missing \"%s\"", path, where, key);
			*ok = false;
		}
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		cli_error("%s: %s: \"%s\" must be a string", path, where, key);
		*ok = false;
		return NULL;
	}
	if (!c_string(v)) {
		cli_error("%s: %s: \"%s\" contains a NUL character", path, where, key);
		*ok = false;
	}
	return c_string(v);
}

/*
 * A number's text: decimal digits without a leading zero ("0" itself is fine: "010" is
 * refused, since strtoull's base 0 and many readers take it for octal 8), or "0x" and hex
 * digits (leading zeros fine: "0x0a"). Nothing else: no sign, no white space, no "0X", no
 * suffix, and at most max. Returns NULL, or why not.
 */
static const char *parse_uint_text(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool hex = n >= 2 && s[0] == '0' && s[1] == 'x';

	if (n == 0)
		return "it is empty";
	if (hex)
		i = 2;
	else if (s[0] == '0' && n > 1 && s[1] >= '0' && s[1] <= '9')
		return "a leading zero (octal or decimal?)";
	if (i == n)
		return "no digits";
	for (; i < n; i++) {
		int d = hex ? lugate_hex_digit(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		uint64_t base = hex ? 16 : 10;
		if (d < 0)
			return hex ? "not a hex digit" : "not a decimal number (no sign, space or suffix; hex needs \"0x\")";
		if ((uint64_t)d > max || v > (max - (uint64_t)d) / base)
			return "out of range";
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return NULL;
}

/*
 * A number given as a JSON integer, or as a string in decimal or "0x" hex (parse_uint_text),
 * within [0, max]. JSON numbers with a fraction or an exponent (1.5, 1e3) are refused.
 */
static bool get_number(struct json_object *obj, const char *key, uint64_t max, uint64_t *out,
		       const char *path, const char *where)
{
	struct json_object *v;
	const char *why = "not a number";
	char got[CLI_QUOTE_SIZE + 40], q[CLI_QUOTE_SIZE];

	got[0] = '\0';
	if (!json_object_object_get_ex(obj, key, &v)) {
		cli_error("%s: %s: missing \"%s\"", path, where, key);
		return false;
	}
	if (json_object_is_type(v, json_type_int)) {
		errno = 0;
		int64_t n = json_object_get_int64(v);
		if (errno == 0 && n >= 0 && (uint64_t)n <= max) {
			*out = (uint64_t)n;
			return true;
		}
		why = n < 0 ? "negative" : "out of range";
		snprintf(got, sizeof(got), "%s%lld", n == INT64_MAX ? ">= " : "", (long long)n);
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);
		why = parse_uint_text(s, len, max, out);
		if (!why)
			return true;
		snprintf(got, sizeof(got), "\"%s\"", cli_quote_n(q, s, len));
	} else if (json_object_is_type(v, json_type_double)) {
		why = "a fraction or an exponent";
	} else if (json_object_is_type(v, json_type_null)) {
		why = "null";
	}
	cli_error("%s: %s: \"%s\" must be an integer 0..0x%llx, a JSON number or a string of decimal or "
		  "\"0x\" hex digits; %s%s%s", path, where, key, (unsigned long long)max, got, got[0] ? ": " : "", why);
	return false;
}

static bool get_string_array(struct json_object *obj, const char *key, char ***out, size_t *count,
			     size_t max_count, const char *path)
{
	struct json_object *arr;
	*out = NULL;
	*count = 0;
	if (!not_null(obj, key, path, "top level"))
		return false;
	if (!json_object_object_get_ex(obj, key, &arr))
		return true;
	if (!json_object_is_type(arr, json_type_array)) {
		cli_error("%s: \"%s\" must be an array of strings", path, key);
		return false;
	}
	size_t n = json_object_array_length(arr);
	if (n > max_count) {
		cli_error("%s: \"%s\" has %zu entries; at most %zu", path, key, n, max_count);
		return false;
	}
	*out = calloc(n ? n : 1, sizeof(char *));
	if (!*out)
		return cli_error("%s: out of memory", path), false;
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(s, json_type_string) || !c_string(s)) {
			cli_error("%s: \"%s\"[%zu] must be a string without NUL characters", path, key, i);
			return false;
		}
		(*out)[i] = (char *)c_string(s);
		(*count)++;
	}
	return true;
}

/* With ids_from_sysfs, vendor/device/class may be left out: they are marked
 * CLI_ID_UNKNOWN for cli_devices_fill_from_sysfs to fill. */
static bool get_id(struct json_object *d, const char *key, uint64_t max, uint64_t *out, bool optional,
		   const char *path, const char *where)
{
	if (optional && !json_object_object_get_ex(d, key, NULL)) {
		*out = CLI_ID_UNKNOWN;
		return true;
	}
	return get_number(d, key, max, out, path, where);
}

static bool parse_device(struct json_object *d, size_t i, struct lugate_device *out,
			 struct cli_listed_ids *listed, const char *path, bool ids_from_sysfs)
{
	static const char *const keys[] = { "address", "vendor", "device", "class", "schema",
					    "schema_version", "driver", NULL };
	char where[48];
	uint64_t vendor, device, cls, version;
	const char *addr, *schema, *driver;
	bool ok = true;
	int err;

	snprintf(where, sizeof(where), "devices[%zu]", i);
	if (!json_object_is_type(d, json_type_object))
		return cli_error("%s: %s must be an object", path, where), false;
	if (!keys_known(d, keys, path, where))
		return false;
	addr = get_string(d, "address", true, path, where, &ok);
	schema = ok ? get_string(d, "schema", true, path, where, &ok) : NULL;
	driver = ok ? get_string(d, "driver", false, path, where, &ok) : NULL;
	if (!ok || !get_id(d, "vendor", 0xffff, &vendor, ids_from_sysfs, path, where) ||
	    !get_id(d, "device", 0xffff, &device, ids_from_sysfs, path, where) ||
	    !get_id(d, "class", 0xffffff, &cls, ids_from_sysfs, path, where) ||
	    !get_number(d, "schema_version", UINT32_MAX, &version, path, where))
		return false;
	err = lugate_pci_parse(addr, strlen(addr), &out->addr);
	if (err)
		return cli_error("%s: %s: address \"%s\": %s", path, where, CLI_Q(addr), lugate_strerror(err)), false;
	snprintf(where, sizeof(where), "devices[%zu] (%s)", i, addr);
	err = lugate_guid_parse(schema, strlen(schema), &out->schema);
	if (err)
		return cli_error("%s: %s: schema \"%s\": %s", path, where, CLI_Q(schema), lugate_strerror(err)), false;
	if (driver && strlen(driver) > LUGATE_DRIVER_MAX)
		return cli_error("%s: %s: driver name longer than %u characters", path, where, LUGATE_DRIVER_MAX), false;
	/* what the list says, for cli_devices_fill_from_sysfs to compare with sysfs */
	listed->vendor = (uint32_t)vendor;
	listed->device = (uint32_t)device;
	listed->cls = (uint32_t)cls;
	out->vendor_id = (uint16_t)vendor;
	out->device_id = (uint16_t)device;
	/* any unknown ID marks the whole device for filling from sysfs */
	out->class_code = (vendor == CLI_ID_UNKNOWN || device == CLI_ID_UNKNOWN) ? CLI_ID_UNKNOWN : (uint32_t)cls;
	out->schema_version = (uint32_t)version;
	out->driver = driver ? driver : "";
	return true;
}

bool cli_devices_load(const char *path, struct cli_devices *out)
{
	return cli_devices_load_ex(path, out, false);
}

bool cli_devices_load_ex(const char *path, struct cli_devices *out, bool ids_from_sysfs)
{
	uint8_t *text;
	size_t size;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!cli_read_file(path, JSON_MAX_SIZE, &text, &size))
		return false;
	ok = cli_devices_parse((const char *)text, size, CLI_QPATH(path), out, ids_from_sysfs);
	free(text);
	return ok;
}

bool cli_devices_parse(const char *text, size_t size, const char *path, struct cli_devices *out,
		       bool ids_from_sysfs)
{
	static const char *const keys[] = { "release", "compatible", "devices", NULL };
	struct json_object *root, *arr;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	root = json_parse_text(text, size, path);
	if (!root)
		return false;
	out->root = root;
	if (!keys_known(root, keys, path, "top level"))
		return false;
	const char *rel = get_string(root, "release", false, path, "top level", &ok);
	if (!ok)
		return false;
	out->release = rel ? strdup(rel) : NULL;
	if (!get_string_array(root, "compatible", &out->compat, &out->compat_count, LUGATE_TABLE_MAX_COMPAT, path))
		return false;
	if (!not_null(root, "devices", path, "top level"))
		return false;
	if (!json_object_object_get_ex(root, "devices", &arr) || !json_object_is_type(arr, json_type_array))
		return cli_error("%s: \"devices\" must be an array", path), false;
	size_t n = json_object_array_length(arr);
	if (n > LUGATE_TABLE_MAX_DEVICES)
		return cli_error("%s: %zu devices; at most %u", path, n, LUGATE_TABLE_MAX_DEVICES), false;
	out->devices = calloc(n ? n : 1, sizeof(*out->devices));
	out->listed = calloc(n ? n : 1, sizeof(*out->listed));
	if (!out->devices || !out->listed)
		return cli_error("%s: out of memory", path), false;
	for (size_t i = 0; i < n; i++) {
		if (!parse_device(json_object_array_get_idx(arr, i), i, &out->devices[i], &out->listed[i], path,
				  ids_from_sysfs))
			return false;
		out->device_count++;
	}
	return true;
}

void cli_devices_free(struct cli_devices *d)
{
	free(d->release);
	free(d->compat);
	free(d->devices);
	free(d->listed);
	free(d->driver_buf);
	json_object_put(d->root);
	memset(d, 0, sizeof(*d));
}


/* ---- manifests --------------------------------------------------------------------- */

static bool parse_schema(struct json_object *s, size_t i, struct lugate_schema *out, const char *path)
{
	static const char *const keys[] = { "guid", "min_version", "max_version", NULL };
	char where[32];
	uint64_t lo, hi;
	bool ok = true;
	const char *guid;
	int err;

	snprintf(where, sizeof(where), "schemas[%zu]", i);
	if (!json_object_is_type(s, json_type_object))
		return cli_error("%s: %s must be an object", path, where), false;
	if (!keys_known(s, keys, path, where))
		return false;
	guid = get_string(s, "guid", true, path, where, &ok);
	if (!ok || !get_number(s, "min_version", UINT32_MAX, &lo, path, where) ||
	    !get_number(s, "max_version", UINT32_MAX, &hi, path, where))
		return false;
	err = lugate_guid_parse(guid, strlen(guid), &out->guid);
	if (err)
		return cli_error("%s: %s: guid \"%s\": %s", path, where, CLI_Q(guid), lugate_strerror(err)), false;
	if (lo > hi)
		return cli_error("%s: %s: min_version %llu is above max_version %llu", path, where,
				 (unsigned long long)lo, (unsigned long long)hi), false;
	out->min_version = (uint32_t)lo;
	out->max_version = (uint32_t)hi;
	return true;
}

bool cli_manifest_from_json(const char *text, size_t text_size, const char *path, uint8_t **blob, size_t *size)
{
	static const char *const keys[] = { "release", "schemas", "compatible", NULL };
	struct lugate_manifest_spec spec = { 0 };
	struct lugate_schema *schemas = NULL;
	struct json_object *root, *arr;
	char **compat = NULL;
	uint32_t *scratch = NULL;
	uint8_t *buf = NULL;
	size_t needed = 0, n = 0;
	bool ok = true, done = false;
	long len;

	root = json_parse_text(text, text_size, path);
	if (!root)
		return false;
	if (!keys_known(root, keys, path, "top level"))
		goto out;
	spec.release = get_string(root, "release", true, path, "top level", &ok);
	if (!ok)
		goto out;
	if (!not_null(root, "schemas", path, "top level"))
		goto out;
	if (json_object_object_get_ex(root, "schemas", &arr)) {
		if (!json_object_is_type(arr, json_type_array)) {
			cli_error("%s: \"schemas\" must be an array", path);
			goto out;
		}
		n = json_object_array_length(arr);
		if (n > LUGATE_MANIFEST_MAX_SCHEMAS) {
			cli_error("%s: %zu schemas; at most %u", path, n, LUGATE_MANIFEST_MAX_SCHEMAS);
			goto out;
		}
	}
	schemas = calloc(n ? n : 1, sizeof(*schemas));
	scratch = calloc(n ? n : 1, sizeof(*scratch));
	if (!schemas || !scratch) {
		cli_error("%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!parse_schema(json_object_array_get_idx(arr, i), i, &schemas[i], path))
			goto out;
	if (!get_string_array(root, "compatible", &compat, &spec.compat_count, LUGATE_MANIFEST_MAX_COMPAT, path))
		goto out;
	spec.schemas = schemas;
	spec.schema_count = n;
	spec.compat = (const char *const *)compat;
	len = lugate_manifest_build(NULL, 0, &spec, NULL, 0, &needed);
	if (len == LUGATE_ERR_NOSPACE && (buf = malloc(needed)) != NULL)
		len = lugate_manifest_build(buf, needed, &spec, scratch, n, NULL);
	if (len < 0) {
		if (len == LUGATE_ERR_BADRELEASE)
			cli_error("%s: release \"%s\": %s", path, CLI_Q(spec.release), lugate_strerror((int)len));
		else if (len == LUGATE_ERR_DUPLICATE)
			cli_error("%s: a schema GUID or compatible string appears twice", path);
		else
			cli_error("%s: cannot build the manifest: %s", path, lugate_strerror((int)len));
		free(buf);
		goto out;
	}
	*blob = buf;
	*size = (size_t)len;
	done = true;
out:
	free(schemas);
	free(scratch);
	free(compat);
	json_object_put(root);
	return done;
}

bool cli_manifest_load(const char *path, uint8_t **blob, size_t *size)
{
	struct lugate_manifest m;
	uint8_t *data;
	size_t n;
	bool ok;
	int err;

	if (!cli_read_file(path, MANIFEST_MAX_SIZE, &data, &n))
		return false;
	if (n >= 8 && memcmp(data, LUGATE_MANIFEST_MAGIC, 8) == 0) {
		err = lugate_manifest_open(data, n, &m);
		if (err) {
			free(data);
			return cli_error("%s: not a valid binary manifest: %s", CLI_QPATH(path), lugate_strerror(err)), false;
		}
		*blob = data;
		*size = n;
		return true;
	}
	ok = cli_manifest_from_json((const char *)data, n, CLI_QPATH(path), blob, size);
	free(data);
	return ok;
}

struct json_object *cli_manifest_to_json(const struct lugate_manifest *m)
{
	struct json_object *o = json_object_new_object(), *schemas = json_object_new_array();
	struct json_object *compat = json_object_new_array();

	json_object_object_add(o, "release", json_object_new_string(m->release));
	for (uint32_t i = 0; i < m->schema_count; i++) {
		struct lugate_schema s;
		char guid[LUGATE_GUID_TEXT_LEN + 1];
		struct json_object *e = json_object_new_object();
		lugate_manifest_schema(m, i, &s);
		lugate_guid_format(&s.guid, guid);
		json_object_object_add(e, "guid", json_object_new_string(guid));
		json_object_object_add(e, "min_version", json_object_new_int64(s.min_version));
		json_object_object_add(e, "max_version", json_object_new_int64(s.max_version));
		json_object_array_add(schemas, e);
	}
	json_object_object_add(o, "schemas", schemas);
	for (uint32_t i = 0; i < m->compat_count; i++)
		json_object_array_add(compat, json_object_new_string(lugate_manifest_compat(m, i)));
	json_object_object_add(o, "compatible", compat);
	return o;
}
