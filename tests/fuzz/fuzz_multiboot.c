// SPDX-License-Identifier: MIT
/*
 * Fuzz the loader's Multiboot entry (loader/entry/multiboot.c) on the host: the boot
 * information `kexec -l` (or any Multiboot boot loader) hands it, v1 and v2. On bare metal the
 * entry runs on an identity map of the first 4 GiB, and every 32-bit address it is given is
 * readable there; so here the first 4 GiB of "physical memory" are a 4 GiB mapping (zeros,
 * reserved, not allocated) followed by an inaccessible guard, and every address the entry
 * follows goes through loader/entry/phys.h (LUGATE_PHYS_SANDBOX). A read past 4 GiB, which on
 * bare metal is a page fault, is a crash here.
 *
 * Input: byte 0 picks the magic in EAX (Multiboot 1, Multiboot 2, anything else); the rest is
 * physical memory from INFO_PHYS up, where the boot information lies. Properties: the entry
 * stops only for a bad magic; what it hands loader_run is bounded and terminated.
 */
#include <sys/mman.h>
#include "fuzz_loader.h"

#define MB1_BOOT_MAGIC 0x2badb002u
#define MB2_BOOT_MAGIC 0x36d76289u
#define IDENTITY_LIMIT (1ull << 32)   /* the Multiboot entry's identity map: 4 GiB */
#define GUARD_SIZE (1ull << 20)
#define INFO_PHYS 0x10000u            /* where the input's second byte lies */

void loader_multiboot_main(uint32_t magic, uint32_t info_addr);

/* The 4 GiB of memory (mapped once) and the part the last input wrote. */
static uint8_t *mem;
static size_t written;

const void *phys_ptr(uint64_t addr)
{
	FUZZ_ASSERT(addr < IDENTITY_LIMIT);
	return mem + addr;
}

uint64_t phys_addr(const void *p)
{
	const uint8_t *b = p;

	FUZZ_ASSERT(b >= mem && (uint64_t)(b - mem) < IDENTITY_LIMIT);
	return (uint64_t)(b - mem);
}

_Noreturn void loader_run(struct loader_boot_info *info)
{
	FUZZ_ASSERT(strcmp(info->entry, "multiboot1") == 0 || strcmp(info->entry, "multiboot2") == 0);
	FUZZ_ASSERT(fuzz_nul_within(info->cmdline, sizeof(info->cmdline)));
	FUZZ_ASSERT(info->module_count <= LOADER_MAX_MODULES);
	for (uint32_t i = 0; i < info->module_count; i++) {
		FUZZ_ASSERT(fuzz_nul_within(info->modules[i].cmdline, sizeof(info->modules[i].cmdline)));
		FUZZ_ASSERT(info->modules[i].start < IDENTITY_LIMIT && info->modules[i].size < IDENTITY_LIMIT);
	}
	FUZZ_ASSERT(info->mem_count <= LOADER_MAX_MEM);
	for (uint32_t i = 0; i < info->mem_count; i++)
		FUZZ_ASSERT(info->mem[i].size != 0);
	FUZZ_ASSERT(info->reserved_count <= LOADER_MAX_RESERVED);
	FUZZ_ASSERT(info->outgoing_count == 0 && info->scratch_count == 0 && info->setup_data == 0);
	if (fuzz_loader_trace)
		fprintf(stderr, "[loader_run: %s, %u modules, %u memory regions, cmdline \"%s\"]\n", info->entry,
			info->module_count, info->mem_count, info->cmdline);
	longjmp(fuzz_loader_back, 2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_loader_init();
	/* 4 GiB readable (reserved: only the pages an input writes or the entry reads get backed,
	 * by the zero page for reads), then a guard nothing may touch */
	mem = mmap(NULL, IDENTITY_LIMIT + GUARD_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED || mprotect(mem + IDENTITY_LIMIT, GUARD_SIZE, PROT_NONE) != 0) {
		perror("fuzz_multiboot: mmap 4 GiB");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t magics[3] = { MB1_BOOT_MAGIC, MB2_BOOT_MAGIC, 0x1badb002u };
	uint32_t magic;

	if (size < 1 || size - 1 > IDENTITY_LIMIT - INFO_PHYS)
		return 0;
	memset(mem + INFO_PHYS, 0, written);
	memcpy(mem + INFO_PHYS, data + 1, size - 1);
	written = size - 1;
	magic = magics[data[0] % 3];
	if (setjmp(fuzz_loader_back) == 0) {
		loader_multiboot_main(magic, INFO_PHYS);
		FUZZ_ASSERT(!"the entry returned instead of stopping or running the loader");
	}
	return 0;
}
