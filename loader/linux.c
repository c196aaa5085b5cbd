// SPDX-License-Identifier: MIT
/* The x86 64-bit boot protocol; see linux.h. */
#include <string.h>
#include <lugate/fmt.h>
#include "console.h"
#include "cpu.h"
#include "e820.h"
#include "linux.h"

#define ZERO_PAGE_SIZE 4096u
#define ZP_EXT_RAMDISK_IMAGE 0x0c0u
#define ZP_EXT_RAMDISK_SIZE 0x0c4u
#define ZP_EXT_CMD_LINE_PTR 0x0c8u
#define ZP_E820_ENTRIES 0x1e8u
#define ZP_E820_TABLE 0x2d0u
#define ZP_CODE32_START 0x214u
#define TYPE_OF_LOADER_UNDEFINED 0xffu
#define DEFAULT_MIN_LOAD 0x1000000ull   /* 16 MiB: LOAD_PHYSICAL_ADDR of x86-64 kernels */

struct placement {
	uint64_t kernel, kernel_size;
	uint64_t initrd, initrd_size;
	uint64_t cmdline, cmdline_size;
	uint64_t setup_data, setup_data_size;   /* page-rounded: the range reserved in e820 */
	uint64_t zero_page;
};

static void st32(uint8_t *zp, uint32_t off, uint32_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void st64(uint8_t *zp, uint32_t off, uint64_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static uint64_t page_up(uint64_t v)
{
	return (v + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
}

static void log_range(const char *label, const char *what, uint64_t start, uint64_t size)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, label);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_str(&l.f, what);
	lugate_fmt_str(&l.f, " at [0x");
	lugate_fmt_hex(&l.f, start, 0);
	lugate_fmt_str(&l.f, "-0x");
	lugate_fmt_hex(&l.f, start + size, 0);
	lugate_fmt_str(&l.f, ")");
	log_emit(&l);
}

/*
 * The kernel: relocatable kernels go at the lowest kernel_alignment boundary at or above
 * pref_address (their decompressor would otherwise move itself to LOAD_PHYSICAL_ADDR,
 * i.e. pref_address, regardless), with init_size bytes free; others exactly at pref_address.
 */
static const char *place_kernel(struct mem_allocator *a, const struct bzimage *bz, struct placement *p)
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
	const struct bzimage *bz = &b->image->bz;
	const char *why = place_kernel(a, bz, p);
	uint64_t initrd_max;

	if (why)
		return why;
	if (b->initrd) {
		p->initrd_size = b->initrd->size;
		initrd_max = (uint64_t)bz->initrd_addr_max + 1u;
		if (initrd_max > MEM_CEILING || bz->initrd_addr_max == 0)
			initrd_max = MEM_CEILING;
		if (!mem_alloc(a, page_up(p->initrd_size), MEM_PAGE, MEM_FLOOR, initrd_max, true, &p->initrd))
			return "no free RAM for the initrd below initrd_addr_max";
	}
	p->cmdline_size = cmdline_len + 1;
	if (!mem_alloc(a, p->cmdline_size, 16, MEM_FLOOR, MEM_CEILING, true, &p->cmdline))
		return "no free RAM for the command line";
	p->setup_data_size = page_up(sizeof(struct setup_data_header) + sizeof(struct lugate_delivery_header) +
				     b->table_size);
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
	uint8_t *dst = (uint8_t *)(uintptr_t)p->setup_data;
	struct setup_data_header h;

	memset(dst, 0, (size_t)p->setup_data_size);
	h.next = b->setup_data_in;
	h.type = LUGATE_SETUP_DATA_TYPE;
	h.len = (uint32_t)(sizeof(struct lugate_delivery_header) + b->table_size);
	memcpy(dst, &h, sizeof(h));
	memcpy(dst + sizeof(h), b->delivery, sizeof(*b->delivery));
	if (b->table_size)
		memcpy(dst + sizeof(h) + sizeof(*b->delivery), b->table, b->table_size);
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
	const struct bzimage *bz = &b->image->bz;
	uint8_t *zp = (uint8_t *)(uintptr_t)p->zero_page;
	struct e820_entry e820[E820_MAX_ZEROPAGE];
	struct loader_range carve = { p->setup_data, p->setup_data + p->setup_data_size };
	int n;

	n = e820_build(info->mem, info->mem_count, &carve, 1, e820, E820_MAX_ZEROPAGE);
	if (n <= 0)
		return "the memory map does not fit the zero page's 128 e820 entries";
	memset(zp, 0, ZERO_PAGE_SIZE);
	/* The setup header, exactly as the image has it, from 0x1f1 to its self-declared end. */
	memcpy(zp + BZ_SETUP_SECTS, bz->file + BZ_SETUP_SECTS, bz->header_end - BZ_SETUP_SECTS);
	zp[BZ_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	st32(zp, ZP_CODE32_START, (uint32_t)p->kernel);
	st32(zp, BZ_CMD_LINE_PTR, (uint32_t)p->cmdline);
	st32(zp, ZP_EXT_CMD_LINE_PTR, (uint32_t)(p->cmdline >> 32));
	st32(zp, BZ_RAMDISK_IMAGE, (uint32_t)p->initrd);
	st32(zp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(p->initrd >> 32));
	st32(zp, BZ_RAMDISK_SIZE, (uint32_t)p->initrd_size);
	st32(zp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(p->initrd_size >> 32));
	st64(zp, BZ_SETUP_DATA, p->setup_data);
	zp[ZP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + ZP_E820_TABLE, e820, (size_t)n * sizeof(e820[0]));
	log_e820(e820, n);
	return NULL;
}

const char *linux_boot(struct mem_allocator *a, const struct loader_boot_info *info, const struct linux_boot *b)
{
	const struct bzimage *bz = &b->image->bz;
	size_t cmdline_len = strlen(b->cmdline);
	struct placement p;
	const char *why;

	memset(&p, 0, sizeof(p));
	if (bz->cmdline_size && cmdline_len > bz->cmdline_size)
		return "the command line is longer than the kernel's cmdline_size";
	if (b->table_size > UINT32_MAX - sizeof(struct lugate_delivery_header))
		return "the table is too large for a setup_data entry";
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
	memcpy((void *)(uintptr_t)p.kernel, bz->payload, bz->payload_size);
	if (b->initrd)
		memcpy((void *)(uintptr_t)p.initrd, module_bytes(b->initrd), (size_t)p.initrd_size);
	memcpy((void *)(uintptr_t)p.cmdline, b->cmdline, cmdline_len + 1);
	write_setup_data(b, &p);
	why = build_zero_page(info, b, &p);
	if (why)
		return why;

	log_hex("entering the kernel at ", p.kernel + BZ_ENTRY64_OFFSET);
	/*
	 * POINT OF NO RETURN. Everything above could still fail and fall back (nothing needed
	 * was overwritten). From here the CPU belongs to the kernel that was checked (or to
	 * the fallback after a refusal); a refused image is never reached through this call.
	 */
	cpu_enter_linux(p.kernel + BZ_ENTRY64_OFFSET, p.zero_page);
}
