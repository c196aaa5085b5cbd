// SPDX-License-Identifier: MIT
/*
 * The arm64 loader (docs/loader.md, "The arm64 loader"): read the DTB, open the bundle the
 * initrd carries, run the gate every boot front end shares (boot/gate.c) over it, and boot the
 * approved target, or the fallback after a refusal, with the table delivered in the DTB. A
 * refused image is never entered; without a bootable fallback the loader stops.
 */
#include <string.h>
#include <lugate/bundle.h>
#include <lugate/delivery.h>
#include <lugate/lugate.h>
#include "../boot/gate.h"
#include "../boot/log.h"
#include "../boot/luo_outgoing.h"
#include "../boot/target_inspect.h"
#include "arm64.h"
#include "dtb_deliver.h"
#include "dtb_read.h"
#include "chosen_kho.h"
#include "place.h"

#define LOADER_VERSION "0.1"
#define SZ_2M 0x200000u
#define PAGE 4096u
#define PSCI_SYSTEM_RESET 0x84000009u

/* The loader's working state: large, so static, not on the 64 KiB stack. */
static const void *entry_fdt;       /* the DTB the loader was entered with (x0) */
static struct a64_dtb_info dtb;
static struct a64_place place;
static struct a64_kho kho;
static struct luo_outgoing luo;     /* the LUO state read, which outgoing[] points into */
/* formats the outgoing kernel preserved state in, for the check, as on the bzImage64 entry:
 * the KHO root's compatible, then LUO's, every file's handler and every FLB */
static struct lugate_outgoing_format outgoing[1 + LUO_OUTGOING_MAX_FORMATS];
static size_t outgoing_count;
static const char *handover_unreadable;   /* why the LUO state cannot be read; NULL if it was */
static struct lugate_bundle bundle;
static bool entry_ok[LUGATE_BUNDLE_MAX_ENTRIES];
static struct target_info target, fallback;
static struct gate_decision decision;
static char cmdline[LUGATE_BUNDLE_CMDLINE_MAX + 1];

static const struct gate_wording arm64_wording = {
	.bad_inputs_name = "bad-modules",
	.bad_inputs = "a bundle entry does not match its recorded SHA-256",
	.no_target = "the bundle has no kernel entry",
	.no_table = "the bundle has no table entry: nothing to check against",
	.fallback_unbootable = "refused, and the fallback is not a bootable arm64 Image",
};

/* The loader's own extent: [base, base + image_size()), .bss and stack included. */
static uint64_t image_size(void)
{
	return (uint64_t)((uintptr_t)__image_end - (uintptr_t)__image_start);
}

static _Noreturn void stop(const char *why)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "STOP: ");
	lugate_fmt_str(&l.f, why);
	lugate_fmt_str(&l.f, " (nothing was booted)");
	log_emit(&l);
	if (dtb.psci != A64_PSCI_NONE) {
		log_str("resetting the machine (PSCI SYSTEM_RESET)");
		a64_psci_call(PSCI_SYSTEM_RESET, dtb.psci == A64_PSCI_SMC);
	}
	for (;;)
		__asm__ volatile("wfi");
}

static void *phys(uint64_t addr)
{
	return (void *)(uintptr_t)addr;
}

static void log_ranges(const char *what, const struct a64_range *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		log_range("DTB", what, r[i].addr, r[i].size);
}

/* Everything the loader must not write over, kept out of the placements. */
static void keep_clear(uintptr_t base, const void *fdt)
{
	bool ok = a64_place_busy(&place, base, image_size()) &&
		  a64_place_busy(&place, (uintptr_t)fdt, dtb.fdt_size);

	for (uint32_t i = 0; i < dtb.reserved_count; i++)
		ok = ok && a64_place_busy(&place, dtb.reserved[i].addr, dtb.reserved[i].size);
	if (dtb.has_initrd)
		ok = ok && a64_place_busy(&place, dtb.initrd.addr, dtb.initrd.size);
	if (dtb.has_kho_fdt)
		ok = ok && a64_place_busy(&place, dtb.kho_fdt.addr, dtb.kho_fdt.size);
	if (dtb.has_kho_scratch)
		ok = ok && a64_place_busy(&place, dtb.kho_scratch.addr, dtb.kho_scratch.size);
	if (!ok)
		stop("the DTB lists more reserved ranges than the loader keeps");
}

/* KHO: its format and the LUO state it refers to go to the check, and the loader writes only
 * inside its scratch areas. */
static void read_kho(void)
{
	const char *why = a64_kho_read(&dtb, &place, &kho);
	struct log_line l;

	if (why)
		stop(why);
	log_range("KHO", "linux,kho-fdt (forwarded unchanged)", dtb.kho_fdt.addr, dtb.kho_fdt.size);
	log_range("KHO", "linux,kho-scratch (forwarded unchanged)", dtb.kho_scratch.addr, dtb.kho_scratch.size);
	log_start(&l);
	lugate_fmt_str(&l.f, "KHO: root compatible \"");
	lugate_fmt_str(&l.f, kho.compat);
	lugate_fmt_str(&l.f, "\": outgoing KHO format recorded for the check");
	log_emit(&l);
	outgoing[0].compatible = kho.compat;
	outgoing[0].layer = LUGATE_LAYER_KHO;
	outgoing_count = 1 + luo_outgoing_read(&luo, (const void *)(uintptr_t)dtb.kho_fdt.addr, (size_t)dtb.kho_fdt.size,
					       a64_kho_luo_map, &dtb, &outgoing[1], &handover_unreadable);
	for (uint32_t i = 0; i < kho.scratch_count; i++)
		log_range("KHO", "scratch area (the loader writes only inside scratch)", kho.scratch[i].addr,
			  kho.scratch[i].size);
	a64_place_only(&place, kho.scratch, kho.scratch_count);
}

static void read_dtb(const void *fdt, uintptr_t base)
{
	const char *why = a64_dtb_read(fdt, A64_DTB_MAX, &dtb);
	struct log_line l;

	a64_console_init(dtb.uart);
	log_start(&l);
	lugate_fmt_str(&l.f, "lugate loader " LOADER_VERSION " entered as an arm64 Image, image [0x");
	lugate_fmt_hex(&l.f, base, 0);
	lugate_fmt_str(&l.f, "-0x");
	lugate_fmt_hex(&l.f, base + image_size(), 0);
	lugate_fmt_str(&l.f, "), DTB at 0x");
	lugate_fmt_hex(&l.f, (uintptr_t)fdt, 0);
	log_emit(&l);
	if (why)
		stop(why);
	if (dtb.mem_dropped || dtb.reserved_dropped)
		stop("the DTB lists more memory or reserved ranges than the loader keeps");
	log_ranges("memory", dtb.mem, dtb.mem_count);
	log_ranges("reserved", dtb.reserved, dtb.reserved_count);
	a64_place_init(&place, dtb.mem, dtb.mem_count);
	keep_clear(base, fdt);
	if (dtb.has_kho_fdt || dtb.has_kho_scratch)
		read_kho();
}

/* The bundle the initrd carries: opened, every entry's digest checked. Returns whether an
 * entry failed (the gate's bad-inputs). */
static bool open_bundle(void)
{
	struct log_line l;
	bool bad = false;
	int err;

	if (!dtb.has_initrd)
		stop("no initrd was passed (linux,initrd-start/-end): there is no bundle to check");
	log_range("bundle", "initrd", dtb.initrd.addr, dtb.initrd.size);
	if (!a64_place_in_memory(&place, dtb.initrd.addr, dtb.initrd.size))
		stop("the initrd lies outside the memory the DTB describes");
	err = lugate_bundle_open(phys(dtb.initrd.addr), dtb.initrd.size, &bundle);
	if (err) {
		log_start(&l);
		lugate_fmt_str(&l.f, "bundle: unusable (");
		lugate_fmt_str(&l.f, lugate_strerror(err));
		lugate_fmt_char(&l.f, ')');
		log_emit(&l);
		stop("the initrd is not a lugate bundle the loader can open");
	}
	for (uint32_t i = 0; i < bundle.entry_count; i++) {
		const struct lugate_bundle_entry *e = &bundle.entry[i];

		entry_ok[i] = lugate_bundle_verify(e, NULL) == 0;
		bad = bad || !entry_ok[i];
		log_start(&l);
		lugate_fmt_str(&l.f, "bundle: ");
		lugate_fmt_str(&l.f, lugate_bundle_role_name(e->role));
		lugate_fmt_str(&l.f, ", ");
		lugate_fmt_udec(&l.f, e->size);
		lugate_fmt_str(&l.f, entry_ok[i] ? " bytes, digest ok" : " bytes, DIGEST MISMATCH: not used");
		log_emit(&l);
	}
	return bad;
}

/* The entry of a role whose digest matched, or NULL. */
static const struct lugate_bundle_entry *entry(uint32_t role)
{
	const struct lugate_bundle_entry *e = lugate_bundle_get(&bundle, role);

	return e && entry_ok[e - bundle.entry] ? e : NULL;
}

static void decide(bool bad_inputs)
{
	const struct lugate_bundle_entry *k = entry(LUGATE_BUNDLE_KERNEL), *t = entry(LUGATE_BUNDLE_TABLE);
	struct gate_input in;

	memset(&in, 0, sizeof(in));
	if (k) {
		target_inspect_as(k->data, (size_t)k->size, "target", LUGATE_IMAGE_ARM64, &target);
		in.target = &target;
	}
	if (t) {
		in.table = t->data;
		in.table_size = (size_t)t->size;
	}
	in.bad_inputs = bad_inputs;
	in.outgoing = outgoing_count ? outgoing : NULL;
	in.outgoing_count = outgoing_count;
	in.handover_unreadable = handover_unreadable;
	in.wording = &arm64_wording;
	gate_decide(&decision, &in);
}

/* The booted kernel's command line: the bundle's (the fallback's own, else the target's), else
 * the loader's bootargs unchanged (NULL). */
static const char *kernel_cmdline(bool is_target)
{
	const struct lugate_bundle_entry *e = is_target ? NULL : entry(LUGATE_BUNDLE_FALLBACK_CMDLINE);

	if (!e)
		e = entry(LUGATE_BUNDLE_CMDLINE);
	if (!e)
		return NULL;
	memcpy(cmdline, e->data, (size_t)e->size);  /* lugate_bundle_open bounded it */
	cmdline[e->size] = '\0';
	return cmdline;
}

struct a64_boot {
	const char *label;
	const struct target_info *image;
	const struct lugate_bundle_entry *initrd;
	const struct lugate_delivery_header *h;
	const char *cmdline;
};

/*
 * Place the kernel (a 2 MiB boundary + text_offset, image_size bytes), the delivery record and
 * the DTB, write them, and enter the kernel. Returns why not if it cannot be placed: nothing
 * written until then matters (only free memory was written), so a fallback can still boot.
 */
static const char *boot(const struct a64_boot *b)
{
	const struct lugate_bundle_entry *t = entry(LUGATE_BUNDLE_TABLE);
	uint64_t table_size = t ? t->size : 0, rec_size = (sizeof(*b->h) + table_size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t dtb_size = dtb.fdt_size + A64_DTB_GROWTH + (b->cmdline ? strlen(b->cmdline) : 0);
	uint64_t kernel, rec, out, copy = b->image->image_size;
	struct a64_deliver d;
	const char *why;

	if (copy > b->image->arm64_image_size)
		copy = b->image->arm64_image_size;   /* a manifest trailer beyond the image stays behind */
	if (!a64_place(&place, b->image->arm64_image_size, SZ_2M, b->image->arm64_text_offset, &kernel))
		return "no free memory holds the Image (image_size at a 2 MiB boundary + text_offset)";
	if (!a64_place(&place, rec_size, PAGE, 0, &rec) || dtb_size > A64_DTB_MAX ||
	    !a64_place(&place, dtb_size, PAGE, 0, &out))
		return "no free memory holds the delivery record and the DTB";
	memcpy(phys(kernel), b->image->image, (size_t)copy);
	memset(phys(rec), 0, (size_t)rec_size);
	memcpy(phys(rec), b->h, sizeof(*b->h));
	if (t)
		memcpy((uint8_t *)phys(rec) + sizeof(*b->h), t->data, (size_t)table_size);
	d.bootargs = b->cmdline;
	d.has_initrd = b->initrd != NULL;
	d.initrd_start = b->initrd ? dtb.initrd.addr + b->initrd->offset : 0;
	d.initrd_end = b->initrd ? d.initrd_start + b->initrd->size : 0;
	d.record_addr = rec;
	d.record_size = rec_size;
	why = a64_dtb_deliver(entry_fdt, phys(out), (size_t)dtb_size, &d);
	if (why)
		return why;
	log_range(b->label, "Image", kernel, b->image->arm64_image_size);
	if (b->initrd)
		log_range(b->label, "initrd (in the bundle)", d.initrd_start, b->initrd->size);
	log_range(b->label, "delivery record (/reserved-memory/" A64_HANDOFF_NODE ", /chosen " A64_HANDOFF_CHOSEN ")",
		  rec, rec_size);
	log_range(b->label, "DTB", out, dtb_size);
	a64_cache_clean(kernel, copy);
	a64_cache_clean(rec, rec_size);
	a64_cache_clean(out, dtb_size);
	log_str("entering the kernel: MMU off, x0 = DTB");
	/* the point of no return */
	a64_enter_kernel(kernel, out);
}

/* Boot the target or the fallback image with its bundle initrd and command line and the record h;
 * returns why not only if it cannot be placed. */
static const char *boot_kernel(bool is_target, const struct target_info *image, const struct lugate_delivery_header *h)
{
	struct a64_boot b;

	b.label = is_target ? "target" : "fallback";
	b.image = image;
	b.initrd = entry(is_target ? LUGATE_BUNDLE_INITRD : LUGATE_BUNDLE_FALLBACK_INITRD);
	b.h = h;
	b.cmdline = kernel_cmdline(is_target);
	return boot(&b);
}

/* Refused: boot the fallback fb with the table marked refused, or stop. */
static _Noreturn void boot_fallback_image(const struct lugate_bundle_entry *fb)
{
	struct lugate_delivery_header h;
	uint32_t extra;
	const char *why;

	target_inspect_as(fb->data, (size_t)fb->size, "fallback", LUGATE_IMAGE_ARM64, &fallback);
	why = gate_fallback_outcome(&decision, &fallback, &extra);
	if (why)
		stop(why);
	gate_fill_delivery(&h, &decision, false, fallback.sha256, extra);
	log_str("booting the FALLBACK kernel, table delivered marked refused");
	log_str(boot_kernel(false, &fallback, &h));
	stop("refused, and the fallback cannot be placed in memory");
}

_Noreturn void a64_loader_main(const void *fdt, uintptr_t base)
{
	struct lugate_delivery_header h;

	entry_fdt = fdt;
	read_dtb(fdt, base);
	decide(open_bundle());
	if (decision.allow) {
		gate_fill_delivery(&h, &decision, true, target.sha256, 0);
		log_str("booting the TARGET kernel, table delivered marked allowed");
		/* only returns if the target cannot be placed: refuse it and fall back */
		gate_refuse_unplaceable(&decision, boot_kernel(true, &target, &h));
	}
	if (entry(LUGATE_BUNDLE_FALLBACK))
		boot_fallback_image(entry(LUGATE_BUNDLE_FALLBACK));
	stop("refused, and the bundle has no (intact) fallback kernel");
}
