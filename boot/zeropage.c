// SPDX-License-Identifier: MIT
/* The zero page and the delivery record's setup_data entry; see zeropage.h. */
#include <string.h>
#include "../handoff/bytes.h"
#include "zeropage.h"

#define ZP(field) LUGATE_X86_OFF(field)

const char *zero_page_check(const struct lugate_bzimage *bz, size_t cmdline_len, size_t table_size)
{
	if (bz->cmdline_size && cmdline_len > bz->cmdline_size)
		return "the command line is longer than the kernel's cmdline_size";
	if (table_size > UINT32_MAX - sizeof(struct lugate_delivery_header))
		return "the table is too large for a setup_data entry";
	return NULL;
}

void zero_page_fill(uint8_t *zp, const struct target_info *t, const struct zero_page_fields *f)
{
	memset(zp, 0, ZERO_PAGE_SIZE);
	/* The setup header, exactly as the image has it, from 0x1f1 to its self-declared end
	 * (the core's parse checked that end lies inside the setup sectors). */
	memcpy(zp + ZP(hdr), t->image + ZP(hdr), t->bz.header_end - ZP(hdr));
	zp[ZP(hdr.type_of_loader)] = LUGATE_X86_TYPE_OF_LOADER_UNDEFINED;
	le32_store(zp + ZP(hdr.code32_start), (uint32_t)f->kernel);
	le32_store(zp + ZP(hdr.cmd_line_ptr), (uint32_t)f->cmdline);
	le32_store(zp + ZP(ext_cmd_line_ptr), (uint32_t)(f->cmdline >> 32));
	le32_store(zp + ZP(hdr.ramdisk_image), (uint32_t)f->initrd);
	le32_store(zp + ZP(ext_ramdisk_image), (uint32_t)(f->initrd >> 32));
	le32_store(zp + ZP(hdr.ramdisk_size), (uint32_t)f->initrd_size);
	le32_store(zp + ZP(ext_ramdisk_size), (uint32_t)(f->initrd_size >> 32));
	le64_store(zp + ZP(hdr.setup_data), f->setup_data);
}

size_t setup_data_entry_size(size_t table_size)
{
	return sizeof(struct lugate_x86_setup_data) + sizeof(struct lugate_delivery_header) + table_size;
}

void setup_data_write(void *dst, uint64_t next, const struct lugate_delivery_header *h, const void *table,
		      size_t table_size)
{
	uint8_t *out = dst;
	struct lugate_x86_setup_data sd;

	sd.next = next;
	sd.type = LUGATE_SETUP_DATA_TYPE;
	sd.len = (uint32_t)(sizeof(*h) + table_size);
	memcpy(out, &sd, sizeof(sd));
	memcpy(out + sizeof(sd), h, sizeof(*h));
	if (table_size)
		memcpy(out + sizeof(sd) + sizeof(*h), table, table_size);
}
