// SPDX-License-Identifier: MIT
/* One table of error names and messages, indexed by -err. */
#include <lugate/error.h>

struct err_entry {
	const char *name;
	const char *message;
};

static const struct err_entry err_table[LUGATE_ERR_MAX + 1] = {
	[0] = { "ok", "success" },
	[-LUGATE_ERR_TRUNCATED] = { "truncated", "input is truncated" },
	[-LUGATE_ERR_BADMAGIC] = { "bad-magic", "wrong magic: not this kind of file" },
	[-LUGATE_ERR_BADVERSION] = { "bad-version", "unsupported format version" },
	[-LUGATE_ERR_BADSIZE] = { "bad-size", "inconsistent or out-of-range size or offset" },
	[-LUGATE_ERR_BADHASH] = { "bad-hash", "integrity digest does not match the content" },
	[-LUGATE_ERR_BADFDT] = { "bad-fdt", "malformed flattened device tree" },
	[-LUGATE_ERR_BADCOMPAT] = { "bad-compatible", "root compatible is not the expected format" },
	[-LUGATE_ERR_BADPROP] = { "bad-property", "missing or malformed property" },
	[-LUGATE_ERR_UNSORTED] = { "unsorted", "entries are not in ascending order" },
	[-LUGATE_ERR_DUPLICATE] = { "duplicate", "duplicate entry" },
	[-LUGATE_ERR_NOSPACE] = { "no-space", "buffer too small" },
	[-LUGATE_ERR_BADRELEASE] = { "bad-release", "kernel release string does not parse" },
	[-LUGATE_ERR_BADGUID] = { "bad-guid", "GUID does not parse (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" },
	[-LUGATE_ERR_BADPOLICY] = { "bad-policy", "policy does not parse" },
	[-LUGATE_ERR_BADADDR] = { "bad-address", "PCI address does not parse (want SSSS:BB:DD.F)" },
	[-LUGATE_ERR_RANGE] = { "out-of-range", "value out of range" },
	[-LUGATE_ERR_TOOMANY] = { "too-many", "too many entries" },
	[-LUGATE_ERR_NOTFOUND] = { "not-found", "not found" },
	[-LUGATE_ERR_BADIMAGE] = { "bad-image", "malformed kernel image" },
	[-LUGATE_ERR_UNKNOWNFMT] = { "unknown-format", "unrecognised kernel image format" },
	[-LUGATE_ERR_EXISTS] = { "exists", "already present" },
	[-LUGATE_ERR_INVAL] = { "invalid-argument", "invalid argument" },
	[-LUGATE_ERR_BADSTRING] = { "bad-string", "string is empty, unterminated, too long or has bad characters" },
	[-LUGATE_ERR_UNSUPPORTED] = { "unsupported", "well-formed but not supported" },
	[-LUGATE_ERR_NONCANONICAL] = { "non-canonical", "not laid out byte for byte as lugate writes it (padding, gaps, header fields, names)" },
	[-LUGATE_ERR_INCONSISTENT] = { "inconsistent", "the input states the same fact twice, differently" },
	[-LUGATE_ERR_UNMAPPED] = { "unmapped", "physical address is null, wraps, or lies outside readable memory" },
	[-LUGATE_ERR_MISALIGNED] = { "misaligned", "address is not aligned as the format requires" },
	[-LUGATE_ERR_LOOP] = { "loop", "linked list loops back on itself or exceeds its length bound" },
};

static const struct err_entry *err_lookup(int err)
{
	if (err > 0 || err < -LUGATE_ERR_MAX || !err_table[-err].name)
		return 0;
	return &err_table[-err];
}

const char *lugate_strerror(int err)
{
	const struct err_entry *e = err_lookup(err);
	return e ? e->message : "unknown error";
}

const char *lugate_errname(int err)
{
	const struct err_entry *e = err_lookup(err);
	return e ? e->name : "unknown";
}
