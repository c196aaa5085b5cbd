// SPDX-License-Identifier: MIT
/*
 * Fuzz a64_dtb_read (loader-arm64/dtb_read.c), the arm64 loader's reading of the DTB it is
 * entered with: memory, reserved ranges, /chosen (bootargs, initrd, KHO, a crash kernel's
 * elfcorehdr and usable-memory-range), the console and PSCI. An answer is a reason, or a
 * reading every later step can trust: at least one memory range and at most the arrays' room,
 * no range that is empty or wraps, the tree inside what may be read, bootargs a string inside
 * the tree.
 */
#include "fuzz.h"
#include "../../loader-arm64/dtb_read.h"

static void range_sane(const struct a64_range *r)
{
	FUZZ_ASSERT(r->size != 0);
	FUZZ_ASSERT(r->addr + r->size > r->addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct a64_dtb_info info;
	const char *why;
	uint8_t *dtb;

	if (size > A64_DTB_MAX)
		return 0;
	/* booting.rst: the DTB is 8-byte aligned; malloc's alignment is at least that */
	dtb = malloc(size ? size : 1);
	if (!dtb)
		abort();
	memcpy(dtb, data, size);
	why = a64_dtb_read(dtb, size, &info);
	if (why) {
		FUZZ_ASSERT(why[0] != '\0');
		free(dtb);
		return 0;
	}
	FUZZ_ASSERT(info.fdt_size <= size);
	FUZZ_ASSERT(info.mem_count >= 1 && info.mem_count <= A64_MAX_MEM);
	FUZZ_ASSERT(info.reserved_count <= A64_MAX_RESERVED);
	for (uint32_t i = 0; i < info.mem_count; i++)
		range_sane(&info.mem[i]);
	for (uint32_t i = 0; i < info.reserved_count; i++)
		range_sane(&info.reserved[i]);
	if (info.has_kho_fdt)
		range_sane(&info.kho_fdt);
	if (info.has_kho_scratch)
		range_sane(&info.kho_scratch);
	if (info.has_elfcorehdr)
		range_sane(&info.elfcorehdr);
	if (info.has_initrd)
		FUZZ_ASSERT(info.initrd.addr + info.initrd.size > info.initrd.addr);
	if (info.bootargs) {
		const uint8_t *b = (const uint8_t *)info.bootargs;

		FUZZ_ASSERT(b >= dtb && b < dtb + info.fdt_size);
		FUZZ_ASSERT(memchr(b, '\0', (size_t)(dtb + info.fdt_size - b)) != NULL);
	}
	free(dtb);
	return 0;
}
