/* SPDX-License-Identifier: MIT */
/*
 * The arm64 Image header and entry of build/loader.arm64 (Documentation/arch/arm64/booting.rst).
 * Entered at offset 0 with the MMU off, x0 = the DTB's physical address, x1-x3 = 0. The loader
 * keeps the MMU (and so the data cache) off throughout: every access is then to memory as it
 * is, which is slow on hardware but needs no page tables; the C code is built -mstrict-align
 * because Device memory (what all memory is with the MMU off) faults on unaligned accesses.
 */
	.section .head.text, "ax"
	.globl	_head
_head:
	b	entry                   /* code0: branch to the entry */
	.long	0                       /* code1 */
	.quad	0                       /* text_offset: 0, any 2 MiB boundary will do */
	.quad	0                       /* image_size: file and .bss, stack included (__image_end),
	                                 * written in by the make rule: a relocated value here would be
	                                 * a dynamic relocation in the header */
	.quad	0xa                     /* flags: little-endian, 4K pages (bits 1-2 = 1), placed anywhere (bit 3) */
	.quad	0, 0, 0                 /* res2-res4 */
	.ascii	"ARM\x64"               /* magic */
	.long	0                       /* res5: no PE header */

entry:
	mov	x19, x0                 /* the DTB */
	adr	x20, _head              /* where the image runs: its link address is 0 */

	/* clear .bss (stack included) */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b

	/* apply R_AARCH64_RELATIVE (1027): *(base + offset) = base + addend; anything else halts */
2:	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
	adrp	x2, __rela_end
	add	x2, x2, :lo12:__rela_end
3:	cmp	x1, x2
	b.hs	4f
	ldp	x3, x4, [x1]
	ldr	x5, [x1, #16]
	cmp	x4, #1027
	b.ne	halt
	add	x5, x5, x20
	str	x5, [x20, x3]
	add	x1, x1, #24
	b	3b

4:	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
	mov	sp, x1
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	mov	x1, x20
	bl	a64_loader_main
halt:	wfi
	b	halt

/*
 * void a64_cache_clean(uint64_t start, uint64_t size): clean and invalidate [start, start +
 * size) to the Point of Coherency by VA, line by line (CTR_EL0.DminLine), so no stale line of
 * the data cache shadows what the loader wrote with the cache off.
 */
	.text
	.globl	a64_cache_clean
a64_cache_clean:
	cbz	x1, 2f
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4         /* DminLine: log2 of the line in words */
	mov	x2, #4
	lsl	x2, x2, x3              /* line size in bytes */
	sub	x3, x2, #1
	add	x1, x0, x1
	bic	x0, x0, x3
1:	dc	civac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
2:	dsb	sy
	ret

/*
 * void a64_enter_kernel(uint64_t entry, uint64_t dtb): booting.rst's last steps. The I-cache
 * must hold nothing stale for the image (invalidate it all to PoU), then jump with x0 = the
 * DTB and x1-x3 = 0, MMU off, interrupts masked. Never returns.
 */
	.globl	a64_enter_kernel
a64_enter_kernel:
	msr	daifset, #0xf
	ic	iallu
	dsb	sy
	isb
	mov	x4, x0
	mov	x0, x1
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4

/* void a64_psci_call(uint64_t fn, int smc): fn with the PSCI conduit the DTB named. */
	.globl	a64_psci_call
a64_psci_call:
	cbnz	x1, 1f
	hvc	#0
	ret
1:	smc	#0
	ret
