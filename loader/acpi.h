/* SPDX-License-Identifier: MIT */
/*
 * Just enough ACPI for the stop path's reset (reset.h): find the RSDP, walk the XSDT (or RSDT)
 * to the FADT, and read its reset register. Every read goes through a map function that says
 * whether [addr, addr + size) may be read (the entry's identity map in the loader, a buffer on
 * the host), and every table is checked (signature, length bounds, checksum) before a field of
 * it is used. Anything odd is a reason string, never a guess: the caller then tries the next
 * reset method.
 */
#ifndef LUGATE_LOADER_ACPI_H
#define LUGATE_LOADER_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Readable physical memory: a pointer to [addr, addr + size), or NULL if it must not be read. */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t addr, uint64_t size);
	void *ctx;
};

enum acpi_space {
	ACPI_SPACE_MEMORY = 0,       /* the Generic Address Structure's space ids */
	ACPI_SPACE_IO = 1,
};

/* The FADT's RESET_REG (an 8-bit register at bit 0) and RESET_VALUE. */
struct acpi_reset {
	enum acpi_space space;
	uint64_t addr;
	uint8_t value;
};

#define ACPI_RSDP_V1_SIZE 20u
#define ACPI_RSDP_V2_SIZE 36u
#define ACPI_SDT_HEADER 36u
#define ACPI_FADT_MIN 129u           /* through RESET_VALUE (offset 128) */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)

/*
 * Find the FADT's reset register. The RSDP is looked for at hint first (the bzImage64 zero
 * page's acpi_rsdp_addr, or a Multiboot2 ACPI tag's copy, whose hint_max bytes may be read;
 * 0: no bound but the map's), then in the first KiB of the EBDA and in 0xE0000-0xFFFFF, on
 * 16-byte boundaries. NULL on success (*out filled, *rsdp where the RSDP was), else why not.
 */
const char *acpi_find_reset(const struct acpi_mem *m, uint64_t hint, uint64_t hint_max, struct acpi_reset *out,
			    uint64_t *rsdp);

#endif
