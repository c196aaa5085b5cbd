// SPDX-License-Identifier: MIT
/*
 * aarch64: booting an arm64 Image through the firmware; see linux_boot.h.
 *
 * An arm64 Image built with the EFI stub (Debian's vmlinuz) is also a PE/COFF EFI application
 * (Documentation/arch/arm64/booting.rst; the "MZ" header in front of the arm64 one), so the
 * firmware places and relocates it itself: LoadImage from the bytes the gate hashed (never
 * read again from the disk), then StartImage. What the kernel's stub reads:
 *   - its command line from the loaded image's LoadOptions (UCS-2), which the app sets;
 *   - its initrd through the LoadFile2 protocol on a handle whose device path is the vendor
 *     media node LINUX_EFI_INITRD_MEDIA_GUID (the stub's documented initrd route since 5.8);
 *   - the delivery record through the EFI configuration table LUGATE_EFI_DELIVERY_GUID, as on
 *     x86; its pages are EfiReservedMemoryType, which the arm64 kernel keeps out of its memory
 *     (nomap) and lists as "reserved" in /proc/iomem.
 * The stub exits boot services and never returns on success; if StartImage returns, everything
 * is undone so the caller can fall back.
 */
#include <string.h>
#include <lugate/fmt.h>
#include "../boot/log.h"
#include "linux_boot.h"

#define PE_MACHINE_ARM64 0xaa64u

#define LINUX_EFI_INITRD_MEDIA_GUID \
	{ 0x5568e427, 0x68fc, 0x4f3d, { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } }
#define EFI_LOAD_FILE2_PROTOCOL_GUID \
	{ 0x4006c0c1, 0xfcb3, 0x403e, { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } }

const enum lugate_image_format efi_linux_format = LUGATE_IMAGE_ARM64;
const char efi_linux_fallback_unbootable[] =
	"refused, and the fallback is not an arm64 Image with the EFI stub";

static EFI_GUID delivery_guid = LUGATE_EFI_DELIVERY_GUID;
static EFI_GUID load_file2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;

/* The initrd's device path: one vendor media node, then the end node. */
struct initrd_path {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed));

/* The LoadFile2 instance the stub calls; the protocol's interface comes first (the stub gets
 * a pointer to it and hands it back as This). */
struct initrd_source {
	EFI_LOAD_FILE_PROTOCOL protocol;
	const struct efi_file *file;
};

static struct initrd_path initrd_device_path = {
	.vendor = {
		.Header = { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP,
			    { (UINT8)sizeof(VENDOR_DEVICE_PATH), (UINT8)(sizeof(VENDOR_DEVICE_PATH) >> 8) } },
		.Guid = LINUX_EFI_INITRD_MEDIA_GUID,
	},
	.end = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE,
		 { (UINT8)sizeof(EFI_DEVICE_PATH), (UINT8)(sizeof(EFI_DEVICE_PATH) >> 8) } },
};

struct launch {
	EFI_HANDLE kernel;               /* from LoadImage; NULL: not loaded */
	EFI_HANDLE initrd_handle;        /* NULL: no initrd protocols installed */
	struct initrd_source initrd;
	CHAR16 *options;                 /* the command line as LoadOptions */
	EFI_PHYSICAL_ADDRESS record;
	UINTN record_pages;              /* 0: not allocated */
	bool table_installed;
};

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

/* The front end's own precondition: the Image is also a PE for arm64 (the EFI stub). */
const char *efi_linux_bootable(const struct target_info *t)
{
	const uint8_t *p = t->image;
	uint32_t pe;

	if (t->image_size < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return "no EFI stub (no \"MZ\" PE header in front of the arm64 Image): the firmware cannot start it";
	pe = le32(p + 0x3c);
	if (pe > t->image_size - 6u || memcmp(p + pe, "PE\0\0", 4) != 0)
		return "the EFI stub's PE header lies outside the image";
	if (le16(p + pe + 4) != PE_MACHINE_ARM64)
		return "the EFI stub is not a PE image for arm64 (machine 0xaa64)";
	return NULL;
}

/* LoadFile2: the whole initrd; a first call without a big enough buffer learns its size. */
static EFI_STATUS EFIAPI initrd_load(EFI_LOAD_FILE_PROTOCOL *this, EFI_DEVICE_PATH *path, BOOLEAN boot_policy,
				     UINTN *size, VOID *buffer)
{
	const struct initrd_source *src = (const struct initrd_source *)this;

	(void)path;
	if (boot_policy)
		return EFI_UNSUPPORTED;
	if (!size)
		return EFI_INVALID_PARAMETER;
	if (!buffer || *size < src->file->size) {
		*size = src->file->size;
		return EFI_BUFFER_TOO_SMALL;
	}
	memcpy(buffer, src->file->data, src->file->size);
	*size = src->file->size;
	return EFI_SUCCESS;
}

static void undo(struct launch *l)
{
	if (l->initrd_handle)
		uefi_call_wrapper(BS->UninstallMultipleProtocolInterfaces, 5, l->initrd_handle,
				  &DevicePathProtocol, &initrd_device_path, &load_file2_guid, &l->initrd.protocol, NULL);
	l->initrd_handle = NULL;
	if (l->table_installed)
		uefi_call_wrapper(BS->InstallConfigurationTable, 2, &delivery_guid, NULL);
	l->table_installed = false;
	if (l->record_pages)
		uefi_call_wrapper(BS->FreePages, 2, l->record, l->record_pages);
	l->record_pages = 0;
	if (l->kernel)
		uefi_call_wrapper(BS->UnloadImage, 1, l->kernel);
	l->kernel = NULL;
	if (l->options)
		FreePool(l->options);
	l->options = NULL;
}

/* The command line as UCS-2 LoadOptions of the loaded kernel, with its NUL. */
static const char *set_options(struct launch *l, const char *cmdline)
{
	EFI_LOADED_IMAGE *li;
	size_t n = strlen(cmdline);

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, l->kernel, &LoadedImageProtocol, (void **)&li)))
		return "the firmware gives no loaded-image protocol for the loaded kernel";
	l->options = AllocatePool((n + 1) * sizeof(CHAR16));
	if (!l->options)
		return "no memory for the kernel's load options";
	for (size_t i = 0; i <= n; i++)
		l->options[i] = (CHAR16)(unsigned char)cmdline[i];
	li->LoadOptions = l->options;
	li->LoadOptionsSize = (UINT32)((n + 1) * sizeof(CHAR16));
	return NULL;
}

/* The record (header, then the table) in reserved pages, published as the configuration table. */
static const char *publish_record(struct launch *l, const struct efi_linux_boot *b)
{
	size_t size = sizeof(*b->delivery) + b->table_size;

	l->record_pages = EFI_SIZE_TO_PAGES(size);
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiReservedMemoryType,
					l->record_pages, &l->record))) {
		l->record_pages = 0;
		return "no free memory for the delivery record";
	}
	memset((void *)(uintptr_t)l->record, 0, l->record_pages * EFI_PAGE_SIZE);
	memcpy((void *)(uintptr_t)l->record, b->delivery, sizeof(*b->delivery));
	if (b->table_size)
		memcpy((uint8_t *)(uintptr_t)l->record + sizeof(*b->delivery), b->table, b->table_size);
	if (EFI_ERROR(uefi_call_wrapper(BS->InstallConfigurationTable, 2, &delivery_guid, (void *)(uintptr_t)l->record)))
		return "cannot install the EFI configuration table of the delivery record";
	l->table_installed = true;
	log_range(b->label, "delivery record (EfiReservedMemoryType, EFI configuration table "
		  LUGATE_EFI_DELIVERY_GUID_TEXT ")", l->record, size);
	return NULL;
}

static const char *serve_initrd(struct launch *l, const struct efi_file *initrd, const char *label)
{
	l->initrd.protocol.LoadFile = initrd_load;
	l->initrd.file = initrd;
	if (EFI_ERROR(uefi_call_wrapper(BS->InstallMultipleProtocolInterfaces, 5, &l->initrd_handle,
					&DevicePathProtocol, &initrd_device_path, &load_file2_guid,
					&l->initrd.protocol, NULL))) {
		l->initrd_handle = NULL;
		return "cannot install the initrd's LoadFile2 protocol (is another initrd already served?)";
	}
	log_range(label, "initrd (served through LoadFile2, LINUX_EFI_INITRD_MEDIA_GUID)",
		  (uint64_t)(uintptr_t)initrd->data, initrd->size);
	return NULL;
}

const char *efi_linux_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, const struct efi_linux_boot *b)
{
	struct launch l;
	const char *why = efi_linux_bootable(b->image);
	EFI_LOADED_IMAGE *li;
	EFI_STATUS s;

	(void)st;
	memset(&l, 0, sizeof(l));
	if (why)
		return why;
	s = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, NULL, (void *)b->image->image,
			      (UINTN)b->image->image_size, &l.kernel);
	if (EFI_ERROR(s)) {
		l.kernel = NULL;
		log_hex("the firmware's LoadImage refused the kernel, status 0x", (uint64_t)s);
		return "the firmware's LoadImage refused the kernel";
	}
	why = set_options(&l, b->cmdline);
	if (!why)
		why = publish_record(&l, b);
	if (!why && b->initrd)
		why = serve_initrd(&l, b->initrd, b->label);
	if (why) {
		undo(&l);
		return why;
	}
	if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, l.kernel, &LoadedImageProtocol, (void **)&li)))
		log_range(b->label, "kernel (placed by LoadImage)", (uint64_t)(uintptr_t)li->ImageBase, li->ImageSize);
	log_str("starting the kernel's EFI stub (StartImage)");
	/*
	 * POINT OF NO RETURN. From here the machine belongs to the kernel that was checked (or to
	 * the fallback after a refusal): its stub exits boot services. It returns only if the stub
	 * failed before that; then the firmware is still in charge and the app takes back what it set up.
	 */
	s = uefi_call_wrapper(BS->StartImage, 3, l.kernel, NULL, NULL);
	log_hex("the kernel's EFI stub returned, status 0x", (uint64_t)s);
	l.kernel = NULL;   /* an application that exits is unloaded by the firmware itself */
	undo(&l);
	return "the kernel's EFI stub returned";
}
