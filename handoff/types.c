// SPDX-License-Identifier: MIT
/* Text forms of GUIDs, PCI addresses and digests. Parsers never read past (text, len). */
#include <lugate/error.h>
#include <lugate/types.h>

int lugate_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char hex_digits[] = "0123456789abcdef";

int lugate_hex_parse(const char *text, size_t len, uint8_t *out, size_t out_size)
{
	if (!text || !out || len != 2 * out_size)
		return LUGATE_ERR_INVAL;
	for (size_t i = 0; i < out_size; i++) {
		int hi = lugate_hex_digit(text[2 * i]), lo = lugate_hex_digit(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return LUGATE_ERR_INVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void lugate_hex_format(const uint8_t *bytes, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hex_digits[bytes[i] >> 4];
		buf[2 * i + 1] = hex_digits[bytes[i] & 15];
	}
	buf[2 * n] = '\0';
}

/* Dash positions of the canonical 8-4-4-4-12 form. */
static int guid_is_dash_position(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int lugate_guid_parse(const char *text, size_t len, struct lugate_guid *out)
{
	size_t nibble = 0;

	if (!text || !out || len != LUGATE_GUID_TEXT_LEN)
		return LUGATE_ERR_BADGUID;
	for (size_t i = 0; i < len; i++) {
		if (guid_is_dash_position(i)) {
			if (text[i] != '-')
				return LUGATE_ERR_BADGUID;
			continue;
		}
		int v = lugate_hex_digit(text[i]);
		if (v < 0)
			return LUGATE_ERR_BADGUID;
		if (nibble % 2 == 0)
			out->b[nibble / 2] = (uint8_t)(v << 4);
		else
			out->b[nibble / 2] |= (uint8_t)v;
		nibble++;
	}
	return 0;
}

void lugate_guid_format(const struct lugate_guid *g, char *buf)
{
	size_t pos = 0;
	for (size_t i = 0; i < LUGATE_GUID_SIZE; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[pos++] = '-';
		buf[pos++] = hex_digits[g->b[i] >> 4];
		buf[pos++] = hex_digits[g->b[i] & 15];
	}
	buf[pos] = '\0';
}

int lugate_guid_cmp(const struct lugate_guid *a, const struct lugate_guid *b)
{
	for (size_t i = 0; i < LUGATE_GUID_SIZE; i++)
		if (a->b[i] != b->b[i])
			return a->b[i] < b->b[i] ? -1 : 1;
	return 0;
}

/* Parse exactly `digits` hex digits at text[*pos], advancing *pos. */
static int parse_hex_field(const char *text, size_t len, size_t *pos, size_t digits, uint32_t *out)
{
	uint32_t v = 0;
	if (len - *pos < digits)
		return LUGATE_ERR_BADADDR;
	for (size_t i = 0; i < digits; i++) {
		int d = lugate_hex_digit(text[*pos + i]);
		if (d < 0)
			return LUGATE_ERR_BADADDR;
		v = v << 4 | (uint32_t)d;
	}
	*pos += digits;
	*out = v;
	return 0;
}

static int expect_char(const char *text, size_t len, size_t *pos, char c)
{
	if (*pos >= len || text[*pos] != c)
		return LUGATE_ERR_BADADDR;
	(*pos)++;
	return 0;
}

int lugate_pci_parse(const char *text, size_t len, lugate_pci_addr *out)
{
	uint32_t seg = 0, bus, dev, fn;
	size_t pos = 0;

	if (!text || !out)
		return LUGATE_ERR_BADADDR;
	if (len == LUGATE_PCI_TEXT_LEN) {
		if (parse_hex_field(text, len, &pos, 4, &seg) || expect_char(text, len, &pos, ':'))
			return LUGATE_ERR_BADADDR;
	} else if (len != LUGATE_PCI_TEXT_LEN - 5) {
		return LUGATE_ERR_BADADDR;
	}
	if (parse_hex_field(text, len, &pos, 2, &bus) || expect_char(text, len, &pos, ':') ||
	    parse_hex_field(text, len, &pos, 2, &dev) || expect_char(text, len, &pos, '.') ||
	    parse_hex_field(text, len, &pos, 1, &fn) || pos != len)
		return LUGATE_ERR_BADADDR;
	if (dev > 0x1f || fn > 7)
		return LUGATE_ERR_BADADDR;
	*out = lugate_pci_make((uint16_t)seg, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
	return 0;
}

void lugate_pci_format(lugate_pci_addr a, char *buf)
{
	static const uint8_t shifts[] = { 28, 24, 20, 16 };
	size_t pos = 0;
	for (size_t i = 0; i < sizeof(shifts); i++)
		buf[pos++] = hex_digits[(a >> shifts[i]) & 15];
	buf[pos++] = ':';
	buf[pos++] = hex_digits[lugate_pci_bus(a) >> 4];
	buf[pos++] = hex_digits[lugate_pci_bus(a) & 15];
	buf[pos++] = ':';
	buf[pos++] = hex_digits[lugate_pci_device(a) >> 4];
	buf[pos++] = hex_digits[lugate_pci_device(a) & 15];
	buf[pos++] = '.';
	buf[pos++] = hex_digits[lugate_pci_function(a)];
	buf[pos] = '\0';
}
