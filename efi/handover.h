/* SPDX-License-Identifier: MIT */
/*
 * Booting Linux from UEFI through the kernel's EFI handover entry (Documentation/x86/boot.rst,
 * "EFI Handover Protocol"): the app places the kernel and builds the boot_params itself (the
 * shared zero page, boot/zeropage.c) with the delivery record as a setup_data entry, and
 * enters the kernel's EFI stub with boot services still up; the stub builds the e820 map from
 * the UEFI memory map, keeps the setup_data chain (it appends its own entries) and exits boot
 * services. The record's pages are EfiReservedMemoryType and also published as an EFI
 * configuration table (LUGATE_EFI_DELIVERY_GUID).
 */
#ifndef LUGATE_EFI_HANDOVER_H
#define LUGATE_EFI_HANDOVER_H

#include <lugate/delivery.h>
#include "../boot/target_inspect.h"
#include "lugate-efi.h"

struct efi_linux_boot {
	const char *label;                   /* "target" or "fallback", for the log */
	const struct target_info *image;     /* must be bootable (efi_linux_bootable) */
	const struct efi_file *initrd;       /* NULL: none */
	const char *cmdline;
	const struct lugate_delivery_header *delivery;
	const void *table;                   /* delivered after the record, unchanged */
	size_t table_size;
};

/* NULL if this bzImage can be entered through the 64-bit EFI handover entry, else why not. */
const char *efi_linux_bootable(const struct lugate_bzimage *bz);

/*
 * Boot it. Returns only if it cannot be placed, with the reason; then everything it
 * allocated is freed and the configuration table removed, so the caller may boot something
 * else. (If the kernel's EFI stub itself fails, it exits to the firmware with its status.)
 */
const char *efi_linux_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, const struct efi_linux_boot *b);

#endif
