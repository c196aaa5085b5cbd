// SPDX-License-Identifier: MIT
/*
 * The arm64 loader's console (boot/console.h): the PL011 UART whose base the DTB names
 * (dtb_read.h: /chosen stdout-path, else the first "arm,pl011"), left as the firmware or the
 * outgoing kernel configured it; before a base is known, and without one, bytes are dropped.
 */
#include <stdint.h>
#include "../boot/console.h"
#include "arm64.h"

#define PL011_DR 0x00u
#define PL011_FR 0x18u
#define PL011_FR_TXFF (1u << 5)
#define PL011_SPIN_MAX 1000000u

const char log_prefix[] = "lugate-loader: ";

/* The only mutable state outside the main flow: the UART the log goes to. */
static volatile uint32_t *uart;

void a64_console_init(uint64_t base)
{
	uart = (volatile uint32_t *)(uintptr_t)base;
}

static void put(char c)
{
	for (uint32_t spin = 0; (uart[PL011_FR / 4] & PL011_FR_TXFF) && spin < PL011_SPIN_MAX; spin++)
		;
	uart[PL011_DR / 4] = (uint8_t)c;
}

void console_write(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}
