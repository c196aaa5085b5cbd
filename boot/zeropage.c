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

void zero_page_firmware_read(const uint8_t *zp, struct zero_page_firmware *fw)
{
	fw->acpi_rsdp_addr = le64_load(zp + ZP(acpi_rsdp_addr));
	memcpy(fw->efi_info, zp + ZP(efi_info), sizeof(fw->efi_info));
	fw->secure_boot = zp[ZP(secure_boot)];
}

void zero_page_firmware_write(uint8_t *zp, const struct zero_page_firmware *fw)
{
	le64_store(zp + ZP(acpi_rsdp_addr), fw->acpi_rsdp_addr);
	memcpy(zp + ZP(efi_info), fw->efi_info, sizeof(fw->efi_info));
	zp[ZP(secure_boot)] = fw->secure_boot;
}

/* An efi_info field, at its offset inside efi_info. */
#define EFI_INFO(fw, field) le32_load((fw)->efi_info + offsetof(struct lugate_x86_efi_info, field))

bool zero_page_is_efi(const struct zero_page_firmware *fw)
{
	return EFI_INFO(fw, loader_signature) != 0;
}

const char *zero_page_efi_memmap(const struct zero_page_firmware *fw, struct zero_page_efi_memmap *m)
{
	if (!zero_page_is_efi(fw))
		return "no EFI loader filled efi_info (a BIOS boot)";
	m->addr = EFI_INFO(fw, memmap) | ((uint64_t)EFI_INFO(fw, memmap_hi) << 32);
	m->size = EFI_INFO(fw, memmap_size);
	m->desc_size = EFI_INFO(fw, memdesc_size);
	m->desc_version = EFI_INFO(fw, memdesc_version);
	m->count = 0;
	if (m->addr == 0 || m->size == 0)
		return "efi_info names no EFI memory map";
	if (m->desc_size < LUGATE_X86_EFI_MEMDESC_MIN)
		return "efi_info's descriptor size is below an EFI memory descriptor's 40 bytes";
	if (m->size % m->desc_size)
		return "efi_info's EFI memory map is not a whole number of descriptors";
	if (m->addr + m->size < m->addr)
		return "efi_info's EFI memory map wraps around";
	m->count = m->size / m->desc_size;
	return NULL;
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
