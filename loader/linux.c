// SPDX-License-Identifier: MIT
/* The x86 64-bit boot protocol; see linux.h. */
#include <string.h>
#include <lugate/fmt.h>
#include "../boot/log.h"
#include "../boot/zeropage.h"
#include "cpu.h"
#include "e820.h"
#include "linux.h"

#define DEFAULT_MIN_LOAD 0x1000000ull   /* 16 MiB: LOAD_PHYSICAL_ADDR of x86-64 kernels */
#define CR4_LA57 (1ull << 12)

/* 5-level paging on? Only the bzImage64 entry can find it so (kexec_file from an LA57 kernel). */
static bool la57_on(void)
{
	uint64_t cr4;

	__asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
	return (cr4 & CR4_LA57) != 0;
}

struct placement {
	uint64_t kernel, kernel_size;
	uint64_t initrd, initrd_size;
	uint64_t cmdline, cmdline_size;
	uint64_t setup_data, setup_data_size;   /* page-rounded: the range reserved in e820 */
	uint64_t zero_page;
};

static uint64_t page_up(uint64_t v)
{
	return (v + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
}

/*
 * The kernel: relocatable kernels go at the lowest kernel_alignment boundary at or above
 * pref_address (their decompressor would otherwise move itself to LOAD_PHYSICAL_ADDR,
 * i.e. pref_address, regardless), with init_size bytes free; others exactly at pref_address.
 */
static const char *place_kernel(struct mem_allocator *a, const struct lugate_bzimage *bz, struct placement *p)
{
	uint64_t size = page_up(bz->init_size);
	uint64_t min = bz->pref_address ? bz->pref_address : DEFAULT_MIN_LOAD;

	p->kernel_size = size;
	if (bz->relocatable) {
		if (!mem_alloc(a, size, bz->kernel_alignment, min, MEM_CEILING, false, &p->kernel))
			return "no free RAM for the kernel's init_size at or above its pref_address";
	} else if (!mem_alloc(a, size, MEM_PAGE, bz->pref_address, bz->pref_address + size, false, &p->kernel)) {
		return "the kernel is not relocatable and its pref_address range is not free RAM";
	}
	return NULL;
}

static const char *place_all(struct mem_allocator *a, const struct linux_boot *b, size_t cmdline_len,
			     struct placement *p)
{
	const struct lugate_bzimage *bz = &b->image->bz;
	const char *why = place_kernel(a, bz, p);
	uint64_t initrd_max;

	if (why)
		return why;
	if (b->initrd) {
		p->initrd_size = b->initrd->size;
		initrd_max = (uint64_t)bz->initrd_addr_max + 1u;
		/* XLF_CAN_BE_LOADED_ABOVE_4G: the ramdisk may lie anywhere (boot.rst); KHO's scratch
		 * below 4 GiB may all lie above initrd_addr_max (2 GiB). */
		if (initrd_max > MEM_CEILING || bz->initrd_addr_max == 0 || (bz->xloadflags & LUGATE_X86_XLF_CAN_BE_LOADED_ABOVE_4G))
			initrd_max = MEM_CEILING;
		if (!mem_alloc(a, page_up(p->initrd_size), MEM_PAGE, MEM_FLOOR, initrd_max, true, &p->initrd))
			return "no free RAM for the initrd below initrd_addr_max";
	}
	p->cmdline_size = cmdline_len + 1;
	if (!mem_alloc(a, p->cmdline_size, 16, MEM_FLOOR, MEM_CEILING, true, &p->cmdline))
		return "no free RAM for the command line";
	p->setup_data_size = page_up(setup_data_entry_size(b->table_size));
	if (!mem_alloc(a, p->setup_data_size, MEM_PAGE, MEM_FLOOR, MEM_CEILING, true, &p->setup_data))
		return "no free RAM for the delivery record";
	if (!mem_alloc(a, ZERO_PAGE_SIZE, MEM_PAGE, MEM_FLOOR, MEM_CEILING, true, &p->zero_page))
		return "no free RAM for the zero page";
	return NULL;
}

/* Defence in depth: the allocator already guarantees this; a bug here must stop, not boot. */
static bool overlaps_module(const struct loader_boot_info *info, uint64_t start, uint64_t size)
{
	for (uint32_t i = 0; i < info->module_count; i++) {
		const struct loader_module *m = &info->modules[i];
		if (start < m->start + m->size && m->start < start + size)
			return true;
	}
	return false;
}

static void write_setup_data(const struct linux_boot *b, const struct placement *p)
{
	memset((void *)(uintptr_t)p->setup_data, 0, (size_t)p->setup_data_size);
	setup_data_write((void *)(uintptr_t)p->setup_data, b->setup_data_in, b->delivery, b->table, b->table_size);
}

static void log_e820(const struct e820_entry *e, int n)
{
	static const char *const names[] = { "?", "usable", "reserved", "ACPI data", "ACPI NVS", "unusable" };

	for (int i = 0; i < n; i++) {
		struct log_line l;

		log_start(&l);
		lugate_fmt_str(&l.f, "e820: [mem 0x");
		lugate_fmt_hex(&l.f, e[i].addr, 16);
		lugate_fmt_str(&l.f, "-0x");
		lugate_fmt_hex(&l.f, e[i].addr + e[i].size - 1, 16);
		lugate_fmt_str(&l.f, "] ");
		lugate_fmt_str(&l.f, e[i].type <= 5 ? names[e[i].type] : "?");
		log_emit(&l);
	}
}

static const char *build_zero_page(const struct loader_boot_info *info, const struct linux_boot *b,
				   const struct placement *p)
{
	uint8_t *zp = (uint8_t *)(uintptr_t)p->zero_page;
	struct e820_entry e820[E820_MAX_ZEROPAGE];
	struct loader_range carve = { p->setup_data, p->setup_data + p->setup_data_size };
	struct zero_page_fields fields = { p->kernel, p->cmdline, p->initrd, p->initrd_size, p->setup_data };
	int n;

	n = e820_build(info->mem, info->mem_count, &carve, 1, e820, E820_MAX_ZEROPAGE);
	if (n <= 0)
		return "the memory map does not fit the zero page's 128 e820 entries";
	zero_page_fill(zp, b->image, &fields);
	if (info->carry_firmware)   /* bzImage64 entry: ACPI, EFI and Secure Boot as the outgoing kernel handed them */
		zero_page_firmware_write(zp, &info->firmware);
	zp[LUGATE_X86_OFF(e820_entries)] = (uint8_t)n;
	memcpy(zp + LUGATE_X86_OFF(e820_table), e820, (size_t)n * sizeof(e820[0]));
	log_e820(e820, n);
	return NULL;
}

const char *linux_boot(struct mem_allocator *a, const struct loader_boot_info *info, const struct linux_boot *b)
{
	const struct lugate_bzimage *bz = &b->image->bz;
	size_t cmdline_len = strlen(b->cmdline);
	struct placement p;
	const char *why;

	memset(&p, 0, sizeof(p));
	if (la57_on() && !(bz->xloadflags & LUGATE_X86_XLF_5LEVEL))
		return "the CPU runs 5-level paging and this kernel cannot be entered so (no XLF_5LEVEL)";
	why = zero_page_check(bz, cmdline_len, b->table_size);
	if (why)
		return why;
	why = place_all(a, b, cmdline_len, &p);
	if (why)
		return why;
	if (overlaps_module(info, p.kernel, p.kernel_size) || overlaps_module(info, p.initrd, p.initrd_size) ||
	    overlaps_module(info, p.cmdline, p.cmdline_size) || overlaps_module(info, p.setup_data, p.setup_data_size) ||
	    overlaps_module(info, p.zero_page, ZERO_PAGE_SIZE))
		return "internal error: a placement overlaps a module";

	log_range(b->label, "kernel (init_size)", p.kernel, p.kernel_size);
	if (b->initrd)
		log_range(b->label, "initrd", p.initrd, p.initrd_size);
	log_range(b->label, "command line", p.cmdline, p.cmdline_size);
	log_range(b->label, "delivery record (setup_data, reserved in e820)", p.setup_data, p.setup_data_size);
	log_range(b->label, "zero page", p.zero_page, ZERO_PAGE_SIZE);

	/* Writing only into the ranges just allocated: free RAM, clear of every module. */
	memcpy((void *)(uintptr_t)p.kernel, b->image->code, (size_t)bz->code_size);
	if (b->initrd)
		memcpy((void *)(uintptr_t)p.initrd, module_bytes(b->initrd), (size_t)p.initrd_size);
	memcpy((void *)(uintptr_t)p.cmdline, b->cmdline, cmdline_len + 1);
	write_setup_data(b, &p);
	why = build_zero_page(info, b, &p);
	if (why)
		return why;

	log_hex("entering the kernel at ", p.kernel + LUGATE_X86_ENTRY64_OFFSET);
	if (b->tsc)
		tsc_finish(b->tsc, TSC_RELOCATE);   /* the last line before the jump */
	/*
	 * POINT OF NO RETURN. Everything above could still fail and fall back (nothing needed
	 * was overwritten). From here the CPU belongs to the kernel that was checked (or to
	 * the fallback after a refusal); a refused image is never reached through this call.
	 */
	cpu_enter_linux(p.kernel + LUGATE_X86_ENTRY64_OFFSET, p.zero_page);
}
