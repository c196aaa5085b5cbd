// SPDX-License-Identifier: MIT
/*
 * lugate.efi: the gate as a UEFI application, for test rigs brought up from firmware.
 *
 * It reads its inputs from the ESP it was loaded from (config.h), runs the very same gate as
 * the bare-metal loader (boot/gate.c: the core's lugate_check() with the sealed table, the
 * target's manifest, release and SHA-256), then boots the approved target with the table
 * delivered (linux_boot.h: x86_handover.c or aa64_loadimage.c), or on refusal the fallback with the table marked refused, or returns
 * to the firmware with a status that says why (docs/test-rig.md lists them). A refused image is
 * never entered. Every step is one log line (console.c).
 */
#include <string.h>
#include <lugate/lugate.h>
#include "../boot/gate.h"
#include "../boot/log.h"
#include "../boot/target_inspect.h"
#include "config.h"
#include "linux_boot.h"
#include "lugate-efi.h"

#define TEXT_MAX 512u

/* The app's working state: large, so from the pool, not on the firmware's stack. */
struct app {
	EFI_HANDLE image;
	EFI_SYSTEM_TABLE *st;
	EFI_LOADED_IMAGE *loaded;
	EFI_FILE_HANDLE root;
	struct config file_cfg, opt_cfg, cfg;
	char options_text[CONFIG_VALUE_MAX + 64u];
	char config_path[CONFIG_VALUE_MAX];
	char path[CFG_KEY_COUNT][CONFIG_VALUE_MAX];   /* resolved path-valued keys */
	char problem[CONFIG_ERROR_MAX + 64u];         /* first input problem (bad-config) */
	unsigned problems;
	struct efi_file kernel_file, table_file, initrd_file, fallback_file, fallback_initrd_file;
	struct target_info target, fallback;
	struct gate_decision decision;
	struct gate_wording wording;
};

/* CHAR16 firmware text (vendor, device paths) to ASCII for the log; '?' for the rest. */
static void ascii_from_char16(const CHAR16 *in, char *out, size_t out_size)
{
	size_t k = 0;

	while (in && *in && k + 1 < out_size) {
		char c = '?';

		if (*in >= 0x20 && *in < 0x7f)
			c = (char)*in;
		out[k++] = c;
		in++;
	}
	out[k] = '\0';
}

static void log_status(const char *what, const char *path, EFI_STATUS s)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, what);
	lugate_fmt_str(&l.f, " ");
	lugate_fmt_str(&l.f, path);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_str(&l.f, efi_status_text(s));
	lugate_fmt_str(&l.f, " (0x");
	lugate_fmt_hex(&l.f, (uint64_t)s, 0);
	lugate_fmt_str(&l.f, ")");
	log_emit(&l);
}

/* Keep the first input problem for the bad-config reason (the caller has logged it). */
static void record_problem(struct app *a, const char *what, const char *path, EFI_STATUS s)
{
	struct lugate_fmt f;

	if (a->problems++ > 0)
		return;
	lugate_fmt_init(&f, a->problem, sizeof(a->problem));
	lugate_fmt_str(&f, what);
	lugate_fmt_str(&f, " ");
	lugate_fmt_str(&f, path);
	lugate_fmt_str(&f, ": ");
	lugate_fmt_str(&f, efi_status_text(s));
}

static void note_problem(struct app *a, const char *what, const char *path, EFI_STATUS s)
{
	log_status(what, path, s);
	record_problem(a, what, path, s);
}

static void free_files(struct app *a)
{
	efi_file_free(&a->kernel_file);
	efi_file_free(&a->table_file);
	efi_file_free(&a->initrd_file);
	efi_file_free(&a->fallback_file);
	efi_file_free(&a->fallback_initrd_file);
}

/* Nothing is booted: say why and with which status, and return to the firmware. */
static EFI_STATUS give_back(struct app *a, EFI_STATUS s, const char *why)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "STOP: ");
	lugate_fmt_str(&l.f, why);
	lugate_fmt_str(&l.f, " (nothing was booted; returning to the firmware with status ");
	lugate_fmt_str(&l.f, efi_status_text(s));
	lugate_fmt_str(&l.f, ", 0x");
	lugate_fmt_hex(&l.f, (uint64_t)s, 0);
	lugate_fmt_str(&l.f, ")");
	log_emit(&l);
	if (a)
		free_files(a);
	return s;
}

static void log_banner(EFI_SYSTEM_TABLE *st)
{
	struct log_line l;
	char vendor[64];

	ascii_from_char16(st->FirmwareVendor, vendor, sizeof(vendor));
	log_start(&l);
	lugate_fmt_str(&l.f, "lugate.efi " LUGATE_EFI_VERSION " on UEFI ");
	lugate_fmt_udec(&l.f, st->Hdr.Revision >> 16);
	lugate_fmt_char(&l.f, '.');
	lugate_fmt_udec(&l.f, (st->Hdr.Revision & 0xffff) / 10);
	lugate_fmt_str(&l.f, ", firmware ");
	lugate_fmt_str(&l.f, vendor);
	lugate_fmt_str(&l.f, " rev 0x");
	lugate_fmt_hex(&l.f, st->FirmwareRevision, 0);
	lugate_fmt_str(&l.f, "; log on ");
	lugate_fmt_str(&l.f, efi_console_describe());
	log_emit(&l);
}

static void log_loaded_from(EFI_LOADED_IMAGE *li)
{
	struct log_line l;
	CHAR16 *dp = li->FilePath ? DevicePathToStr(li->FilePath) : NULL;
	char text[TEXT_MAX];

	ascii_from_char16(dp, text, sizeof(text));
	if (dp)
		FreePool(dp);
	log_start(&l);
	lugate_fmt_str(&l.f, "loaded from ");
	lugate_fmt_str(&l.f, text[0] ? text : "(unknown path)");
	lugate_fmt_str(&l.f, " at 0x");
	lugate_fmt_hex(&l.f, (uint64_t)(uintptr_t)li->ImageBase, 0);
	log_emit(&l);
}

/* The load options: override words, or nothing (binary Boot#### data is ignored). */
static void read_options(struct app *a)
{
	struct log_line l;
	const EFI_LOADED_IMAGE *li = a->loaded;

	config_init(&a->opt_cfg);
	log_start(&l);
	if (li->LoadOptionsSize == 0 || !li->LoadOptions) {
		lugate_fmt_str(&l.f, "load options: none");
	} else if (!config_options_text(li->LoadOptions, li->LoadOptionsSize, a->options_text,
					sizeof(a->options_text))) {
		lugate_fmt_str(&l.f, "load options: ");
		lugate_fmt_udec(&l.f, li->LoadOptionsSize);
		lugate_fmt_str(&l.f, " bytes that are not text (boot entry data), ignored");
	} else {
		lugate_fmt_str(&l.f, "load options: \"");
		lugate_fmt_str(&l.f, a->options_text);
		lugate_fmt_str(&l.f, "\"");
		config_parse_options(&a->opt_cfg, a->options_text);
	}
	log_emit(&l);
}

static void read_config_file(struct app *a)
{
	struct efi_file f;
	struct log_line l;
	bool explicit = a->opt_cfg.set[CFG_CONFIG];
	EFI_STATUS s;

	config_init(&a->file_cfg);
	if (!explicit || !config_resolve_path("", a->opt_cfg.value[CFG_CONFIG], a->config_path,
					      sizeof(a->config_path)))
		memcpy(a->config_path, CONFIG_DEFAULT_PATH, sizeof(CONFIG_DEFAULT_PATH));
	s = efi_file_read(a->root, a->config_path, &f);
	if (EFI_ERROR(s)) {
		if (explicit)
			note_problem(a, "cannot read the configuration", a->config_path, s);
		else
			log_status("no configuration file", a->config_path, s);
		return;
	}
	config_parse_file(&a->file_cfg, f.data, f.size);
	log_start(&l);
	lugate_fmt_str(&l.f, "configuration ");
	lugate_fmt_str(&l.f, a->config_path);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_udec(&l.f, f.size);
	lugate_fmt_str(&l.f, " bytes");
	log_emit(&l);
	efi_file_free(&f);
}

/* Merge, resolve paths, log every setting and the first problem. */
static void settle_config(struct app *a)
{
	struct config *c = &a->cfg;

	config_merge(c, &a->file_cfg, &a->opt_cfg);
	for (int k = 0; k < CFG_KEY_COUNT; k++) {
		struct log_line l;

		if (!c->set[k] || k == CFG_CONFIG)
			continue;
		if (config_key_is_path((enum config_key)k) &&
		    !config_resolve_path(a->config_path, c->value[k], a->path[k], sizeof(a->path[k]))) {
			note_problem(a, "path too long for", config_key_name((enum config_key)k), EFI_BAD_BUFFER_SIZE);
			c->set[k] = false;
			continue;
		}
		log_start(&l);
		lugate_fmt_str(&l.f, "  ");
		lugate_fmt_str(&l.f, config_key_name((enum config_key)k));
		lugate_fmt_str(&l.f, " = ");
		if (config_key_is_path((enum config_key)k)) {
			lugate_fmt_str(&l.f, a->path[k]);
		} else {
			lugate_fmt_char(&l.f, '"');
			lugate_fmt_str(&l.f, c->value[k]);
			lugate_fmt_char(&l.f, '"');
		}
		if (a->opt_cfg.set[k])
			lugate_fmt_str(&l.f, "   (from the load options)");
		log_emit(&l);
	}
	if (c->errors) {
		struct log_line l;

		log_start(&l);
		lugate_fmt_str(&l.f, "configuration problem: ");
		lugate_fmt_str(&l.f, c->first_error);
		if (c->errors > 1) {
			lugate_fmt_str(&l.f, " (and ");
			lugate_fmt_udec(&l.f, c->errors - 1);
			lugate_fmt_str(&l.f, " more)");
		}
		log_emit(&l);
		if (a->problems++ == 0)
			memcpy(a->problem, c->first_error, sizeof(c->first_error));
	}
}

/* Read one configured file (logged); EFI_SUCCESS also when it is not configured. */
static EFI_STATUS load(struct app *a, enum config_key k, const char *what, struct efi_file *f)
{
	struct log_line l;
	EFI_STATUS s;

	if (!a->cfg.set[k])
		return EFI_SUCCESS;
	s = efi_file_read(a->root, a->path[k], f);
	if (EFI_ERROR(s)) {
		log_status(what, a->path[k], s);
		return s;
	}
	log_start(&l);
	lugate_fmt_str(&l.f, what);
	lugate_fmt_str(&l.f, " ");
	lugate_fmt_str(&l.f, a->path[k]);
	lugate_fmt_str(&l.f, ": ");
	lugate_fmt_udec(&l.f, f->size);
	lugate_fmt_str(&l.f, " bytes at 0x");
	lugate_fmt_hex(&l.f, f->pages_at, 0);
	log_emit(&l);
	return EFI_SUCCESS;
}

/* The shared target inspection (hash, image header, manifest), plus this front end's own
 * precondition for its architecture's route (linux_boot.h). */
static void inspect(const struct efi_file *f, const char *label, struct target_info *t)
{
	const char *why;

	target_inspect_as(f->data, f->size, label, efi_linux_format, t);
	if (t->bootable && (why = efi_linux_bootable(t)) != NULL) {
		struct log_line l;

		t->bootable = false;
		t->why_unbootable = why;
		log_start(&l);
		lugate_fmt_str(&l.f, label);
		lugate_fmt_str(&l.f, ": not bootable by lugate.efi: ");
		lugate_fmt_str(&l.f, why);
		log_emit(&l);
	}
}

static void decide(struct app *a)
{
	struct gate_input in;
	EFI_STATUS s;

	memset(&in, 0, sizeof(in));
	if (!EFI_ERROR(load(a, CFG_KERNEL, "target kernel", &a->kernel_file)) && a->cfg.set[CFG_KERNEL]) {
		inspect(&a->kernel_file, "target", &a->target);
		in.target = &a->target;
	}
	if (!EFI_ERROR(load(a, CFG_TABLE, "table", &a->table_file)) && a->cfg.set[CFG_TABLE]) {
		in.table = a->table_file.data;
		in.table_size = a->table_file.size;
	}
	s = load(a, CFG_INITRD, "target initrd", &a->initrd_file);
	if (EFI_ERROR(s))
		record_problem(a, "cannot read the target's initrd", a->path[CFG_INITRD], s);
	a->wording.bad_inputs_name = "bad-config";
	a->wording.bad_inputs = a->problem;
	a->wording.no_target = "no readable kernel= in the configuration or the load options";
	a->wording.no_table = "no readable table= in the configuration or the load options: nothing to check against";
	a->wording.fallback_unbootable = efi_linux_fallback_unbootable;
	in.bad_inputs = a->problems > 0;
	in.wording = &a->wording;
	gate_decide(&a->decision, &in);
}

static const char *boot(struct app *a, const char *label, const struct target_info *img, const struct efi_file *initrd,
			const char *cmdline, const struct lugate_delivery_header *h)
{
	struct efi_linux_boot b;

	b.label = label;
	b.image = img;
	b.initrd = initrd->data ? initrd : NULL;
	b.cmdline = cmdline;
	b.delivery = h;
	b.table = a->table_file.data;
	b.table_size = a->decision.table_size;
	return efi_linux_boot(a->image, a->st, &b);
}

/* Refused: boot the fallback with the table marked refused, or give back to the firmware. */
static EFI_STATUS boot_fallback(struct app *a)
{
	struct lugate_delivery_header h;
	uint32_t extra;
	const char *cmdline, *why;

	if (!a->cfg.set[CFG_FALLBACK])
		return give_back(a, EFI_SECURITY_VIOLATION, "refused, and no fallback kernel was configured (fallback=)");
	if (EFI_ERROR(load(a, CFG_FALLBACK, "fallback kernel", &a->fallback_file)))
		return give_back(a, EFI_LOAD_ERROR, "refused, and the fallback kernel cannot be read");
	inspect(&a->fallback_file, "fallback", &a->fallback);
	why = gate_fallback_outcome(&a->decision, &a->fallback, &extra);
	if (why)
		return give_back(a, EFI_LOAD_ERROR, why);
	if (EFI_ERROR(load(a, CFG_FALLBACK_INITRD, "fallback initrd", &a->fallback_initrd_file)))
		return give_back(a, EFI_LOAD_ERROR, "refused, and the fallback's initrd cannot be read");
	gate_fill_delivery(&h, &a->decision, false, a->fallback.sha256, extra);
	cmdline = a->cfg.set[CFG_FALLBACK_CMDLINE] ? a->cfg.value[CFG_FALLBACK_CMDLINE] : a->cfg.value[CFG_CMDLINE];
	log_str("booting the FALLBACK kernel, table delivered marked refused");
	why = boot(a, "fallback", &a->fallback, &a->fallback_initrd_file, cmdline, &h);
	log_str(why);
	return give_back(a, EFI_LOAD_ERROR, "refused, and the fallback cannot be placed in memory");
}

static EFI_STATUS run(struct app *a)
{
	struct lugate_delivery_header h;
	const char *why;
	EFI_STATUS s;

	s = uefi_call_wrapper(BS->HandleProtocol, 3, a->image, &LoadedImageProtocol, (void **)&a->loaded);
	if (EFI_ERROR(s))
		return give_back(a, s, "the firmware gives no loaded-image protocol for lugate.efi");
	log_loaded_from(a->loaded);
	read_options(a);
	a->root = LibOpenRoot(a->loaded->DeviceHandle);
	if (!a->root)
		return give_back(a, EFI_NOT_FOUND, "cannot open the file system lugate.efi was loaded from");
	read_config_file(a);
	settle_config(a);
	if (!a->cfg.set[CFG_KERNEL] && !a->cfg.set[CFG_TABLE] && !a->cfg.set[CFG_FALLBACK])
		return give_back(a, EFI_NOT_FOUND,
				 "nothing to do: no kernel, table or fallback in the configuration or the load options");

	decide(a);
	if (a->decision.allow) {
		gate_fill_delivery(&h, &a->decision, true, a->target.sha256, 0);
		log_str("booting the TARGET kernel, table delivered marked allowed");
		why = boot(a, "target", &a->target, &a->initrd_file, a->cfg.value[CFG_CMDLINE], &h);
		/* Only returns if the target could not be placed: refuse it and fall back. */
		gate_refuse_unplaceable(&a->decision, why);
	}
	return boot_fallback(a);
}

/* gnu-efi 3.0.x's crt0 calls efi_main with the SysV ABI: it must NOT be marked EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct app *a;
	EFI_STATUS s;

	InitializeLib(image, st);
	efi_console_init(st);
	log_banner(st);
	a = AllocateZeroPool(sizeof(*a));
	if (!a)
		return give_back(NULL, EFI_OUT_OF_RESOURCES, "no memory for lugate.efi's working state");
	a->image = image;
	a->st = st;
	s = run(a);
	FreePool(a);
	return s;
}
