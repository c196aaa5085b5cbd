/* SPDX-License-Identifier: MIT */
/*
 * Resetting the machine after a stop (lugate.stop=reboot): each method in turn until one
 * works, the order a host's firmware is most likely to honour first:
 *   ACPI     the FADT's reset register (acpi.h), when the FADT announces one in I/O or memory
 *            space; the ACPI specification's own way, and what Linux tries first
 *   CF9      the chipset's reset control port 0xCF9: system reset, then a full (cold) reset
 *   KBC      the keyboard controller's pulse of the CPU reset line (0xFE to port 0x64)
 *   triple   an empty IDT and a breakpoint: the CPU cannot deliver the exception, shuts down,
 *            and the board resets it
 * The sequencing is separate from the hardware (struct reset_hw), so the host unit tests can
 * run it with methods that do nothing and check the order and the fall-through.
 */
#ifndef LUGATE_LOADER_RESET_H
#define LUGATE_LOADER_RESET_H

#include "acpi.h"

enum reset_method {
	RESET_ACPI,
	RESET_CF9,
	RESET_KBC,
	RESET_TRIPLE,
	RESET_METHODS,
};

struct reset_hw {
	/* the ACPI reset register: NULL and *r filled, or why there is none */
	const char *(*find_acpi)(void *ctx, struct acpi_reset *r);
	/* say what is tried (r: the ACPI register) or, skip_why set, why ACPI is skipped */
	void (*announce)(void *ctx, enum reset_method m, const struct acpi_reset *r, const char *skip_why);
	void (*attempt)(void *ctx, enum reset_method m, const struct acpi_reset *r);
	void (*settle)(void *ctx);   /* give an attempt time to take effect */
	void *ctx;
};

/* Where the sequence is: a method that faults re-enters the stop, which continues after it. */
struct reset_state {
	unsigned next;               /* enum reset_method to try next */
	struct acpi_reset acpi;
};

/* Try every method from s->next on; returns only if none reset the machine. */
void reset_sequence(struct reset_state *s, const struct reset_hw *hw);

#endif
