/* SPDX-License-Identifier: MIT */
/*
 * What a kernel image needs for lugate's loaders to boot it: an x86 bzImage entered through
 * the 64-bit boot protocol (Documentation/arch/x86/boot.rst). The CLI asks this before it
 * stages (`lugate load`) or packs (`lugate bundle build`) an image, so that an image the loader
 * would call unbootable at the jump is refused while the old kernel still runs.
 */
#ifndef LUGATE_BOOT_H
#define LUGATE_BOOT_H

#include <lugate/image.h>

/*
 * img/size: the whole file as it will be handed over (manifest trailer included); info: what
 * lugate_image_identify(img, size, info) returned 0 for. Returns 0 if the image is a bzImage
 * with a 64-bit entry whose setup header is consistent with the file, else
 * LUGATE_ERR_UNSUPPORTED (another format, an old protocol, no 64-bit entry) or
 * LUGATE_ERR_BADIMAGE (inconsistent header fields), and *why says which (static, one line).
 *
 * Required: the bzImage format itself (a UKI or PE, ELF or arm64 image is not booted); at
 * least 4 KiB; protocol 2.12 or later; a setup header through init_size (0x264) that ends
 * inside the setup sectors, which end before the file does; XLF_KERNEL_64 and LOADED_HIGH;
 * a relocatable kernel's kernel_alignment a power of two of at least 4096, else a non-zero
 * page-aligned pref_address; protected-mode code (syssize paragraphs, the parser's rule) and
 * an init_size at least that large.
 */
int lugate_bzimage_boot64(const void *img, size_t size, const struct lugate_image_info *info, const char **why);

/*
 * The same for lugate's arm64 loader (build/loader.arm64): 0 if info (lugate_image_identify's
 * 0 for img) is an arm64 Image (Documentation/arch/arm64/booting.rst) it can place and enter:
 * little-endian, with a non-zero image_size (kernels since 3.17) and a text_offset below
 * 2 MiB. Else LUGATE_ERR_UNSUPPORTED or LUGATE_ERR_BADIMAGE and *why.
 */
int lugate_arm64_boot(const struct lugate_image_info *info, const char **why);

/* The command line an arm64 kernel keeps (COMMAND_LINE_SIZE in arch/arm64), NUL excluded. */
#define LUGATE_ARM64_CMDLINE_MAX 2047u

#endif
