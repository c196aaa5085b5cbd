/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal loader: what an entry stub hands to the entry-independent code.
 *
 * Each entry format (loader/entry/: multiboot v1/v2 today, bzImage64 for `kexec -s` next)
 * turns whatever its boot protocol gives into one struct loader_boot_info and calls
 * loader_run(). Nothing after that point knows which entry ran.
 */
#ifndef LUGATE_LOADER_H
#define LUGATE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lugate/check.h>
#include "../boot/luo_outgoing.h"
#include "../boot/zeropage.h"

#define LOADER_MAX_MODULES 16u
#define LOADER_MAX_MEM 128u          /* memory-map entries kept (the zero page holds 128 e820 entries) */
#define LOADER_MAX_RESERVED 48u      /* ranges the entry says must never be written */
#define LOADER_MAX_SCRATCH 16u       /* KHO scratch areas kept (the only RAM written when KHO is on) */
/* KHO's root compatible, then what the LUO state read at the jump adds (bzImage64 entry,
 * boot/luo_outgoing.h: LUO's, one per file, one per FLB) */
#define LOADER_MAX_OUTGOING_COMPAT (1u + LUO_OUTGOING_MAX_FORMATS)
#define LOADER_CMDLINE_MAX 4096u
#define LOADER_MODULE_CMDLINE_MAX 256u

/* Memory types: the e820 numbering, which multiboot's memory map shares. */
enum loader_mem_type {
	LOADER_MEM_RAM = 1,
	LOADER_MEM_RESERVED = 2,
	LOADER_MEM_ACPI = 3,
	LOADER_MEM_NVS = 4,
	LOADER_MEM_UNUSABLE = 5,
};

/* A physical range [start, end). */
struct loader_range {
	uint64_t start;
	uint64_t end;
};

struct loader_mem_region {
	uint64_t addr;
	uint64_t size;
	uint32_t type;               /* enum loader_mem_type; anything else is treated as reserved */
};

struct loader_module {
	uint64_t start;              /* physical address of the module's first byte */
	uint64_t size;
	char cmdline[LOADER_MODULE_CMDLINE_MAX];
	bool cmdline_truncated;
};

struct loader_boot_info {
	const char *entry;           /* "multiboot1", "multiboot2", "bzimage64" */
	/* bzImage64 entry: command lines from the bundle (NULL: the loader's own, minus lugate.*) */
	const char *target_cmdline;
	const char *fallback_cmdline;  /* NULL: the target's */
	/* KHO (bzImage64 entry): if scratch_count > 0, the loader writes only inside these areas */
	uint32_t scratch_count;
	struct loader_range scratch[LOADER_MAX_SCRATCH];
	/* formats the outgoing kernel is seen to have preserved state in (the KHO FDT's root
	 * compatible, the serialized LUO state's compatible, every file's handler with its session
	 * and token, every FLB): the check refuses a target that cannot revive them (compat-missing) */
	uint32_t outgoing_count;
	struct lugate_outgoing_format outgoing[LOADER_MAX_OUTGOING_COMPAT];
	/* why the handed-over state the check needs could not be read (a corrupt LUO state): the
	 * decision is a refusal (handover-unreadable) and the fallback boots; NULL if it was read */
	const char *handover_unreadable;
	/* bzImage64 entry: firmware facts of the incoming zero page (ACPI, EFI, Secure Boot),
	 * carried into the one built (boot/zeropage.h) */
	struct zero_page_firmware firmware;
	bool carry_firmware;
	char cmdline[LOADER_CMDLINE_MAX];   /* the loader's own command line, first word included */
	bool cmdline_truncated;
	uint32_t module_count;
	bool modules_dropped;        /* more than LOADER_MAX_MODULES, or a module list past the map */
	struct loader_module modules[LOADER_MAX_MODULES];
	uint32_t mem_count;
	bool mem_dropped;
	struct loader_mem_region mem[LOADER_MAX_MEM];
	uint32_t reserved_count;     /* the loader's own image, the boot information, ... */
	struct loader_range reserved[LOADER_MAX_RESERVED];
	uint64_t setup_data;         /* incoming setup_data chain to forward; 0 if none */
	uint64_t entry_tsc;          /* TSC at the entry's first C code (tsc.h); 0: loader_run reads it */
	/* for a stop's ACPI reset (loader_stop.h, acpi.h): where the entry's identity map ends (0: unknown,
	 * nothing is read), and the RSDP the boot protocol named (the zero page's acpi_rsdp_addr, a
	 * Multiboot2 ACPI tag's copy of rsdp_max bytes; 0: the BIOS area is scanned) */
	uint64_t map_limit;
	uint64_t rsdp;
	uint32_t rsdp_max;           /* 0: as long as the RSDP says, inside the map */
};

/* Start an entry's info: all zero, and the one a stop reads options and the RSDP from. */
void loader_info_init(struct loader_boot_info *info);
/* The info the entry started (NULL before that). */
const struct loader_boot_info *loader_info_current(void);

/* Add a never-write range (the entry's own structures); false if the list is full. */
bool loader_info_reserve(struct loader_boot_info *info, uint64_t start, uint64_t end);
/* Add a memory-map entry (empty ones are skipped; past LOADER_MAX_MEM, mem_dropped is set). */
void loader_info_add_mem(struct loader_boot_info *info, uint64_t addr, uint64_t size, uint32_t type);

/* The entry-independent loader: check, then boot the target or the fallback, or stop. */
_Noreturn void loader_run(struct loader_boot_info *info);

/*
 * serial_console.c: the console the shared log writes to (boot/console.h), COM1 (16550, 115200 8N1)
 * mirrored, unless lugate.vga=0, on the VGA text screen. Every line starts with LOG_PREFIX.
 */
#define LOG_PREFIX "lugate-loader: "
void console_init(bool vga);

/* The loader's own image in memory (linker script symbols). */
extern char __image_start[], __image_end[];

#endif
