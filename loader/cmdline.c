// SPDX-License-Identifier: MIT
/* Splitting the loader's command line; see cmdline.h. */
#include <string.h>
#include "cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the word at s: up to the next space outside double quotes. */
static size_t word_len(const char *s)
{
	bool quoted = false;
	size_t n = 0;

	for (; s[n] && (quoted || !is_space(s[n])); n++)
		if (s[n] == '"')
			quoted = !quoted;
	return n;
}

static bool word_is(const char *w, size_t n, const char *text)
{
	return strlen(text) == n && memcmp(w, text, n) == 0;
}

static void take_option(const char *w, size_t n, struct loader_options *opt)
{
	if (word_is(w, n, "lugate.debug_exit=1")) {
		opt->debug_exit = true;
	} else if (word_is(w, n, "lugate.debug_exit=0")) {
		opt->debug_exit = false;
	} else if (word_is(w, n, "lugate.vga=0")) {
		opt->vga = false;
	} else if (word_is(w, n, "lugate.vga=1")) {
		opt->vga = true;
	} else {
		if (opt->unknown++ == 0) {
			size_t k = n < sizeof(opt->first_unknown) - 1 ? n : sizeof(opt->first_unknown) - 1;
			memcpy(opt->first_unknown, w, k);
			opt->first_unknown[k] = '\0';
		}
	}
}

bool cmdline_split(const char *in, char *out, size_t out_size, struct loader_options *opt)
{
	size_t used = 0;
	bool first = true, fits = true;

	if (out_size == 0)
		return false;
	out[0] = '\0';
	while (*in) {
		size_t n;

		while (is_space(*in))
			in++;
		if (!*in)
			break;
		n = word_len(in);
		if (first) {
			first = false;            /* the loader's own path */
		} else if (n > 7 && memcmp(in, "lugate.", 7) == 0) {
			take_option(in, n, opt);
		} else if (used + (used ? 1 : 0) + n + 1 <= out_size) {
			if (used)
				out[used++] = ' ';
			memcpy(out + used, in, n);
			used += n;
			out[used] = '\0';
		} else {
			fits = false;
		}
		in += n;
	}
	return fits;
}
