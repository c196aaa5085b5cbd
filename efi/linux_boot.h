/* SPDX-License-Identifier: MIT */
/*
 * Booting the checked Linux kernel from lugate.efi: the one interface efi_main.c calls, with one
 * implementation per architecture, chosen at build time (mk/45-efi.mk, mk/46-efi-aa64.mk):
 *   x86_handover.c  x86-64: the app places the bzImage and builds the boot_params itself (the
 *                   shared zero page, boot/zeropage.c) with the delivery record as a setup_data
 *                   entry, and enters the kernel's EFI handover entry (Documentation/x86/boot.rst,
 *                   "EFI Handover Protocol")
 *   aa64_loadimage.c  aarch64: the arm64 Image is itself a PE/COFF EFI application (the kernel's
 *                   EFI stub); the firmware's LoadImage/StartImage run it, with the command line
 *                   as its LoadOptions and the initrd served through the LoadFile2 protocol
 * On both, the delivery record's pages are EfiReservedMemoryType and published as the EFI
 * configuration table LUGATE_EFI_DELIVERY_GUID, the arch-neutral route (docs/loader.md).
 */
#ifndef LUGATE_EFI_LINUX_BOOT_H
#define LUGATE_EFI_LINUX_BOOT_H

#include <lugate/delivery.h>
#include <lugate/image.h>
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

/* The image format this build boots (target_inspect_as): bzImage or arm64 Image. */
extern const enum lugate_image_format efi_linux_format;

/* The gate's wording when the fallback is not an image efi_linux_bootable accepts. */
extern const char efi_linux_fallback_unbootable[];

/* NULL if this inspected image can be booted by this build's route, else why not. */
const char *efi_linux_bootable(const struct target_info *t);

/*
 * Boot it. Returns only if it cannot be placed or started, with the reason; then everything
 * it allocated is freed and the configuration table removed, so the caller may boot something
 * else. (If the kernel's EFI stub itself fails after taking over, it exits to the firmware.)
 */
const char *efi_linux_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, const struct efi_linux_boot *b);

#endif
