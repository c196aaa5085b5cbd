// SPDX-License-Identifier: MIT
/*
 * Fuzz the loader's bzImage64 entry (loader/entry/bzimage64.c) on the host: what kexec_file
 * hands it, read exactly as on bare metal. The input is physical memory from address 0 up (the
 * entry's identity map ends where the input does), boot_params at BP_PHYS: the setup header, the e820 table, the command line, the
 * setup_data chain (SETUP_E820_EXT, the KHO data with its FDT and scratch array, the IMA log,
 * indirect entries) and the initrd, which is the bundle. The entry is compiled with
 * LUGATE_PHYS_SANDBOX (loader/entry/phys.h), so every physical address it follows comes here
 * and is turned into a pointer into the input, which libFuzzer allocates to the exact size:
 * a read past what the entry's own bounds checks allow is a crash under ASan.
 *
 * The entry either stops with LOADER_STOP_INPUT and a message, or hands loader_run a
 * struct loader_boot_info whose every field keeps its documented bounds (loader_run_check).
 * Nothing past loader_run runs here: the gate is the core's, fuzzed by fuzz_table and the rest.
 */
#include <lugate/bundle.h>
#include "fuzz_loader.h"

/* Where boot_params lies: not at 0, which the entry treats as "none", and with a page of low
 * memory below it that pointers may reach too. */
#define BP_PHYS 0x1000u
#define BP_SIZE 4096u
#define BP_RAMDISK_IMAGE 0x218u
#define BP_RAMDISK_SIZE 0x21cu
#define BP_EXT_RAMDISK_IMAGE 0x0c0u
#define BP_EXT_RAMDISK_SIZE 0x0c4u
#define BP_SETUP_DATA 0x250u
#define KHO_COMPAT_MAX 47u

void loader_bzimage64_main(uint64_t boot_params, uint64_t map_limit);

/* One run's state: the harness calls the entry once per input, single-threaded. */
static const uint8_t *mem;
static size_t mem_size;

/* The sandbox (phys.h): an address the entry follows must lie in the input (its end included,
 * for an empty range); the entry's own checks are what keeps it there. */
const void *phys_ptr(uint64_t addr)
{
	FUZZ_ASSERT(addr <= mem_size);
	return mem + addr;
}

uint64_t phys_addr(const void *p)
{
	const uint8_t *b = p;

	FUZZ_ASSERT(b >= mem && (size_t)(b - mem) <= mem_size);
	return (uint64_t)(b - mem);
}

static uint64_t in64(size_t off)
{
	uint64_t v;

	memcpy(&v, mem + BP_PHYS + off, sizeof(v));
	return v;
}

static uint32_t in32(size_t off)
{
	uint32_t v;

	memcpy(&v, mem + BP_PHYS + off, sizeof(v));
	return v;
}

/* What the entry hands on: bounded counts, terminated strings, modules inside the bundle it
 * was given, a KHO format only with somewhere to write, boot_params kept out of the allocator. */
static void loader_run_check(const struct loader_boot_info *info)
{
	uint64_t initrd = in32(BP_RAMDISK_IMAGE) | ((uint64_t)in32(BP_EXT_RAMDISK_IMAGE) << 32);
	uint64_t initrd_size = in32(BP_RAMDISK_SIZE) | ((uint64_t)in32(BP_EXT_RAMDISK_SIZE) << 32);

	FUZZ_ASSERT(mem_size >= BP_PHYS + BP_SIZE);
	FUZZ_ASSERT(strcmp(info->entry, "bzimage64") == 0);
	FUZZ_ASSERT(fuzz_nul_within(info->cmdline, sizeof(info->cmdline)));
	FUZZ_ASSERT(strncmp(info->cmdline, "bzimage64 ", 10) == 0);
	FUZZ_ASSERT(info->reserved_count >= 1 && info->reserved_count <= LOADER_MAX_RESERVED);
	FUZZ_ASSERT(info->reserved[0].start == BP_PHYS && info->reserved[0].end == BP_PHYS + BP_SIZE);
	FUZZ_ASSERT(info->setup_data == in64(BP_SETUP_DATA));
	FUZZ_ASSERT(info->mem_count <= LOADER_MAX_MEM);
	for (uint32_t i = 0; i < info->mem_count; i++)
		FUZZ_ASSERT(info->mem[i].size != 0);
	FUZZ_ASSERT(info->module_count <= LUGATE_BUNDLE_MAX_ENTRIES);
	for (uint32_t i = 0; i < info->module_count; i++) {
		const struct loader_module *m = &info->modules[i];

		FUZZ_ASSERT(m->start >= initrd && m->size <= initrd_size && m->start - initrd <= initrd_size - m->size);
		FUZZ_ASSERT(fuzz_nul_within(m->cmdline, sizeof(m->cmdline)));
		FUZZ_ASSERT(strncmp(m->cmdline, "bundle:", 7) == 0);
	}
	if (info->target_cmdline)
		FUZZ_ASSERT(strlen(info->target_cmdline) <= LUGATE_BUNDLE_CMDLINE_MAX);
	if (info->fallback_cmdline)
		FUZZ_ASSERT(strlen(info->fallback_cmdline) <= LUGATE_BUNDLE_CMDLINE_MAX);
	/* the KHO root's compatible, then LUO's, each file's handler (with its session and token)
	 * and each FLB's, from the LUO state the KHO FDT refers to */
	FUZZ_ASSERT(info->outgoing_count <= LOADER_MAX_OUTGOING_COMPAT);
	FUZZ_ASSERT((info->outgoing_count >= 1) == (info->scratch_count > 0));
	for (uint32_t k = 0; k < info->outgoing_count; k++) {
		const struct lugate_outgoing_format *o = &info->outgoing[k];
		const char *c = o->compatible;
		size_t len = strlen(c);

		FUZZ_ASSERT(len >= 1 && len <= KHO_COMPAT_MAX);
		for (size_t i = 0; i < len; i++)
			FUZZ_ASSERT(c[i] > ' ' && c[i] <= '~');
		FUZZ_ASSERT(o->layer == (k == 0 ? LUGATE_LAYER_KHO : k == 1 ? LUGATE_LAYER_LUO : o->layer));
		FUZZ_ASSERT(k < 2 || o->layer == LUGATE_LAYER_FILE_HANDLER || o->layer == LUGATE_LAYER_FLB);
		FUZZ_ASSERT((o->layer == LUGATE_LAYER_FILE_HANDLER) == (o->session != NULL));
		FUZZ_ASSERT(o->has_token == (o->session != NULL));
	}
	if (info->handover_unreadable)
		FUZZ_ASSERT(info->outgoing_count <= 2);
	FUZZ_ASSERT(info->scratch_count <= LOADER_MAX_SCRATCH);
	for (uint32_t i = 0; i < info->scratch_count; i++)
		FUZZ_ASSERT(info->scratch[i].end > info->scratch[i].start);
}

_Noreturn void loader_run(struct loader_boot_info *info)
{
	loader_run_check(info);
	if (fuzz_loader_trace)
		fprintf(stderr, "[loader_run: %u modules, %u outgoing formats, %u scratch areas]\n",
			info->module_count, info->outgoing_count, info->scratch_count);
	longjmp(fuzz_loader_back, 2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_loader_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mem = data;
	mem_size = size;
	if (setjmp(fuzz_loader_back) == 0) {
		loader_bzimage64_main(BP_PHYS, size);
		FUZZ_ASSERT(!"the entry returned instead of stopping or running the loader");
	}
	return 0;
}
