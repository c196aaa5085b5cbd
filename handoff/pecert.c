// SPDX-License-Identifier: MIT
/*
 * A PE image signed after it was stamped: Authenticode signing tools (sbsign, pesign,
 * osslsigncode) append the certificate table at the very end of the file, 8-byte aligned, so a
 * manifest trailer written before signing no longer ends the file: it ends where the zero
 * padding before the certificate table begins. The signature covers the trailer (bytes after
 * the last section are hashed), so stamping first and signing after keeps both.
 */
#include <string.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

#define PE32_MAGIC 0x10b
#define PE32PLUS_MAGIC 0x20b
#define DIR_SECURITY 4u

size_t image_pe_cert_table(const uint8_t *img, size_t size)
{
	uint64_t pe, opt, dirs, count_at, entry;
	uint16_t magic, opt_size;
	uint32_t off, len;

	if (size < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return 0;
	pe = le32_load(img + 0x3c);
	opt = pe + 24;
	if (!range_ok(pe, 24 + 2, size) || memcmp(img + pe, "PE\0\0", 4) != 0)
		return 0;
	opt_size = le16_load(img + pe + 20);
	magic = le16_load(img + opt);
	if (magic == PE32PLUS_MAGIC)
		count_at = 108, dirs = 112;
	else if (magic == PE32_MAGIC)
		count_at = 92, dirs = 96;
	else
		return 0;
	entry = dirs + (uint64_t)DIR_SECURITY * 8;
	/* the entry must exist: inside the optional header, counted, and inside the file */
	if (opt_size < entry + 8 || !range_ok(opt, entry + 8, size) || le32_load(img + opt + count_at) <= DIR_SECURITY)
		return 0;
	off = le32_load(img + opt + entry);
	len = le32_load(img + opt + entry + 4);
	/* a certificate table is quadword aligned and, as signing tools write it, ends the file */
	if (!len || off % 8 || off < 0x40 || (uint64_t)off + len != size)
		return 0;
	return off;
}

int image_find_trailer_signed(const uint8_t *img, size_t size, struct lugate_view *manifest, size_t *trailer_end,
			      bool *found)
{
	size_t table = image_pe_cert_table(img, size);

	*found = false;
	if (!table)
		return 0;
	/* the trailer, then 0..7 zero bytes up to the table's 8-byte aligned offset */
	for (size_t pad = 0; pad < LUGATE_MANIFEST_ALIGN && pad <= table; pad++) {
		int err;

		if (pad && img[table - pad] != 0)
			return 0;
		err = image_find_trailer(img, table - pad, manifest, found);
		if (err || *found) {
			*trailer_end = table - pad;
			return err;
		}
	}
	return 0;
}
