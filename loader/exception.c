// SPDX-License-Identifier: MIT
/*
 * CPU exceptions in the loader: a bug or a hostile input that slipped past a check. Report
 * the vector, error code, RIP and CR2, then stop (never reboot into a half-state).
 */
#include <string.h>
#include <lugate/fmt.h>
#include "../boot/log.h"
#include "cpu.h"
#include "loader_stop.h"

#define EXCEPTION_VECTORS 32u
#define STUB_STRIDE 16u

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t zero;
} __attribute__((packed));

struct exception_frame {
	uint64_t vector;
	uint64_t error;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

extern char cpu_exception_stubs[];
void loader_exception(const struct exception_frame *f);

static struct idt_gate idt[EXCEPTION_VECTORS] __attribute__((aligned(16)));

void cpu_install_exception_handlers(void)
{
	for (uint32_t v = 0; v < EXCEPTION_VECTORS; v++) {
		uint64_t target = (uint64_t)(uintptr_t)(cpu_exception_stubs + (size_t)v * STUB_STRIDE);

		idt[v].offset_low = (uint16_t)target;
		idt[v].selector = 0x10;
		idt[v].ist = 0;
		idt[v].type_attr = 0x8e;   /* present, ring 0, 64-bit interrupt gate */
		idt[v].offset_mid = (uint16_t)(target >> 16);
		idt[v].offset_high = (uint32_t)(target >> 32);
		idt[v].zero = 0;
	}
	cpu_load_idt(idt, (uint16_t)(sizeof(idt) - 1));
}

void loader_exception(const struct exception_frame *f)
{
	struct log_line l;
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	log_start(&l);
	lugate_fmt_str(&l.f, "CPU exception ");
	lugate_fmt_udec(&l.f, f->vector);
	lugate_fmt_str(&l.f, " error 0x");
	lugate_fmt_hex(&l.f, f->error, 0);
	lugate_fmt_str(&l.f, " rip 0x");
	lugate_fmt_hex(&l.f, f->rip, 0);
	lugate_fmt_str(&l.f, " cr2 0x");
	lugate_fmt_hex(&l.f, cr2, 0);
	log_emit(&l);
	loader_stop(LOADER_STOP_EXCEPTION, "CPU exception inside the loader");
}
