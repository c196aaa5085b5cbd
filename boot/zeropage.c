// SPDX-License-Identifier: MIT
/* The zero page and the delivery record's setup_data entry; see zeropage.h. */
#include <string.h>
#include "zeropage.h"

static void st32(uint8_t *zp, uint32_t off, uint32_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void st64(uint8_t *zp, uint32_t off, uint64_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

const char *zero_page_check(const struct bzimage *bz, size_t cmdline_len, size_t table_size)
{
	if (bz->cmdline_size && cmdline_len > bz->cmdline_size)
		return "the command line is longer than the kernel's cmdline_size";
	if (table_size > UINT32_MAX - sizeof(struct lugate_delivery_header))
		return "the table is too large for a setup_data entry";
	return NULL;
}

void zero_page_fill(uint8_t *zp, const struct bzimage *bz, const struct zero_page_fields *f)
{
	memset(zp, 0, ZERO_PAGE_SIZE);
	/* The setup header, exactly as the image has it, from 0x1f1 to its self-declared end. */
	memcpy(zp + BZ_SETUP_SECTS, bz->file + BZ_SETUP_SECTS, bz->header_end - BZ_SETUP_SECTS);
	zp[BZ_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	st32(zp, ZP_CODE32_START, (uint32_t)f->kernel);
	st32(zp, BZ_CMD_LINE_PTR, (uint32_t)f->cmdline);
	st32(zp, ZP_EXT_CMD_LINE_PTR, (uint32_t)(f->cmdline >> 32));
	st32(zp, BZ_RAMDISK_IMAGE, (uint32_t)f->initrd);
	st32(zp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(f->initrd >> 32));
	st32(zp, BZ_RAMDISK_SIZE, (uint32_t)f->initrd_size);
	st32(zp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(f->initrd_size >> 32));
	st64(zp, BZ_SETUP_DATA, f->setup_data);
}

size_t setup_data_entry_size(size_t table_size)
{
	return sizeof(struct setup_data_header) + sizeof(struct lugate_delivery_header) + table_size;
}

void setup_data_write(void *dst, uint64_t next, const struct lugate_delivery_header *h, const void *table,
		      size_t table_size)
{
	uint8_t *out = dst;
	struct setup_data_header sd;

	sd.next = next;
	sd.type = LUGATE_SETUP_DATA_TYPE;
	sd.len = (uint32_t)(sizeof(*h) + table_size);
	memcpy(out, &sd, sizeof(sd));
	memcpy(out + sizeof(sd), h, sizeof(*h));
	if (table_size)
		memcpy(out + sizeof(sd) + sizeof(*h), table, table_size);
}
