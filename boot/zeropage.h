/* SPDX-License-Identifier: MIT */
/*
 * The x86 boot protocol's zero page (struct boot_params, Documentation/x86/boot.rst) and the
 * delivery record's setup_data entry, written the same way by every front end that boots a
 * bzImage: the bare-metal loader (loader/linux.c, 64-bit entry, its own e820) and the EFI
 * app (efi/, EFI handover entry, the kernel's EFI stub makes the e820 map).
 * Part of boot/, the room the boot front ends share (gate.h says why it is one room).
 */
#ifndef LUGATE_BOOT_ZEROPAGE_H
#define LUGATE_BOOT_ZEROPAGE_H

#include <stddef.h>
#include <stdint.h>
#include <lugate/delivery.h>
#include <lugate/image.h>
#include <lugate/x86_boot.h>
#include "target_inspect.h"

#define ZERO_PAGE_SIZE sizeof(struct lugate_x86_boot_params)

/* Physical addresses the zero page points at; 0 / 0 for no initrd. */
struct zero_page_fields {
	uint64_t kernel;             /* where the protected-mode part was copied */
	uint64_t cmdline;            /* NUL-terminated */
	uint64_t initrd;
	uint64_t initrd_size;
	uint64_t setup_data;         /* head of the setup_data chain */
};

/*
 * Can this image take this command line and a delivery record of this table size? NULL if
 * so, else why not (nothing is written either way).
 */
const char *zero_page_check(const struct lugate_bzimage *bz, size_t cmdline_len, size_t table_size);

/*
 * Fill the zero page (ZERO_PAGE_SIZE bytes) for a bootable target: zeroed, the setup header
 * copied from the image (0x1f1 to its self-declared end), type_of_loader 0xff, and the fields
 * above. The e820 map is left empty: the caller adds one, or the kernel's EFI stub builds it.
 */
void zero_page_fill(uint8_t *zp, const struct target_info *t, const struct zero_page_fields *f);

/* Bytes of the setup_data entry holding the delivery record and the table. */
size_t setup_data_entry_size(size_t table_size);

/*
 * Write the setup_data entry at dst (setup_data_entry_size(table_size) bytes): header (next,
 * type LUGATE_SETUP_DATA_TYPE, len), the delivery record, the table unchanged.
 */
void setup_data_write(void *dst, uint64_t next, const struct lugate_delivery_header *h, const void *table,
		      size_t table_size);

#endif
