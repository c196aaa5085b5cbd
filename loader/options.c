// SPDX-License-Identifier: MIT
/* Splitting the loader's command line; see options.h. */
#include <string.h>
#include "options.h"

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

bool cmdline_parse_stop(const char *v, size_t n, struct stop_policy *out)
{
	uint32_t seconds = 0;

	if (word_is(v, n, "halt")) {
		out->reboot = false;
		out->seconds = 0;
		return true;
	}
	if (word_is(v, n, "reboot")) {
		out->reboot = true;
		out->seconds = STOP_DEFAULT_SECONDS;
		return true;
	}
	if (n <= 7 || memcmp(v, "reboot:", 7) != 0)
		return false;
	for (size_t i = 7; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		seconds = seconds * 10u + (uint32_t)(v[i] - '0');
		if (seconds > STOP_MAX_SECONDS)   /* checked at every digit: no overflow */
			return false;
	}
	out->reboot = true;
	out->seconds = seconds;
	return true;
}

static void keep_word(char *dst, size_t size, const char *w, size_t n)
{
	size_t k = n < size - 1 ? n : size - 1;

	memcpy(dst, w, k);
	dst[k] = '\0';
}

static void take_option(const char *w, size_t n, struct loader_options *opt)
{
	static const char stop[] = "lugate.stop=";

	if (n >= sizeof(stop) - 1 && memcmp(w, stop, sizeof(stop) - 1) == 0) {
		if (cmdline_parse_stop(w + sizeof(stop) - 1, n - (sizeof(stop) - 1), &opt->stop)) {
			opt->stop_given = true;
			opt->stop_bad = false;
		} else {   /* the default, not an earlier value: the last word is what was meant */
			opt->stop_given = false;
			opt->stop_bad = true;
			keep_word(opt->bad_stop, sizeof(opt->bad_stop), w, n);
		}
	} else if (word_is(w, n, "lugate.debug_exit=1")) {
		opt->debug_exit = true;
	} else if (word_is(w, n, "lugate.debug_exit=0")) {
		opt->debug_exit = false;
	} else if (word_is(w, n, "lugate.luo_dump=1")) {
		opt->luo_dump = true;
	} else if (word_is(w, n, "lugate.luo_dump=0")) {
		opt->luo_dump = false;
	} else if (word_is(w, n, "lugate.vga=0")) {
		opt->vga = false;
	} else if (word_is(w, n, "lugate.vga=1")) {
		opt->vga = true;
	} else {
		if (opt->unknown++ == 0)
			keep_word(opt->first_unknown, sizeof(opt->first_unknown), w, n);
	}
}

bool cmdline_split(const char *in, char *out, size_t out_size, struct loader_options *opt)
{
	size_t used = 0;
	bool first = true, fits = true;

	if (out && out_size == 0)
		return false;
	if (out)
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
		} else if (!out) {
			/* options only */
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
