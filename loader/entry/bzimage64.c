// SPDX-License-Identifier: MIT
/*
 * bzImage64 entry (kexec_file, `kexec -s`): the incoming boot_params -> struct loader_boot_info.
 *
 *   e820 table (and SETUP_E820_EXT entries)      -> the memory map
 *   hdr.cmd_line_ptr + ext_cmd_line_ptr          -> the loader's own command line (lugate.*)
 *   ramdisk_image/size + ext_ fields             -> the bundle (docs/bundle-format.md), opened
 *                                                   and every entry verified by the core; its
 *                                                   entries become the modules of the same roles
 *                                                   the multiboot path uses
 *   hdr.setup_data chain (bounded walk)          -> forwarded unchanged to the booted kernel;
 *                                                   each entry kept out of the allocator
 *   SETUP_KEXEC_KHO (type 10)                    -> the KHO FDT is validated and its root
 *                                                   compatible read (lugate_kho_root_compat)
 *                                                   becomes an outgoing compat the
 *                                                   check requires; so do the strings of the
 *                                                   LUO state it refers to (boot/luo_outgoing.c,
 *                                                   the arm64 loader's too: LUO's compatible,
 *                                                   every file's handler with its session and
 *                                                   token, every FLB);
 *                                                   the scratch areas become the only RAM the
 *                                                   loader writes
 *
 * Everything read must lie inside the entry's identity map (512 GiB with 1 GiB pages, else 4 GiB);
 * anything else stops. Everything written lies below 4 GiB (loader/memory.h).
 */
#include <string.h>
#include <lugate/bundle.h>
#include <lugate/error.h>
#include <lugate/fmt.h>
#include <lugate/kho.h>
#include <lugate/luo.h>
#include <lugate/x86_boot.h>
#include "../../boot/log.h"
#include "../../boot/luo_outgoing.h"
#include "../options.h"
#include "../loader.h"
#include "phys.h"
#include "../loader_stop.h"
#include "../tsc.h"

/* The zero page the outgoing kernel handed over: offsets from its one description. */
#define BP(field) LUGATE_X86_OFF(field)
#define BP_SIZE sizeof(struct lugate_x86_boot_params)
#define E820_ENTRY_SIZE sizeof(struct lugate_x86_e820_entry)

#define SETUP_DATA_MAX_ENTRIES 32u    /* a bounded walk: more is a hostile or broken chain */
#define SETUP_DATA_MAX_LEN 0x4000000u /* 64 MiB */
#define KHO_DATA_SIZE 32u             /* struct kho_data: fdt_addr, fdt_size, scratch_addr, scratch_size */
#define KHO_SCRATCH_ENTRY 16u         /* struct kho_scratch: addr, size */
#define KHO_SCRATCH_MAX 64u

void loader_bzimage64_main(uint64_t boot_params, uint64_t map_limit);

static struct loader_boot_info boot_info;
static uint64_t identity_limit;       /* where the entry's identity map ends */
static struct lugate_bundle bundle;
static char kho_compat[LUGATE_COMPAT_MAX + 1];
static struct luo_outgoing luo;      /* the LUO state read, which the outgoing formats point into */
static bool luo_dump;                 /* lugate.luo_dump=1: hex-dump what the LUO reader reads */
static char target_cmdline[LUGATE_BUNDLE_CMDLINE_MAX + 1];
static char fallback_cmdline[LUGATE_BUNDLE_CMDLINE_MAX + 1];

/* Is [addr, addr + size) readable through the identity map? */
static bool mapped(uint64_t addr, uint64_t size)
{
	return addr != 0 && addr < identity_limit && size <= identity_limit - addr;
}

static void log_range_line(const char *what, uint64_t start, uint64_t size, const char *tail)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, what);
	lugate_fmt_str(&l.f, " [0x");
	lugate_fmt_hex(&l.f, start, 0);
	lugate_fmt_str(&l.f, "-0x");
	lugate_fmt_hex(&l.f, start + size, 0);
	lugate_fmt_str(&l.f, ")");
	if (tail)
		lugate_fmt_str(&l.f, tail);
	log_emit(&l);
}

static void reserve(struct loader_boot_info *info, uint64_t start, uint64_t size)
{
	if (!loader_info_reserve(info, start, start + size))
		loader_stop(LOADER_STOP_INPUT, "more boot-information ranges than the loader keeps (48)");
}

static void add_e820(struct loader_boot_info *info, uint64_t table, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t e = table + (uint64_t)i * E820_ENTRY_SIZE;

		loader_info_add_mem(info, rd64(e), rd64(e + 8), rd32(e + 16));
	}
}

/* The command line: "bzimage64 " then the incoming one, so that the first word (the loader's
 * path on the multiboot path) is one loader_run may drop. */
static void copy_cmdline(struct loader_boot_info *info, uint64_t bp)
{
	static const char first[] = "bzimage64 ";
	uint64_t p = rd32(bp + BP(hdr.cmd_line_ptr)) | ((uint64_t)rd32(bp + BP(ext_cmd_line_ptr)) << 32);
	size_t n = 0, max = sizeof(info->cmdline) - sizeof(first);
	const char *s;

	memcpy(info->cmdline, first, sizeof(first));
	if (p == 0)
		return;
	if (!mapped(p, 1))
		loader_stop(LOADER_STOP_INPUT, "the command line lies beyond the identity map");
	s = phys_ptr(p);
	while (n < max && mapped(p, n + 1) && s[n])
		n++;
	if (n == max || !mapped(p, n + 1)) {
		info->cmdline_truncated = true;
		n = n < max ? n : max - 1;
	}
	memcpy(info->cmdline + sizeof(first) - 1, s, n);
	info->cmdline[sizeof(first) - 1 + n] = '\0';
	reserve(info, p, n + 1);
}

/* lugate.luo_dump=1: "luo-dump <what> 0x<pa> <len>" then "luo-dump 0x<addr> <hex>" lines of
 * 32 bytes, which tests/unit/luo/capture.py turns back into the ranges read. */
static void dump_range(const char *what, uint64_t pa, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = phys_ptr(pa);
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "luo-dump ");
	lugate_fmt_str(&l.f, what);
	lugate_fmt_str(&l.f, " 0x");
	lugate_fmt_hex(&l.f, pa, 0);
	lugate_fmt_str(&l.f, " ");
	lugate_fmt_udec(&l.f, len);
	log_emit(&l);
	for (size_t off = 0; off < len; off += 32) {
		log_start(&l);
		lugate_fmt_str(&l.f, "luo-dump 0x");
		lugate_fmt_hex(&l.f, pa + off, 0);
		lugate_fmt_char(&l.f, ' ');
		for (size_t i = off; i < len && i < off + 32; i++) {
			lugate_fmt_char(&l.f, hex[p[i] >> 4]);
			lugate_fmt_char(&l.f, hex[p[i] & 15]);
		}
		log_emit(&l);
	}
}

/* The LUO reader's window on memory: the identity map, nothing beyond it. */
static const void *luo_map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (!mapped(pa, len))
		return NULL;
	if (luo_dump)
		dump_range("range", pa, len);
	return phys_ptr(pa);
}

static void add_outgoing(struct loader_boot_info *info, const char *compat, enum lugate_layer layer)
{
	struct lugate_outgoing_format *o = &info->outgoing[info->outgoing_count++];   /* sized for every string */

	o->compatible = compat;
	o->layer = layer;
}

static void kho(struct loader_boot_info *info, uint64_t data, uint32_t len)
{
	uint64_t fdt_addr, fdt_size, sc_addr, sc_size;
	struct log_line l;
	int err;

	if (len < KHO_DATA_SIZE)
		loader_stop(LOADER_STOP_INPUT, "KHO setup_data is shorter than struct kho_data");
	fdt_addr = rd64(data);
	fdt_size = rd64(data + 8);
	sc_addr = rd64(data + 16);
	sc_size = rd64(data + 24);
	if (info->outgoing_count)
		loader_stop(LOADER_STOP_INPUT, "two KHO setup_data entries");
	/* the core's reading (lugate/kho.h), once the area lies inside the identity map */
	err = mapped(fdt_addr, fdt_size) ? lugate_kho_root_compat(phys_ptr(fdt_addr), fdt_size, LUGATE_KHO_WHOLE, kho_compat)
					 : LUGATE_ERR_BADSIZE;
	if (err < 0) {
		log_start(&l);
		lugate_fmt_str(&l.f, "KHO: the outgoing kernel handed over a KHO FDT the loader cannot read (");
		lugate_fmt_str(&l.f, lugate_strerror(err));
		lugate_fmt_str(&l.f, mapped(fdt_addr, fdt_size) ? ")" : ", or beyond the identity map)");
		log_emit(&l);
		loader_stop(LOADER_STOP_INPUT, "invalid KHO handover (setup_data type 10): nothing was written");
	}
	reserve(info, fdt_addr, fdt_size);
	add_outgoing(info, kho_compat, LUGATE_LAYER_KHO);
	if (sc_size == 0 || sc_size % KHO_SCRATCH_ENTRY || sc_size / KHO_SCRATCH_ENTRY > KHO_SCRATCH_MAX ||
	    !mapped(sc_addr, sc_size))
		loader_stop(LOADER_STOP_INPUT, "KHO scratch array: bad size or beyond the identity map");
	reserve(info, sc_addr, sc_size);
	log_start(&l);
	lugate_fmt_str(&l.f, "KHO: FDT at 0x");
	lugate_fmt_hex(&l.f, fdt_addr, 0);
	lugate_fmt_str(&l.f, " (");
	lugate_fmt_udec(&l.f, fdt_size);
	lugate_fmt_str(&l.f, " bytes), root compatible \"");
	lugate_fmt_str(&l.f, kho_compat);
	lugate_fmt_str(&l.f, "\": outgoing KHO format recorded for the check");
	log_emit(&l);
	if (luo_dump)
		dump_range("fdt", fdt_addr, (size_t)fdt_size);
	/* the LUO state it refers to (boot/luo_outgoing.h): formats the check demands, logged */
	info->outgoing_count += (uint32_t)luo_outgoing_read(&luo, phys_ptr(fdt_addr), (size_t)fdt_size, luo_map, NULL,
							    &info->outgoing[info->outgoing_count],
							    &info->handover_unreadable);
	for (uint64_t e = sc_addr; e < sc_addr + sc_size; e += KHO_SCRATCH_ENTRY) {
		uint64_t a = rd64(e), s = rd64(e + 8);

		if (s == 0)
			continue;   /* an empty area (e.g. no lowmem scratch) */
		if (a + s < a)
			loader_stop(LOADER_STOP_INPUT, "KHO scratch area wraps around");
		if (info->scratch_count >= LOADER_MAX_SCRATCH)
			loader_stop(LOADER_STOP_INPUT, "more KHO scratch areas than the loader keeps (16)");
		info->scratch[info->scratch_count].start = a;
		info->scratch[info->scratch_count].end = a + s;
		info->scratch_count++;
		log_range_line("KHO: scratch area", a, s, ": the loader writes only inside scratch");
	}
	if (info->scratch_count == 0)
		loader_stop(LOADER_STOP_INPUT, "KHO data without a scratch area: nowhere is safe to write");
}

/* Data an entry points at is forwarded too: never written. A range beyond the identity map is
 * not read, and lies above 4 GiB where nothing is written anyway. */
static void reserve_pointed(struct loader_boot_info *info, const char *what, uint64_t addr, uint64_t size)
{
	if (addr == 0 || size == 0 || addr + size < addr)
		return;
	reserve(info, addr, size);
	log_range_line(what, addr, size, ": kept, forwarded");
}

/* SETUP_EFI, which kexec_file_load adds on a UEFI host: forwarded with the chain; named in the
 * log so that a reader of the serial console sees the firmware's tables go through. */
static void log_efi_setup_data(uint64_t data, uint32_t len)
{
	struct log_line l;

	log_start(&l);
	if (len < sizeof(struct lugate_x86_efi_setup_data)) {
		lugate_fmt_str(&l.f, "EFI setup_data: shorter than struct efi_setup_data, forwarded as found");
	} else {
		lugate_fmt_str(&l.f, "EFI setup_data: fw_vendor 0x");
		lugate_fmt_hex(&l.f, rd64(data + offsetof(struct lugate_x86_efi_setup_data, fw_vendor)), 0);
		lugate_fmt_str(&l.f, ", tables 0x");
		lugate_fmt_hex(&l.f, rd64(data + offsetof(struct lugate_x86_efi_setup_data, tables)), 0);
		lugate_fmt_str(&l.f, ", smbios 0x");
		lugate_fmt_hex(&l.f, rd64(data + offsetof(struct lugate_x86_efi_setup_data, smbios)), 0);
		lugate_fmt_str(&l.f, ": forwarded, the next kernel finds the firmware through it");
	}
	log_emit(&l);
}

/* Walk the incoming chain (bounded), keep every entry out of the allocator, read what the
 * loader needs; the chain itself is forwarded unchanged (its head becomes the delivery
 * record's next). */
static void walk_setup_data(struct loader_boot_info *info, uint64_t head)
{
	uint64_t p = head;
	uint32_t n = 0;

	info->setup_data = head;
	while (p) {
		uint32_t type, len;
		struct log_line l;

		if (++n > SETUP_DATA_MAX_ENTRIES)
			loader_stop(LOADER_STOP_INPUT, "the setup_data chain has more than 32 entries (a loop?)");
		if (!mapped(p, 16))
			loader_stop(LOADER_STOP_INPUT, "a setup_data entry lies beyond the identity map");
		type = rd32(p + 8);
		len = rd32(p + 12);
		if (len > SETUP_DATA_MAX_LEN || !mapped(p, 16ull + len))
			loader_stop(LOADER_STOP_INPUT, "a setup_data entry is too large or beyond the identity map");
		reserve(info, p, 16ull + len);
		log_start(&l);
		lugate_fmt_str(&l.f, "setup_data in: type ");
		lugate_fmt_udec(&l.f, type);
		lugate_fmt_str(&l.f, " at 0x");
		lugate_fmt_hex(&l.f, p, 0);
		lugate_fmt_str(&l.f, ", ");
		lugate_fmt_udec(&l.f, len);
		lugate_fmt_str(&l.f, " bytes: forwarded unchanged");
		log_emit(&l);
		if (type == LUGATE_X86_SETUP_E820_EXT)
			add_e820(info, p + 16, len / E820_ENTRY_SIZE);
		else if (type == LUGATE_X86_SETUP_KEXEC_KHO)
			kho(info, p + 16, len);
		else if (type == LUGATE_X86_SETUP_IMA && len >= 16)   /* struct ima_setup_data {u64 addr, size} */
			reserve_pointed(info, "IMA log", rd64(p + 16), rd64(p + 24));
		else if ((type & LUGATE_X86_SETUP_INDIRECT) && len >= 24)   /* struct setup_indirect {type, reserved, len, addr} */
			reserve_pointed(info, "indirect setup_data", rd64(p + 32), rd64(p + 24));
		else if (type == LUGATE_X86_SETUP_EFI)
			log_efi_setup_data(p + 16, len);
		p = rd64(p);
	}
}

static const char *const role_names[LUGATE_BUNDLE_ROLE_MAX + 1] = {
	[LUGATE_BUNDLE_TABLE] = "table",
	[LUGATE_BUNDLE_KERNEL] = "kernel",
	[LUGATE_BUNDLE_INITRD] = "initrd",
	[LUGATE_BUNDLE_FALLBACK] = "fallback",
	[LUGATE_BUNDLE_FALLBACK_INITRD] = "fallback-initrd",
};

static void copy_text(char *dst, const struct lugate_bundle_entry *e)
{
	memcpy(dst, e->data, (size_t)e->size);
	dst[e->size] = '\0';
}

/* The bundle's entries -> modules named like multiboot's ("bundle:<role> role=<role>"); an
 * entry whose digest does not match gets no role (a bad-modules refusal, never used). */
static void map_bundle(struct loader_boot_info *info, uint64_t addr, uint64_t size)
{
	struct log_line l;
	int err;

	if (size == 0) {
		log_str("bundle: no initrd was passed (kexec -s --initrd=<bundle>): nothing to check");
		return;
	}
	if (!mapped(addr, size))
		loader_stop(LOADER_STOP_INPUT, "the bundle (initrd) lies beyond the identity map");
	reserve(info, addr, size);
	err = lugate_bundle_open(phys_ptr(addr), size, &bundle);
	if (err < 0) {
		log_start(&l);
		lugate_fmt_str(&l.f, "bundle: unusable (");
		lugate_fmt_str(&l.f, lugate_strerror(err));
		lugate_fmt_str(&l.f, "): no target, no table, no fallback");
		log_emit(&l);
		return;
	}
	for (uint32_t i = 0; i < bundle.entry_count; i++) {
		const struct lugate_bundle_entry *e = &bundle.entry[i];
		const char *name = lugate_bundle_role_name(e->role);
		bool ok = lugate_bundle_verify(e, NULL) == 0;
		struct loader_module *m;
		struct lugate_fmt f;

		log_start(&l);
		lugate_fmt_str(&l.f, "bundle: ");
		lugate_fmt_str(&l.f, name);
		lugate_fmt_str(&l.f, ", ");
		lugate_fmt_udec(&l.f, e->size);
		lugate_fmt_str(&l.f, ok ? " bytes, digest ok" : " bytes, DIGEST MISMATCH: not used");
		log_emit(&l);
		if (ok && e->role == LUGATE_BUNDLE_CMDLINE) {
			copy_text(target_cmdline, e);
			info->target_cmdline = target_cmdline;
			continue;
		}
		if (ok && e->role == LUGATE_BUNDLE_FALLBACK_CMDLINE) {
			copy_text(fallback_cmdline, e);
			info->fallback_cmdline = fallback_cmdline;
			continue;
		}
		m = &info->modules[info->module_count++];   /* at most 8 entries: always room */
		m->start = phys_addr(e->data);
		m->size = e->size;
		lugate_fmt_init(&f, m->cmdline, sizeof(m->cmdline));
		lugate_fmt_str(&f, "bundle:");
		lugate_fmt_str(&f, name);
		if (ok && e->role <= LUGATE_BUNDLE_ROLE_MAX && role_names[e->role]) {
			lugate_fmt_str(&f, " role=");
			lugate_fmt_str(&f, role_names[e->role]);
		} else {
			lugate_fmt_str(&f, " (digest mismatch: no role)");
		}
	}
}

/* What is carried into the booted kernel's zero page: ACPI's RSDP, the EFI information
 * (efi_loader_signature "EL64" on a UEFI host; zeros on BIOS) and Secure Boot's state. */
static void log_firmware(const struct zero_page_firmware *fw)
{
	static const char *const sb_names[] = { "unset", "unknown", "disabled", "enabled" };
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "boot_params: acpi_rsdp_addr 0x");
	lugate_fmt_hex(&l.f, fw->acpi_rsdp_addr, 0);
	lugate_fmt_str(&l.f, ", efi_info ");
	if (fw->efi_info[0] >= ' ' && fw->efi_info[0] <= '~') {
		lugate_fmt_str(&l.f, "'");
		for (unsigned i = 0; i < 4 && fw->efi_info[i] >= ' ' && fw->efi_info[i] <= '~'; i++)
			lugate_fmt_char(&l.f, (char)fw->efi_info[i]);
		lugate_fmt_str(&l.f, "'");
	} else {
		lugate_fmt_str(&l.f, "none");
	}
	lugate_fmt_str(&l.f, ", secure_boot ");
	lugate_fmt_str(&l.f, fw->secure_boot < 4 ? sb_names[fw->secure_boot] : "?");
	lugate_fmt_str(&l.f, ": carried into the booted kernel's zero page");
	log_emit(&l);
}

/* The EFI memory map efi_info points at: kept out of the allocator (it is forwarded by address,
 * and the next kernel maps the runtime regions from it), its shape logged. A map that is not
 * well formed is still kept and forwarded as found: the next kernel judges it. */
static void keep_efi_memmap(struct loader_boot_info *info)
{
	struct zero_page_efi_memmap m;
	const char *why = zero_page_efi_memmap(&info->firmware, &m);
	struct log_line l;

	if (!zero_page_is_efi(&info->firmware))
		return;
	reserve_pointed(info, "EFI memory map", m.addr, m.size);
	log_start(&l);
	lugate_fmt_str(&l.f, "EFI memory map: ");
	if (why) {
		lugate_fmt_str(&l.f, why);
		lugate_fmt_str(&l.f, "; forwarded as found");
	} else {
		lugate_fmt_udec(&l.f, m.count);
		lugate_fmt_str(&l.f, " descriptors of ");
		lugate_fmt_udec(&l.f, m.desc_size);
		lugate_fmt_str(&l.f, " bytes: forwarded in efi_info");
	}
	log_emit(&l);
}

void loader_bzimage64_main(uint64_t boot_params, uint64_t map_limit)
{
	struct loader_boot_info *info = &boot_info;
	uint64_t bp = boot_params, initrd, initrd_size;
	uint32_t n;

	loader_info_init(info);
	info->entry_tsc = tsc_read();   /* loader_split counts from here (tsc.h) */
	info->entry = "bzimage64";
	console_init(false);
	identity_limit = map_limit;
	info->map_limit = map_limit;
	if (!map_limit)
		loader_stop(LOADER_STOP_INPUT, "the loader was placed beyond the identity map it can build (4 GiB, 512 GiB with 1 GiB pages)");
	if (!mapped(bp, BP_SIZE))
		loader_stop(LOADER_STOP_INPUT, "boot_params (%rsi) is null or beyond the identity map");
	if (memcmp(phys_ptr(bp + BP(hdr.header)), LUGATE_X86_HEADER_MAGIC, 4) != 0)
		loader_stop(LOADER_STOP_INPUT, "boot_params has no setup header (not started by a 64-bit boot loader)");
	log_hex("bzImage64 entry: boot_params at ", bp);
	log_hex("bzImage64 entry: identity map up to ", identity_limit);
	if (phys_la57())
		log_str("bzImage64 entry: 5-level paging (CR4.LA57) is on: the identity map sits behind PML5[0]");
	reserve(info, bp, BP_SIZE);
	info->carry_firmware = true;
	zero_page_firmware_read(phys_ptr(bp), &info->firmware);
	info->rsdp = info->firmware.acpi_rsdp_addr;   /* a stop's ACPI reset looks here first */
	log_firmware(&info->firmware);
	keep_efi_memmap(info);
	copy_cmdline(info, bp);
	{
		struct loader_options opts;   /* loader_run reads them all again; the entry needs one */

		memset(&opts, 0, sizeof(opts));
		cmdline_split(info->cmdline, NULL, 0, &opts);
		luo_dump = opts.luo_dump;
	}
	n = rd8(bp + BP(e820_entries));
	add_e820(info, bp + BP(e820_table), n < LUGATE_X86_E820_MAX ? n : LUGATE_X86_E820_MAX);
	walk_setup_data(info, rd64(bp + BP(hdr.setup_data)));
	initrd = rd32(bp + BP(hdr.ramdisk_image)) | ((uint64_t)rd32(bp + BP(ext_ramdisk_image)) << 32);
	initrd_size = rd32(bp + BP(hdr.ramdisk_size)) | ((uint64_t)rd32(bp + BP(ext_ramdisk_size)) << 32);
	map_bundle(info, initrd, initrd_size);
	loader_run(info);
}
