// SPDX-License-Identifier: MIT
/*
 * The arm64 loader's portable parts on the host, the very sources build/loader.arm64 links
 * (mk/42-loader-arm64.mk): reading the entry DTB (loader-arm64/dtb_read.c), placing what it
 * writes (place.c), the DTB it hands over (dtb_deliver.c) and KHO's FDT and scratch, with the
 * window the LUO reader reads through (chosen_kho.c). The DTBs are built here with
 * Debian's libfdt, laid out like the one QEMU's virt machine passes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>
#include "../../loader-arm64/dtb_deliver.h"
#include "../../loader-arm64/dtb_read.h"
#include "../../loader-arm64/chosen_kho.h"
#include "../../loader-arm64/place.h"

#define DTB_SIZE 8192
#define RAM 0x40000000ull
#define UART 0x9000000ull

static uint8_t dtb[DTB_SIZE] __attribute__((aligned(8)));
static uint8_t out[DTB_SIZE * 2] __attribute__((aligned(8)));

static void ok(int err)
{
	assert_int_equal(err, 0);
}

static int node(void *fdt, int parent, const char *name)
{
	int n = fdt_add_subnode(fdt, parent, name);

	assert_true(n >= 0);
	return n;
}

/* A reg of <addr size> pairs in 2 + 2 cells. */
static void reg64(void *fdt, int n, const char *name, uint64_t a, uint64_t s)
{
	fdt64_t r[2] = { cpu_to_fdt64(a), cpu_to_fdt64(s) };

	ok(fdt_setprop(fdt, n, name, r, sizeof(r)));
}

/* A DTB like QEMU virt's: 2+2 cells, 1 GiB of RAM, a PL011, PSCI over HVC, /chosen with the
 * command line and the initrd (start 8 bytes, end 4 bytes, as both occur), one /memreserve/
 * and one /reserved-memory child. */
static void *virt_dtb(void)
{
	int root, n, chosen, rm;

	ok(fdt_create_empty_tree(dtb, DTB_SIZE));
	root = 0;
	ok(fdt_setprop_u32(dtb, root, "#address-cells", 2));
	ok(fdt_setprop_u32(dtb, root, "#size-cells", 2));
	ok(fdt_add_mem_rsv(dtb, RAM + 0x100000, 0x1000));
	n = node(dtb, root, "memory@40000000");
	ok(fdt_setprop_string(dtb, n, "device_type", "memory"));
	reg64(dtb, n, "reg", RAM, 0x40000000);
	n = node(dtb, root, "pl011@9000000");
	ok(fdt_setprop_string(dtb, n, "compatible", "arm,pl011"));
	reg64(dtb, n, "reg", UART, 0x1000);
	n = node(dtb, root, "psci");
	ok(fdt_setprop_string(dtb, n, "method", "hvc"));
	rm = node(dtb, root, "reserved-memory");
	ok(fdt_setprop_u32(dtb, rm, "#address-cells", 2));
	ok(fdt_setprop_u32(dtb, rm, "#size-cells", 2));
	ok(fdt_setprop_empty(dtb, rm, "ranges"));
	n = node(dtb, rm, "fw@7f000000");
	reg64(dtb, n, "reg", 0x7f000000, 0x200000);
	chosen = node(dtb, root, "chosen");
	ok(fdt_setprop_string(dtb, chosen, "bootargs", "console=ttyAMA0 lugate.debug=1"));
	ok(fdt_setprop_string(dtb, chosen, "stdout-path", "/pl011@9000000"));
	ok(fdt_setprop_u64(dtb, chosen, "linux,initrd-start", 0x48000000));
	ok(fdt_setprop_u32(dtb, chosen, "linux,initrd-end", 0x48200000));
	return dtb;
}

static void test_read_virt(void **state)
{
	struct a64_dtb_info i;

	(void)state;
	assert_null(a64_dtb_read(virt_dtb(), DTB_SIZE, &i));
	assert_int_equal(i.fdt_size, fdt_totalsize(dtb));
	assert_int_equal(i.mem_count, 1);
	assert_int_equal(i.mem[0].addr, RAM);
	assert_int_equal(i.mem[0].size, 0x40000000);
	assert_int_equal(i.reserved_count, 2);
	assert_int_equal(i.reserved[0].addr, RAM + 0x100000);      /* /memreserve/ first */
	assert_int_equal(i.reserved[0].size, 0x1000);
	assert_int_equal(i.reserved[1].addr, 0x7f000000);
	assert_int_equal(i.reserved[1].size, 0x200000);
	assert_string_equal(i.bootargs, "console=ttyAMA0 lugate.debug=1");
	assert_true(i.has_initrd);
	assert_int_equal(i.initrd.addr, 0x48000000);
	assert_int_equal(i.initrd.size, 0x200000);
	assert_false(i.has_kho_fdt);
	assert_false(i.has_kho_scratch);
	assert_int_equal(i.uart, UART);
	assert_int_equal(i.psci, A64_PSCI_HVC);
}

static void test_read_kho(void **state)
{
	struct a64_dtb_info i;
	int chosen;

	(void)state;
	virt_dtb();
	chosen = fdt_path_offset(dtb, "/chosen");
	reg64(dtb, chosen, "linux,kho-fdt", 0x50000000, 0x1000);
	reg64(dtb, chosen, "linux,kho-scratch", 0x50001000, 0x20);
	assert_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	assert_true(i.has_kho_fdt && i.has_kho_scratch);
	assert_int_equal(i.kho_fdt.addr, 0x50000000);
	assert_int_equal(i.kho_fdt.size, 0x1000);
	assert_int_equal(i.kho_scratch.addr, 0x50001000);
	assert_int_equal(i.kho_scratch.size, 0x20);
	/* a pair in the wrong number of cells is refused, not half read */
	ok(fdt_setprop_u32(dtb, chosen, "linux,kho-fdt", 0x50000000));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));
}

/* A crash kernel's DTB: the memory is capped to linux,usable-memory-range (every range, each
 * cut to the memory nodes), and linux,elfcorehdr is reserved; malformed or memory-less ranges
 * are refused. */
static void test_read_crash(void **state)
{
	struct a64_dtb_info i;
	int chosen;
	fdt64_t two[4] = { cpu_to_fdt64(RAM - 0x100000), cpu_to_fdt64(0x300000),   /* straddles RAM's start */
			   cpu_to_fdt64(RAM + 0x3ff00000), cpu_to_fdt64(0x1000000) }; /* straddles its end */

	(void)state;
	virt_dtb();
	chosen = fdt_path_offset(dtb, "/chosen");
	reg64(dtb, chosen, "linux,usable-memory-range", RAM + 0x10000000, 0x8000000);
	reg64(dtb, chosen, "linux,elfcorehdr", RAM + 0x20000000, 0x10000);
	assert_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	assert_true(i.has_usable_range && i.has_elfcorehdr);
	assert_int_equal(i.mem_count, 1);
	assert_int_equal(i.mem[0].addr, RAM + 0x10000000);
	assert_int_equal(i.mem[0].size, 0x8000000);
	assert_int_equal(i.reserved_count, 3);
	assert_int_equal(i.reserved[2].addr, RAM + 0x20000000);
	assert_int_equal(i.reserved[2].size, 0x10000);
	assert_int_equal(i.elfcorehdr.addr, RAM + 0x20000000);

	ok(fdt_setprop(dtb, chosen, "linux,usable-memory-range", two, sizeof(two)));
	assert_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	assert_int_equal(i.mem_count, 2);
	assert_int_equal(i.mem[0].addr, RAM);
	assert_int_equal(i.mem[0].size, 0x200000);
	assert_int_equal(i.mem[1].addr, RAM + 0x3ff00000);
	assert_int_equal(i.mem[1].size, 0x100000);

	/* without the properties nothing changes */
	virt_dtb();
	assert_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	assert_false(i.has_usable_range || i.has_elfcorehdr);
	assert_int_equal(i.mem_count, 1);
	assert_int_equal(i.reserved_count, 2);

	/* refused: outside every memory node, empty, wrapping, not whole pairs, two core headers */
	reg64(dtb, chosen = fdt_path_offset(dtb, "/chosen"), "linux,usable-memory-range", 0x100000000ull, 0x1000);
	assert_string_equal(a64_dtb_read(dtb, DTB_SIZE, &i),
			    "/chosen linux,usable-memory-range lies outside the memory the DTB describes");
	reg64(dtb, chosen, "linux,usable-memory-range", RAM, 0);
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	reg64(dtb, chosen, "linux,usable-memory-range", ~0ull - 0xfff, 0x2000);
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	ok(fdt_setprop_u32(dtb, chosen, "linux,usable-memory-range", 1));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));
	ok(fdt_delprop(dtb, chosen, "linux,usable-memory-range"));
	ok(fdt_setprop(dtb, chosen, "linux,elfcorehdr", two, sizeof(two)));
	assert_string_equal(a64_dtb_read(dtb, DTB_SIZE, &i),
			    "/chosen linux,elfcorehdr is not one non-empty <address size> pair in the root's cells");
}

/* Every way the entry DTB can be unusable gives a reason, never a partial read that passes. */
static void test_read_bad(void **state)
{
	struct a64_dtb_info i;
	uint8_t junk[64] = { 0 };
	int chosen;

	(void)state;
	assert_non_null(a64_dtb_read(junk, sizeof(junk), &i));
	virt_dtb();
	assert_non_null(a64_dtb_read(dtb, 64, &i));                 /* larger than may be read */
	chosen = fdt_path_offset(dtb, "/chosen");
	ok(fdt_setprop_u64(dtb, chosen, "linux,initrd-end", 0x47000000));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));           /* end before start */
	ok(fdt_delprop(dtb, chosen, "linux,initrd-end"));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));           /* start without end */
	virt_dtb();
	ok(fdt_setprop(dtb, fdt_path_offset(dtb, "/chosen"), "bootargs", "abc", 3));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));           /* bootargs without its NUL */
	ok(fdt_setprop(dtb, fdt_path_offset(dtb, "/chosen"), "bootargs", "lugate\0\0", 8));
	assert_null(a64_dtb_read(dtb, DTB_SIZE, &i));               /* padded with NULs, as kexec-tools does */
	assert_string_equal(i.bootargs, "lugate");
	virt_dtb();
	ok(fdt_setprop_u32(dtb, fdt_path_offset(dtb, "/memory@40000000"), "reg", 1));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));           /* reg not whole entries */
	virt_dtb();
	reg64(dtb, fdt_path_offset(dtb, "/memory@40000000"), "reg", ~0ull - 10, 0x100);
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));           /* wraps */
	virt_dtb();
	ok(fdt_del_node(dtb, fdt_path_offset(dtb, "/memory@40000000")));
	assert_non_null(a64_dtb_read(dtb, DTB_SIZE, &i));           /* no memory */
	assert_int_equal(i.uart, UART);                             /* the console is still known */
}

static void test_uart(void **state)
{
	int chosen, n;

	(void)state;
	virt_dtb();
	n = node(dtb, 0, "pl011@9040000");
	ok(fdt_setprop_string(dtb, n, "compatible", "arm,pl011"));
	reg64(dtb, n, "reg", 0x9040000, 0x1000);
	n = node(dtb, 0, "aliases");
	ok(fdt_setprop_string(dtb, n, "serial1", "/pl011@9040000"));
	chosen = fdt_path_offset(dtb, "/chosen");   /* after the nodes that moved it */
	ok(fdt_setprop_string(dtb, chosen, "stdout-path", "serial1:115200n8"));
	assert_int_equal(a64_dtb_uart(dtb), 0x9040000);             /* an alias, options cut */
	ok(fdt_setprop_string(dtb, chosen, "stdout-path", "/pl011@9000000"));
	assert_int_equal(a64_dtb_uart(dtb), UART);                  /* a path */
	/* without a usable stdout-path, the first arm,pl011 in tree order (libfdt adds a node
	 * before its older siblings: pl011@9040000) */
	ok(fdt_delprop(dtb, chosen, "stdout-path"));
	assert_int_equal(a64_dtb_uart(dtb), 0x9040000);
	ok(fdt_setprop_string(dtb, chosen, "stdout-path", "/psci"));
	assert_int_equal(a64_dtb_uart(dtb), 0x9040000);             /* not a PL011 */
}

static void test_place(void **state)
{
	struct a64_range mem[2] = { { RAM, 0x10000000 }, { 0x80000000, 0x10000000 } };
	struct a64_place p;
	uint64_t a;

	(void)state;
	a64_place_init(&p, mem, 2);
	assert_true(a64_place_busy(&p, RAM, 0x29000));                     /* the loader */
	assert_true(a64_place_busy(&p, RAM + 0x8000000, 0x8000000));       /* the rest of range 0 */
	assert_true(a64_place(&p, 0x2000000, 0x200000, 0, &a));
	assert_int_equal(a, RAM + 0x200000);                                /* the next 2 MiB boundary */
	assert_true(a64_place(&p, 0x1000, 0x200000, 0x80000, &a));
	assert_int_equal(a, RAM + 0x80000);                                 /* boundary + text_offset, clear of the loader */
	assert_true(a64_place(&p, 0x1000, 0x1000, 0, &a));
	assert_int_equal(a, RAM + 0x29000);                                 /* right after the loader */
	assert_true(a64_place(&p, 0x8000000, 0x200000, 0, &a));
	assert_int_equal(a, 0x80000000);                                    /* only the second range holds it */
	assert_false(a64_place(&p, 0x10000000, 0x1000, 0, &a));             /* nothing holds it */
	assert_false(a64_place(&p, 0x1000, 0x3000, 0, &a));                 /* not a power of two */
	assert_false(a64_place(&p, 0x1000, 0x1000, 0x1000, &a));            /* offset not below align */
	assert_true(a64_place_in_memory(&p, 0x80000000, 0x10000000));
	assert_false(a64_place_in_memory(&p, RAM + 0xfffffff, 2));
	assert_false(a64_place_in_memory(&p, ~0ull, 2));
}

static uint64_t be64_at(const void *p)
{
	fdt64_t v;

	memcpy(&v, p, sizeof(v));   /* a property is 4-byte aligned only */
	return fdt64_to_cpu(v);
}

static void test_deliver(void **state)
{
	struct a64_deliver d = { .bootargs = "console=ttyAMA0 root=/dev/ram", .has_initrd = true,
				 .initrd_start = 0x48003000, .initrd_end = 0x48103000,
				 .record_addr = 0x4a000000, .record_size = 0x2000 };
	const void *p;
	int n, len, chosen;

	(void)state;
	virt_dtb();
	reg64(dtb, fdt_path_offset(dtb, "/chosen"), "linux,kho-fdt", 0x50000000, 0x1000);
	assert_null(a64_dtb_deliver(dtb, out, sizeof(out), &d));
	ok(fdt_check_full(out, sizeof(out)));
	n = fdt_path_offset(out, "/reserved-memory/lugate-handoff@4a000000");
	assert_true(n >= 0);
	assert_int_equal(fdt_node_check_compatible(out, n, "lugate,handoff-v1"), 0);
	p = fdt_getprop(out, n, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(be64_at(p), 0x4a000000);
	assert_int_equal(be64_at((const uint8_t *)p + 8), 0x2000);
	assert_non_null(fdt_getprop(out, n, "no-map", &len));
	assert_non_null(fdt_path_offset(out, "/reserved-memory/fw@7f000000") >= 0 ? out : NULL);
	chosen = fdt_path_offset(out, "/chosen");
	p = fdt_getprop(out, chosen, "lugate,handoff", &len);
	assert_int_equal(len, 16);
	assert_int_equal(be64_at(p), 0x4a000000);
	assert_int_equal(be64_at((const uint8_t *)p + 8), 0x2000);
	assert_string_equal(fdt_getprop(out, chosen, "bootargs", NULL), "console=ttyAMA0 root=/dev/ram");
	assert_int_equal(be64_at(fdt_getprop(out, chosen, "linux,initrd-start", NULL)), 0x48003000);
	assert_int_equal(be64_at(fdt_getprop(out, chosen, "linux,initrd-end", NULL)), 0x48103000);
	p = fdt_getprop(out, chosen, "linux,kho-fdt", &len);              /* forwarded unchanged */
	assert_int_equal(len, 16);
	assert_int_equal(be64_at(p), 0x50000000);
	assert_int_equal(fdt_num_mem_rsv(out), 1);
}

/* No initrd: the entry DTB's initrd properties go; no /reserved-memory: it is made with the
 * root's cells; 1-cell sizes; a buffer too small is an error, not a cut DTB. */
static void test_deliver_variants(void **state)
{
	struct a64_deliver d = { .bootargs = NULL, .has_initrd = false, .record_addr = 0x41000000,
				 .record_size = 0x1000 };
	const void *p;
	int n, len;

	(void)state;
	virt_dtb();
	ok(fdt_del_node(dtb, fdt_path_offset(dtb, "/reserved-memory")));
	ok(fdt_setprop_u32(dtb, 0, "#size-cells", 1));
	assert_null(a64_dtb_deliver(dtb, out, sizeof(out), &d));
	n = fdt_path_offset(out, "/reserved-memory");
	assert_true(n >= 0);
	assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(out, n, "#size-cells", NULL)), 1);
	n = fdt_path_offset(out, "/reserved-memory/lugate-handoff@41000000");
	p = fdt_getprop(out, n, "reg", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(((const fdt32_t *)p)[2]), 0x1000);
	n = fdt_path_offset(out, "/chosen");
	assert_null(fdt_getprop(out, n, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(out, n, "linux,initrd-end", NULL));
	assert_string_equal(fdt_getprop(out, n, "bootargs", NULL), "console=ttyAMA0 lugate.debug=1");
	ok(fdt_pack(dtb));
	assert_non_null(a64_dtb_deliver(dtb, out, fdt_totalsize(dtb) + 16, &d));
	d.record_size = 0x100000000ull;                                   /* does not fit 1 cell */
	assert_non_null(a64_dtb_deliver(dtb, out, sizeof(out), &d));
}

static uint8_t kho_fdt[4096] __attribute__((aligned(8)));
static uint64_t kho_array[4];

/* The handover as the loader finds it: a KHO FDT and a scratch array in "physical" memory
 * (here the test's own, whose addresses are the ones the DTB names: MMU off, an address is a
 * pointer), with one memory range covering both. */
static void kho_world(struct a64_dtb_info *i, struct a64_place *p, uint64_t area)
{
	uint64_t lo = (uintptr_t)kho_fdt < (uintptr_t)kho_array ? (uintptr_t)kho_fdt : (uintptr_t)kho_array;
	struct a64_range mem = { lo & ~0x1fffffull, 0x100000000ull };   /* from a 2 MiB boundary */

	ok(fdt_create_empty_tree(kho_fdt, sizeof(kho_fdt)));
	ok(fdt_setprop_string(kho_fdt, 0, "compatible", "kho-v4"));
	memset(i, 0, sizeof(*i));
	i->has_kho_fdt = i->has_kho_scratch = true;
	i->kho_fdt.addr = (uintptr_t)kho_fdt;
	i->kho_fdt.size = sizeof(kho_fdt);
	i->kho_scratch.addr = (uintptr_t)kho_array;
	i->kho_scratch.size = sizeof(kho_array);
	kho_array[0] = 0;                         /* an empty area is skipped */
	kho_array[1] = 0;
	kho_array[2] = area;
	kho_array[3] = 0x400000;
	a64_place_init(p, &mem, 1);
}

static void test_kho(void **state)
{
	struct a64_dtb_info i;
	struct a64_place p;
	struct a64_kho k;
	uint64_t area, a;

	(void)state;
	kho_world(&i, &p, 0);
	area = p.mem[0].addr + 0x10000000;
	kho_array[2] = area;
	assert_null(a64_kho_read(&i, &p, &k));
	assert_string_equal(k.compat, "kho-v4");
	assert_int_equal(k.scratch_count, 1);
	assert_int_equal(k.scratch[0].addr, area);
	assert_int_equal(k.scratch[0].size, 0x400000);
	a64_place_only(&p, k.scratch, k.scratch_count);          /* only scratch is written */
	assert_true(a64_place(&p, 0x1000, 0x200000, 0, &a));
	assert_int_equal(a, area);
	assert_false(a64_place(&p, 0x400000, 0x1000, 0, &a));    /* the rest of scratch is too small */

	kho_world(&i, &p, area);
	i.has_kho_scratch = false;                                 /* one property without the other */
	assert_non_null(a64_kho_read(&i, &p, &k));
	kho_world(&i, &p, area);
	ok(fdt_setprop_string(kho_fdt, 0, "compatible", "kho v4"));  /* not one token */
	assert_non_null(a64_kho_read(&i, &p, &k));
	kho_world(&i, &p, area);
	i.kho_fdt.addr += 4;                                       /* misaligned */
	assert_non_null(a64_kho_read(&i, &p, &k));
	kho_world(&i, &p, area);
	i.kho_scratch.size = 24;                                   /* not whole entries */
	assert_non_null(a64_kho_read(&i, &p, &k));
	kho_world(&i, &p, ~0ull - 0x1000);                         /* an area that wraps */
	assert_non_null(a64_kho_read(&i, &p, &k));
	kho_world(&i, &p, area);
	kho_array[3] = 0;                                          /* no area at all */
	assert_non_null(a64_kho_read(&i, &p, &k));
}

/* The LUO reader's window: inside one range of the DTB's memory, where it lies; scratch (the
 * placements' memory once KHO is read) does not narrow it, since LUO's pages lie outside it. */
static void test_kho_luo_map(void **state)
{
	struct a64_dtb_info i;
	struct a64_place p;
	struct a64_kho k;
	uint64_t area;

	(void)state;
	kho_world(&i, &p, 0);
	area = p.mem[0].addr + 0x10000000;
	kho_array[2] = area;
	assert_null(a64_kho_read(&i, &p, &k));
	i.mem[0] = p.mem[0];                          /* the DTB's memory, as a64_dtb_read leaves it */
	i.mem_count = 1;
	a64_place_only(&p, k.scratch, k.scratch_count);
	/* the KHO FDT itself (outside scratch), read where it lies */
	assert_ptr_equal(a64_kho_luo_map(&i, (uintptr_t)kho_fdt, sizeof(kho_fdt)), kho_fdt);
	assert_false(a64_place_in_memory(&p, (uintptr_t)kho_fdt, sizeof(kho_fdt)));

	/* two ranges, not adjacent: [RAM, RAM + 1 GiB) and [RAM + 2 GiB, RAM + 2 GiB + 4 KiB) */
	memset(&i, 0, sizeof(i));
	i.mem[0] = (struct a64_range){ RAM, 0x40000000 };
	i.mem[1] = (struct a64_range){ RAM + 0x80000000ull, 0x1000 };
	i.mem_count = 2;
	assert_ptr_equal(a64_kho_luo_map(&i, RAM, 0x1000), (const void *)(uintptr_t)RAM);
	assert_ptr_equal(a64_kho_luo_map(&i, RAM + 0x3ffff000, 0x1000), (const void *)(uintptr_t)(RAM + 0x3ffff000));
	assert_null(a64_kho_luo_map(&i, RAM + 0x3ffff001, 0x1000));          /* one byte past the end */
	assert_null(a64_kho_luo_map(&i, RAM - 0x1000, 0x1000));              /* below memory */
	assert_null(a64_kho_luo_map(&i, RAM + 0x40000000, 8));               /* in the hole */
	assert_non_null(a64_kho_luo_map(&i, RAM + 0x80000000ull, 0x1000));    /* the second range */
	assert_null(a64_kho_luo_map(&i, RAM + 0x80000000ull, 0x1001));
	assert_null(a64_kho_luo_map(&i, RAM + 0x3ffff000, 0x80001000));       /* spanning both */
	i.mem[1] = (struct a64_range){ ~0ull - 0xfff, 0x1000 };              /* the top of the space */
	assert_non_null(a64_kho_luo_map(&i, ~0ull - 0xfff, 0x1000));
	assert_null(a64_kho_luo_map(&i, ~0ull - 0xfff, 0x2000));             /* would wrap */
	assert_null(a64_kho_luo_map(&i, ~0ull, 2));
	i.mem_count = 0;                                                      /* no memory: nothing */
	assert_null(a64_kho_luo_map(&i, RAM, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_virt),
		cmocka_unit_test(test_read_kho),
		cmocka_unit_test(test_read_crash),
		cmocka_unit_test(test_read_bad),
		cmocka_unit_test(test_uart),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_deliver_variants),
		cmocka_unit_test(test_kho),
		cmocka_unit_test(test_kho_luo_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
