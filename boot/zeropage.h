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

#include <stdbool.h>
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

/*
 * The firmware facts of a zero page. On the kexec_file path (the bzImage64 entry) the outgoing
 * kernel's kexec_file_load wrote them into the loader's zero page exactly as it would for the
 * next kernel: ACPI's RSDP, and on a UEFI host efi_info (the system table, and the EFI memory
 * map of the runtime regions, whose virtual addresses the next kernel must map the same way)
 * and secure_boot. The EFI setup_data entry (SETUP_EFI) rides the setup_data chain, which is
 * forwarded as a whole. The loader carries these bytes unchanged into the zero page it builds:
 * without them the next kernel boots as on a BIOS, with no EFI runtime services.
 * efi_info is kept as the bytes found (little-endian), so nothing is reinterpreted on the way.
 */
struct zero_page_firmware {
	uint64_t acpi_rsdp_addr;
	uint8_t efi_info[sizeof(struct lugate_x86_efi_info)];
	uint8_t secure_boot;
};

/* Read the firmware facts from a zero page (ZERO_PAGE_SIZE bytes). */
void zero_page_firmware_read(const uint8_t *zp, struct zero_page_firmware *fw);

/* Write them into a zero page zero_page_fill has filled. */
void zero_page_firmware_write(uint8_t *zp, const struct zero_page_firmware *fw);

/* The EFI memory map efi_info describes. */
struct zero_page_efi_memmap {
	uint64_t addr;
	uint32_t size;
	uint32_t desc_size;
	uint32_t desc_version;
	uint32_t count;              /* size / desc_size */
};

/* Did an EFI loader fill efi_info (a non-zero loader signature, "EL64" from a 64-bit stub)? */
bool zero_page_is_efi(const struct zero_page_firmware *fw);

/*
 * The EFI memory map of an EFI zero page: NULL and *m filled if efi_info describes a usable one
 * (an address, a size that is a whole number of descriptors of at least 40 bytes each); else
 * why not. Nothing here reads the map itself.
 */
const char *zero_page_efi_memmap(const struct zero_page_firmware *fw, struct zero_page_efi_memmap *m);

/* Bytes of the setup_data entry holding the delivery record and the table. */
size_t setup_data_entry_size(size_t table_size);

/*
 * Write the setup_data entry at dst (setup_data_entry_size(table_size) bytes): header (next,
 * type LUGATE_SETUP_DATA_TYPE, len), the delivery record, the table unchanged.
 */
void setup_data_write(void *dst, uint64_t next, const struct lugate_delivery_header *h, const void *table,
		      size_t table_size);

#endif
