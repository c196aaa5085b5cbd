/* SPDX-License-Identifier: MIT */
/* The arm64 loader's machine-level pieces: head.S's routines and the console's base. */
#ifndef LUGATE_LOADER_ARM64_ARM64_H
#define LUGATE_LOADER_ARM64_ARM64_H

#include <stdint.h>

/* head.S */
void a64_cache_clean(uint64_t start, uint64_t size);
_Noreturn void a64_enter_kernel(uint64_t entry, uint64_t dtb);
void a64_psci_call(uint64_t fn, int smc);
_Noreturn void a64_loader_main(const void *fdt, uintptr_t base);
extern char __image_start[], __image_end[];

/* pl011.c: where the log goes from now on (0: nowhere). */
void a64_console_init(uint64_t base);

#endif
