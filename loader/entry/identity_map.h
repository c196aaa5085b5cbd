/* SPDX-License-Identifier: MIT */
/*
 * Assembler macros for the entry stubs' own identity map, shared by multiboot.S (32-bit
 * code, before long mode) and bzimage64.S (64-bit code). Included by .S files only.
 */
#ifndef LUGATE_IDENTITY_MAP_H
#define LUGATE_IDENTITY_MAP_H

/*
 * The page tables and the stack, in .bss (which the stub clears before use): one PML4, one
 * PDPT and four page directories (4 GiB of 2 MiB pages), then a 64 KiB stack. Leaves the
 * assembler in .bss.
 */
.macro IDENTITY_MAP_BSS
	.section .bss
	.balign 4096
pml4:		.space 4096
pdpt:		.space 4096
pd:		.space 4 * 4096
	.balign 16
boot_stack:	.space 65536
boot_stack_top:
.endm

/*
 * PT_FILL sfx, entry, ptr, step, count: writes count 8-byte page-table entries from ptr on,
 * the first one entry, each next one step higher. sfx is the operand size of the code it
 * stands in (l: 32-bit, entries below 4 GiB; q: 64-bit) and entry, ptr registers of that
 * size. Clobbers entry, ptr and %ecx.
 */
.macro PT_FILL sfx, entry, ptr, step, count
	movl	$\count, %ecx
.Lpt_fill\@:
	mov\sfx	\entry, (\ptr)
	add\sfx	$\step, \entry
	add\sfx	$8, \ptr
	loop	.Lpt_fill\@
.endm

#endif
