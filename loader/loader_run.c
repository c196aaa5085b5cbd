// SPDX-License-Identifier: MIT
/*
 * The loader's decision, independent of the entry that ran: check the sealed table against
 * the target image with the core, then boot the target (allowed), the fallback (refused),
 * or nothing (refused and no usable fallback). A refused image is never entered.
 */
#include <string.h>
#include <lugate/delivery.h>
#include <lugate/lugate.h>
#include "../boot/gate.h"
#include "../boot/log.h"
#include "../boot/target_inspect.h"
#include "options.h"
#include "cpu.h"
#include "linux.h"
#include "loader.h"
#include "memory.h"
#include "modules.h"
#include "loader_stop.h"
#include "tsc.h"

#define LOADER_VERSION "0.1"

/* The loader's working state: large, so static, not on the 64 KiB stack. */
static struct loader_options opts;
static char kernel_cmdline[LOADER_CMDLINE_MAX];
static struct mem_allocator allocator;
static struct module_set mods;
static struct target_info target, fallback;
static struct gate_decision decision;

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

static const struct gate_wording loader_wording = {
	.bad_inputs_name = "bad-modules",
	.bad_inputs = "a module has no, an unknown or a repeated role=",
	.no_target = "no module with role=kernel",
	.no_table = "no module with role=table: nothing to check against",
	.fallback_unbootable = "refused, and the fallback is not a bootable 64-bit bzImage",
};

/* target_inspect of the module given for role r, its time split: the image's SHA-256 is hash,
 * the rest (headers, manifest) parse. */
static void inspect(enum module_role r, const char *label, struct target_info *out, struct tsc_split *tsc)
{
	const struct loader_module *m = mods.role[r];

	target_inspect(module_bytes(m), (size_t)m->size, label, out);
	tsc_lap(tsc, TSC_PARSE);
	tsc_move(tsc, TSC_PARSE, TSC_HASH, out->sha256_tsc);
}

/* Inspect the target and run the gate (the core's check and the loader's preconditions). */
static void decide(struct gate_decision *d, const struct loader_boot_info *info, struct tsc_split *tsc)
{
	const struct loader_module *table = mods.role[ROLE_TABLE], *kernel = mods.role[ROLE_KERNEL];
	struct gate_input in;

	memset(&in, 0, sizeof(in));
	if (kernel) {
		inspect(ROLE_KERNEL, "target", &target, tsc);
		in.target = &target;
	}
	if (table) {
		in.table = module_bytes(table);
		in.table_size = (size_t)table->size;
	}
	in.bad_inputs = mods.errors != 0;
	in.outgoing = info->outgoing;
	in.outgoing_count = info->outgoing_count;
	in.handover_unreadable = info->handover_unreadable;
	in.wording = &loader_wording;
	gate_decide(d, &in);
	tsc_lap(tsc, TSC_POLICY);
}

static const char *boot_image(const char *label, const struct target_info *img, const struct loader_module *initrd,
			      const struct lugate_delivery_header *h, const struct loader_boot_info *info,
			      struct tsc_split *tsc)
{
	const struct loader_module *table = mods.role[ROLE_TABLE];
	struct linux_boot b;
	const char *why;

	b.label = label;
	b.image = img;
	b.initrd = initrd;
	b.cmdline = kernel_cmdline;
	if (info->target_cmdline)   /* the bzImage64 entry's bundle names the command lines */
		b.cmdline = img == &fallback && info->fallback_cmdline ? info->fallback_cmdline : info->target_cmdline;
	b.delivery = h;
	b.table = table ? module_bytes(table) : NULL;
	b.table_size = table ? (size_t)table->size : 0;
	b.setup_data_in = info->setup_data;
	b.tsc = tsc;
	tsc_lap(tsc, TSC_POLICY);    /* the decision's last steps: the delivery record, "booting ..." */
	why = linux_boot(&allocator, info, &b);
	tsc_lap(tsc, TSC_RELOCATE);  /* reached only if it could not be placed */
	return why;
}

/* Refused: boot the fallback with the table marked refused, or stop. Never returns. */
static _Noreturn void boot_fallback(struct gate_decision *d, const struct loader_boot_info *info,
				    struct tsc_split *tsc)
{
	const struct loader_module *fb = mods.role[ROLE_FALLBACK];
	struct lugate_delivery_header h;
	uint32_t extra;
	const char *why;

	if (mods.repeated[ROLE_FALLBACK] || mods.repeated[ROLE_FALLBACK_INITRD])
		loader_stop(LOADER_STOP_FALLBACK_BAD, "refused, and the fallback is ambiguous (role given twice)");
	if (!fb)
		loader_stop(LOADER_STOP_REFUSED, "refused, and no fallback kernel was given (role=fallback)");
	tsc_lap(tsc, TSC_POLICY);
	inspect(ROLE_FALLBACK, "fallback", &fallback, tsc);
	why = gate_fallback_outcome(d, &fallback, &extra);
	if (why)
		loader_stop(LOADER_STOP_FALLBACK_BAD, why);
	gate_fill_delivery(&h, d, false, fallback.sha256, extra);
	log_str("booting the FALLBACK kernel, table delivered marked refused");
	why = boot_image("fallback", &fallback, mods.role[ROLE_FALLBACK_INITRD], &h, info, tsc);
	log_str(why);
	loader_stop(LOADER_STOP_FALLBACK_BAD, "refused, and the fallback cannot be placed in memory");
}

_Noreturn void loader_run(struct loader_boot_info *info)
{
	struct lugate_delivery_header h;
	struct log_line l;
	struct tsc_split tsc;        /* loader_split: parse / policy / hash / relocate, to the jump */
	bool cmdline_fits;
	const char *why;

	tsc_start(&tsc, info->entry_tsc);
	opts.vga = true;
	cmdline_fits = cmdline_split(info->cmdline, kernel_cmdline, sizeof(kernel_cmdline), &opts);
	console_init(opts.vga);
	stop_configure(opts.debug_exit, opts.stop_given ? &opts.stop : NULL);
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
	lugate_fmt_str(&l.f, info->target_cmdline ? "kernel command line (bundle): \"" : "kernel command line: \"");
	lugate_fmt_str(&l.f, info->target_cmdline ? info->target_cmdline : kernel_cmdline);
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
	if (opts.stop_bad) {
		log_start(&l);
		lugate_fmt_str(&l.f, "ignoring ");
		lugate_fmt_str(&l.f, opts.bad_stop);
		lugate_fmt_str(&l.f, ": not reboot, reboot:SECONDS (0-3600) or halt; a stop will use the default");
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
	tsc_lap(&tsc, TSC_PARSE);
	decide(&decision, info, &tsc);

	if (decision.allow) {
		gate_fill_delivery(&h, &decision, true, target.sha256, 0);
		log_str("booting the TARGET kernel, table delivered marked allowed");
		why = boot_image("target", &target, mods.role[ROLE_INITRD], &h, info, &tsc);
		/* Only returns if the target could not be placed: refuse it and fall back. */
		gate_refuse_unplaceable(&decision, why);
	}
	boot_fallback(&decision, info, &tsc);
}
