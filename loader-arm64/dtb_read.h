/* SPDX-License-Identifier: MIT */
/*
 * What the arm64 loader reads from the DTB it is entered with (x0), with libfdt and bounds
 * checks, before it writes anything: the memory (capped to /chosen linux,usable-memory-range
 * in a crash kernel's DTB), what must not be written over (/memreserve/, /reserved-memory,
 * linux,elfcorehdr, the DTB itself, the initrd = the bundle, KHO's FDT and scratch array), the
 * /chosen properties (bootargs, initrd, KHO), the PL011 UART to log on, and the PSCI conduit
 * to power off with. Portable C: the host unit test (tests/unit/test_loader_arm64.c) runs it on
 * DTBs built with libfdt.
 */
#ifndef LUGATE_LOADER_ARM64_DTB_READ_H
#define LUGATE_LOADER_ARM64_DTB_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* booting.rst: "the dtb ... must not exceed 2 megabytes in size". */
#define A64_DTB_MAX 0x200000u
#define A64_MAX_MEM 16u
#define A64_MAX_RESERVED 32u

struct a64_range {
	uint64_t addr, size;
};

enum a64_psci { A64_PSCI_NONE, A64_PSCI_HVC, A64_PSCI_SMC };

struct a64_dtb_info {
	uint32_t fdt_size;                        /* totalsize, checked against A64_DTB_MAX */
	struct a64_range mem[A64_MAX_MEM];        /* device_type = "memory" nodes' reg */
	uint32_t mem_count;
	bool mem_dropped;                         /* more ranges than mem[] holds */
	struct a64_range reserved[A64_MAX_RESERVED]; /* /memreserve/ and /reserved-memory reg */
	uint32_t reserved_count;
	bool reserved_dropped;
	const char *bootargs;                     /* /chosen bootargs, NUL-terminated inside the DTB; NULL if none */
	bool has_initrd;
	struct a64_range initrd;                  /* linux,initrd-start .. linux,initrd-end */
	bool has_kho_fdt, has_kho_scratch;
	struct a64_range kho_fdt;                 /* /chosen linux,kho-fdt */
	struct a64_range kho_scratch;             /* /chosen linux,kho-scratch: the scratch array */
	bool has_elfcorehdr, has_usable_range;
	struct a64_range elfcorehdr;              /* /chosen linux,elfcorehdr, also in reserved[] */
	uint64_t uart;                            /* PL011 base; 0 if none was found */
	enum a64_psci psci;
};

/*
 * Read the DTB at fdt, of which at most limit bytes may be read. Returns NULL, or why the DTB
 * cannot be used (out is then partly filled: uart is set as soon as it is known, so a caller
 * can still say why).
 */
const char *a64_dtb_read(const void *fdt, size_t limit, struct a64_dtb_info *out);

/* Only the console: the PL011 named by /chosen stdout-path, else the first "arm,pl011". */
uint64_t a64_dtb_uart(const void *fdt);

#endif
