// SPDX-License-Identifier: MIT
/*
 * `lugate embed`: stamp a manifest into a kernel image. A PE/UKI gets a `.lugate` section
 * when its headers have room for one more section header; an ELF64 kernel gets a PT_NOTE
 * segment holding a note named "lugate" when its program header table has room for one more
 * entry; everything else (a distro bzImage, an arm64 Image, a PE or ELF without room) gets a
 * trailer after its last byte. Every original byte the boot depends on stays as it was
 * (docs/image-carriers.md). What is written is read back by the core first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../handoff/bytes.h"
#include "cli.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
	"Usage: lugate embed --manifest MANIFEST IMAGE -o OUT [--replace]\n"
	"Stamp a manifest (JSON source or binary form) into a kernel image: a .lugate PE section\n"
	"for UKIs and PE images with header room, a \"lugate\" ELF note for ELF64 kernels with\n"
	"program-header room, else a trailer after the image. The manifest's release must be the\n"
	"image's own (when the image names one).\n"
	"  --replace   replace a manifest the image already carries (else: refuse, exit 2)\n";

#define SECTION_SIZE 40u
#define CERT_DIR_END 152u         /* PE32+ data directory 4 (certificate table): opt+144, 8 bytes */
#define PHDR_SIZE 56u
#define SHDR_SIZE 64u
#define PT_NOTE 4u
#define PT_PHDR 6u
#define SHT_NOBITS 8u
#define NOTE_NAME "lugate"        /* with its NUL: namesz 7, padded to 8 */
#define NT_LUGATE_MANIFEST 1u
#define NOTE_HEADER (12u + 8u)    /* namesz, descsz, type, "lugate\0" + 1 pad */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a ? (v + a - 1) / a * a : v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* ---- PE: a .lugate section ------------------------------------------------------------- */

/* The PE headers this file touches; the core has checked the COFF header and section table. */
struct pe_layout {
	size_t pe, opt, table;
	uint32_t count, opt_size;
};

static const char *pe_layout(const uint8_t *img, size_t size, struct pe_layout *l)
{
	l->pe = le32_load(img + 0x3c);
	l->opt = l->pe + 24;
	l->count = le16_load(img + l->pe + 6);
	l->opt_size = le16_load(img + l->pe + 20);
	l->table = l->opt + l->opt_size;
	/* PE32+ optional header through CheckSum (offset 64) and the certificate directory */
	if (l->opt_size < 112 || l->opt + 112 > size)
		return "the PE optional header is too short";
	if (le16_load(img + l->opt) != 0x20b)
		return "not a PE32+ image";
	return NULL;
}

/* The PE checksum (16-bit ones' complement sum of the file with the field zeroed, plus size). */
static uint32_t pe_checksum(const uint8_t *p, size_t n, size_t field)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i += 2) {
		if (i == field || i == field + 2)
			continue;
		uint32_t w = p[i] | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		sum += w;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum + (uint32_t)n;
}

/*
 * Append a .lugate section. Needs: PE32+, no Authenticode signature (stamping would break
 * it: stamp first, sign after), room for one more section header before the first section's
 * data and within SizeOfHeaders, and zero bytes there. Returns NULL with *why set if it cannot.
 */
static uint8_t *pe_add_section(const uint8_t *img, size_t size, const uint8_t *m, size_t msize, size_t *out_size,
			       const char **why)
{
	static const char section_name[8] = ".lugate"; /* NUL-padded to 8, as PE names are */
	struct pe_layout l;
	uint64_t sec_align, file_align, headers, lowest = UINT64_MAX, vend = 0, new_raw, new_va, raw_size, slot;
	uint8_t *out, *s;

	*why = pe_layout(img, size, &l);
	if (*why)
		return NULL;
	if (l.count + 1 > LUGATE_IMAGE_MAX_SECTIONS)
		return *why = "it has as many sections as lugate reads", NULL;
	sec_align = le32_load(img + l.opt + 32);
	file_align = le32_load(img + l.opt + 36);
	headers = le32_load(img + l.opt + 60);
	/* powers of two, FileAlignment up to 64 KiB, SectionAlignment at least as large */
	if (!file_align || file_align > 0x10000 || (file_align & (file_align - 1)) || sec_align < file_align ||
	    sec_align > 0x10000000 || (sec_align & (sec_align - 1)))
		return *why = "the PE file or section alignment is not a sane power of two", NULL;
	if (l.opt_size >= CERT_DIR_END && le32_load(img + l.opt + CERT_DIR_END - 4) != 0)
		return *why = "the image is signed (stamp it before signing)", NULL;
	for (uint32_t i = 0; i < l.count; i++) {
		const uint8_t *sec = img + l.table + (size_t)i * SECTION_SIZE;
		uint64_t raw = le32_load(sec + 20), rsize = le32_load(sec + 16), va = le32_load(sec + 12), vs = le32_load(sec + 8);
		if (rsize && raw < lowest)
			lowest = raw;
		if (align_up(va + (vs ? vs : rsize), sec_align) > vend)
			vend = align_up(va + (vs ? vs : rsize), sec_align);
	}
	slot = l.table + (uint64_t)l.count * SECTION_SIZE;
	if (slot + SECTION_SIZE > headers || slot + SECTION_SIZE > lowest || slot + SECTION_SIZE > size)
		return *why = "no room in the headers for another section", NULL;
	if (!all_zero(img + slot, SECTION_SIZE))
		return *why = "the header room for another section is not empty", NULL;
	/* FileAlignment is a power of two: the larger of it and 8 is a multiple of both */
	new_raw = align_up(size, file_align > LUGATE_MANIFEST_ALIGN ? file_align : LUGATE_MANIFEST_ALIGN);
	raw_size = align_up(msize, file_align);
	new_va = vend;
	if (new_raw + raw_size > UINT32_MAX || new_va + msize + sec_align > UINT32_MAX)
		return *why = "the stamped image would exceed PE's 4 GiB limits", NULL;
	*out_size = (size_t)(new_raw + raw_size);
	out = calloc(1, *out_size);
	if (!out)
		return *why = "out of memory", NULL;
	memcpy(out, img, size);
	memcpy(out + new_raw, m, msize);
	s = out + slot;
	memcpy(s, section_name, sizeof(section_name));
	le32_store(s + 8, (uint32_t)msize);
	le32_store(s + 12, (uint32_t)new_va);
	le32_store(s + 16, (uint32_t)raw_size);
	le32_store(s + 20, (uint32_t)new_raw);
	le32_store(s + 36, 0x40000040); /* initialized data, readable */
	le16_store(out + l.pe + 6, (uint16_t)(l.count + 1));
	le32_store(out + l.opt + 8, le32_load(out + l.opt + 8) + (uint32_t)raw_size);             /* SizeOfInitializedData */
	le32_store(out + l.opt + 56, (uint32_t)align_up(new_va + msize, sec_align));          /* SizeOfImage */
	if (le32_load(out + l.opt + 64))
		le32_store(out + l.opt + 64, pe_checksum(out, *out_size, l.opt + 64));
	return out;
}

/*
 * Undo pe_add_section in place (for --replace): the .lugate section must be the last
 * section header and its raw data the end of the image. Returns the new image size, or 0
 * with *why set.
 */
static size_t pe_strip_section(uint8_t *img, size_t size, const char **why)
{
	struct pe_layout l;
	uint8_t *s;
	uint32_t raw, raw_size, va;

	*why = pe_layout(img, size, &l);
	if (*why)
		return 0;
	if (l.count == 0)
		return *why = "no section to replace", 0;
	s = img + l.table + (size_t)(l.count - 1) * SECTION_SIZE;
	raw = le32_load(s + 20);
	raw_size = le32_load(s + 16);
	va = le32_load(s + 12);
	if (memcmp(s, ".lugate\0", 8) != 0 || (uint64_t)raw + raw_size != size)
		return *why = "the .lugate section is not the last one (replace it with the tool that added it)", 0;
	memset(s, 0, SECTION_SIZE);
	le16_store(img + l.pe + 6, (uint16_t)(l.count - 1));
	le32_store(img + l.opt + 8, le32_load(img + l.opt + 8) - raw_size);
	le32_store(img + l.opt + 56, va); /* the section began where the image ended */
	return raw;
}

/* ---- ELF64: a PT_NOTE segment with a "lugate" note --------------------------------------- */

/* True if [off, off+len) touches any section's file bytes or the section header table. */
static bool elf_sections_touch(const uint8_t *img, size_t size, uint64_t off, uint64_t len)
{
	uint64_t shoff = le64_load(img + 40);
	uint16_t shentsize = le16_load(img + 58), shnum = le16_load(img + 60);

	if (!shnum)
		return false;
	if (shentsize != SHDR_SIZE || shoff > size || (uint64_t)shnum * SHDR_SIZE > size - shoff)
		return true; /* a section table lugate cannot read: do not write near it */
	if (ranges_overlap(off, len, shoff, (uint64_t)shnum * SHDR_SIZE))
		return true;
	for (uint16_t i = 0; i < shnum; i++) {
		const uint8_t *sh = img + shoff + (size_t)i * SHDR_SIZE;
		if (le32_load(sh + 4) != SHT_NOBITS && ranges_overlap(off, len, le64_load(sh + 24), le64_load(sh + 32)))
			return true;
	}
	return false;
}

/*
 * Add a program header (PT_NOTE, not loaded) for a note appended after the image. Needs a
 * zero, unused 56-byte slot right after the program header table that no segment, section
 * or section header covers, and no PT_PHDR (whose size would change). The note itself is
 * outside every loaded segment: the kernel's memory image is unchanged. NULL with *why set
 * when there is no room (the caller then writes a trailer).
 */
static uint8_t *elf_add_note(const uint8_t *img, size_t size, const uint8_t *m, size_t msize, size_t *out_size,
			     const char **why)
{
	uint64_t phoff = le64_load(img + 32), slot, note_off, note_len;
	uint16_t phentsize = le16_load(img + 54), phnum = le16_load(img + 56);
	uint8_t *out, *ph, *n;

	if (phnum == 0 || phentsize != PHDR_SIZE || phnum == UINT16_MAX)
		return *why = "no program header table to extend", NULL;
	slot = phoff + (uint64_t)phnum * PHDR_SIZE;
	if (phoff < 64 || slot + PHDR_SIZE > size || !all_zero(img + slot, PHDR_SIZE))
		return *why = "no free room after the program header table", NULL;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *p = img + phoff + (size_t)i * PHDR_SIZE;
		if (le32_load(p) == PT_PHDR)
			return *why = "a PT_PHDR segment maps the program header table", NULL;
		if (ranges_overlap(slot, PHDR_SIZE, le64_load(p + 8), le64_load(p + 32)))
			return *why = "a segment covers the room after the program header table", NULL;
	}
	if (elf_sections_touch(img, size, slot, PHDR_SIZE))
		return *why = "a section covers the room after the program header table", NULL;
	/* the descriptor (the manifest) 8-byte aligned in the file: libfdt reads it in place */
	note_off = align_up(size + NOTE_HEADER, LUGATE_MANIFEST_ALIGN) - NOTE_HEADER;
	note_len = NOTE_HEADER + align_up(msize, 4);
	*out_size = (size_t)(note_off + note_len);
	out = calloc(1, *out_size);
	if (!out)
		return *why = "out of memory", NULL;
	memcpy(out, img, size);
	n = out + note_off;
	le32_store(n, sizeof(NOTE_NAME));
	le32_store(n + 4, (uint32_t)msize);
	le32_store(n + 8, NT_LUGATE_MANIFEST);
	memcpy(n + 12, NOTE_NAME, sizeof(NOTE_NAME));
	memcpy(n + NOTE_HEADER, m, msize);
	ph = out + slot;
	le32_store(ph, PT_NOTE);
	le32_store(ph + 4, 4);             /* PF_R */
	le64_store(ph + 8, note_off);      /* p_offset; p_vaddr, p_paddr, p_memsz stay 0: not loaded */
	le64_store(ph + 32, note_len);     /* p_filesz */
	le64_store(ph + 48, 4);            /* p_align */
	le16_store(out + 56, (uint16_t)(phnum + 1));
	return out;
}

/* Undo elf_add_note in place (for --replace). Returns the new size, or 0 with *why set. */
static size_t elf_strip_note(uint8_t *img, size_t size, const char **why)
{
	uint64_t phoff = le64_load(img + 32);
	uint16_t phnum = le16_load(img + 56);
	uint8_t *ph;
	uint64_t off, len;

	if (phnum == 0)
		return *why = "no program headers", 0;
	ph = img + phoff + (size_t)(phnum - 1) * PHDR_SIZE;
	off = le64_load(ph + 8);
	len = le64_load(ph + 32);
	if (le32_load(ph) != PT_NOTE || le64_load(ph + 16) != 0 || off + len != size || len < NOTE_HEADER ||
	    memcmp(img + off + 12, NOTE_NAME, sizeof(NOTE_NAME)) != 0 ||
	    NOTE_HEADER + align_up(le32_load(img + off + 4), 4) != len)
		return *why = "the lugate note is not the last, unloaded segment (replace it with the tool that added it)", 0;
	memset(ph, 0, PHDR_SIZE);
	le16_store(img + 56, (uint16_t)(phnum - 1));
	return (size_t)off;
}

/* ---- trailer ---------------------------------------------------------------------------- */

static uint8_t *add_trailer(const uint8_t *img, size_t size, const uint8_t *m, size_t msize, size_t *out_size)
{
	size_t pad = lugate_trailer_pad(size);
	uint8_t *out;

	*out_size = size + pad + msize + LUGATE_TRAILER_SIZE;
	out = calloc(1, *out_size);
	if (!out)
		return NULL;
	memcpy(out, img, size);
	memcpy(out + size + pad, m, msize);
	lugate_trailer_write(out + size + pad + msize, (uint32_t)msize, (uint8_t)pad);
	return out;
}

/* ---- the verb ---------------------------------------------------------------------------- */

/* A trailer that does not end the file: a signature was appended after it (stamp, then sign). */
static bool signed_after_stamping(const struct cli_target *t)
{
	return t->info.carrier == LUGATE_CARRIER_TRAILER &&
	       t->info.manifest.p + t->info.manifest.size + LUGATE_TRAILER_SIZE != t->data + t->size;
}

/* With --replace: the image without its manifest carrier (in place); 0 with *why if not. */
static size_t strip_carrier(struct cli_target *t, const char **why)
{
	switch (t->info.carrier) {
	case LUGATE_CARRIER_TRAILER: return t->info.image_size;
	case LUGATE_CARRIER_PE_SECTION: return pe_strip_section(t->data, t->info.image_size, why);
	case LUGATE_CARRIER_ELF_NOTE: return elf_strip_note(t->data, t->info.image_size, why);
	default: return t->info.image_size;
	}
}

/*
 * A bzImage's protected-mode part, trailer included, is what kexec copies into a segment of
 * init_size bytes (kexec_file's bzImage64_load; kexec-tools alike): it must still fit.
 */
static bool fits_init_size(const struct lugate_image_info *i, size_t out_size)
{
	uint64_t pm = (uint64_t)out_size - i->bz.code_offset;
	return i->format != LUGATE_IMAGE_BZIMAGE || !i->bz.init_size || pm <= align_up(i->bz.init_size, 4096);
}

static uint8_t *stamp(const struct cli_target *t, size_t base, const uint8_t *m, size_t msize, size_t *out_size,
		      enum lugate_manifest_carrier *carrier)
{
	const char *why = NULL;
	uint8_t *out;

	if (t->info.format == LUGATE_IMAGE_UKI || t->info.format == LUGATE_IMAGE_PE || t->info.format == LUGATE_IMAGE_ZBOOT) {
		*carrier = LUGATE_CARRIER_PE_SECTION;
		out = pe_add_section(t->data, base, m, msize, out_size, &why);
		if (!out)
			cli_error("%s: cannot add a .lugate section: %s", CLI_QPATH(t->path), why);
		return out;
	}
	if (t->info.format == LUGATE_IMAGE_ELF) {
		*carrier = LUGATE_CARRIER_ELF_NOTE;
		out = elf_add_note(t->data, base, m, msize, out_size, &why);
		if (out || strcmp(why, "out of memory") == 0)
			return out;
		/* no room for a program header: the trailer, like any image without header room */
	}
	*carrier = LUGATE_CARRIER_TRAILER;
	out = add_trailer(t->data, base, m, msize, out_size);
	if (!out)
		cli_error("%s: out of memory", CLI_QPATH(t->path));
	return out;
}

/* The release the core reads back: a zboot payload's is the CLI's reading (tools/zboot_payload.c), so
 * the core alone finds none there, and only a release it does find must be the same. */
static bool same_release(const struct lugate_image_info *stamped, const struct lugate_image_info *orig)
{
	bool from_payload = (orig->format == LUGATE_IMAGE_ZBOOT || orig->linux_format == LUGATE_IMAGE_ZBOOT) &&
			    !stamped->release[0];
	return from_payload || strcmp(stamped->release, orig->release) == 0;
}

static bool manifest_fits_image(const struct cli_target *t, const uint8_t *m, size_t msize, const char *mpath)
{
	struct lugate_manifest man;
	int err = lugate_manifest_open(m, msize, &man);

	if (err)
		return cli_error("%s: not a valid manifest: %s", CLI_QPATH(mpath), lugate_strerror(err)), false;
	if (t->info.release[0] && strcmp(man.release, t->info.release) != 0)
		return cli_error("%s: the manifest is for release %s but %s is %s (from the %s)", CLI_QPATH(mpath), man.release, CLI_QPATH(t->path),
				 t->info.release, t->info.release_source),
		       false;
	return true;
}

int cmd_embed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, 'm' }, { "output", required_argument, NULL, 'o' },
		{ "replace", no_argument, NULL, 'r' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *manifest_path = NULL, *output = NULL, *why = NULL;
	enum lugate_manifest_carrier carrier = LUGATE_CARRIER_NONE;
	struct lugate_image_info check;
	struct lugate_manifest readback;
	struct cli_target t;
	bool replace = false;
	uint8_t *blob = NULL, *out = NULL;
	size_t blob_size, out_size = 0, base;
	int c, rc = EXIT_INPUT;

	while ((c = cli_getopt(argc, argv, "m:o:rh", opts)) != -1) {
		switch (c) {
		case 'm': manifest_path = optarg; break;
		case 'o': output = optarg; break;
		case 'r': replace = true; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (!manifest_path || !output || optind + 1 != argc) {
		fputs(usage, stderr);
		return cli_error("embed: --manifest, IMAGE and -o are required");
	}
	if (!cli_target_open(argv[optind], false, &t))
		return EXIT_INPUT;
	if (!cli_manifest_load(manifest_path, &blob, &blob_size) || !manifest_fits_image(&t, blob, blob_size, manifest_path))
		goto out;
	if (t.info.carrier != LUGATE_CARRIER_NONE && !replace) {
		cli_error("%s: already stamped (%s); pass --replace to replace its manifest", CLI_QPATH(t.path),
			  lugate_carrier_name(t.info.carrier));
		goto out;
	}
	if (signed_after_stamping(&t)) {
		cli_error("%s: signed after it was stamped: replacing its manifest would drop the signature "
			  "(replace it in the unsigned image, then sign again)", CLI_QPATH(t.path));
		goto out;
	}
	base = strip_carrier(&t, &why);
	if (!base) {
		cli_error("%s: cannot replace its %s manifest: %s", CLI_QPATH(t.path), lugate_carrier_name(t.info.carrier), why);
		goto out;
	}
	out = stamp(&t, base, blob, blob_size, &out_size, &carrier);
	if (!out)
		goto out;
	if (!fits_init_size(&t.info, out_size)) {
		cli_error("%s: stamped, the kernel would no longer fit its init_size (0x%x) for kexec", CLI_QPATH(t.path), t.info.bz.init_size);
		goto out;
	}
	/* read back what we are about to write: the same core must find the same manifest */
	if (lugate_image_identify(out, out_size, &check) != 0 || check.carrier != carrier ||
	    check.manifest.size != blob_size || memcmp(check.manifest.p, blob, blob_size) != 0 ||
	    check.format != t.info.format || !same_release(&check, &t.info) ||
	    lugate_manifest_open(check.manifest.p, check.manifest.size, &readback) != 0) {
		cli_error("%s: the stamped image does not read back (a bug: nothing written)", CLI_QPATH(t.path));
		goto out;
	}
	if (cli_write_file(output, out, out_size)) {
		printf("%s: stamped with a %zu-byte manifest for %s (carrier: %s)\n", output, blob_size,
		       t.info.release[0] ? t.info.release : "an image naming no release", lugate_carrier_name(carrier));
		rc = EXIT_ALLOW;
	}
out:
	free(out);
	free(blob);
	cli_target_free(&t);
	return rc;
}
