// SPDX-License-Identifier: MIT
/* Can lugate's loaders boot an image; see include/lugate/boot.h. */
#include <lugate/boot.h>
#include <lugate/error.h>
#include <lugate/x86_boot.h>

#define BOOT_MIN_SIZE 0x1000u
#define BOOT_MIN_VERSION 0x020cu     /* 2.12: xloadflags and the 64-bit entry */

static int fail(const char **why, int err, const char *text)
{
	*why = text;
	return err;
}

int lugate_bzimage_boot64(const void *img, size_t size, const struct lugate_image_info *info, const char **why)
{
	const struct lugate_bzimage *bz = &info->bz;

	*why = NULL;
	if (!img || info->format != LUGATE_IMAGE_BZIMAGE || !info->has_bzimage)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "not an x86 bzImage (lugate's loader boots bzImages only)");
	if (size < BOOT_MIN_SIZE)
		return fail(why, LUGATE_ERR_BADIMAGE, "too small for a bzImage (under 4 KiB)");
	if (bz->version < BOOT_MIN_VERSION)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "boot protocol older than 2.12 (no 64-bit entry)");
	/* the header must reach init_size, the last field a 64-bit boot reads, inside the setup sectors */
	if (bz->header_end < LUGATE_X86_END(hdr.init_size) || bz->header_end > bz->code_offset || bz->code_offset >= size)
		return fail(why, LUGATE_ERR_BADIMAGE, "setup header size inconsistent with the file");
	if (!(bz->xloadflags & LUGATE_X86_XLF_KERNEL_64) || !(bz->loadflags & LUGATE_X86_LOADED_HIGH))
		return fail(why, LUGATE_ERR_UNSUPPORTED, "no 64-bit entry point (XLF_KERNEL_64 / LOADED_HIGH not set)");
	if (bz->relocatable && (bz->kernel_alignment < 4096u || (bz->kernel_alignment & (bz->kernel_alignment - 1u))))
		return fail(why, LUGATE_ERR_BADIMAGE, "kernel_alignment is not a power of two >= 4096");
	if (!bz->relocatable && (bz->pref_address == 0 || (bz->pref_address & 0xfffu)))
		return fail(why, LUGATE_ERR_BADIMAGE, "not relocatable and no page-aligned pref_address");
	/* the parser's syssize rule (handoff/bzimage.c) says what is loaded; a trailer is not */
	if (bz->code_size == 0)
		return fail(why, LUGATE_ERR_BADIMAGE, "no protected-mode code (syssize is 0)");
	if (bz->init_size < bz->code_size)
		return fail(why, LUGATE_ERR_BADIMAGE, "init_size is smaller than the kernel it must hold");
	return 0;
}

int lugate_arm64_boot(const struct lugate_image_info *info, const char **why)
{
	*why = NULL;
	if (info->format != LUGATE_IMAGE_ARM64)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "not an arm64 Image (no \"ARM\\x64\" magic at 0x38)");
	/* the loader enters little-endian; a big-endian kernel would need it to switch */
	if (info->arm64_big_endian)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "a big-endian arm64 Image: lugate's loader boots little-endian kernels only");
	if (info->arm64_image_size == 0)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "the arm64 Image states no image_size (a kernel older than 3.17)");
	if (info->arm64_text_offset >= 0x200000u)
		return fail(why, LUGATE_ERR_BADIMAGE, "the arm64 Image's text_offset is not below 2 MiB");
	return 0;
}
