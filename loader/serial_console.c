// SPDX-License-Identifier: MIT
/* COM1 serial console with a VGA text mirror; see console.h. */
#include <string.h>
#include "../boot/console.h"
#include "loader.h"
#include "io.h"

const char log_prefix[] = LOG_PREFIX;

#define COM1 0x3f8u
#define UART_THR 0u    /* transmit holding register */
#define UART_IER 1u
#define UART_FCR 2u
#define UART_LCR 3u
#define UART_MCR 4u
#define UART_LSR 5u
#define UART_LSR_THRE 0x20u
#define UART_SPIN_LIMIT 100000u  /* a missing UART must not hang the loader */

#define VGA_TEXT 0xb8000ul
#define VGA_COLS 80u
#define VGA_ROWS 25u
#define VGA_ATTR 0x0700u  /* light grey on black */

/* Console state: the loader is single-threaded and runs once, so file-scope state is fine here. */
static bool vga_enabled;
static unsigned vga_row, vga_col;

static void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);   /* DLAB: divisor follows */
	outb(COM1 + 0, 0x01);          /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);   /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);   /* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);   /* DTR, RTS */
}

static void serial_putc(char c)
{
	for (unsigned i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

static volatile uint16_t *vga_cell(unsigned row, unsigned col)
{
	return (volatile uint16_t *)(VGA_TEXT + 2ul * (row * VGA_COLS + col));
}

static void vga_scroll(void)
{
	for (unsigned r = 1; r < VGA_ROWS; r++)
		for (unsigned c = 0; c < VGA_COLS; c++)
			*vga_cell(r - 1, c) = *vga_cell(r, c);
	for (unsigned c = 0; c < VGA_COLS; c++)
		*vga_cell(VGA_ROWS - 1, c) = VGA_ATTR | ' ';
	vga_row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
	if (c == '\n') {
		vga_col = 0;
		if (++vga_row >= VGA_ROWS)
			vga_scroll();
		return;
	}
	if (vga_col >= VGA_COLS) {
		vga_col = 0;
		if (++vga_row >= VGA_ROWS)
			vga_scroll();
	}
	*vga_cell(vga_row, vga_col++) = (uint16_t)(VGA_ATTR | (uint8_t)c);
}

void console_init(bool vga)
{
	serial_init();
	vga_enabled = vga;
	vga_row = vga_col = 0;
	if (vga)
		for (unsigned r = 0; r < VGA_ROWS; r++)
			for (unsigned c = 0; c < VGA_COLS; c++)
				*vga_cell(r, c) = VGA_ATTR | ' ';
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
		if (vga_enabled)
			vga_putc(s[i]);
	}
}
