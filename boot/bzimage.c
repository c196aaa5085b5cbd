// SPDX-License-Identifier: MIT
/* bzImage setup header; see bzimage.h. */
#include <string.h>
#include "bzimage.h"

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p)
{
	return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

bool bzimage_parse(const void *file, size_t size, struct bzimage *out, const char **why)
{
	const uint8_t *f = file;
	uint32_t sects, syssize_bytes;

	memset(out, 0, sizeof(*out));
	if (size < 0x1000u) {
		*why = "too small for a bzImage";
		return false;
	}
	if (ld16(f + BZ_BOOT_FLAG) != 0xaa55u || ld32(f + BZ_HEADER) != BZ_HDRS_MAGIC) {
		*why = "not a bzImage (no 0xAA55 boot flag or \"HdrS\" header)";
		return false;
	}
	out->version = ld16(f + BZ_VERSION);
	if (out->version < BZ_MIN_VERSION) {
		*why = "boot protocol older than 2.12 (no 64-bit entry)";
		return false;
	}
	out->header_end = 0x202u + f[0x201];
	sects = f[BZ_SETUP_SECTS] ? f[BZ_SETUP_SECTS] : 4u;
	out->setup_size = (sects + 1u) * 512u;
	if (out->header_end < BZ_HEADER_MIN_END || out->header_end > out->setup_size ||
	    out->setup_size >= size) {
		*why = "setup header size inconsistent with the file";
		return false;
	}
	out->xloadflags = ld16(f + BZ_XLOADFLAGS);
	if (!(out->xloadflags & BZ_XLF_KERNEL_64) || !(f[BZ_LOADFLAGS] & BZ_LOADED_HIGH)) {
		*why = "no 64-bit entry point (XLF_KERNEL_64 / LOADED_HIGH not set)";
		return false;
	}
	out->relocatable = f[BZ_RELOCATABLE] != 0;
	out->kernel_alignment = ld32(f + BZ_KERNEL_ALIGNMENT);
	out->pref_address = ld64(f + BZ_PREF_ADDRESS);
	out->init_size = ld32(f + BZ_INIT_SIZE);
	if (out->header_end >= BZ_HANDOVER_OFFSET + 4u)
		out->handover_offset = ld32(f + BZ_HANDOVER_OFFSET);
	out->initrd_addr_max = ld32(f + BZ_INITRD_ADDR_MAX);
	out->cmdline_size = ld32(f + BZ_CMDLINE_SIZE);
	if (out->relocatable && (out->kernel_alignment < 4096u ||
				 (out->kernel_alignment & (out->kernel_alignment - 1)) != 0)) {
		*why = "kernel_alignment is not a power of two >= 4096";
		return false;
	}
	if (!out->relocatable && (out->pref_address == 0 || (out->pref_address & 0xfffu) != 0)) {
		*why = "not relocatable and no page-aligned pref_address";
		return false;
	}
	out->file = f;
	out->file_size = size;
	out->payload = f + out->setup_size;
	out->payload_size = size - out->setup_size;
	/* syssize (16-byte units) is the protected-mode size the kernel's build wrote; bytes a
	 * stamping tool appended after it are not part of the kernel and are not loaded. */
	syssize_bytes = ld32(f + BZ_SYSSIZE);
	if (syssize_bytes && syssize_bytes <= UINT32_MAX / 16u && (size_t)syssize_bytes * 16u < out->payload_size)
		out->payload_size = (size_t)syssize_bytes * 16u;
	if (out->init_size < out->payload_size) {
		*why = "init_size is smaller than the kernel it must hold";
		return false;
	}
	return true;
}
