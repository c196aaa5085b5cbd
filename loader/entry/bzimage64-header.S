/* SPDX-License-Identifier: MIT */
/*
 * The real-mode part of build/loader.bzImage: one boot sector and one setup sector
 * (setup_sects = 1) holding nothing but the x86 boot protocol's setup header
 * (Documentation/arch/x86/boot.rst). No real-mode code: the image is only for 64-bit loaders
 * (kexec_file), which read the header and enter the protected-mode part at +0x200.
 * PM_SIZE (bytes of the protected-mode part in the file) and INIT_SIZE (bytes it needs in
 * memory, .bss, stack and page tables included) come from the build (mk/41-loader-bzimage.mk).
 */
#ifndef PM_SIZE
#error "PM_SIZE must be defined"
#endif
#ifndef INIT_SIZE
#error "INIT_SIZE must be defined"
#endif

	.set LOADED_HIGH, 0x01
	.set XLF_KERNEL_64, 0x01
	.set XLF_CAN_BE_LOADED_ABOVE_4G, 0x02
	.set XLF_5LEVEL, 0x20			/* can be entered with 5-level paging on */

	.section .bzheader, "a"
	.globl bz_header_start
bz_header_start:
	.fill 0x1f1, 1, 0
	.byte 1					/* 0x1f1 setup_sects */
	.short 0				/* 0x1f2 root_flags */
	.long (PM_SIZE + 15) / 16		/* 0x1f4 syssize (16-byte units) */
	.short 0				/* 0x1f8 ram_size */
	.short 0xffff				/* 0x1fa vid_mode: normal */
	.short 0				/* 0x1fc root_dev */
	.short 0xaa55				/* 0x1fe boot_flag */
	.byte 0xeb, hdr_end - 0x202 - bz_header_start	/* 0x200 jump; byte 0x201 = header length */
	.ascii "HdrS"				/* 0x202 header */
	.short 0x020c				/* 0x206 version 2.12 */
	.long 0					/* 0x208 realmode_swtch */
	.short 0x1000				/* 0x20c start_sys_seg */
	.short 0				/* 0x20e kernel_version: none */
	.byte 0					/* 0x210 type_of_loader */
	.byte LOADED_HIGH			/* 0x211 loadflags */
	.short 0				/* 0x212 setup_move_size */
	.long 0x100000				/* 0x214 code32_start */
	.long 0					/* 0x218 ramdisk_image */
	.long 0					/* 0x21c ramdisk_size */
	.long 0					/* 0x220 bootsect_kludge */
	.short 0				/* 0x224 heap_end_ptr */
	.byte 0					/* 0x226 ext_loader_ver */
	.byte 0					/* 0x227 ext_loader_type */
	.long 0					/* 0x228 cmd_line_ptr */
	.long 0xffffffff			/* 0x22c initrd_addr_max: the loader reads the bundle anywhere below 4 GiB */
	.long 0x1000				/* 0x230 kernel_alignment: 4 KiB is all the entry needs */
	.byte 1					/* 0x234 relocatable_kernel */
	.byte 12				/* 0x235 min_alignment (log2) */
	.short XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_5LEVEL	/* 0x236 xloadflags */
	.long 4095				/* 0x238 cmdline_size */
	.long 0					/* 0x23c hardware_subarch */
	.quad 0					/* 0x240 hardware_subarch_data */
	.long 0					/* 0x248 payload_offset */
	.long 0					/* 0x24c payload_length */
	.quad 0					/* 0x250 setup_data */
	.quad 0x1000000				/* 0x258 pref_address: 16 MiB */
	.long INIT_SIZE				/* 0x260 init_size */
	.long 0					/* 0x264 handover_offset: no EFI handover */
hdr_end:
	.fill 0x400 - (hdr_end - bz_header_start), 1, 0

	.section .note.GNU-stack, "", @progbits
