/* SPDX-License-Identifier: MIT */
/*
 * The DTB the arm64 loader hands the kernel it boots: the entry DTB grown with fdt_open_into
 * into a buffer the loader reserved, with
 *   /chosen bootargs                   the booted kernel's command line
 *   /chosen linux,initrd-start/-end    its initrd (deleted when it has none)
 *   /reserved-memory/lugate-handoff@<addr>  compatible "lugate,handoff-v1", reg = the delivery
 *                                      record (page-aligned, page-rounded), no-map
 *   /chosen lugate,handoff             <address size> of the record, two 64-bit cells each
 * and everything else (KHO's linux,kho-fdt and linux,kho-scratch, rng-seed, ...) unchanged.
 * docs/loader.md, "The arm64 loader", documents the names. Portable C, tested on the host.
 */
#ifndef LUGATE_LOADER_ARM64_DTB_DELIVER_H
#define LUGATE_LOADER_ARM64_DTB_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define A64_HANDOFF_COMPATIBLE "lugate,handoff-v1"
#define A64_HANDOFF_CHOSEN "lugate,handoff"
#define A64_HANDOFF_NODE "lugate-handoff"
/* Room the loader adds to the entry DTB: the node, the properties, a command line. */
#define A64_DTB_GROWTH 0x4000u

struct a64_deliver {
	const char *bootargs;               /* NULL: leave /chosen bootargs as it is */
	bool has_initrd;
	uint64_t initrd_start, initrd_end;
	uint64_t record_addr, record_size;
};

/* Write the DTB to hand over into out (out_size bytes). Returns NULL or why not. */
const char *a64_dtb_deliver(const void *in, void *out, size_t out_size, const struct a64_deliver *d);

#endif
