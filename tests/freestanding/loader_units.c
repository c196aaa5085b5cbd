// SPDX-License-Identifier: MIT
/*
 * Host-side unit tests of the loader's pure parts (loader/e820.c, memory.c, cmdline.c,
 * bzimage.c, gate.c with the host core): the same sources the loader links, compiled for the
 * host. The gate must refuse a target, and a fallback, whose SHA-256 differs from the sealed
 * one in any single byte (the first, the middle ones, the last). TAP output; exit 1 on
 * any failure. The real Debian kernel (argv[1], optional) is parsed and then truncated and
 * mutated at every header byte: bzimage_parse must reject or accept, never read out of bounds
 * (run under -fsanitize=address,undefined by mk/40-loader.mk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/lugate.h>
#include "bzimage.h"
#include "cmdline.h"
#include "console.h"
#include "e820.h"
#include "gate.h"
#include "memory.h"

char __image_start[1], __image_end[1];   /* memory.c reserves the loader image: none here */

static int failures, count;

static void tap(int ok, const char *name)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++count, name);
	if (!ok)
		failures++;
}

static struct loader_boot_info info;

/* gate.c logs through the console; on the host the lines are counted, not printed. */
const char log_prefix[] = "lugate: ";
static unsigned log_lines;

void log_start(struct log_line *l)
{
	lugate_fmt_init(&l->f, l->buf, sizeof(l->buf));
}

void log_emit(struct log_line *l)
{
	(void)l;
	log_lines++;
}

void log_str(const char *text)
{
	(void)text;
	log_lines++;
}

void log_hex(const char *label, uint64_t v)
{
	(void)label;
	(void)v;
	log_lines++;
}

static void test_e820(void)
{
	struct loader_mem_region mem[] = {
		{ 0x100000, 0x7ff00000, LOADER_MEM_RAM },
		{ 0x0, 0x9fc00, LOADER_MEM_RAM },
		{ 0x9fc00, 0x400, LOADER_MEM_RESERVED },
		{ 0x7fee0000, 0x20000, LOADER_MEM_ACPI },      /* overlaps the RAM entry's tail */
		{ 0xfee00000, 0x1000, 0xbad },                 /* kexec-tools' "not RAM" */
	};
	struct loader_range carve = { 0x3000000, 0x3002000 };
	struct e820_entry e[16];
	int n = e820_build(mem, 5, &carve, 1, e, 16);

	tap(n == 8, "e820: sorted, split around the carve and the overlap (8 entries)");
	tap(n >= 1 && e[0].addr == 0 && e[0].size == 0x9fc00 && e[0].type == 1, "e820: low RAM first");
	tap(n >= 4 && e[2].addr == 0x100000 && e[2].size == 0x3000000 - 0x100000 && e[2].type == 1,
	    "e820: RAM up to the carve");
	tap(n >= 4 && e[3].addr == 0x3000000 && e[3].size == 0x2000 && e[3].type == 2, "e820: carve is reserved");
	tap(n >= 6 && e[5].addr == 0x7fee0000 && e[5].type == 3 && e[4].addr + e[4].size == 0x7fee0000,
	    "e820: the more restrictive type wins an overlap");
	tap(n >= 8 && e[7].type == 2 && e[7].addr == 0xfee00000, "e820: unknown types become reserved");
	tap(e820_build(mem, 5, &carve, 1, e, 4) == -1, "e820: too many entries is an error, not a cut");
}

static void test_allocator(void)
{
	struct mem_allocator a;
	uint64_t k = 0, x = 0, y = 0;

	memset(&info, 0, sizeof(info));
	info.mem_count = 3;
	info.mem[0] = (struct loader_mem_region){ 0, 0x9fc00, 1 };
	info.mem[1] = (struct loader_mem_region){ 0x100000, 0x20000000 - 0x100000, 1 };
	info.mem[2] = (struct loader_mem_region){ 0x8000000, 0x100000, 2 };      /* a hole inside RAM */
	info.module_count = 2;
	info.modules[0] = (struct loader_module){ .start = 0x129000, .size = 0x7e0000 };
	info.modules[1] = (struct loader_module){ .start = 0x1100000, .size = 0x10 };
	tap(mem_init(&a, &info), "alloc: init");
	tap(mem_alloc(&a, 0x3f98000, 0x200000, 0x1000000, MEM_CEILING, false, &k) && k == 0x1200000,
	    "alloc: kernel at the first 2 MiB boundary >= 16 MiB clear of a module");
	tap(!mem_overlaps_busy(&a, 0, 0x100000) && mem_overlaps_busy(&a, 0x8000000, 0x8000001),
	    "alloc: non-RAM entries are busy");
	tap(mem_alloc(&a, 0x1000, 0x1000, MEM_FLOOR, MEM_CEILING, true, &x) && x == 0x20000000 - 0x1000,
	    "alloc: top-down takes the highest page");
	tap(mem_alloc(&a, 0x1000, 0x1000, MEM_FLOOR, MEM_CEILING, true, &y) && y == x - 0x1000,
	    "alloc: allocations never overlap");
	tap(!mem_alloc(&a, 0x40000000, 0x1000, MEM_FLOOR, MEM_CEILING, false, &y), "alloc: too large fails");
	tap(mem_alloc(&a, 0x100000, 0x1000, 0x7f80000, 0x8200000, false, &y) && y == 0x8100000,
	    "alloc: skips the reserved hole");
	tap(!mem_alloc(&a, 0x1000, 3, MEM_FLOOR, MEM_CEILING, false, &y), "alloc: alignment must be a power of two");
	info.mem_count = 1;
	info.mem[0] = (struct loader_mem_region){ 0, 0x9fc00, 1 };
	tap(!mem_init(&a, &info), "alloc: no RAM above 1 MiB is an error");
}

static void test_cmdline(void)
{
	struct loader_options o = { .vga = true };
	char out[64];

	tap(cmdline_split("/boot/loader.elf console=ttyS0 lugate.debug_exit=1 foo=\"a b\" lugate.vga=0 lugate.zz=1 quiet",
			  out, sizeof(out), &o) &&
	    strcmp(out, "console=ttyS0 foo=\"a b\" quiet") == 0,
	    "cmdline: first word and lugate.* dropped, quoted spaces kept");
	tap(o.debug_exit && !o.vga && o.unknown == 1 && strcmp(o.first_unknown, "lugate.zz=1") == 0,
	    "cmdline: options consumed, unknown one reported");
	memset(&o, 0, sizeof(o));
	tap(!cmdline_split("x aaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", out, 32, &o) &&
	    strlen(out) < 32, "cmdline: too long is reported, output still terminated");
	tap(cmdline_split("", out, sizeof(out), &o) && out[0] == '\0', "cmdline: empty");
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void test_bzimage(const char *kernel)
{
	struct bzimage bz;
	const char *why = NULL;
	uint8_t junk[8192] = { 0 };
	size_t size = 0;
	uint8_t *img;
	unsigned accepted = 0, rejected = 0;

	tap(!bzimage_parse(junk, sizeof(junk), &bz, &why) && why, "bzimage: zeros rejected with a reason");
	if (!kernel) {
		tap(1, "bzimage: no real kernel given (the e2e suite boots real ones)");
		return;
	}
	img = read_file(kernel, &size);
	tap(img != NULL, "bzimage: read the real kernel");
	if (!img)
		return;
	tap(bzimage_parse(img, size, &bz, &why) && bz.relocatable && bz.init_size > bz.payload_size &&
	    bz.kernel_alignment == 0x200000, "bzimage: a Debian kernel parses (relocatable, init_size, alignment)");
	printf("# %s: protocol %x, payload %zu, init_size 0x%x, alignment 0x%x, pref 0x%llx\n", kernel,
	       bz.version, bz.payload_size, bz.init_size, bz.kernel_alignment,
	       (unsigned long long)bz.pref_address);
	/* Truncations: every prefix up to the header, then coarse steps. */
	for (size_t n = 0; n < size; n += n < 0x1200 ? 1 : 0x10000) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, img, n);
		bzimage_parse(copy, n, &bz, &why) ? accepted++ : rejected++;
		free(copy);
	}
	tap(rejected > 0x1000, "bzimage: truncated images are rejected (and never read past their end)");
	/* Every header byte set to 0x00 and 0xff in turn. */
	for (size_t off = 0x1f1; off < 0x280; off++) {
		uint8_t saved = img[off];
		for (int v = 0; v < 2; v++) {
			img[off] = v ? 0xff : 0x00;
			bzimage_parse(img, size, &bz, &why) ? accepted++ : rejected++;
		}
		img[off] = saved;
	}
	tap(accepted > 0 && rejected > 0, "bzimage: header mutations accepted or rejected, no crash");
	free(img);
}

/* A framed blob built by the core into a malloc'd buffer (NULL on failure). */
static uint8_t *build_sealed_table(const uint8_t target[32], const uint8_t fallback[32], size_t *size)
{
	struct lugate_table_spec spec = { .release = "6.1.0-55-amd64", .target_sha256 = target,
					  .target_release = "6.1.0-56-amd64", .fallback_sha256 = fallback };
	size_t needed = 0;
	uint8_t *buf;
	long n;

	if (lugate_table_build(NULL, 0, &spec, NULL, 0, &needed) != LUGATE_ERR_NOSPACE || !(buf = malloc(needed)))
		return NULL;
	n = lugate_table_build(buf, needed, &spec, NULL, 0, NULL);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	*size = (size_t)n;
	return buf;
}

static const struct gate_wording wording = { "bad-modules", "bad modules", "no target", "no table" };

static bool gate_allows(const uint8_t *table, size_t table_size, const uint8_t sha[32], bool *mismatch)
{
	static struct gate_decision d;
	struct target_info target;
	struct gate_input in;

	memset(&target, 0, sizeof(target));
	target.bootable = true;
	target.release = "6.1.0-56-amd64";
	memcpy(target.sha256, sha, 32);
	memset(&in, 0, sizeof(in));
	in.target = &target;
	in.table = table;
	in.table_size = table_size;
	in.wording = &wording;
	gate_decide(&d, &in);
	*mismatch = false;
	for (size_t i = 0; i < d.v.reason_count; i++)
		*mismatch = *mismatch || d.reasons[i].code == LUGATE_REASON_IMAGE_MISMATCH;
	return d.allow;
}

static enum gate_fallback_verdict gate_fallback(const uint8_t *table, size_t table_size, const uint8_t sha[32])
{
	static struct gate_decision d;
	struct target_info fallback;
	struct gate_input in;

	/* a refused decision (no target given) with the intact table, then the fallback */
	memset(&in, 0, sizeof(in));
	in.table = table;
	in.table_size = table_size;
	in.wording = &wording;
	gate_decide(&d, &in);
	memset(&fallback, 0, sizeof(fallback));
	fallback.bootable = true;
	memcpy(fallback.sha256, sha, 32);
	return gate_check_fallback(&d, &fallback);
}

static void test_gate_hashes(void)
{
	static const size_t at[] = { 0, 15, 16, 17, 31 };
	uint8_t target[32], fallback[32], other[32];
	uint8_t *table;
	size_t size = 0;
	bool mismatch, all_refused = true, all_named = true, fb_all_refused = true, every_byte = true;
	char name[160];

	for (size_t i = 0; i < 32; i++) {
		target[i] = (uint8_t)(0x21 + 7 * i);
		fallback[i] = (uint8_t)(0xe0 - 3 * i);
	}
	table = build_sealed_table(target, fallback, &size);
	tap(table != NULL, "gate: a sealed table built by the core");
	if (!table)
		return;
	tap(gate_allows(table, size, target, &mismatch) && !mismatch, "gate: the sealed target hash is allowed");
	tap(gate_fallback(table, size, fallback) == GATE_FALLBACK_VERIFIED, "gate: the sealed fallback hash is verified");
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		memcpy(other, target, 32);
		other[at[k]] ^= 0x01;
		bool allowed = gate_allows(table, size, other, &mismatch);
		snprintf(name, sizeof(name), "gate: a target hash differing only in byte %zu is refused (image-mismatch)", at[k]);
		tap(!allowed && mismatch, name);
		memcpy(other, fallback, 32);
		other[at[k]] ^= 0x01;
		snprintf(name, sizeof(name), "gate: a fallback hash differing only in byte %zu is never booted (mismatch)", at[k]);
		tap(gate_fallback(table, size, other) == GATE_FALLBACK_MISMATCH, name);
	}
	for (size_t i = 0; i < 32; i++) {
		memcpy(other, target, 32);
		other[i] ^= 0x80;
		all_refused &= !gate_allows(table, size, other, &mismatch);
		all_named &= mismatch;
		memcpy(other, fallback, 32);
		other[i] ^= 0x80;
		fb_all_refused &= gate_fallback(table, size, other) == GATE_FALLBACK_MISMATCH;
	}
	every_byte = all_refused && all_named && fb_all_refused;
	tap(every_byte, "gate: every one of the 32 bytes of the target and the fallback hash is compared");
	tap(log_lines > 0, "gate: decisions are logged");
	free(table);
}

int main(int argc, char **argv)
{
	test_e820();
	test_allocator();
	test_cmdline();
	test_gate_hashes();
	test_bzimage(argc > 1 ? argv[1] : NULL);
	printf("1..%d\n", count);
	return failures ? 1 : 0;
}
