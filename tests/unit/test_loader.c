// SPDX-License-Identifier: MIT
/*
 * The loader's pure parts on the host (loader/e820.c, memory.c, options.c, acpi.c, reset.c,
 * boot/gate.c with the host core): the same sources the loader links, compiled for the host
 * under AddressSanitizer/UBSan (mk/40-loader.mk). The gate must refuse a target, and a
 * fallback, whose SHA-256 differs from the sealed one in any single byte (the first, the
 * middle ones, the last). A real Debian kernel (LUGATE_TEST_KERNEL, set by
 * tests/unit/suite-unit.sh when one is cached) is parsed, then truncated and mutated at every
 * header byte: the core's parse and boot check (what boot/target_inspect.c asks) must reject
 * or accept, never read out of bounds. Without one that test is skipped, never passed.
 */
#include <stdio.h>
#include "helpers.h"
#include <lugate/boot.h>
#include "../../boot/console.h"
#include "../../boot/gate.h"
#include "../../boot/log.h"
#include "../../loader/acpi.h"
#include "../../loader/e820.h"
#include "../../loader/memory.h"
#include "../../loader/options.h"
#include "../../loader/reset.h"

char __image_start[1], __image_end[1];   /* memory.c reserves the loader image: none here */

/* One named check: a failure says which, and ends the test (cmocka). */
#define tap(ok, name) check_named((ok) != 0, (name), __FILE__, __LINE__)
static void check_named(bool ok, const char *name, const char *file, int line)
{
	if (!ok) {
		print_error("check failed: %s\n", name);
		_fail(file, line);
	}
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

static void test_e820(void **state)
{
	(void)state;
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

static void test_allocator(void **state)
{
	(void)state;
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

static void test_cmdline(void **state)
{
	(void)state;
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

/* lugate.stop values, alone and on a command line. */
static bool stop_is(const char *v, bool ok, bool reboot, uint32_t seconds)
{
	struct stop_policy p = { false, 12345 };
	bool got = cmdline_parse_stop(v, strlen(v), &p);

	if (!ok)
		return !got && !p.reboot && p.seconds == 12345;   /* a bad value changes nothing */
	return got && p.reboot == reboot && p.seconds == seconds;
}

static void test_stop_option(void **state)
{
	(void)state;
	struct loader_options o;
	char out[64];

	tap(stop_is("reboot", true, true, STOP_DEFAULT_SECONDS), "stop: reboot is the default delay (10 s)");
	tap(stop_is("reboot:0", true, true, 0), "stop: reboot:0 resets at once");
	tap(stop_is("reboot:30", true, true, 30), "stop: reboot:30");
	tap(stop_is("reboot:3600", true, true, 3600) && stop_is("reboot:0030", true, true, 30),
	    "stop: reboot:3600 (the maximum), leading zeros");
	tap(stop_is("halt", true, false, 0), "stop: halt");
	tap(stop_is("reboot:x", false, 0, 0) && stop_is("reboot:", false, 0, 0) && stop_is("reboot:-1", false, 0, 0) &&
	    stop_is("reboot:+5", false, 0, 0) && stop_is("reboot:5s", false, 0, 0) && stop_is("reboot:1 ", false, 0, 0),
	    "stop: reboot:x, reboot:, reboot:-1, reboot:+5, reboot:5s are bad");
	tap(stop_is("reboot:3601", false, 0, 0) && stop_is("reboot:99999999999", false, 0, 0) &&
	    stop_is("reboot:4294967296", false, 0, 0), "stop: past 3600 s (and past 32 bits) is bad, never wrapped");
	tap(stop_is("", false, 0, 0) && stop_is("HALT", false, 0, 0) && stop_is("halt:5", false, 0, 0) &&
	    stop_is("rebootx", false, 0, 0), "stop: empty, HALT, halt:5, rebootx are bad");

	memset(&o, 0, sizeof(o));
	tap(cmdline_split("ldr a lugate.stop=halt b", out, sizeof(out), &o) && strcmp(out, "a b") == 0 && o.stop_given &&
	    !o.stop.reboot && !o.stop_bad, "stop: lugate.stop=halt consumed, not passed on");
	memset(&o, 0, sizeof(o));
	tap(cmdline_split("ldr lugate.stop=halt lugate.stop=reboot:5", out, sizeof(out), &o) && o.stop_given &&
	    o.stop.reboot && o.stop.seconds == 5 && out[0] == '\0', "stop: the last lugate.stop wins");
	memset(&o, 0, sizeof(o));
	tap(cmdline_split("ldr lugate.stop=halt lugate.stop=reboot:x q", out, sizeof(out), &o) && !o.stop_given &&
	    o.stop_bad && strcmp(o.bad_stop, "lugate.stop=reboot:x") == 0 && strcmp(out, "q") == 0 && o.unknown == 0,
	    "stop: a bad last value is reported and leaves the default, not the earlier value");
	memset(&o, 0, sizeof(o));
	tap(cmdline_split("ldr lugate.stop= x", out, sizeof(out), &o) && !o.stop_given && o.stop_bad &&
	    strcmp(o.bad_stop, "lugate.stop=") == 0, "stop: lugate.stop= (empty) is bad");
	memset(&o, 0, sizeof(o));
	tap(cmdline_split("bzimage64 console=ttyS0 lugate.debug_exit=1 lugate.stop=reboot:7", NULL, 0, &o) &&
	    o.debug_exit && o.stop_given && o.stop.seconds == 7, "stop: options only (out NULL), as an entry's stop reads them");
}

/* ---- ACPI: a fake physical memory with firmware tables --------------------------------------- */
#define PHYS_SIZE 0x200000u
static uint8_t phys[PHYS_SIZE];

static const void *phys_map(void *ctx, uint64_t addr, uint64_t size)
{
	uint64_t limit = *(const uint64_t *)ctx;

	return addr < limit && size <= limit - addr ? phys + addr : NULL;
}

static void put32(uint64_t a, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		phys[a + (uint64_t)i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint64_t a, uint64_t v)
{
	put32(a, (uint32_t)v);
	put32(a + 4, (uint32_t)(v >> 32));
}

/* A signature, byte by byte: firmware tables hold no terminating NUL. */
static void put_sig(uint64_t a, const char *sig)
{
	for (size_t i = 0; sig[i]; i++)
		phys[a + i] = (uint8_t)sig[i];
}

static void fix_sum(uint64_t a, uint32_t len, uint32_t at)
{
	uint8_t sum = 0;

	phys[a + at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + phys[a + i]);
	phys[a + at] = (uint8_t)(0 - sum);
}

static void sdt(uint64_t a, const char *sig, uint32_t len, uint8_t rev)
{
	put_sig(a, sig);
	put32(a + 4, len);
	phys[a + 8] = rev;
	fix_sum(a, len, 9);
}

#define RSDP_AT 0xf5a00u
#define XSDT_AT 0x100000u
#define RSDT_AT 0x100100u
#define FADT_AT 0x100200u
#define DSDT_AT 0x100400u   /* a table that is not the FADT, listed first */

static void rsdp(uint64_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(phys + a, 0, 36);
	put_sig(a, "RSD PTR ");
	phys[a + 15] = rev;
	put32(a + 16, rsdt);
	if (rev >= 2) {
		put32(a + 20, 36);
		put64(a + 24, xsdt);
		fix_sum(a, 36, 32);
	}
	fix_sum(a, 20, 8);
}

/* A firmware as QEMU's q35 has it: RSDP v2 in the BIOS area, XSDT and RSDT, a FADT with an I/O
 * reset register at 0xcf9. */
static void firmware(void)
{
	memset(phys, 0, sizeof(phys));
	rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	put64(XSDT_AT + 36, DSDT_AT);
	put64(XSDT_AT + 44, FADT_AT);
	sdt(XSDT_AT, "XSDT", 52, 1);
	put32(RSDT_AT + 36, DSDT_AT);
	put32(RSDT_AT + 40, FADT_AT);
	sdt(RSDT_AT, "RSDT", 44, 1);
	sdt(DSDT_AT, "DSDT", 36, 2);
	put32(FADT_AT + 112, ACPI_FADT_RESET_REG_SUP);
	phys[FADT_AT + 116] = ACPI_SPACE_IO;
	phys[FADT_AT + 117] = 8;
	phys[FADT_AT + 119] = 1;
	put64(FADT_AT + 120, 0xcf9);
	phys[FADT_AT + 128] = 0x06;
	sdt(FADT_AT, "FACP", 244, 3);
}

static const char *find(uint64_t hint, uint64_t hint_max, struct acpi_reset *r, uint64_t *at)
{
	static uint64_t limit = PHYS_SIZE;
	struct acpi_mem m = { phys_map, &limit };

	memset(r, 0xa5, sizeof(*r));
	*at = 0;
	return acpi_find_reset(&m, hint, hint_max, r, at);
}

static bool reason_has(const char *why, const char *text)
{
	return why && strstr(why, text);
}

static void test_acpi(void **state)
{
	(void)state;
	struct acpi_reset r;
	uint64_t at;
	const char *why;

	firmware();
	why = find(0, 0, &r, &at);
	tap(!why && at == RSDP_AT && r.space == ACPI_SPACE_IO && r.addr == 0xcf9 && r.value == 0x06,
	    "acpi: RSDP found in the BIOS area, XSDT -> FADT -> I/O 0xcf9 <- 0x06");
	tap(!find(RSDP_AT, 0, &r, &at) && at == RSDP_AT && r.addr == 0xcf9, "acpi: the RSDP handed over is used");
	rsdp(0x9fc00, 2, RSDT_AT, XSDT_AT);   /* an EBDA copy, with the BIOS area's spoiled */
	phys[0x40e] = 0xc0;
	phys[0x40f] = 0x9f;
	phys[RSDP_AT + 8] ^= 1;
	tap(!find(0, 0, &r, &at) && at == 0x9fc00, "acpi: an RSDP in the EBDA's first KiB is found (BIOS area spoiled)");
	firmware();
	phys[RSDP_AT + 8] ^= 1;
	why = find(0, 0, &r, &at);
	tap(reason_has(why, "no RSDP"), "acpi: an RSDP with a bad checksum is no RSDP");
	firmware();
	tap(!find(0x1000, 0, &r, &at) && at == RSDP_AT, "acpi: a handed-over address without an RSDP: the BIOS area is scanned");
	phys[RSDP_AT + 8] ^= 1;
	tap(reason_has(find(0x1000, 0, &r, &at), "handed over is invalid"), "acpi: ... and with none there either, it says so");
	firmware();
	/* a Multiboot2 "old" tag: a version-2 RSDP cut to 20 bytes: the RSDT is used */
	memcpy(phys + 0x3000, phys + RSDP_AT, 20);
	memset(phys + RSDP_AT, 0, 36);
	phys[XSDT_AT] = 'Y';
	tap(!find(0x3000, 20, &r, &at) && at == 0x3000 && r.addr == 0xcf9,
	    "acpi: a 20-byte copy of a v2 RSDP (Multiboot2 tag 14) reads the RSDT");
	firmware();
	phys[XSDT_AT + 20] ^= 0x40;   /* the XSDT's checksum breaks: the RSDT is used */
	tap(!find(0, 0, &r, &at) && r.addr == 0xcf9, "acpi: an XSDT failing its checksum falls back to the RSDT");
	firmware();
	put32(XSDT_AT + 4, 0x7fffffff);
	put32(RSDT_AT + 4, 0x7fffffff);
	tap(reason_has(find(0, 0, &r, &at), "no valid XSDT or RSDT"), "acpi: root tables of absurd length are refused");
	firmware();
	put64(XSDT_AT + 44, PHYS_SIZE + 0x1000);   /* the FADT pointer leaves the map: not read */
	sdt(XSDT_AT, "XSDT", 52, 1);
	put32(RSDT_AT + 40, 0xfffffff0);
	sdt(RSDT_AT, "RSDT", 44, 1);
	tap(reason_has(find(0, 0, &r, &at), "lists a FADT"), "acpi: FADT pointers beyond the map are not followed");
	firmware();
	put32(FADT_AT + 112, 0);
	sdt(FADT_AT, "FACP", 244, 3);
	tap(reason_has(find(0, 0, &r, &at), "does not announce"), "acpi: no RESET_REG_SUP flag: not used");
	firmware();
	sdt(FADT_AT, "FACP", 116, 1);
	tap(reason_has(find(0, 0, &r, &at), "too short"), "acpi: an ACPI 1.0 FADT (116 bytes, QEMU's pc) has none");
	firmware();
	phys[FADT_AT + 116] = 2;   /* PCI configuration space */
	sdt(FADT_AT, "FACP", 244, 3);
	tap(reason_has(find(0, 0, &r, &at), "neither in I/O nor in memory"), "acpi: a PCI-config reset register is not used");
	firmware();
	phys[FADT_AT + 117] = 16;
	sdt(FADT_AT, "FACP", 244, 3);
	tap(reason_has(find(0, 0, &r, &at), "plain 8-bit"), "acpi: a 16-bit reset register is odd: not used");
	firmware();
	put64(FADT_AT + 120, 0x10000);
	sdt(FADT_AT, "FACP", 244, 3);
	tap(reason_has(find(0, 0, &r, &at), "address is invalid"), "acpi: an I/O port past 0xffff is refused");
	firmware();
	phys[FADT_AT + 116] = ACPI_SPACE_MEMORY;
	put64(FADT_AT + 120, 0xfee00000u);
	sdt(FADT_AT, "FACP", 244, 3);
	tap(reason_has(find(0, 0, &r, &at), "beyond the identity map"), "acpi: a memory reset register beyond the map is refused");
	firmware();
	phys[FADT_AT + 116] = ACPI_SPACE_MEMORY;
	put64(FADT_AT + 120, 0x1ff000);
	sdt(FADT_AT, "FACP", 244, 3);
	tap(!find(0, 0, &r, &at) && r.space == ACPI_SPACE_MEMORY && r.addr == 0x1ff000, "acpi: a memory reset register inside the map");
	firmware();
	phys[FADT_AT + 50] ^= 1;   /* checksum */
	tap(reason_has(find(0, 0, &r, &at), "FADT is unreadable"), "acpi: a FADT failing its checksum is not used");
}

/* ---- the reset methods' order, with methods that do nothing -------------------------------- */
struct fake_hw {
	bool acpi;
	char trace[128];
};

static void trace(struct fake_hw *f, const char *s)
{
	strncat(f->trace, s, sizeof(f->trace) - strlen(f->trace) - 1);
}

static const char *fake_find(void *ctx, struct acpi_reset *r)
{
	struct fake_hw *f = ctx;

	trace(f, "find ");
	if (!f->acpi)
		return "none";
	r->space = ACPI_SPACE_IO;
	r->addr = 0xcf9;
	r->value = 6;
	return NULL;
}

static void fake_announce(void *ctx, enum reset_method m, const struct acpi_reset *r, const char *skip)
{
	static const char *const n[] = { "ACPI", "CF9", "KBC", "triple" };

	trace(ctx, skip ? "skip-" : "say-");
	trace(ctx, n[m]);
	trace(ctx, r && r->addr == 0xcf9 ? "(cf9) " : " ");
}

static void fake_attempt(void *ctx, enum reset_method m, const struct acpi_reset *r)
{
	(void)r;
	trace(ctx, m == RESET_ACPI ? "acpi " : m == RESET_CF9 ? "cf9 " : m == RESET_KBC ? "kbc " : "triple ");
}

static void fake_settle(void *ctx)
{
	trace(ctx, ". ");
}

static void test_reset_order(void **state)
{
	(void)state;
	struct fake_hw f = { .acpi = true };
	struct reset_hw hw = { fake_find, fake_announce, fake_attempt, fake_settle, &f };
	struct reset_state s = { 0 };

	reset_sequence(&s, &hw);
	tap(strcmp(f.trace, "find say-ACPI(cf9) acpi . say-CF9 cf9 . say-KBC kbc . say-triple triple . ") == 0,
	    "reset: ACPI, then CF9, KBC and the triple fault, each announced and given time");
	tap(s.next == RESET_METHODS, "reset: every method tried once");
	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	reset_sequence(&s, &hw);
	tap(strcmp(f.trace, "find skip-ACPI say-CF9 cf9 . say-KBC kbc . say-triple triple . ") == 0,
	    "reset: no ACPI reset register: said, skipped, CF9 next");
	memset(&f, 0, sizeof(f));
	s.next = RESET_KBC;   /* CF9 faulted and the stop was entered again */
	reset_sequence(&s, &hw);
	tap(strcmp(f.trace, "say-KBC kbc . say-triple triple . ") == 0, "reset: re-entered, it goes on after the faulting method");
	memset(&f, 0, sizeof(f));
	reset_sequence(&s, &hw);
	tap(f.trace[0] == '\0', "reset: all tried: nothing more (the stop halts)");
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

/* What boot/target_inspect.c asks of an image: the core's parse, then its 64-bit boot check. */
static bool bzimage_parse(const void *f, size_t n, struct lugate_bzimage *bz, const char **why)
{
	struct lugate_image_info id;

	memset(bz, 0, sizeof(*bz));
	if (lugate_image_identify(f, n, &id) != 0) {
		*why = id.why ? id.why : "not a kernel image";
		return false;
	}
	*bz = id.bz;
	return lugate_bzimage_boot64(f, n, &id, why) == 0;
}

static void test_bzimage(void **state)
{
	const char *kernel = getenv("LUGATE_TEST_KERNEL");
	struct lugate_bzimage bz;
	const char *why = NULL;
	uint8_t junk[8192] = { 0 };
	size_t size = 0;
	uint8_t *img;
	unsigned accepted = 0, rejected = 0;

	(void)state;
	tap(!bzimage_parse(junk, sizeof(junk), &bz, &why) && why, "bzimage: zeros rejected with a reason");
	if (!kernel || !*kernel) {
		/* the e2e suites boot real kernels; here the real-kernel checks did not run */
		print_message("# SKIP reason: no real kernel (LUGATE_TEST_KERNEL unset)\n");
		skip();
	}
	img = read_file(kernel, &size);
	tap(img != NULL, "bzimage: read the real kernel");
	if (!img)
		return;
	tap(bzimage_parse(img, size, &bz, &why) && bz.relocatable && bz.init_size > bz.code_size &&
	    bz.kernel_alignment == 0x200000, "bzimage: a Debian kernel parses (relocatable, init_size, alignment)");
	printf("# %s: protocol %x, payload %llu, init_size 0x%x, alignment 0x%x, pref 0x%llx\n", kernel,
	       bz.version, (unsigned long long)bz.code_size, bz.init_size, bz.kernel_alignment,
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

static const struct gate_wording wording = { "bad-modules", "bad modules", "no target", "no table",
						   "fallback unbootable" };

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

static void test_gate_hashes(void **state)
{
	(void)state;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_allocator),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_gate_hashes),
		cmocka_unit_test(test_stop_option),
		cmocka_unit_test(test_acpi),
		cmocka_unit_test(test_reset_order),
		cmocka_unit_test(test_bzimage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
