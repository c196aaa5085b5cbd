/* SPDX-License-Identifier: MIT */
/*
 * bzImage64 entry (docs/loader.md, "The bzImage64 entry"): the loader as a kernel image that
 * the kernel's kexec_file loader (`kexec -s`) accepts. The file build/loader.bzImage is the
 * real-mode setup sectors (loader/entry/bzimage64-header.S, the setup header only) followed by
 * this protected-mode part, linked at 0 as a static PIE and loaded wherever the kernel puts it.
 *
 * Offset 0 of the protected-mode part is the 32-bit entry (code32_start): not supported, the
 * CPU halts. Offset 0x200 is the 64-bit entry of the boot protocol: long mode, paging on with an
 * identity map covering the image and boot_params, %rsi = boot_params, interrupts off.
 *
 * This stub, position-independently (every address RIP-relative):
 *   1. clears .bss (page tables, stack, the loader's state);
 *   2. applies the image's relative relocations (.rela.dyn: R_X86_64_RELATIVE only; anything
 *      else halts), so pointers in data hold run-time addresses;
 *   3. builds its own identity map and loads CR3 (behind a PML5 under 5-level paging): the first 512 GiB with 1 GiB pages when the
 *      CPU has them (CPUID 0x80000001 EDX bit 26; kexec_file places the image and the bundle
 *      top-down, often above 4 GiB), else the first 4 GiB with 2 MiB pages; if the image lies
 *      beyond that map it keeps the incoming one and C stops with a message;
 *   4. enables SSE, loads the loader's GDT (CS 0x10, data 0x18) and calls
 *      loader_bzimage64_main(boot_params, map_limit) in C (map_limit: where its identity map
 *      ends, 0 if it kept the incoming one).
 */
#include "identity_map.h"

	.set R_X86_64_NONE, 0
	.set R_X86_64_RELATIVE, 8

	IDENTITY_MAP_BSS
	.balign 4096
pml5:		.space 4096		/* used only under 5-level paging (CR4.LA57) */

	.section .text.bz32, "ax"
	.code32
	.globl lugate_bzimage32_entry
lugate_bzimage32_entry:			/* offset 0: the 32-bit entry is not supported */
1:	cli
	hlt
	jmp	1b

	.section .text.bz64, "ax"	/* placed at offset 0x200 by the linker script */
	.code64
	.globl lugate_bzimage64_entry
	.type lugate_bzimage64_entry, @function
lugate_bzimage64_entry:
	cli
	cld
	movq	%rsi, %r12			/* boot_params: callee-saved across the C call */

	/* 1. .bss */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb
	leaq	boot_stack_top(%rip), %rsp

	/* 2. relocations: *(base + r_offset) = base + r_addend */
	leaq	__image_start(%rip), %rbx	/* the run-time address of link address 0 */
	leaq	__rela_start(%rip), %r8
	leaq	__rela_end(%rip), %r9
2:	cmpq	%r9, %r8
	jae	4f
	movl	8(%r8), %eax			/* ELF64_R_TYPE(r_info) */
	cmpl	$R_X86_64_NONE, %eax
	je	3f
	cmpl	$R_X86_64_RELATIVE, %eax
	jne	9f
	movq	(%r8), %rdx
	movq	16(%r8), %rax
	addq	%rbx, %rax
	movq	%rax, (%rbx,%rdx)
3:	addq	$24, %r8
	jmp	2b

	/* 3. own identity map: 512 GiB of 1 GiB pages if the CPU has them, else 4 GiB of 2 MiB pages */
4:	xorl	%r13d, %r13d			/* map_limit = 0: the incoming map is kept */
	leaq	pml4(%rip), %rdi		/* PML4[0] -> PDPT (either map; unused if neither) */
	leaq	pdpt(%rip), %rax
	orq	$3, %rax
	movq	%rax, (%rdi)
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	8f
	movl	$0x80000001, %eax
	cpuid
	btl	$26, %edx			/* Page1GB */
	jnc	8f
	leaq	__image_end(%rip), %rax
	movabsq	$0x8000000000, %rcx
	cmpq	%rcx, %rax
	ja	6f
	movq	$0x83, %rax			/* present, writable, 1 GiB page */
	leaq	pdpt(%rip), %rdi
	PT_FILL	q, %rax, %rdi, 0x40000000, 512
	call	load_cr3
	movabsq	$0x8000000000, %r13		/* map_limit = 512 GiB */
	jmp	6f
8:	leaq	__image_end(%rip), %rax
	movq	$0x100000000, %rcx
	cmpq	%rcx, %rax
	ja	6f
	leaq	pd(%rip), %rax
	orq	$3, %rax
	leaq	pdpt(%rip), %rdi
	PT_FILL	q, %rax, %rdi, 4096, 4
	movq	$0x83, %rax			/* present, writable, 2 MiB page */
	leaq	pd(%rip), %rdi
	PT_FILL	q, %rax, %rdi, 0x200000, 2048
	call	load_cr3
	movq	$0x100000000, %r13		/* map_limit = 4 GiB */

	/* 4. SSE on (the C code may use SSE registers), GDT, C */
6:	movq	%cr4, %rax
	orq	$((1 << 9) | (1 << 10)), %rax	/* OSFXSR, OSXMMEXCPT */
	movq	%rax, %cr4
	movq	%cr0, %rax
	orq	$(1 << 1), %rax			/* MP */
	andq	$~((1 << 2) | (1 << 3)), %rax	/* no EM, no TS */
	movq	%rax, %cr0
	call	cpu_load_gdt
	movq	%r12, %rdi
	movq	%r13, %rsi
	call	loader_bzimage64_main
9:	cli
	hlt
	jmp	9b
	.size lugate_bzimage64_entry, . - lugate_bzimage64_entry

/*
 * CR3 = the identity map. Under 5-level paging (CR4.LA57, which cannot be cleared in long mode
 * without leaving it) the PML4 goes behind PML5[0]: the same map. Clobbers %rax, %rcx, %rdx.
 */
load_cr3:
	leaq	pml4(%rip), %rax
	movq	%cr4, %rcx
	btq	$12, %rcx
	jnc	1f
	leaq	pml5(%rip), %rdx
	orq	$3, %rax
	movq	%rax, (%rdx)
	movq	%rdx, %rax
1:	movq	%rax, %cr3
	ret

	.section .note.GNU-stack, "", @progbits
