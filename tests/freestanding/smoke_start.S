/* SPDX-License-Identifier: MIT */
/* Process entry for the freestanding smoke test: no libc, plain Linux system calls. */
	.text
	.globl _start
_start:
	xor	%ebp, %ebp
	and	$-16, %rsp
	call	smoke_main
	mov	%eax, %edi
	mov	$60, %eax		/* exit */
	syscall
	hlt

	.globl smoke_write
smoke_write:				/* long smoke_write(const void *buf, size_t len) -> write(1, ...) */
	mov	%rsi, %rdx
	mov	%rdi, %rsi
	mov	$1, %edi
	mov	$1, %eax
	syscall
	ret

	.section .note.GNU-stack, "", @progbits
