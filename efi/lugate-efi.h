/* SPDX-License-Identifier: MIT */
/*
 * lugate.efi: the gate as a UEFI application (docs/test-rig.md, "lugate.efi on a test rig").
 * Shared declarations of the app's files; the rules themselves live in the core (handoff/) and
 * in the boot room it shares with the bare-metal loader (boot/: gate.c, target_inspect.c,
 * zeropage.c, log.c).
 */
#ifndef LUGATE_EFI_H
#define LUGATE_EFI_H

#include <efi.h>
#include <efilib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUGATE_EFI_VERSION "0.1"
#define EFI_LOG_PREFIX "lugate-efi: "

/*
 * The EFI configuration table through which the booted kernel (or anything running before
 * ExitBootServices) finds the delivery record: VendorTable points at the record ("LUGDELIV",
 * include/lugate/delivery.h), which the table follows. The memory is EfiReservedMemoryType, so it is
 * e820 "reserved" for the kernel and is never reused. The same bytes are the data of the
 * setup_data entry (type 0x4c554741) of the boot_params the app hands the kernel.
 *   {17fa1e4e-7e9c-4fb8-8f81-e6cebf615530}
 */
#define LUGATE_EFI_DELIVERY_GUID \
	{ 0x17fa1e4e, 0x7e9c, 0x4fb8, { 0x8f, 0x81, 0xe6, 0xcb, 0xf6, 0x15, 0x53, 0x30 } }
#define LUGATE_EFI_DELIVERY_GUID_TEXT "17fa1e4e-7e9c-4fb8-8f81-e6cebf615530"

/* console.c: the log's console (boot/console.h) on ConOut and, when ConOut does not
 * already reach one, the first serial port. */
void efi_console_init(EFI_SYSTEM_TABLE *st);
const char *efi_console_describe(void);

/* A short English name for an EFI status ("Not Found"), for the log; never NULL. */
const char *efi_status_text(EFI_STATUS s);

/* files.c: whole files from the ESP, in EfiLoaderData pages. */
struct efi_file {
	const char *path;            /* as read (the resolved ESP path) */
	void *data;
	size_t size;
	EFI_PHYSICAL_ADDRESS pages_at;
	UINTN pages;
};

#define EFI_FILE_MAX_SIZE (1ull << 30)   /* 1 GiB: nothing lugate.efi reads is larger */

EFI_STATUS efi_file_read(EFI_FILE_HANDLE root, const char *path, struct efi_file *out);
void efi_file_free(struct efi_file *f);

#endif
