// SPDX-License-Identifier: MIT
/*
 * The loader's decision, independent of the entry that ran: check the sealed table against
 * the target image with the core, then boot the target (allowed), the fallback (refused),
 * or nothing (refused and no usable fallback). A refused image is never entered.
 */
#include <string.h>
#include <lugate/lugate.h>
#include "cmdline.h"
#include "console.h"
#include "cpu.h"
#include "delivery.h"
#include "linux.h"
#include "loader.h"
#include "memory.h"
#include "modules.h"
#include "stop.h"
#include "target.h"

#define LOADER_VERSION "0.1"

struct decision {
	bool allow;
	uint32_t flags;                       /* LUGATE_DELIVERY_F_* reasons found by the loader itself */
	bool checked;                         /* lugate_check ran (a table module was given) */
	bool table_intact;                    /* the table opened: v.table is valid */
	struct lugate_verdict v;
};

/* The loader's working state: large, so static, not on the 64 KiB stack. */
static struct loader_options opts;
static char kernel_cmdline[LOADER_CMDLINE_MAX];
static struct mem_allocator allocator;
static struct module_set mods;
static struct target_info target, fallback;
static struct lugate_reason reasons[LUGATE_DELIVERY_MAX_REASONS];
static struct decision decision;

bool loader_info_reserve(struct loader_boot_info *info, uint64_t start, uint64_t end)
{
	if (info->reserved_count >= LOADER_MAX_RESERVED)
		return false;
	info->reserved[info->reserved_count].start = start;
	info->reserved[info->reserved_count].end = end;
	info->reserved_count++;
	return true;
}

static void log_memory_map(const struct loader_boot_info *info)
{
	for (uint32_t i = 0; i < info->mem_count; i++) {
		struct log_line l;

		log_start(&l);
		lugate_fmt_str(&l.f, "memory [0x");
		lugate_fmt_hex(&l.f, info->mem[i].addr, 0);
		lugate_fmt_str(&l.f, "-0x");
		lugate_fmt_hex(&l.f, info->mem[i].addr + info->mem[i].size, 0);
		lugate_fmt_str(&l.f, ") type ");
		lugate_fmt_udec(&l.f, info->mem[i].type);
		log_emit(&l);
	}
}

static void log_reason_line(const char *name, const char *message)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "  reason ");
	lugate_fmt_str(&l.f, name);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_str(&l.f, message);
	log_emit(&l);
}

static void log_table(const struct lugate_table *t)
{
	struct log_line l;
	char hex[2 * LUGATE_SHA256_SIZE + 1];

	log_start(&l);
	lugate_fmt_str(&l.f, "table: outgoing release ");
	lugate_fmt_str(&l.f, t->release);
	lugate_fmt_str(&l.f, ", ");
	lugate_fmt_udec(&l.f, t->device_count);
	lugate_fmt_str(&l.f, " preserved device(s), ");
	if (t->sealed) {
		lugate_hex_format(t->target_sha256, LUGATE_SHA256_SIZE, hex);
		lugate_fmt_str(&l.f, "sealed to ");
		lugate_fmt_str(&l.f, t->target_release ? t->target_release : "?");
		lugate_fmt_str(&l.f, " sha256 ");
		lugate_fmt_str(&l.f, hex);
	} else {
		lugate_fmt_str(&l.f, "NOT sealed");
	}
	log_emit(&l);
}

/* Run the core's check and the loader's own preconditions; log the verdict and every reason. */
static void decide(struct decision *d)
{
	const struct loader_module *table = mods.role[ROLE_TABLE], *kernel = mods.role[ROLE_KERNEL];
	struct lugate_check_input in;
	char msg[LOG_LINE_MAX];

	memset(d, 0, sizeof(*d));
	if (mods.errors)
		d->flags |= LUGATE_DELIVERY_F_BAD_MODULES;
	if (!kernel) {
		d->flags |= LUGATE_DELIVERY_F_NO_TARGET;
	} else {
		target_inspect(kernel, "target", &target);
		if (!target.bootable)
			d->flags |= LUGATE_DELIVERY_F_TARGET_UNBOOTABLE;
	}
	if (!table) {
		d->flags |= LUGATE_DELIVERY_F_NO_TABLE;
	} else {
		memset(&in, 0, sizeof(in));
		in.table = module_bytes(table);
		in.table_size = (size_t)table->size;
		if (kernel) {
			in.manifest = target.manifest;
			in.manifest_size = target.manifest_size;
			in.target_release = target.release;
			in.scanned_compat = target.compat;
			in.scanned_compat_count = target.compat_count;
			in.target_sha256 = target.sha256;
		}
		in.policy = NULL;    /* the policy sealed in the table */
		lugate_check(&in, reasons, LUGATE_DELIVERY_MAX_REASONS, &d->v);
		d->checked = true;
		d->table_intact = !(d->v.reason_count > 0 && reasons[0].code == LUGATE_REASON_TABLE_CORRUPT);
		if (d->table_intact) {
			log_table(&d->v.table);
			if (!d->v.table.sealed)
				d->flags |= LUGATE_DELIVERY_F_TABLE_UNSEALED;
		}
	}
	d->allow = d->checked && d->v.decision == LUGATE_ALLOW && d->flags == 0;

	if (d->allow) {
		struct log_line l;

		log_start(&l);
		lugate_fmt_str(&l.f, "verdict: ALLOW ");
		lugate_fmt_str(&l.f, d->v.outgoing);
		lugate_fmt_str(&l.f, " -> ");
		lugate_fmt_str(&l.f, d->v.target);
		lugate_fmt_str(&l.f, " (path ");
		lugate_fmt_str(&l.f, lugate_path_name(d->v.path));
		lugate_fmt_str(&l.f, ", ");
		lugate_fmt_udec(&l.f, d->v.device_count);
		lugate_fmt_str(&l.f, " device(s), image hash matches the seal)");
		log_emit(&l);
		return;
	}
	log_str("verdict: REFUSED");
	if (d->flags & LUGATE_DELIVERY_F_BAD_MODULES)
		log_reason_line("bad-modules", "a module has no, an unknown or a repeated role=");
	if (d->flags & LUGATE_DELIVERY_F_NO_TARGET)
		log_reason_line("no-target", "no module with role=kernel");
	if (d->flags & LUGATE_DELIVERY_F_TARGET_UNBOOTABLE)
		log_reason_line("target-unbootable", target.why_unbootable);
	if (d->flags & LUGATE_DELIVERY_F_NO_TABLE)
		log_reason_line("no-table", "no module with role=table: nothing to check against");
	if (d->flags & LUGATE_DELIVERY_F_TABLE_UNSEALED)
		log_reason_line("table-unsealed", "the table is not sealed to a target image (run `lugate seal`)");
	for (size_t i = 0; d->checked && i < d->v.reason_count; i++) {
		lugate_reason_format(&reasons[i], msg, sizeof(msg));
		log_reason_line(lugate_reason_name(reasons[i].code), msg);
	}
	if (d->checked && d->v.reason_total > d->v.reason_count) {
		struct log_line l;

		log_start(&l);
		lugate_fmt_str(&l.f, "  ... and ");
		lugate_fmt_udec(&l.f, d->v.reason_total - d->v.reason_count);
		lugate_fmt_str(&l.f, " more reason(s) not shown");
		log_emit(&l);
	}
}

static void fill_delivery(struct lugate_delivery_header *h, const struct decision *d, bool booted_target,
			  const uint8_t *booted_sha256, uint32_t extra_flags)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, LUGATE_DELIVERY_MAGIC, sizeof(h->magic));
	h->version = LUGATE_DELIVERY_VERSION;
	h->header_size = sizeof(*h);
	h->verdict = d->allow ? LUGATE_DELIVERY_ALLOWED : LUGATE_DELIVERY_REFUSED;
	h->booted = booted_target ? LUGATE_DELIVERY_BOOTED_TARGET : LUGATE_DELIVERY_BOOTED_FALLBACK;
	h->flags = d->flags | extra_flags;
	h->table_size = mods.role[ROLE_TABLE] ? (uint32_t)mods.role[ROLE_TABLE]->size : 0;
	memcpy(h->booted_sha256, booted_sha256, LUGATE_SHA256_SIZE);
	if (d->checked) {
		h->reason_count = (uint32_t)d->v.reason_count;
		h->reason_total = (uint32_t)d->v.reason_total;
		for (size_t i = 0; i < d->v.reason_count; i++)
			h->reasons[i] = (uint32_t)reasons[i].code;
		if (d->v.reason_total > d->v.reason_count)
			h->flags |= LUGATE_DELIVERY_F_REASONS_CUT;
	}
}

static const char *boot_image(const char *label, const struct target_info *img, const struct loader_module *initrd,
			      const struct lugate_delivery_header *h, const struct loader_boot_info *info)
{
	const struct loader_module *table = mods.role[ROLE_TABLE];
	struct linux_boot b;

	b.label = label;
	b.image = img;
	b.initrd = initrd;
	b.cmdline = kernel_cmdline;
	b.delivery = h;
	b.table = table ? module_bytes(table) : NULL;
	b.table_size = table ? (size_t)table->size : 0;
	b.setup_data_in = info->setup_data;
	return linux_boot(&allocator, info, &b);
}

/* Refused: boot the fallback with the table marked refused, or stop. Never returns. */
static _Noreturn void boot_fallback(struct decision *d, const struct loader_boot_info *info)
{
	const struct loader_module *fb = mods.role[ROLE_FALLBACK];
	struct lugate_delivery_header h;
	uint32_t extra = 0;
	const char *why;

	if (mods.repeated[ROLE_FALLBACK] || mods.repeated[ROLE_FALLBACK_INITRD])
		loader_stop(LOADER_STOP_FALLBACK_BAD, "refused, and the fallback is ambiguous (role given twice)");
	if (!fb)
		loader_stop(LOADER_STOP_REFUSED, "refused, and no fallback kernel was given (role=fallback)");
	target_inspect(fb, "fallback", &fallback);
	if (!fallback.bootable)
		loader_stop(LOADER_STOP_FALLBACK_BAD, "refused, and the fallback is not a bootable 64-bit bzImage");
	if (d->table_intact) {
		int r = lugate_check_fallback(&d->v.table, fallback.sha256);

		if (r == 0) {
			extra |= LUGATE_DELIVERY_F_FALLBACK_VERIFIED;
			log_str("fallback: matches the fallback hash sealed in the table");
		} else if (r == LUGATE_ERR_NOTFOUND) {
			log_str("fallback: the table seals no fallback hash; booting it unverified");
		} else {
			loader_stop(LOADER_STOP_FALLBACK_BAD,
				    "refused, and the fallback does not match the fallback hash sealed in the table");
		}
	} else {
		log_str("fallback: no intact table to verify it against; booting it unverified");
	}
	fill_delivery(&h, d, false, fallback.sha256, extra);
	log_str("booting the FALLBACK kernel, table delivered marked refused");
	why = boot_image("fallback", &fallback, mods.role[ROLE_FALLBACK_INITRD], &h, info);
	log_str(why);
	loader_stop(LOADER_STOP_FALLBACK_BAD, "refused, and the fallback cannot be placed in memory");
}

_Noreturn void loader_run(struct loader_boot_info *info)
{
	struct lugate_delivery_header h;
	struct log_line l;
	bool cmdline_fits;
	const char *why;

	opts.vga = true;
	cmdline_fits = cmdline_split(info->cmdline, kernel_cmdline, sizeof(kernel_cmdline), &opts);
	console_init(opts.vga);
	stop_set_debug_exit(opts.debug_exit);
	cpu_load_gdt();
	cpu_install_exception_handlers();

	log_start(&l);
	lugate_fmt_str(&l.f, "lugate loader " LOADER_VERSION " entered via ");
	lugate_fmt_str(&l.f, info->entry);
	lugate_fmt_str(&l.f, ", image [0x");
	lugate_fmt_hex(&l.f, (uint64_t)(uintptr_t)__image_start, 0);
	lugate_fmt_str(&l.f, "-0x");
	lugate_fmt_hex(&l.f, (uint64_t)(uintptr_t)__image_end, 0);
	lugate_fmt_char(&l.f, ')');
	log_emit(&l);
	log_start(&l);
	lugate_fmt_str(&l.f, "kernel command line: \"");
	lugate_fmt_str(&l.f, kernel_cmdline);
	lugate_fmt_char(&l.f, '"');
	log_emit(&l);
	if (opts.unknown) {
		log_start(&l);
		lugate_fmt_str(&l.f, "ignoring unknown option ");
		lugate_fmt_str(&l.f, opts.first_unknown);
		if (opts.unknown > 1) {
			lugate_fmt_str(&l.f, " and ");
			lugate_fmt_udec(&l.f, opts.unknown - 1);
			lugate_fmt_str(&l.f, " more lugate.* option(s)");
		}
		log_emit(&l);
	}
	if (!cmdline_fits || info->cmdline_truncated)
		loader_stop(LOADER_STOP_INPUT, "the command line is longer than the loader keeps (4096 bytes)");
	log_memory_map(info);
	if (info->mem_dropped)
		loader_stop(LOADER_STOP_INPUT, "the memory map has more entries than the loader keeps (128)");
	if (!mem_init(&allocator, info))
		loader_stop(LOADER_STOP_INPUT, "no usable RAM between 1 MiB and 4 GiB in the memory map");

	modules_assign(info, &mods);
	decide(&decision);

	if (decision.allow) {
		fill_delivery(&h, &decision, true, target.sha256, 0);
		log_str("booting the TARGET kernel, table delivered marked allowed");
		why = boot_image("target", &target, mods.role[ROLE_INITRD], &h, info);
		/* Only returns if the target could not be placed: refuse it and fall back. */
		log_str(why);
		log_str("verdict changed to REFUSED: the approved target cannot be placed in memory");
		decision.allow = false;
		decision.flags |= LUGATE_DELIVERY_F_TARGET_UNBOOTABLE;
	}
	boot_fallback(&decision, info);
}
