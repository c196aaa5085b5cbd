/* SPDX-License-Identifier: MIT */
/*
 * What the loader's entries need around them on the host (fuzz_boot_params, fuzz_multiboot):
 * the physical-memory sandbox switch of loader/entry/phys.h, a console that checks what the
 * log writes, and a loader_stop that returns to the harness. Included by exactly one file per
 * harness, which supplies phys_ptr, phys_addr and loader_run.
 */
#ifndef LUGATE_FUZZ_LOADER_H
#define LUGATE_FUZZ_LOADER_H

#ifndef LUGATE_PHYS_SANDBOX
#define LUGATE_PHYS_SANDBOX 1   /* phys.h: the harness supplies phys_ptr and the rest */
#endif
#include <setjmp.h>
#include <stdbool.h>
#include "fuzz.h"
#include "../../boot/console.h"
#include "../../boot/log.h"
#include "../../loader/loader.h"
#include "../../loader/loader_stop.h"
#include "../../loader/entry/phys.h"

/* One run's way back from the entry (loader_stop, loader_run), and FUZZ_TRACE=1: the entry's
 * log and outcome on stderr, to read a reproducer's path. Single-threaded, one entry call per
 * input. */
static jmp_buf fuzz_loader_back;
static bool fuzz_loader_trace;

const char log_prefix[] = LOG_PREFIX;

bool phys_la57(void)
{
	return false;
}

void console_init(bool vga)
{
	(void)vga;
}

/* Every piece of a line is short (log.c cuts lines at LOG_LINE_MAX) and free of NULs. */
void console_write(const char *s, size_t n)
{
	FUZZ_ASSERT(n < LOG_LINE_MAX + sizeof(LOG_PREFIX));
	FUZZ_ASSERT(memchr(s, 0, n) == NULL);
	if (fuzz_loader_trace)
		fwrite(s, 1, n, stderr);
}

/* The entries stop only for their own inputs, always with a message. */
_Noreturn void loader_stop(enum loader_stop_code code, const char *why)
{
	FUZZ_ASSERT(code == LOADER_STOP_INPUT);
	FUZZ_ASSERT(why && *why);
	if (fuzz_loader_trace)
		fprintf(stderr, "[stop: %s]\n", why);
	longjmp(fuzz_loader_back, 1);
}

static inline void fuzz_loader_init(void)
{
	const char *t = getenv("FUZZ_TRACE");

	fuzz_loader_trace = t && *t == '1';
}

static inline bool fuzz_nul_within(const char *s, size_t max)
{
	return memchr(s, 0, max) != NULL;
}

#endif
