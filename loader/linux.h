/* SPDX-License-Identifier: MIT */
/*
 * Booting a Linux bzImage through the 64-bit boot protocol (Documentation/x86/boot.rst):
 * place the kernel per kernel_alignment / init_size, copy the initrd and the command line,
 * build the zero page (setup header copied from the image, e820 from the boot memory map),
 * deliver the table in a setup_data entry prepended to the incoming chain, and jump.
 */
#ifndef LUGATE_LOADER_LINUX_H
#define LUGATE_LOADER_LINUX_H

#include <lugate/delivery.h>
#include "../boot/target_inspect.h"
#include "memory.h"
#include "modules.h"
#include "tsc.h"

struct linux_boot {
	const char *label;                   /* "target" or "fallback", for the log */
	const struct target_info *image;     /* must be bootable */
	const struct loader_module *initrd;  /* NULL: none */
	const char *cmdline;
	const struct lugate_delivery_header *delivery;
	const void *table;                   /* delivered after the record, unchanged */
	size_t table_size;
	uint64_t setup_data_in;              /* incoming chain, forwarded unchanged */
	struct tsc_split *tsc;               /* the loader's phase times: the tsc line before the jump */
};

/*
 * Boot it. Returns only if it cannot be placed, with the reason; nothing has been entered
 * then and no module has been touched, so the caller may still boot something else.
 */
const char *linux_boot(struct mem_allocator *a, const struct loader_boot_info *info, const struct linux_boot *b);

#endif
