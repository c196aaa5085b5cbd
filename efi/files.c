// SPDX-License-Identifier: MIT
/*
 * Whole files from the ESP into EfiLoaderData pages (freed by the firmware's memory map at
 * ExitBootServices like every loader allocation: the kernel gets copies, never these).
 */
#include <string.h>
#include "lugate-efi.h"

#define PATH16_MAX 512u
#define READ_CHUNK (4u << 20)        /* some FAT drivers dislike one huge Read() */

static bool path_to_char16(const char *path, CHAR16 *out, size_t out_chars)
{
	size_t n = strlen(path);

	if (n + 1 > out_chars)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = path[i] == '/' ? L'\\' : (CHAR16)(unsigned char)path[i];
	return true;
}

EFI_STATUS efi_file_read(EFI_FILE_HANDLE root, const char *path, struct efi_file *out)
{
	CHAR16 wpath[PATH16_MAX];
	EFI_FILE_HANDLE fh = NULL;
	EFI_FILE_INFO *info;
	EFI_STATUS s;
	uint64_t size;
	size_t done = 0;

	memset(out, 0, sizeof(*out));
	out->path = path;
	if (!path_to_char16(path, wpath, PATH16_MAX))
		return EFI_INVALID_PARAMETER;
	s = uefi_call_wrapper(root->Open, 5, root, &fh, wpath, EFI_FILE_MODE_READ, 0ULL);
	if (EFI_ERROR(s))
		return s;
	info = LibFileInfo(fh);
	if (!info) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_DEVICE_ERROR;
	}
	size = info->FileSize;
	s = (info->Attribute & EFI_FILE_DIRECTORY) ? EFI_NOT_FOUND : EFI_SUCCESS;
	FreePool(info);
	if (!EFI_ERROR(s) && size > EFI_FILE_MAX_SIZE)
		s = EFI_BAD_BUFFER_SIZE;
	if (!EFI_ERROR(s)) {
		out->pages = EFI_SIZE_TO_PAGES(size ? size : 1);
		s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, out->pages, &out->pages_at);
	}
	if (EFI_ERROR(s)) {
		out->pages = 0;
		uefi_call_wrapper(fh->Close, 1, fh);
		return s;
	}
	out->data = (void *)(uintptr_t)out->pages_at;
	while (done < size) {
		UINTN n = size - done > READ_CHUNK ? READ_CHUNK : (UINTN)(size - done);

		s = uefi_call_wrapper(fh->Read, 3, fh, &n, (uint8_t *)out->data + done);
		if (EFI_ERROR(s))
			break;
		if (n == 0) {
			s = EFI_VOLUME_CORRUPTED;   /* shorter than its directory entry says */
			break;
		}
		done += n;
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(s)) {
		efi_file_free(out);
		out->path = path;
		return s;
	}
	out->size = (size_t)size;
	return EFI_SUCCESS;
}

void efi_file_free(struct efi_file *f)
{
	if (f->pages)
		uefi_call_wrapper(BS->FreePages, 2, f->pages_at, f->pages);
	memset(f, 0, sizeof(*f));
}
