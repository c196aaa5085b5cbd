// SPDX-License-Identifier: MIT
/* Bounded string building without stdio (see lugate/fmt.h). */
#include <lugate/fmt.h>

void lugate_fmt_init(struct lugate_fmt *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	if (size)
		buf[0] = '\0';
}

void lugate_fmt_char(struct lugate_fmt *f, char c)
{
	if (f->size && f->len + 1 < f->size) {
		f->buf[f->len] = c;
		f->buf[f->len + 1] = '\0';
	}
	f->len++;
}

void lugate_fmt_strn(struct lugate_fmt *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		lugate_fmt_char(f, s[i]);
}

void lugate_fmt_str(struct lugate_fmt *f, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		lugate_fmt_char(f, *s++);
}

void lugate_fmt_input(struct lugate_fmt *f, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (!s)
		s = "(null)";
	for (i = 0; i < LUGATE_FMT_INPUT_MAX && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c <= 0x7e && c != '\\') {
			lugate_fmt_char(f, (char)c);
			continue;
		}
		lugate_fmt_char(f, '\\');
		if (c == '\\') {
			lugate_fmt_char(f, '\\');
			continue;
		}
		lugate_fmt_char(f, 'x');
		lugate_fmt_char(f, hex[c >> 4]);
		lugate_fmt_char(f, hex[c & 15]);
	}
	if (s[i])
		lugate_fmt_str(f, "...");
}

void lugate_fmt_udec(struct lugate_fmt *f, uint64_t v)
{
	char digits[20];
	size_t n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		lugate_fmt_char(f, digits[--n]);
}

void lugate_fmt_sdec(struct lugate_fmt *f, int64_t v)
{
	if (v < 0) {
		lugate_fmt_char(f, '-');
		lugate_fmt_udec(f, (uint64_t)0 - (uint64_t)v);
	} else {
		lugate_fmt_udec(f, (uint64_t)v);
	}
}

void lugate_fmt_hex(struct lugate_fmt *f, uint64_t v, unsigned width)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	unsigned n = 0;
	do {
		digits[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	for (unsigned pad = n; pad < width; pad++)
		lugate_fmt_char(f, '0');
	while (n)
		lugate_fmt_char(f, digits[--n]);
}

void lugate_fmt_guid(struct lugate_fmt *f, const struct lugate_guid *g)
{
	char text[LUGATE_GUID_TEXT_LEN + 1];
	lugate_guid_format(g, text);
	lugate_fmt_str(f, text);
}

void lugate_fmt_pci(struct lugate_fmt *f, lugate_pci_addr a)
{
	char text[LUGATE_PCI_TEXT_LEN + 1];
	lugate_pci_format(a, text);
	lugate_fmt_str(f, text);
}
