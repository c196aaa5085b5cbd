/* SPDX-License-Identifier: MIT */
/*
 * Reading an x86 bzImage's setup header (Documentation/x86/boot.rst) for the 64-bit boot
 * protocol. Every field is read through bounds-checked little-endian loads from the image
 * as it lies in memory; nothing is trusted before it is checked.
 */
#ifndef LUGATE_LOADER_BZIMAGE_H
#define LUGATE_LOADER_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Setup-header offsets in the image file and in the zero page (the header sits at 0x1f1 in both). */
#define BZ_SETUP_SECTS 0x1f1u
#define BZ_SYSSIZE 0x1f4u
#define BZ_BOOT_FLAG 0x1feu
#define BZ_JUMP 0x200u
#define BZ_HEADER 0x202u
#define BZ_VERSION 0x206u
#define BZ_TYPE_OF_LOADER 0x210u
#define BZ_LOADFLAGS 0x211u
#define BZ_RAMDISK_IMAGE 0x218u
#define BZ_RAMDISK_SIZE 0x21cu
#define BZ_CMD_LINE_PTR 0x228u
#define BZ_INITRD_ADDR_MAX 0x22cu
#define BZ_KERNEL_ALIGNMENT 0x230u
#define BZ_RELOCATABLE 0x234u
#define BZ_XLOADFLAGS 0x236u
#define BZ_CMDLINE_SIZE 0x238u
#define BZ_SETUP_DATA 0x250u
#define BZ_PREF_ADDRESS 0x258u
#define BZ_INIT_SIZE 0x260u
#define BZ_HANDOVER_OFFSET 0x264u    /* EFI handover entry (protocol 2.11+; deprecated, kept by 6.x) */
#define BZ_HEADER_MIN_END 0x264u     /* through init_size: protocol 2.10 and later */

#define BZ_HDRS_MAGIC 0x53726448u    /* "HdrS" */
#define BZ_MIN_VERSION 0x020cu       /* 2.12: xloadflags, the 64-bit entry */
#define BZ_XLF_KERNEL_64 (1u << 0)
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define BZ_XLF_EFI_HANDOVER_64 (1u << 3)   /* 64-bit EFI handover entry at +0x200 + handover_offset */
#define BZ_LOADED_HIGH (1u << 0)
#define BZ_ENTRY64_OFFSET 0x200u     /* 64-bit entry: load address + 0x200 */

struct bzimage {
	const uint8_t *file;
	size_t file_size;
	uint32_t setup_size;          /* (setup_sects + 1) * 512: the real-mode part, not loaded */
	const uint8_t *payload;       /* the protected-mode part, copied to the load address */
	size_t payload_size;
	uint32_t header_end;          /* 0x202 + byte at 0x201: the setup header ends here */
	uint16_t version;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t handover_offset;     /* 0 if the header has none (read only by the EFI app) */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;        /* longest command line, without the NUL */
};

/* Parse and validate for a 64-bit boot; on failure *why says what is wrong. */
bool bzimage_parse(const void *file, size_t size, struct bzimage *out, const char **why);

#endif
