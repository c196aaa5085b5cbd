// SPDX-License-Identifier: MIT
/*
 * The zero page's firmware facts (boot/zeropage.c) on the host: what the bzImage64 loader reads
 * from the zero page kexec_file_load handed it and writes into the one it builds for the next
 * kernel (ACPI's RSDP, efi_info, secure_boot), byte for byte at the offsets of
 * Documentation/arch/x86/zero-page.rst, and nothing else; and the reading of the EFI memory
 * map efi_info describes. Linked with boot/zeropage.c itself (mk/35-boot.mk).
 */
#include <stddef.h>
#include "helpers.h"
#include <lugate/x86_boot.h>
#include "../../boot/zeropage.h"

#define RSDP 0x7fbfe014ull
#define SYSTAB 0x7f9ee018u
#define MEMMAP_LO 0x3e8c1000u
#define MEMMAP_HI 0x1u
#define DESC_SIZE 48u
#define DESCS 37u

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

/* The zero page a 64-bit EFI stub, then kexec_file_load, leaves on an OVMF guest. */
static void efi_zero_page(uint8_t *zp)
{
	memset(zp, 0, ZERO_PAGE_SIZE);
	for (int i = 0; i < 8; i++)
		zp[0x070 + i] = (uint8_t)(RSDP >> (8 * i));
	memcpy(zp + 0x1c0, "EL64", 4);
	put32(zp, 0x1c4, SYSTAB);
	put32(zp, 0x1c8, DESC_SIZE);
	put32(zp, 0x1cc, 1);
	put32(zp, 0x1d0, MEMMAP_LO);
	put32(zp, 0x1d4, DESC_SIZE * DESCS);
	put32(zp, 0x1d8, 0);
	put32(zp, 0x1dc, MEMMAP_HI);
	zp[0x1e8] = 7;                 /* e820_entries: not a firmware fact, never carried */
	zp[0x1ec] = 2;                 /* secure_boot: efi_secureboot_mode_disabled */
}

static void layout(void **state)
{
	(void)state;
	assert_int_equal(LUGATE_X86_OFF(secure_boot), 0x1ec);
	assert_int_equal(LUGATE_X86_SIZE(secure_boot), 1);
	assert_int_equal(LUGATE_X86_OFF(efi_info), 0x1c0);
	assert_int_equal(LUGATE_X86_SIZE(efi_info), 32);
	assert_int_equal(LUGATE_X86_OFF(e820_entries), 0x1e8);
	assert_int_equal(LUGATE_X86_OFF(hdr), 0x1f1);
	assert_int_equal(sizeof(struct lugate_x86_boot_params), 4096);
	assert_int_equal(offsetof(struct lugate_x86_efi_setup_data, tables), 16);
	assert_int_equal(offsetof(struct lugate_x86_efi_setup_data, smbios), 24);
}

/* Read from one zero page, written into a blank one: exactly the firmware bytes, nothing more. */
static void firmware_carried_exactly(void **state)
{
	static uint8_t in[ZERO_PAGE_SIZE], out[ZERO_PAGE_SIZE], expect[ZERO_PAGE_SIZE];
	struct zero_page_firmware fw;
	(void)state;

	efi_zero_page(in);
	zero_page_firmware_read(in, &fw);
	assert_int_equal(fw.acpi_rsdp_addr, RSDP);
	assert_memory_equal(fw.efi_info, "EL64", 4);
	assert_int_equal(fw.secure_boot, 2);
	assert_true(zero_page_is_efi(&fw));

	memset(out, 0, sizeof(out));
	zero_page_firmware_write(out, &fw);
	memset(expect, 0, sizeof(expect));
	memcpy(expect + 0x070, in + 0x070, 8);
	memcpy(expect + 0x1c0, in + 0x1c0, 32);
	expect[0x1ec] = 2;
	assert_memory_equal(out, expect, ZERO_PAGE_SIZE);
	assert_int_equal(get32(out, 0x1dc), MEMMAP_HI);
}

/* A BIOS boot's zero page has no firmware facts: all zero in, all zero out. */
static void bios_carries_zeros(void **state)
{
	static uint8_t in[ZERO_PAGE_SIZE], out[ZERO_PAGE_SIZE], zero[ZERO_PAGE_SIZE];
	struct zero_page_firmware fw;
	struct zero_page_efi_memmap m;
	(void)state;

	memset(in, 0, sizeof(in));
	in[0x1e8] = 3;
	zero_page_firmware_read(in, &fw);
	assert_false(zero_page_is_efi(&fw));
	assert_string_equal(zero_page_efi_memmap(&fw, &m), "no EFI loader filled efi_info (a BIOS boot)");
	memset(out, 0xa5, sizeof(out));
	zero_page_firmware_write(out, &fw);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(out + 0x070, zero, 8);
	assert_memory_equal(out + 0x1c0, zero, 32);
	assert_int_equal(out[0x1ec], 0);
	assert_int_equal(out[0x1eb], 0xa5);   /* its neighbours untouched */
	assert_int_equal(out[0x1ed], 0xa5);
	assert_int_equal(out[0x1e8], 0xa5);
}

static void efi_memmap_read(void **state)
{
	static uint8_t zp[ZERO_PAGE_SIZE];
	struct zero_page_firmware fw;
	struct zero_page_efi_memmap m;
	(void)state;

	efi_zero_page(zp);
	zero_page_firmware_read(zp, &fw);
	assert_null(zero_page_efi_memmap(&fw, &m));
	assert_int_equal(m.addr, ((uint64_t)MEMMAP_HI << 32) | MEMMAP_LO);
	assert_int_equal(m.size, DESC_SIZE * DESCS);
	assert_int_equal(m.desc_size, DESC_SIZE);
	assert_int_equal(m.desc_version, 1);
	assert_int_equal(m.count, DESCS);
}

/* Each way efi_info can name an unusable map, one field spoiled at a time. */
static void efi_memmap_refused(void **state)
{
	static const struct {
		size_t off;
		uint32_t value;
		const char *why;
	} bad[] = {
		{ 0x1d0, 0, NULL },   /* low half zero alone is still a map above 4 GiB */
		{ 0x1d4, 0, "efi_info names no EFI memory map" },
		{ 0x1c8, 0, "efi_info's descriptor size is below an EFI memory descriptor's 40 bytes" },
		{ 0x1c8, 39, "efi_info's descriptor size is below an EFI memory descriptor's 40 bytes" },
		{ 0x1d4, DESC_SIZE * DESCS + 1, "efi_info's EFI memory map is not a whole number of descriptors" },
	};
	static uint8_t zp[ZERO_PAGE_SIZE];
	struct zero_page_firmware fw;
	struct zero_page_efi_memmap m;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		efi_zero_page(zp);
		put32(zp, bad[i].off, bad[i].value);
		zero_page_firmware_read(zp, &fw);
		if (bad[i].why)
			assert_string_equal(zero_page_efi_memmap(&fw, &m), bad[i].why);
		else
			assert_null(zero_page_efi_memmap(&fw, &m));
	}

	efi_zero_page(zp);                 /* no address at all */
	put32(zp, 0x1d0, 0);
	put32(zp, 0x1dc, 0);
	zero_page_firmware_read(zp, &fw);
	assert_string_equal(zero_page_efi_memmap(&fw, &m), "efi_info names no EFI memory map");

	efi_zero_page(zp);                 /* the map's end past 2^64 */
	put32(zp, 0x1d0, 0xffffff00u);
	put32(zp, 0x1dc, 0xffffffffu);
	zero_page_firmware_read(zp, &fw);
	assert_string_equal(zero_page_efi_memmap(&fw, &m), "efi_info's EFI memory map wraps around");
	assert_int_equal(m.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout),
		cmocka_unit_test(firmware_carried_exactly),
		cmocka_unit_test(bios_carries_zeros),
		cmocka_unit_test(efi_memmap_read),
		cmocka_unit_test(efi_memmap_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
