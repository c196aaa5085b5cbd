/* SPDX-License-Identifier: MIT */
/* CPU set-up shared by every entry (cpu.S, exception.c). */
#ifndef LUGATE_LOADER_CPU_H
#define LUGATE_LOADER_CPU_H

#include <stdint.h>

void cpu_load_gdt(void);
void cpu_load_idt(const void *idt, uint16_t limit);
/* Install exception handlers that report and stop (exception.c). */
void cpu_install_exception_handlers(void);
_Noreturn void cpu_enter_linux(uint64_t entry, uint64_t boot_params);

#endif
