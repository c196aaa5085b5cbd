// SPDX-License-Identifier: MIT
/* lugate.efi's configuration file and load options; see config.h. */
#include <string.h>
#include <lugate/fmt.h>
#include "config.h"

static const char *const key_names[CFG_KEY_COUNT] = {
	[CFG_KERNEL] = "kernel",
	[CFG_INITRD] = "initrd",
	[CFG_TABLE] = "table",
	[CFG_FALLBACK] = "fallback",
	[CFG_FALLBACK_INITRD] = "fallback-initrd",
	[CFG_CMDLINE] = "cmdline",
	[CFG_FALLBACK_CMDLINE] = "fallback-cmdline",
	[CFG_CONFIG] = "config",
};

const char *config_key_name(enum config_key k)
{
	return (unsigned)k < CFG_KEY_COUNT ? key_names[k] : "?";
}

bool config_key_is_path(enum config_key k)
{
	return k != CFG_CMDLINE && k != CFG_FALLBACK_CMDLINE && (unsigned)k < CFG_KEY_COUNT;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
}

/* Record a problem: counted; the first one kept as "<where>: <what><detail>". */
static void problem(struct config *c, const char *where, unsigned line, const char *what, const char *detail,
		    size_t detail_len)
{
	struct lugate_fmt f;

	if (c->errors++ > 0)
		return;
	lugate_fmt_init(&f, c->first_error, sizeof(c->first_error));
	lugate_fmt_str(&f, where);
	if (line) {
		lugate_fmt_str(&f, " line ");
		lugate_fmt_udec(&f, line);
	}
	lugate_fmt_str(&f, ": ");
	lugate_fmt_str(&f, what);
	if (detail) {
		lugate_fmt_str(&f, " '");
		lugate_fmt_strn(&f, detail, detail_len > 40 ? 40 : detail_len);
		lugate_fmt_str(&f, "'");
	}
}

static int key_of(const char *k, size_t n)
{
	for (int i = 0; i < CFG_KEY_COUNT; i++)
		if (strlen(key_names[i]) == n && memcmp(key_names[i], k, n) == 0)
			return i;
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Store key=value (value already trimmed and unquoted); 'where' names the source. */
static void store(struct config *c, const char *where, unsigned line, const char *k, size_t kn, const char *v,
		  size_t vn, bool options)
{
	int key = key_of(k, kn);

	if (key < 0 || (key == CFG_CONFIG && !options)) {
		problem(c, where, line, "unknown key", k, kn);
		return;
	}
	if (c->set[key]) {
		problem(c, where, line, "key given twice", k, kn);
		return;
	}
	if (vn >= CONFIG_VALUE_MAX) {
		problem(c, where, line, "value too long for", k, kn);
		return;
	}
	if (vn == 0 && config_key_is_path((enum config_key)key)) {
		problem(c, where, line, "empty path for", k, kn);
		return;
	}
	memcpy(c->value[key], v, vn);
	c->value[key][vn] = '\0';
	c->set[key] = true;
}

static void parse_line(struct config *c, unsigned line, const char *s, size_t n)
{
	const char *eq, *v;
	size_t kn, vn;

	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	if (n == 0 || s[0] == '#')
		return;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t') {
			problem(c, "configuration", line, "control character in line", NULL, 0);
			return;
		}
	}
	eq = memchr(s, '=', n);
	if (!eq) {
		problem(c, "configuration", line, "not key = value:", s, n);
		return;
	}
	kn = (size_t)(eq - s);
	while (kn > 0 && is_blank(s[kn - 1]))
		kn--;
	v = eq + 1;
	vn = n - (size_t)(v - s);
	while (vn > 0 && is_blank(*v)) {
		v++;
		vn--;
	}
	if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
		v++;
		vn -= 2;
	}
	store(c, "configuration", line, s, kn, v, vn, false);
}

void config_parse_file(struct config *c, const char *text, size_t size)
{
	size_t start = 0;
	unsigned line = 1;

	if (size > CONFIG_FILE_MAX) {
		problem(c, "configuration", 0, "file larger than 64 KiB", NULL, 0);
		return;
	}
	if (memchr(text, '\0', size)) {
		problem(c, "configuration", 0, "file contains a NUL byte (not text)", NULL, 0);
		return;
	}
	while (start < size) {
		const char *nl = memchr(text + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - text) : size;

		if (end - start >= CONFIG_VALUE_MAX + 64u)
			problem(c, "configuration", line, "line too long", NULL, 0);
		else
			parse_line(c, line, text + start, end - start);
		start = end + 1;
		line++;
	}
}

void config_parse_options(struct config *c, const char *text)
{
	const char *p = text;
	bool first = true;
	char value[CONFIG_VALUE_MAX];

	for (;;) {
		const char *w, *eq = NULL;
		size_t vn = 0;
		bool quoted = false, too_long = false;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		w = p;
		/* A word: up to a blank outside double quotes; the quotes themselves are dropped. */
		while (*p && (quoted || !is_blank(*p))) {
			if (*p == '"') {
				quoted = !quoted;
			} else if (eq) {
				if (vn + 1 < sizeof(value))
					value[vn++] = *p;
				else
					too_long = true;
			} else if (*p == '=') {
				eq = p;
			}
			p++;
		}
		if (!eq) {
			if (!first)
				problem(c, "load options", 0, "not key=value:", w, (size_t)(p - w));
			first = false;
			continue;
		}
		first = false;
		if (quoted) {
			problem(c, "load options", 0, "unterminated quote in", w, (size_t)(p - w));
			continue;
		}
		if (too_long) {
			problem(c, "load options", 0, "value too long in", w, (size_t)(eq - w));
			continue;
		}
		store(c, "load options", 0, w[0] == '"' ? w + 1 : w, (size_t)(eq - w) - (w[0] == '"'), value, vn, true);
	}
}

bool config_options_text(const uint16_t *opts, size_t bytes, char *out, size_t out_size)
{
	size_t n = bytes / 2, k = 0;

	if (out_size == 0)
		return false;
	out[0] = '\0';
	if (!opts || bytes % 2 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint16_t ch = opts[i];

		if (ch == 0)
			break;
		if ((ch != '\t' && (ch < 0x20 || ch > 0x7e)) || k + 1 >= out_size) {
			out[0] = '\0';
			return false;
		}
		out[k++] = (char)ch;
	}
	out[k] = '\0';
	return true;
}

void config_merge(struct config *out, const struct config *file, const struct config *options)
{
	memcpy(out, file, sizeof(*out));
	for (int k = 0; k < CFG_KEY_COUNT; k++) {
		if (!options->set[k])
			continue;
		memcpy(out->value[k], options->value[k], sizeof(out->value[k]));
		out->set[k] = true;
	}
	out->errors = file->errors + options->errors;
	if (!file->errors)
		memcpy(out->first_error, options->first_error, sizeof(out->first_error));
}

/* Both '/' and '\\' separate folders; the ESP wants '\\'. */
static char separator(char c)
{
	if (c == '/')
		return '\\';
	return c;
}

bool config_resolve_path(const char *config_path, const char *value, char *out, size_t out_size)
{
	size_t dir = 0, k = 0, vn = strlen(value);

	if (value[0] != '\\' && value[0] != '/') {
		/* The folder of the configuration file, with its trailing separator. */
		for (size_t i = 0; config_path[i]; i++)
			if (config_path[i] == '\\' || config_path[i] == '/')
				dir = i + 1;
		if (dir == 0 || config_path[0] == '\0') {
			if (out_size < 2)
				return false;
			out[k++] = '\\';
		}
	}
	if (k + dir + vn + 1 > out_size)
		return false;
	for (size_t i = 0; i < dir; i++)
		out[k++] = separator(config_path[i]);
	for (size_t i = 0; i < vn; i++)
		out[k++] = separator(value[i]);
	out[k] = '\0';
	return true;
}
