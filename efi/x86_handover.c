// SPDX-License-Identifier: MIT
/* x86-64: booting a bzImage through the kernel's EFI handover entry; see linux_boot.h. */
#include <string.h>
#include <lugate/fmt.h>
#include "../boot/log.h"
#include "../boot/zeropage.h"
#include "linux_boot.h"

#define PAGE 4096ull
#define BELOW_4G 0x100000000ull

/* The kernel's EFI stub, called with the SysV ABI (boot.rst: efi_stub_entry(handle, table, bp)). */
typedef void (*handover_entry_fn)(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, void *boot_params)
	__attribute__((sysv_abi));

struct pages {
	EFI_PHYSICAL_ADDRESS at;
	UINTN count;                 /* 0: not allocated */
};

struct placement {
	struct pages kernel, initrd, cmdline, record, zero_page;
	bool table_installed;
};

static EFI_GUID delivery_guid = LUGATE_EFI_DELIVERY_GUID;

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

const enum lugate_image_format efi_linux_format = LUGATE_IMAGE_BZIMAGE;
const char efi_linux_fallback_unbootable[] =
	"refused, and the fallback is not a 64-bit bzImage with the EFI handover entry";

static const char *handover_bootable(const struct lugate_bzimage *bz)
{
	if (!(bz->xloadflags & LUGATE_X86_XLF_EFI_HANDOVER_64) || bz->handover_offset == 0)
		return "no 64-bit EFI handover entry (xloadflags EFI_HANDOVER_64): lugate.efi cannot enter it";
	if ((uint64_t)LUGATE_X86_ENTRY64_OFFSET + bz->handover_offset + 16u > bz->code_size)
		return "the EFI handover entry lies outside the kernel image";
	return NULL;
}

const char *efi_linux_bootable(const struct target_info *t)
{
	return handover_bootable(&t->bz);
}

/* Below 4 GiB if possible (the zero page's 32-bit fields, older stubs), else anywhere. */
static EFI_STATUS alloc_pages(EFI_MEMORY_TYPE type, uint64_t bytes, struct pages *p)
{
	EFI_STATUS s;

	p->count = EFI_SIZE_TO_PAGES(bytes ? bytes : 1);
	p->at = BELOW_4G - 1;
	s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, type, p->count, &p->at);
	if (EFI_ERROR(s))
		s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, type, p->count, &p->at);
	if (EFI_ERROR(s))
		p->count = 0;
	return s;
}

static void free_pages(struct pages *p)
{
	if (p->count)
		uefi_call_wrapper(BS->FreePages, 2, p->at, p->count);
	p->count = 0;
}

/*
 * The kernel's init_size, at a kernel_alignment boundary (relocatable kernels; AllocatePages
 * aligns to pages only, so allocate one alignment more and give back the unaligned ends),
 * or exactly at pref_address (others). EfiLoaderCode: the stub runs from here.
 */
static const char *place_kernel(const struct lugate_bzimage *bz, struct pages *k)
{
	uint64_t size = page_up(bz->init_size), align = bz->kernel_alignment, start;
	struct pages whole;
	UINTN head, tail;

	if (!bz->relocatable) {
		k->count = EFI_SIZE_TO_PAGES(size);
		k->at = bz->pref_address;
		if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderCode, k->count, &k->at))) {
			k->count = 0;
			return "the kernel is not relocatable and its pref_address range is not free";
		}
		return NULL;
	}
	if (EFI_ERROR(alloc_pages(EfiLoaderCode, size + align, &whole)))
		return "no free memory for the kernel's init_size";
	start = (whole.at + align - 1) & ~(align - 1);
	head = EFI_SIZE_TO_PAGES(start - whole.at);
	tail = whole.count - head - EFI_SIZE_TO_PAGES(size);
	if (head)
		uefi_call_wrapper(BS->FreePages, 2, whole.at, head);
	if (tail)
		uefi_call_wrapper(BS->FreePages, 2, start + size, tail);
	k->at = start;
	k->count = EFI_SIZE_TO_PAGES(size);
	return NULL;
}

static void unplace(struct placement *p)
{
	if (p->table_installed)
		uefi_call_wrapper(BS->InstallConfigurationTable, 2, &delivery_guid, NULL);
	p->table_installed = false;
	free_pages(&p->kernel);
	free_pages(&p->initrd);
	free_pages(&p->cmdline);
	free_pages(&p->record);
	free_pages(&p->zero_page);
}

static const char *place_all(const struct efi_linux_boot *b, size_t cmdline_len, struct placement *p)
{
	const struct lugate_bzimage *bz = &b->image->bz;
	const char *why = place_kernel(bz, &p->kernel);

	if (why)
		return why;
	if (b->initrd) {
		uint64_t max = (uint64_t)bz->initrd_addr_max + 1u;

		if (bz->initrd_addr_max == 0 || max > BELOW_4G)
			max = BELOW_4G;
		p->initrd.count = EFI_SIZE_TO_PAGES(b->initrd->size ? b->initrd->size : 1);
		p->initrd.at = max - 1;
		if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
					   p->initrd.count, &p->initrd.at))) {
			p->initrd.count = 0;
			return "no free memory for the initrd below initrd_addr_max";
		}
	}
	if (EFI_ERROR(alloc_pages(EfiLoaderData, cmdline_len + 1, &p->cmdline)))
		return "no free memory for the command line";
	/* Reserved memory: e820 "reserved" for the kernel, never reused, also after kexec. */
	if (EFI_ERROR(alloc_pages(EfiReservedMemoryType, setup_data_entry_size(b->table_size), &p->record)))
		return "no free memory for the delivery record";
	if (EFI_ERROR(alloc_pages(EfiLoaderData, ZERO_PAGE_SIZE, &p->zero_page)))
		return "no free memory for the zero page";
	return NULL;
}

const char *efi_linux_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, const struct efi_linux_boot *b)
{
	const struct lugate_bzimage *bz = &b->image->bz;
	size_t cmdline_len = strlen(b->cmdline);
	struct zero_page_fields fields;
	struct placement p;
	uint64_t record_size = setup_data_entry_size(b->table_size), entry;
	const char *why;
	EFI_STATUS s;

	memset(&p, 0, sizeof(p));
	why = handover_bootable(bz);
	if (!why)
		why = zero_page_check(bz, cmdline_len, b->table_size);
	if (!why)
		why = place_all(b, cmdline_len, &p);
	if (why) {
		unplace(&p);
		return why;
	}

	/* Only into the pages just allocated. */
	uefi_call_wrapper(BS->CopyMem, 3, (void *)(uintptr_t)p.kernel.at, (void *)b->image->code, bz->code_size);
	uefi_call_wrapper(BS->SetMem, 3, (void *)(uintptr_t)(p.kernel.at + bz->code_size),
			  p.kernel.count * PAGE - bz->code_size, 0);
	if (b->initrd)
		uefi_call_wrapper(BS->CopyMem, 3, (void *)(uintptr_t)p.initrd.at, b->initrd->data, b->initrd->size);
	uefi_call_wrapper(BS->CopyMem, 3, (void *)(uintptr_t)p.cmdline.at, (void *)b->cmdline, cmdline_len + 1);
	uefi_call_wrapper(BS->SetMem, 3, (void *)(uintptr_t)p.record.at, p.record.count * PAGE, 0);
	setup_data_write((void *)(uintptr_t)p.record.at, 0, b->delivery, b->table, b->table_size);
	s = uefi_call_wrapper(BS->InstallConfigurationTable, 2, &delivery_guid,
			      (void *)(uintptr_t)(p.record.at + sizeof(struct lugate_x86_setup_data)));
	if (EFI_ERROR(s)) {
		unplace(&p);
		return "cannot install the EFI configuration table of the delivery record";
	}
	p.table_installed = true;
	fields.kernel = p.kernel.at;
	fields.cmdline = p.cmdline.at;
	fields.initrd = b->initrd ? p.initrd.at : 0;
	fields.initrd_size = b->initrd ? b->initrd->size : 0;
	fields.setup_data = p.record.at;
	zero_page_fill((uint8_t *)(uintptr_t)p.zero_page.at, b->image, &fields);

	log_range(b->label, "kernel (init_size)", p.kernel.at, p.kernel.count * PAGE);
	if (b->initrd)
		log_range(b->label, "initrd", p.initrd.at, b->initrd->size);
	log_range(b->label, "command line", p.cmdline.at, cmdline_len + 1);
	log_range(b->label, "delivery record (setup_data in EfiReservedMemoryType, EFI configuration table "
		  LUGATE_EFI_DELIVERY_GUID_TEXT ")", p.record.at, record_size);
	log_range(b->label, "boot_params (zero page)", p.zero_page.at, ZERO_PAGE_SIZE);
	entry = p.kernel.at + LUGATE_X86_ENTRY64_OFFSET + bz->handover_offset;
	log_hex("entering the kernel's EFI handover entry at ", entry);
	/*
	 * POINT OF NO RETURN. From here the machine belongs to the kernel that was checked (or
	 * to the fallback after a refusal). Its EFI stub exits boot services; if the stub fails
	 * before that, it calls Exit() on this image, which returns to the firmware.
	 */
	((handover_entry_fn)(uintptr_t)entry)(image, st, (void *)(uintptr_t)p.zero_page.at);
	unplace(&p);
	return "the kernel's EFI handover entry returned";
}
