/* SPDX-License-Identifier: MIT */
/*
 * What the gate needs to know about a kernel image, whichever front end read it (a Multiboot
 * module, a bundle entry, a file on the ESP, a DTB's initrd): that it is an image the front end
 * can enter (a 64-bit bzImage on x86-64, an arm64 Image on arm64), its release, the
 * lugate manifest stamped into it (if any) and its SHA-256. A front end adds its own
 * preconditions afterwards (lugate.efi: the EFI handover entry).
 * Part of boot/, the room the boot front ends share (gate.h says why it is one room).
 */
#ifndef LUGATE_BOOT_TARGET_H
#define LUGATE_BOOT_TARGET_H

#include <stdbool.h>
#include <lugate/types.h>
#include <lugate/image.h>

#define TARGET_MAX_COMPAT 32u

struct target_info {
	bool bootable;                /* an image of the wanted format a front end can place and enter */
	const char *why_unbootable;
	enum lugate_image_format format;  /* LUGATE_IMAGE_BZIMAGE or LUGATE_IMAGE_ARM64 */
	struct lugate_bzimage bz;     /* bzImage: the core's parse of the setup header */
	uint64_t arm64_text_offset;   /* arm64 Image: where in its 2 MiB aligned block it goes */
	uint64_t arm64_image_size;    /* arm64 Image: the memory it needs from its start (with .bss) */
	uint32_t arm64_page_size;     /* arm64 Image: 4096, 16384, 65536 (0: unspecified) */
	const uint8_t *image;         /* the image as given, and its size */
	size_t image_size;
	const uint8_t *code;          /* its protected-mode code, bz.code_size bytes: what is loaded */
	uint8_t sha256[LUGATE_SHA256_SIZE];  /* of the whole image, as given */
	uint64_t sha256_tsc;          /* TSC cycles the hash took (the loader's phase split, loader/tsc.h) */
	const void *manifest;         /* framed binary manifest inside the image, or NULL */
	size_t manifest_size;
	int manifest_error;           /* < 0: the core's image parser rejected the image (then not bootable) */
	enum lugate_manifest_carrier carrier;  /* where the manifest was found */
	const char *release;          /* the image's own release (core's image parser); NULL if it names none */
	char release_buf[LUGATE_RELEASE_MAX + 1];
	/* KHO/LUO strings found in the image. A boot front end cannot decompress a payload to scan
	 * it (the CLI can), so this stays empty: a target must list what it revives in its manifest. */
	const char *compat[TARGET_MAX_COMPAT];
	size_t compat_count;
};

/*
 * Inspect size bytes of a kernel image at image (hashes them: the slowest step of a boot front
 * end) and log two lines, each starting with label ("target", "fallback"). The image must stay
 * where it is while out is used: out points into it.
 */
void target_inspect(const void *image, size_t size, const char *label, struct target_info *out);

/*
 * The same for the format a front end boots: LUGATE_IMAGE_BZIMAGE (target_inspect) or
 * LUGATE_IMAGE_ARM64 (the arm64 loader: a little-endian Image that states its image_size).
 * An image of another format is not bootable.
 */
void target_inspect_as(const void *image, size_t size, const char *label, enum lugate_image_format want,
		       struct target_info *out);

#endif
