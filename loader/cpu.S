/* SPDX-License-Identifier: MIT */
/*
 * CPU tables and the jump into Linux, shared by every entry. Position-independent (all
 * addresses RIP-relative or computed at run time), so the bzImage64 entry can use it too.
 *
 * GDT: the selectors the 64-bit boot protocol requires (boot.rst): __BOOT_CS = 0x10, a
 * flat 64-bit code segment, and __BOOT_DS = 0x18, flat read/write data.
 */
	.section .data
	.balign 16
	.globl loader_gdt, loader_gdt_end
loader_gdt:
	.quad 0x0000000000000000	/* 0x00 null */
	.quad 0x00cf9a000000ffff	/* 0x08 flat 32-bit code (unused after the switch) */
	.quad 0x00af9a000000ffff	/* 0x10 __BOOT_CS: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x18 __BOOT_DS: flat data */
loader_gdt_end:

	.balign 16
gdt_desc:
	.short loader_gdt_end - loader_gdt - 1
	.quad 0				/* base: filled in at run time (position independence) */

	.text
	.code64

/* void cpu_load_gdt(void): load the GDT above, CS = 0x10 and every data segment = 0x18. */
	.globl cpu_load_gdt
	.type cpu_load_gdt, @function
cpu_load_gdt:
	leaq	loader_gdt(%rip), %rax
	movq	%rax, gdt_desc+2(%rip)
	lgdt	gdt_desc(%rip)
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	popq	%rax			/* return address */
	pushq	$0x10
	pushq	%rax
	lretq				/* reloads CS */
	.size cpu_load_gdt, . - cpu_load_gdt

/* void cpu_load_idt(const void *idt, uint16_t limit) */
	.globl cpu_load_idt
	.type cpu_load_idt, @function
cpu_load_idt:
	subq	$16, %rsp
	movw	%si, (%rsp)
	movq	%rdi, 2(%rsp)
	lidt	(%rsp)
	addq	$16, %rsp
	ret
	.size cpu_load_idt, . - cpu_load_idt

/*
 * Exception stubs, 16 bytes apart, vectors 0..31. Each pushes an error code when the CPU
 * did not (so every frame looks alike), then the vector, and goes to the common handler,
 * which passes the frame to loader_exception() in C. Interrupts stay disabled; nothing
 * returns from an exception: the loader reports it and stops. The one exception is the NMI
 * (vector 2), which can arrive with interrupts off and says nothing about the loader: it is
 * ignored.
 */
	.balign 16
	.globl cpu_exception_stubs
cpu_exception_stubs:
	.set vector, 0
	.rept 32
	.balign 16
	.if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq	$0
	.endif
	pushq	$vector
	jmp	exception_common
	.set vector, vector + 1
	.endr

exception_common:
	cmpq	$2, (%rsp)		/* NMI: not an error of ours (a BMC, a watchdog): ignore it */
	je	nmi_return
	cld
	movq	%rsp, %rdi		/* struct exception_frame * */
	andq	$-16, %rsp
	call	loader_exception
1:	cli
	hlt
	jmp	1b
nmi_return:
	addq	$16, %rsp		/* vector and the pushed zero error code */
	iretq

/*
 * _Noreturn void cpu_enter_linux(uint64_t entry, uint64_t boot_params)
 * The 64-bit boot protocol's entry state: long mode, paging on with an identity map that
 * covers the kernel, the zero page and the command line, CS = 0x10, DS = ES = SS = 0x18,
 * interrupts off, %rsi = boot_params. %rsi already holds the second argument.
 */
	.globl cpu_enter_linux
	.type cpu_enter_linux, @function
cpu_enter_linux:
	cli
	movq	%rdi, %rax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%rax
	.size cpu_enter_linux, . - cpu_enter_linux

	.section .note.GNU-stack, "", @progbits
