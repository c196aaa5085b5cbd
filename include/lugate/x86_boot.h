/* SPDX-License-Identifier: MIT */
/*
 * The x86 boot protocol's layout (Documentation/arch/x86/boot.rst, "THE REAL-MODE KERNEL
 * HEADER" and "DETAILS OF HEADER FIELDS"; Documentation/arch/x86/zero-page.rst): the setup
 * header a bzImage carries at file offset 0x1f1, and the zero page (struct boot_params) a
 * loader hands the kernel, whose offset 0x1f1 holds the same header.
 *
 * This is lugate's one description of both. Offsets come from these structs, never from a
 * table of numbers: the core's parser (handoff/bzimage.c) reads the image's header, the boot
 * room (boot/zeropage.c) writes the zero page, the bzImage64 entry (loader/entry/bzimage64.c)
 * reads the zero page it was handed. The fields are little-endian; every reader and writer
 * goes through handoff/bytes.h's loads and stores at LUGATE_X86_OFF(field), so a big-endian
 * host reads an image correctly and nothing is read through a misaligned pointer.
 * Only what lugate uses is named; the rest is reserved bytes of the right size.
 */
#ifndef LUGATE_X86_BOOT_H
#define LUGATE_X86_BOOT_H

#include <stddef.h>
#include <stdint.h>

/* The setup header: file offset 0x1f1 of a bzImage, and offset 0x1f1 of the zero page. */
struct lugate_x86_setup_header {
	uint8_t setup_sects;          /* 0x1f1: 512-byte setup sectors after the boot sector; 0 means 4 */
	uint16_t root_flags;          /* 0x1f2 */
	uint32_t syssize;             /* 0x1f4: protected-mode code, in 16-byte paragraphs (2.04+: 32 bits) */
	uint16_t ram_size;            /* 0x1f8 */
	uint16_t vid_mode;            /* 0x1fa */
	uint16_t root_dev;            /* 0x1fc */
	uint16_t boot_flag;           /* 0x1fe: 0xaa55 */
	uint8_t jump[2];              /* 0x200: a short jump (0xeb, displacement) over the header */
	uint8_t header[4];            /* 0x202: "HdrS" */
	uint16_t version;             /* 0x206: boot protocol, e.g. 0x020f */
	uint32_t realmode_swtch;      /* 0x208 */
	uint16_t start_sys_seg;       /* 0x20c */
	uint16_t kernel_version;      /* 0x20e: version string, relative to 0x200 */
	uint8_t type_of_loader;       /* 0x210 */
	uint8_t loadflags;            /* 0x211 */
	uint16_t setup_move_size;     /* 0x212 */
	uint32_t code32_start;        /* 0x214 */
	uint32_t ramdisk_image;       /* 0x218 */
	uint32_t ramdisk_size;        /* 0x21c */
	uint32_t bootsect_kludge;     /* 0x220 */
	uint16_t heap_end_ptr;        /* 0x224 */
	uint8_t ext_loader_ver;       /* 0x226 */
	uint8_t ext_loader_type;      /* 0x227 */
	uint32_t cmd_line_ptr;        /* 0x228 (2.02+) */
	uint32_t initrd_addr_max;     /* 0x22c (2.03+) */
	uint32_t kernel_alignment;    /* 0x230 (2.05+) */
	uint8_t relocatable_kernel;   /* 0x234 (2.05+) */
	uint8_t min_alignment;        /* 0x235 (2.10+) */
	uint16_t xloadflags;          /* 0x236 (2.12+) */
	uint32_t cmdline_size;        /* 0x238 (2.06+): longest command line, without the NUL */
	uint32_t hardware_subarch;    /* 0x23c (2.07+) */
	uint64_t hardware_subarch_data; /* 0x240 (2.07+) */
	uint32_t payload_offset;      /* 0x248 (2.08+): from the protected-mode code's start */
	uint32_t payload_length;      /* 0x24c (2.08+) */
	uint64_t setup_data;          /* 0x250 (2.09+): head of the setup_data chain */
	uint64_t pref_address;        /* 0x258 (2.10+) */
	uint32_t init_size;           /* 0x260 (2.10+): memory the kernel needs from its load address */
	uint32_t handover_offset;     /* 0x264 (2.11+): EFI handover entry, from the 64-bit entry */
	uint32_t kernel_info_offset;  /* 0x268 (2.15+) */
} __attribute__((packed));

/* One e820 map entry in the zero page. */
struct lugate_x86_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define LUGATE_X86_E820_MAX 128u

/* What an EFI-booted kernel's stub left in the zero page: the firmware's tables and memory map. */
struct lugate_x86_efi_info {
	uint32_t loader_signature;    /* non-zero if an EFI loader filled this */
	uint32_t systab;
	uint32_t memdesc_size;
	uint32_t memdesc_version;
	uint32_t memmap;              /* the EFI memory map: low and (memmap_hi) high 32 bits */
	uint32_t memmap_size;
	uint32_t systab_hi;
	uint32_t memmap_hi;
} __attribute__((packed));

/* The zero page (struct boot_params): 4096 bytes. */
struct lugate_x86_boot_params {
	uint8_t screen_info_to_ist_info[0x70];
	uint64_t acpi_rsdp_addr;      /* 0x070 */
	uint8_t reserved_078[0x48];
	uint32_t ext_ramdisk_image;   /* 0x0c0: high 32 bits of hdr.ramdisk_image */
	uint32_t ext_ramdisk_size;    /* 0x0c4 */
	uint32_t ext_cmd_line_ptr;    /* 0x0c8 */
	uint8_t reserved_0cc[0xf4];
	struct lugate_x86_efi_info efi_info; /* 0x1c0 */
	uint8_t reserved_1e0[8];
	uint8_t e820_entries;         /* 0x1e8 */
	uint8_t reserved_1e9[3];
	uint8_t secure_boot;          /* 0x1ec: the firmware's Secure Boot state, as the EFI stub found it */
	uint8_t reserved_1ed[4];
	struct lugate_x86_setup_header hdr; /* 0x1f1 */
	uint8_t reserved_26c[0x64];
	struct lugate_x86_e820_entry e820_table[LUGATE_X86_E820_MAX]; /* 0x2d0 */
	uint8_t reserved_cd0[0x330];
} __attribute__((packed));

/* Offset and size of a field, in the zero page; hdr.* offsets are also the file's. */
#define LUGATE_X86_OFF(field) offsetof(struct lugate_x86_boot_params, field)
#define LUGATE_X86_SIZE(field) sizeof(((struct lugate_x86_boot_params *)0)->field)
/* Where a setup-header field ends: the header holds it if the header reaches this far. */
#define LUGATE_X86_END(field) (LUGATE_X86_OFF(field) + LUGATE_X86_SIZE(field))

/* The layout as boot.rst and zero-page.rst give it. */
_Static_assert(sizeof(struct lugate_x86_setup_header) == 0x26c - 0x1f1, "setup header size");
_Static_assert(sizeof(struct lugate_x86_boot_params) == 4096, "zero page size");
_Static_assert(sizeof(struct lugate_x86_e820_entry) == 20, "e820 entry size");
_Static_assert(LUGATE_X86_OFF(acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(LUGATE_X86_OFF(ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(LUGATE_X86_OFF(ext_ramdisk_size) == 0x0c4, "ext_ramdisk_size");
_Static_assert(LUGATE_X86_OFF(ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(LUGATE_X86_OFF(efi_info) == 0x1c0, "efi_info");
_Static_assert(LUGATE_X86_OFF(efi_info.memmap) == 0x1d0, "efi_info.memmap");
_Static_assert(LUGATE_X86_OFF(efi_info.memmap_hi) == 0x1dc, "efi_info.memmap_hi");
_Static_assert(LUGATE_X86_OFF(e820_entries) == 0x1e8, "e820_entries");
_Static_assert(LUGATE_X86_OFF(secure_boot) == 0x1ec, "secure_boot");
_Static_assert(LUGATE_X86_OFF(hdr) == 0x1f1, "hdr");
_Static_assert(LUGATE_X86_OFF(hdr.syssize) == 0x1f4, "syssize");
_Static_assert(LUGATE_X86_OFF(hdr.boot_flag) == 0x1fe, "boot_flag");
_Static_assert(LUGATE_X86_OFF(hdr.jump) == 0x200, "jump");
_Static_assert(LUGATE_X86_OFF(hdr.header) == 0x202, "header");
_Static_assert(LUGATE_X86_OFF(hdr.version) == 0x206, "version");
_Static_assert(LUGATE_X86_OFF(hdr.kernel_version) == 0x20e, "kernel_version");
_Static_assert(LUGATE_X86_OFF(hdr.type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LUGATE_X86_OFF(hdr.loadflags) == 0x211, "loadflags");
_Static_assert(LUGATE_X86_OFF(hdr.code32_start) == 0x214, "code32_start");
_Static_assert(LUGATE_X86_OFF(hdr.ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LUGATE_X86_OFF(hdr.ramdisk_size) == 0x21c, "ramdisk_size");
_Static_assert(LUGATE_X86_OFF(hdr.cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LUGATE_X86_OFF(hdr.initrd_addr_max) == 0x22c, "initrd_addr_max");
_Static_assert(LUGATE_X86_OFF(hdr.kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LUGATE_X86_OFF(hdr.relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(LUGATE_X86_OFF(hdr.xloadflags) == 0x236, "xloadflags");
_Static_assert(LUGATE_X86_OFF(hdr.cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LUGATE_X86_OFF(hdr.payload_offset) == 0x248, "payload_offset");
_Static_assert(LUGATE_X86_OFF(hdr.payload_length) == 0x24c, "payload_length");
_Static_assert(LUGATE_X86_OFF(hdr.setup_data) == 0x250, "setup_data");
_Static_assert(LUGATE_X86_OFF(hdr.pref_address) == 0x258, "pref_address");
_Static_assert(LUGATE_X86_OFF(hdr.init_size) == 0x260, "init_size");
_Static_assert(LUGATE_X86_OFF(hdr.handover_offset) == 0x264, "handover_offset");
_Static_assert(LUGATE_X86_OFF(e820_table) == 0x2d0, "e820_table");

#define LUGATE_X86_BOOT_FLAG 0xaa55u
#define LUGATE_X86_JUMP_SHORT 0xebu
#define LUGATE_X86_HEADER_MAGIC "HdrS"
#define LUGATE_X86_LOADED_HIGH (1u << 0)          /* loadflags: protected-mode code at 1 MiB or above */
#define LUGATE_X86_XLF_KERNEL_64 (1u << 0)        /* xloadflags: a 64-bit entry at +0x200 */
#define LUGATE_X86_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define LUGATE_X86_XLF_EFI_HANDOVER_64 (1u << 3)
#define LUGATE_X86_XLF_5LEVEL (1u << 5)           /* the kernel can enter with 5-level paging on */
#define LUGATE_X86_ENTRY64_OFFSET 0x200u          /* from the load address */
#define LUGATE_X86_TYPE_OF_LOADER_UNDEFINED 0xffu

/* setup_data: the chain hdr.setup_data heads, each entry next, type, len, then len bytes. */
struct lugate_x86_setup_data {
	uint64_t next;
	uint32_t type;
	uint32_t len;
} __attribute__((packed));
_Static_assert(sizeof(struct lugate_x86_setup_data) == 16, "setup_data header");

/* setup_data types lugate reads or forwards (arch/x86/include/uapi/asm/bootparam.h). */
#define LUGATE_X86_SETUP_E820_EXT 1u
#define LUGATE_X86_SETUP_EFI 4u        /* struct efi_setup_data: how a kexec'd kernel finds the firmware */
#define LUGATE_X86_SETUP_IMA 8u
#define LUGATE_X86_SETUP_KEXEC_KHO 10u
#define LUGATE_X86_SETUP_INDIRECT (1u << 31)

/* SETUP_EFI's payload, what kexec_file_load adds on a UEFI host: the firmware's vendor string,
 * configuration tables and SMBIOS, which the next kernel cannot ask the (exited) boot services for. */
struct lugate_x86_efi_setup_data {
	uint64_t fw_vendor;
	uint64_t unused;
	uint64_t tables;
	uint64_t smbios;
	uint64_t reserved[8];
} __attribute__((packed));
_Static_assert(sizeof(struct lugate_x86_efi_setup_data) == 96, "efi_setup_data");

/* An EFI memory descriptor (UEFI 2.x, EFI_MEMORY_DESCRIPTOR) is 40 bytes; the firmware's
 * memdesc_size may be larger, never smaller. */
#define LUGATE_X86_EFI_MEMDESC_MIN 40u

#endif
