// SPDX-License-Identifier: MIT
/*
 * ELF64 kernels (vmlinux-style): header, program headers, and the notes in PT_NOTE segments,
 * where a manifest may be carried as a note named "lugate". The release comes from the
 * "Linux version" banner: vmlinux is not compressed.
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define PT_NOTE 4u
#define MAX_PHDRS 128u
#define NOTE_NAME "lugate"
#define NT_LUGATE_MANIFEST 1u

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

#define NT_GNU_BUILD_ID 3u

static bool note_named(const uint8_t *name, uint32_t namesz, const char *want, size_t want_size)
{
	return namesz == want_size && memcmp(name, want, want_size) == 0;
}

/*
 * Walk the notes of one PT_NOTE segment; a "lugate" note's descriptor is the manifest.
 * Each step moves forward by at least the 12-byte note header, so a hostile segment
 * cannot loop; every size is checked against the segment before it is used.
 */
static int scan_notes(const uint8_t *p, uint64_t len, struct lugate_image_info *out)
{
	uint64_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = le32_load(p + off), descsz = le32_load(p + off + 4), type = le32_load(p + off + 8);
		uint64_t name_at = off + 12, desc_at = name_at + align4(namesz), next = desc_at + align4(descsz);
		if (desc_at > len || next > len)
			return image_fail(out, LUGATE_ERR_BADSIZE, "ELF: a note's name or descriptor runs past its PT_NOTE segment");
		out->elf_notes++;
		if (note_named(p + name_at, namesz, NOTE_NAME, sizeof(NOTE_NAME)) && type == NT_LUGATE_MANIFEST) {
			if (out->carrier == LUGATE_CARRIER_ELF_NOTE)
				return image_fail(out, LUGATE_ERR_DUPLICATE, "ELF: two lugate manifest notes");
			out->carrier = LUGATE_CARRIER_ELF_NOTE;
			out->manifest.p = p + desc_at;
			out->manifest.size = descsz;
		} else if (note_named(p + name_at, namesz, NOTE_NAME, sizeof(NOTE_NAME))) {
			/* lugate data lugate cannot read: never treat the image as unstamped */
			return image_fail(out, LUGATE_ERR_UNSUPPORTED,
					  "ELF: a lugate note of a type lugate does not read (only type 1, the manifest)");
		} else if (note_named(p + name_at, namesz, "GNU", 4) && type == NT_GNU_BUILD_ID && !out->elf_build_id.p) {
			out->elf_build_id.p = p + desc_at;
			out->elf_build_id.size = descsz;
		}
		off = next;
	}
	return 0;
}

/* PT_NOTE segments must not overlap one another: each note is read once. */
static bool notes_overlap(const uint8_t *phdrs, uint16_t upto, uint64_t off, uint64_t len)
{
	for (uint16_t j = 0; j < upto; j++) {
		const uint8_t *ph = phdrs + (size_t)j * PHDR_SIZE;
		uint64_t o = le64_load(ph + 8), n = le64_load(ph + 32);
		if (le32_load(ph) == PT_NOTE && n && len && off < o + n && o < off + len)
			return true;
	}
	return false;
}

int image_parse_elf(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	uint64_t phoff;
	uint16_t phentsize, phnum;
	int err;

	if (size < 4 || memcmp(img, "\x7f" "ELF", 4) != 0)
		return LUGATE_ERR_NOTFOUND;
	out->format = LUGATE_IMAGE_ELF;
	if (size < EHDR_SIZE)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "ELF: the file ends inside the ELF header");
	out->elf_class = img[4];
	if (img[4] != 2 || img[5] != 1)
		return image_fail(out, LUGATE_ERR_UNSUPPORTED, "ELF: only little-endian ELF64 kernels are read");
	out->elf_machine = le16_load(img + 18);
	out->elf_entry = le64_load(img + 24);
	phoff = le64_load(img + 32);
	phentsize = le16_load(img + 54);
	phnum = le16_load(img + 56);
	if (phnum && phentsize != PHDR_SIZE)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "ELF: program header entries are not 56 bytes");
	if (phnum > MAX_PHDRS)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "ELF: more program headers than a kernel has (limit 128)");
	if (!range_ok(phoff, (uint64_t)phnum * PHDR_SIZE, size))
		return image_fail(out, LUGATE_ERR_BADSIZE, "ELF: the program header table lies outside the file");
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (size_t)i * PHDR_SIZE;
		uint64_t off = le64_load(ph + 8), filesz = le64_load(ph + 32);
		if (le32_load(ph) != PT_NOTE)
			continue;
		if (!range_ok(off, filesz, size))
			return image_fail(out, LUGATE_ERR_BADSIZE, "ELF: a PT_NOTE segment lies outside the file");
		if (notes_overlap(img + phoff, i, off, filesz))
			return image_fail(out, LUGATE_ERR_BADIMAGE, "ELF: two PT_NOTE segments overlap");
		err = scan_notes(img + off, filesz, out);
		if (err)
			return err;
	}
	image_release_from_banner(img, size, out);
	return 0;
}
