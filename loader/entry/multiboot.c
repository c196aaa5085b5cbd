// SPDX-License-Identifier: MIT
/*
 * Multiboot v1 and v2 boot information -> struct loader_boot_info. Everything is copied
 * into the loader's own memory before anything is allocated, with every count, size and
 * string bounded; the boot information's own ranges are still kept out of the allocator.
 */
#include <string.h>
#include "../../boot/log.h"
#include "../loader.h"
#include "phys.h"
#include "../loader_stop.h"
#include "../tsc.h"

#define MB1_BOOT_MAGIC 0x2badb002u
#define MB2_BOOT_MAGIC 0x36d76289u

#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_SIZE 88u           /* through the fields the loader reads */
#define MB1_MMAP_MAX_BYTES 0x10000u  /* a sane bound on the v1 memory-map array */

#define MB2_TAG_END 0u
#define MB2_TAG_CMDLINE 1u
#define MB2_TAG_MODULE 3u
#define MB2_TAG_MMAP 6u
#define MB2_TAG_ACPI_OLD 14u        /* a copy of the version-1 RSDP */
#define MB2_TAG_ACPI_NEW 15u        /* a copy of the version-2 RSDP */
#define MB2_INFO_MAX 0x100000u      /* 1 MiB: far above any real boot information */
#define MB_IDENTITY_LIMIT 0x100000000ull   /* multiboot.S maps the first 4 GiB: nothing above is read */

void loader_multiboot_main(uint32_t magic, uint32_t info_addr);

static struct loader_boot_info boot_info;

/* Is [addr, addr + size) inside the identity map? A 32-bit address near 4 GiB plus a size read
 * from the boot information can reach past it, where a read is a page fault. */
static bool mapped(uint64_t addr, uint64_t size)
{
	return addr <= MB_IDENTITY_LIMIT && size <= MB_IDENTITY_LIMIT - addr;
}

static _Noreturn void stop_beyond_map(const char *what)
{
	console_init(true);
	log_str(what);
	loader_stop(LOADER_STOP_INPUT, "the Multiboot information lies beyond the 4 GiB identity map");
}

/* Copy a NUL-terminated string of at most max-1 bytes, never past limit (0: the identity map's
 * end). false: cut short (no NUL before max-1 bytes or the limit). */
static bool copy_string(uint64_t addr, uint64_t limit, char *dst, size_t max)
{
	const char *s;
	size_t n = 0;

	dst[0] = '\0';
	if (addr == 0)
		return true;
	if (limit == 0 || limit > MB_IDENTITY_LIMIT)
		limit = MB_IDENTITY_LIMIT;
	if (addr >= limit)
		return false;
	s = phys_ptr(addr);
	while (n + 1 < max && addr + n < limit && s[n])
		n++;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return addr + n < limit && s[n] == '\0';
}

static struct loader_module *add_module(struct loader_boot_info *info, uint64_t start, uint64_t end)
{
	struct loader_module *m;

	if (info->module_count >= LOADER_MAX_MODULES) {
		info->modules_dropped = true;
		return NULL;
	}
	m = &info->modules[info->module_count++];
	m->start = start;
	m->size = end > start ? end - start : 0;
	return m;
}

static void parse_mb1(struct loader_boot_info *info, uint64_t mbi)
{
	uint32_t flags;

	info->entry = "multiboot1";
	if (!mapped(mbi, MB1_INFO_SIZE))
		stop_beyond_map("Multiboot 1: the information structure crosses 4 GiB");
	flags = rd32(mbi);
	loader_info_reserve(info, mbi, mbi + MB1_INFO_SIZE);
	if (flags & MB1_INFO_CMDLINE)
		info->cmdline_truncated = !copy_string(rd32(mbi + 16), 0, info->cmdline, sizeof(info->cmdline));
	if (flags & MB1_INFO_MODS) {
		uint32_t count = rd32(mbi + 20), addr = rd32(mbi + 24);

		loader_info_reserve(info, addr, (uint64_t)addr + 16u * (uint64_t)count);
		for (uint32_t i = 0; i < count; i++) {
			uint64_t e = (uint64_t)addr + (uint64_t)i * 16u;
			struct loader_module *m;

			if (!mapped(e, 16)) {
				info->modules_dropped = true;   /* a refusal (bad-modules), never a guess */
				break;
			}
			m = add_module(info, rd32(e), rd32(e + 4));
			if (!m)
				break;
			m->cmdline_truncated = !copy_string(rd32(e + 8), 0, m->cmdline, sizeof(m->cmdline));
		}
	}
	if (flags & MB1_INFO_MMAP) {
		uint32_t len = rd32(mbi + 44), addr = rd32(mbi + 48);
		uint64_t p = addr, end = (uint64_t)addr + (len < MB1_MMAP_MAX_BYTES ? len : MB1_MMAP_MAX_BYTES);

		loader_info_reserve(info, addr, end);
		if (end > MB_IDENTITY_LIMIT)
			end = MB_IDENTITY_LIMIT;
		/* entry: u32 size (of what follows), u64 base, u64 length, u32 type */
		while (p + 24 <= end) {
			uint32_t size = rd32(p);

			if (size < 20)
				break;
			loader_info_add_mem(info, rd64(p + 4), rd64(p + 12), rd32(p + 20));
			p += (uint64_t)size + 4;
		}
	} else if (flags & MB1_INFO_MEMORY) {
		/* No map: the two classic numbers (KiB below 640 KiB and above 1 MiB). */
		loader_info_add_mem(info, 0, (uint64_t)rd32(mbi + 4) * 1024u, 1);
		loader_info_add_mem(info, 0x100000, (uint64_t)rd32(mbi + 8) * 1024u, 1);
	}
}

static void parse_mb2(struct loader_boot_info *info, uint64_t mbi)
{
	uint32_t total;
	uint64_t p = mbi + 8, end;

	info->entry = "multiboot2";
	if (!mapped(mbi, 16))
		stop_beyond_map("Multiboot 2: the information's header crosses 4 GiB");
	total = rd32(mbi);
	if (total < 16 || total > MB2_INFO_MAX)
		total = 16;   /* hostile size: read nothing but the end */
	if (!mapped(mbi, total))
		stop_beyond_map("Multiboot 2: the information's total size reaches past 4 GiB");
	end = mbi + total;
	loader_info_reserve(info, mbi, end);
	while (p + 8 <= end) {
		uint32_t type = rd32(p), size = rd32(p + 4);

		if (type == MB2_TAG_END || size < 8 || p + size > end)
			break;
		if (type == MB2_TAG_CMDLINE) {
			info->cmdline_truncated = !copy_string(p + 8, p + size, info->cmdline, sizeof(info->cmdline));
		} else if (type == MB2_TAG_MODULE && size >= 16) {
			struct loader_module *m = add_module(info, rd32(p + 8), rd32(p + 12));

			if (m)
				m->cmdline_truncated = !copy_string(p + 16, p + size, m->cmdline, sizeof(m->cmdline));
		} else if (type == MB2_TAG_MMAP && size >= 16) {
			uint32_t esize = rd32(p + 8);

			for (uint64_t e = p + 16; esize >= 24 && e + 24 <= p + size; e += esize)
				loader_info_add_mem(info, rd64(e), rd64(e + 8), rd32(e + 16));
		} else if (type == MB2_TAG_ACPI_NEW || (type == MB2_TAG_ACPI_OLD && info->rsdp == 0)) {
			/* for a stop's ACPI reset: the copy inside the (reserved) information */
			info->rsdp = p + 8;
			info->rsdp_max = size - 8;
		}
		p += ((uint64_t)size + 7u) & ~7ull;
	}
}

void loader_multiboot_main(uint32_t magic, uint32_t info_addr)
{
	uint64_t entry_tsc = tsc_read();    /* loader_split: the loader's own time starts here */
	struct loader_boot_info *info = &boot_info;

	loader_info_init(info);
	info->entry_tsc = entry_tsc;
	info->map_limit = MB_IDENTITY_LIMIT;
	if (magic == MB1_BOOT_MAGIC) {
		parse_mb1(info, info_addr);
	} else if (magic == MB2_BOOT_MAGIC) {
		parse_mb2(info, info_addr);
	} else {
		console_init(true);
		loader_stop(LOADER_STOP_INPUT, "not started by a multiboot boot loader (bad magic in EAX)");
	}
	loader_run(info);
}
