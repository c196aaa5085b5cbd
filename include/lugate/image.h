/* SPDX-License-Identifier: MIT */
/*
 * Kernel images: what an image says about itself (format, release, boot protocol) and where
 * its lugate manifest is. Bounds-checked, no allocation; every view points into the image.
 * Carriers and formats: docs/image-carriers.md.
 *
 * Use (CLI, loader, EFI app alike):
 *
 *     struct lugate_image_info info;
 *     int err = lugate_image_identify(image, image_size, &info);
 *     if (err)                      refuse: info.why says what is wrong (one line)
 *     info.release                  "" when the image names none (never guessed)
 *     info.carrier != NONE          info.manifest is the framed manifest: open it with
 *                                   lugate_manifest_open; its release wins over info.release
 *
 * `lugate seal` binds the SHA-256 of the whole file, manifest trailer included (the size
 * passed here, not image_size): a loader must hash the same bytes.
 */
#ifndef LUGATE_IMAGE_H
#define LUGATE_IMAGE_H

#include <lugate/types.h>

enum lugate_image_format {
	LUGATE_IMAGE_UNKNOWN = 0,
	LUGATE_IMAGE_BZIMAGE,        /* x86 bzImage (with or without the EFI-stub PE header) */
	LUGATE_IMAGE_PE,             /* a PE/COFF image that is neither a bzImage nor a UKI */
	LUGATE_IMAGE_UKI,            /* systemd Unified Kernel Image: PE with a .linux section */
	LUGATE_IMAGE_ELF,            /* ELF64 kernel (vmlinux-style) */
	LUGATE_IMAGE_ARM64,          /* arm64 Image (64-byte header, "ARM\x64") */
	LUGATE_IMAGE_ZBOOT,          /* EFI zboot ("MZ", "zimg"): a PE whose payload is a compressed kernel */
};
const char *lugate_image_format_name(enum lugate_image_format f); /* "bzImage", "pe", "uki", "elf", "arm64-image", "zboot" */

enum lugate_compression {
	LUGATE_COMP_NONE = 0, LUGATE_COMP_GZIP, LUGATE_COMP_BZIP2, LUGATE_COMP_LZMA, LUGATE_COMP_XZ,
	LUGATE_COMP_LZ4, LUGATE_COMP_ZSTD, LUGATE_COMP_UNKNOWN,
};
const char *lugate_compression_name(enum lugate_compression c); /* "gzip", ..., "none", "unknown" */

enum lugate_manifest_carrier {
	LUGATE_CARRIER_NONE = 0,
	LUGATE_CARRIER_TRAILER,      /* appended after the image, found from the end */
	LUGATE_CARRIER_PE_SECTION,   /* a PE section named .lugate */
	LUGATE_CARRIER_ELF_NOTE,     /* an ELF note named "lugate" in a PT_NOTE segment */
};
const char *lugate_carrier_name(enum lugate_manifest_carrier c); /* "trailer", "pe-section", "elf-note", "none" */

/*
 * The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst; its layout is
 * include/lugate/x86_boot.h). A field the header's version or length does not reach is 0.
 */
struct lugate_bzimage {
	uint64_t pref_address;
	uint64_t code_size;          /* bytes of protected-mode code: syssize * 16, inside the file */
	uint32_t syssize;            /* 16-byte paragraphs */
	uint32_t kernel_alignment;
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t handover_offset;
	uint32_t payload_offset;     /* within the protected-mode code */
	uint32_t payload_length;
	uint32_t code_offset;        /* file offset of the protected-mode code: (setup_sects+1)*512 */
	uint32_t header_end;         /* 0x202 + the jump's displacement: the setup header ends here */
	uint32_t initrd_addr_max;
	enum lugate_compression compression;
	uint16_t version;            /* boot protocol, e.g. 0x020f */
	uint16_t xloadflags;
	uint8_t setup_sects;         /* 0 read as 4 */
	uint8_t loadflags;
	uint8_t relocatable;
	bool efi_stub;               /* the file is also a PE image ("MZ" + PE header) */
};

#define LUGATE_IMAGE_MAX_SECTIONS 96u

struct lugate_view {
	const uint8_t *p;
	size_t size;
};

struct lugate_image_info {
	const char *why;             /* on error: what is wrong, one line (static text); else NULL */
	size_t image_size;           /* bytes of the image proper (without a manifest trailer) */
	const char *release_source;  /* "bzImage version string", ".uname", "Linux version banner", NULL */
	struct lugate_view payload;  /* the compressed kernel inside a bzImage or zboot image, if any */
	struct lugate_view manifest; /* the framed manifest blob (not yet validated) */
	/* PE / UKI */
	struct lugate_view linux_section, uname_section, osrel_section, lugate_section;
	/* ELF */
	uint64_t elf_entry;
	struct lugate_view elf_build_id; /* the GNU build-id note's descriptor, if any */
	uint32_t elf_notes;          /* notes found in PT_NOTE segments */
	/* arm64 Image */
	uint64_t arm64_image_size;
	uint64_t arm64_text_offset;
	uint32_t arm64_page_size;    /* 4096, 16384, 65536, or 0 if unspecified */
	bool arm64_header;           /* the arm64 fields were read: an Image, or the one in .linux or a zboot payload */
	/* zboot (the image, or a UKI's .linux): payload is the compressed kernel */
	enum lugate_compression zboot_compression;
	enum lugate_image_format payload_format; /* what that payload holds once read (lugate_image_zboot_payload) */
	enum lugate_image_format format;
	enum lugate_image_format linux_format; /* UKI: the kernel in .linux (BZIMAGE, ARM64, ZBOOT, UNKNOWN) */
	enum lugate_manifest_carrier carrier;
	struct lugate_bzimage bz;    /* valid if has_bzimage (a bzImage, or a UKI's .linux) */
	uint16_t pe_machine;
	uint16_t pe_sections;
	uint16_t elf_machine;        /* e_machine: 62 x86-64, 183 AArch64 */
	uint8_t elf_class;           /* 2: ELF64 (the only class read) */
	bool arm64_big_endian;       /* arm64 header flags bit 0 */
	bool has_bzimage;
	char release[LUGATE_RELEASE_MAX + 1]; /* "" if the image names none: never guessed */
};

/*
 * Identify an image and find its manifest. Returns 0, LUGATE_ERR_UNKNOWNFMT (not a kernel
 * image lugate knows), or an error for a malformed one (LUGATE_ERR_TRUNCATED, BADIMAGE,
 * BADSIZE, BADVERSION, UNSUPPORTED, DUPLICATE: two manifests or two singleton sections).
 * On error out->why names the problem and out->format the format whose magic matched
 * (UNKNOWN if none). A manifest carrier that is present but malformed is an error too: a
 * manifest must never silently disappear. The manifest itself is validated by
 * lugate_manifest_open. Reads nothing outside [img, img+size); O(size) at worst (the
 * "Linux version" banner search in an uncompressed image), O(header) for a bzImage or UKI.
 */
int lugate_image_identify(const void *img, size_t size, struct lugate_image_info *out);

/*
 * The page size the kernel runs with: an arm64 header's (4096, 16384, 65536; 0 if it leaves it
 * unspecified), 4096 for an x86-64 bzImage (the only size x86-64 has), 0 when unknown (a zboot
 * payload not yet read, an ELF, a PE without a kernel lugate reads).
 */
uint32_t lugate_image_page_size(const struct lugate_image_info *i);

/*
 * A zboot image's payload (the image's own, or a UKI's .linux) is compressed, so its kernel is
 * read only by a front end that can decompress it (the CLI). It hands the first bytes of the
 * decompressed payload (head: at least 64 for the arm64 header) and the release found in its
 * "Linux version" banner (lugate_banner_*; NULL or "" for none). The payload must be an arm64
 * Image (else LUGATE_ERR_BADIMAGE), and a release named by .uname must agree with the banner's
 * (else LUGATE_ERR_INCONSISTENT); out->why says which. On success the arm64 fields, the
 * release (unless .uname named it) and payload_format (ARM64) are filled in.
 */
int lugate_image_zboot_payload(struct lugate_image_info *out, const void *head, size_t head_size,
			       const char *banner_release);

/*
 * The "Linux version <release>" banner of a kernel that arrives in pieces (a decompressed
 * payload): feed every byte in order, then finish; the release is the first banner's, as
 * lugate_image_identify reads it from a whole uncompressed image. No allocation: a window of
 * LUGATE_BANNER_WINDOW bytes.
 */
#define LUGATE_BANNER_WINDOW 4096u
struct lugate_banner_scan {
	size_t len;                  /* bytes waiting in window */
	bool found;
	char release[LUGATE_RELEASE_MAX + 1];
	uint8_t window[LUGATE_BANNER_WINDOW];
};
void lugate_banner_init(struct lugate_banner_scan *s);
void lugate_banner_feed(struct lugate_banner_scan *s, const void *p, size_t n);
/* The release ("" if the data named none); valid until s is fed again. */
const char *lugate_banner_finish(struct lugate_banner_scan *s);

/* ---- the trailer carrier ------------------------------------------------------------------
 * [image][pad: 0..7 zero bytes][framed manifest][trailer, 32 bytes]
 * trailer: u32 manifest_size LE, u8 version (1), u8 pad, u16 reserved (0), magic[24].
 * The pad puts the manifest at an 8-byte aligned file offset (libfdt reads it in place).
 */
#define LUGATE_TRAILER_SIZE 32u
#define LUGATE_TRAILER_VERSION 1u
#define LUGATE_TRAILER_MAGIC "~LUGATE manifest v1~\n" /* 21 chars, NUL-padded to 24 */

/* The zero bytes to write between an image of image_size bytes and its manifest. */
size_t lugate_trailer_pad(size_t image_size);
/* Write the 32-byte trailer for a manifest of manifest_size bytes after pad zero bytes. */
void lugate_trailer_write(uint8_t out[LUGATE_TRAILER_SIZE], uint32_t manifest_size, uint8_t pad);

/* Every carrier puts the manifest at an 8-byte aligned offset of the file; pass the image
 * in an 8-byte aligned buffer (malloc, page-aligned modules) so that libfdt can read it. */
#define LUGATE_MANIFEST_ALIGN 8u

#endif
