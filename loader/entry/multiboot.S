/* SPDX-License-Identifier: MIT */
/*
 * Multiboot entry: one image that carries a Multiboot (v1) and a Multiboot2 header, so that
 * QEMU's -kernel (v1 only), GRUB, and kexec-tools (--type multiboot-x86 / multiboot2-x86)
 * can all start it. Both protocols enter here in 32-bit protected mode with paging off,
 * EAX = the protocol's magic and EBX = the physical address of its boot information.
 *
 * This stub: interrupts off, clear .bss, identity-map the first 4 GiB with 2 MiB pages,
 * enable SSE, enter long mode with the loader's GDT, and call loader_multiboot_main(magic,
 * info) in C. It is the only code that is not position-independent: the multiboot image is
 * linked at, and always loaded at, 1 MiB.
 */
#include "identity_map.h"

	.set MB1_MAGIC, 0x1badb002
	.set MB1_FLAGS, 0x00000003	/* bit 0: page-align modules; bit 1: memory map wanted */
	.set MB2_MAGIC, 0xe85250d6
	.set MB2_ARCH_I386, 0
	.set MB2_TAG_END, 0
	.set MB2_TAG_MODULE_ALIGN, 6

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long (0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))) & 0xffffffff
	.balign 8
	.short MB2_TAG_MODULE_ALIGN, 0	/* page-align modules */
	.long 8
	.balign 8
	.short MB2_TAG_END, 0
	.long 8
mb2_header_end:

	.balign 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long (0x100000000 - (MB1_MAGIC + MB1_FLAGS)) & 0xffffffff

	.section .data
	.balign 8
boot_magic:	.long 0
boot_info:	.long 0
gdt_desc32:				/* loader_gdt (cpu.S) has 4 descriptors */
	.short 4 * 8 - 1
	.long loader_gdt

	IDENTITY_MAP_BSS

	.section .text.entry, "ax"
	.code32
	.globl lugate_multiboot_entry
	.type lugate_multiboot_entry, @function
lugate_multiboot_entry:
	cli
	cld
	movl	%eax, boot_magic
	movl	%ebx, boot_info

	/* .bss holds the page tables and the stack: zero it before use. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	movl	$boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl	$pdpt + 3, pml4
	movl	$pd + 3, %eax
	movl	$pdpt, %edi
	PT_FILL	l, %eax, %edi, 4096, 4
	/* 2048 entries of 2 MiB: present, writable, page size. */
	movl	$0x83, %eax
	movl	$pd, %edi
	PT_FILL	l, %eax, %edi, 0x200000, 2048

	/* CR4: PAE, OSFXSR, OSXMMEXCPT (the C code may use SSE registers). */
	movl	%cr4, %eax
	orl	$((1 << 5) | (1 << 9) | (1 << 10)), %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	/* EFER.LME */
	movl	$0xc0000080, %ecx
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	/* CR0: paging, protection, monitor coprocessor; no x87 emulation, no task-switched. */
	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 1) | (1 << 0)), %eax
	andl	$~((1 << 2) | (1 << 3)), %eax
	movl	%eax, %cr0

	lgdt	gdt_desc32
	ljmp	$0x10, $long_mode

	.code64
long_mode:
	leaq	boot_stack_top(%rip), %rsp
	call	cpu_load_gdt			/* cpu.S: the same GDT again, data segments 0x18 */
	movl	boot_magic(%rip), %edi
	movl	boot_info(%rip), %esi
	call	loader_multiboot_main
3:	cli
	hlt
	jmp	3b
	.size lugate_multiboot_entry, . - lugate_multiboot_entry

	.section .note.GNU-stack, "", @progbits
