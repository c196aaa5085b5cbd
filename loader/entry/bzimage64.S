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
 *   3. if the image lies below 4 GiB, identity-maps the first 4 GiB with 2 MiB pages in its own
 *      tables and loads CR3 (otherwise it keeps the incoming map and C stops with a message);
 *   4. enables SSE, loads the loader's GDT (CS 0x10, data 0x18) and calls
 *      loader_bzimage64_main(boot_params, own_map) in C.
 */
	.set R_X86_64_NONE, 0
	.set R_X86_64_RELATIVE, 8

	.section .bss
	.balign 4096
bz_pml4:	.space 4096
bz_pdpt:	.space 4096
bz_pd:		.space 4 * 4096		/* 4 page directories: 4 GiB of 2 MiB pages */
	.balign 16
bz_stack:	.space 65536
bz_stack_top:

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
	leaq	bz_stack_top(%rip), %rsp

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

	/* 3. own identity map of [0, 4 GiB), if the image lies below 4 GiB */
4:	xorl	%r13d, %r13d			/* own_map = 0 */
	leaq	__image_end(%rip), %rax
	movq	$0x100000000, %rcx
	cmpq	%rcx, %rax
	ja	6f
	leaq	bz_pml4(%rip), %rdi
	leaq	bz_pdpt(%rip), %rax
	orq	$3, %rax
	movq	%rax, (%rdi)
	leaq	bz_pd(%rip), %rax
	orq	$3, %rax
	leaq	bz_pdpt(%rip), %rdi
	movl	$4, %ecx
5:	movq	%rax, (%rdi)
	addq	$4096, %rax
	addq	$8, %rdi
	loop	5b
	movq	$0x83, %rax			/* present, writable, 2 MiB page */
	leaq	bz_pd(%rip), %rdi
	movl	$2048, %ecx
7:	movq	%rax, (%rdi)
	addq	$0x200000, %rax
	addq	$8, %rdi
	loop	7b
	leaq	bz_pml4(%rip), %rax
	movq	%rax, %cr3
	movl	$1, %r13d			/* own_map = 1 */

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

	.section .note.GNU-stack, "", @progbits
