// SPDX-License-Identifier: MIT
/* Can lugate's loaders boot an image; see include/lugate/boot.h. */
#include <lugate/boot.h>
#include <lugate/error.h>

#define BOOT_MIN_SIZE 0x1000u
#define BOOT_MIN_VERSION 0x020cu     /* 2.12: xloadflags and the 64-bit entry */
#define BOOT_JUMP_LEN 0x201u         /* the jump's displacement: the header ends at 0x202 + it */
#define BOOT_HEADER_MIN_END 0x264u   /* through init_size */
#define BOOT_XLF_KERNEL_64 0x1u
#define BOOT_LOADED_HIGH 0x1u

static int fail(const char **why, int err, const char *text)
{
	*why = text;
	return err;
}

int lugate_bzimage_boot64(const void *img, size_t size, const struct lugate_image_info *info, const char **why)
{
	const uint8_t *f = img;
	const struct lugate_bzimage *bz = &info->bz;
	size_t header_end, code;
	uint64_t payload;

	*why = NULL;
	if (!img || info->format != LUGATE_IMAGE_BZIMAGE || !info->has_bzimage)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "not an x86 bzImage (lugate's loader boots bzImages only)");
	if (size < BOOT_MIN_SIZE)
		return fail(why, LUGATE_ERR_BADIMAGE, "too small for a bzImage (under 4 KiB)");
	if (bz->version < BOOT_MIN_VERSION)
		return fail(why, LUGATE_ERR_UNSUPPORTED, "boot protocol older than 2.12 (no 64-bit entry)");
	header_end = 0x202u + (size_t)f[BOOT_JUMP_LEN];
	code = bz->code_offset;
	if (header_end < BOOT_HEADER_MIN_END || header_end > code || code >= size)
		return fail(why, LUGATE_ERR_BADIMAGE, "setup header size inconsistent with the file");
	if (!(bz->xloadflags & BOOT_XLF_KERNEL_64) || !(bz->loadflags & BOOT_LOADED_HIGH))
		return fail(why, LUGATE_ERR_UNSUPPORTED, "no 64-bit entry point (XLF_KERNEL_64 / LOADED_HIGH not set)");
	if (bz->relocatable && (bz->kernel_alignment < 4096u || (bz->kernel_alignment & (bz->kernel_alignment - 1u))))
		return fail(why, LUGATE_ERR_BADIMAGE, "kernel_alignment is not a power of two >= 4096");
	if (!bz->relocatable && (bz->pref_address == 0 || (bz->pref_address & 0xfffu)))
		return fail(why, LUGATE_ERR_BADIMAGE, "not relocatable and no page-aligned pref_address");
	/* bytes after syssize paragraphs (a manifest trailer) are not part of what is loaded */
	payload = size - code;
	if (bz->syssize && (uint64_t)bz->syssize * 16u < payload)
		payload = (uint64_t)bz->syssize * 16u;
	if (bz->init_size < payload)
		return fail(why, LUGATE_ERR_BADIMAGE, "init_size is smaller than the kernel it must hold");
	return 0;
}
