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

/* Walk the notes of one PT_NOTE segment; a "lugate" note's descriptor is the manifest. */
static int scan_notes(const uint8_t *p, uint64_t len, struct lugate_image_info *out)
{
	uint64_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = le32_load(p + off), descsz = le32_load(p + off + 4), type = le32_load(p + off + 8);
		uint64_t name_at = off + 12, desc_at = name_at + align4(namesz), next = desc_at + align4(descsz);
		if (desc_at > len || next > len || desc_at < name_at || next < desc_at)
			return LUGATE_ERR_BADSIZE;
		if (namesz == sizeof(NOTE_NAME) && memcmp(p + name_at, NOTE_NAME, sizeof(NOTE_NAME)) == 0 &&
		    type == NT_LUGATE_MANIFEST) {
			if (out->carrier == LUGATE_CARRIER_ELF_NOTE)
				return LUGATE_ERR_DUPLICATE;
			out->carrier = LUGATE_CARRIER_ELF_NOTE;
			out->manifest.p = p + desc_at;
			out->manifest.size = descsz;
		}
		off = next;
	}
	return 0;
}

int image_parse_elf(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	uint64_t phoff;
	uint16_t phentsize, phnum;
	int err;

	if (size < 4 || memcmp(img, "\x7f" "ELF", 4) != 0)
		return LUGATE_ERR_NOTFOUND;
	if (size < EHDR_SIZE)
		return LUGATE_ERR_TRUNCATED;
	if (img[4] != 2 || img[5] != 1)
		return LUGATE_ERR_UNSUPPORTED; /* only ELF64 little-endian kernels */
	out->elf_machine = le16_load(img + 18);
	out->elf_entry = le64_load(img + 24);
	phoff = le64_load(img + 32);
	phentsize = le16_load(img + 54);
	phnum = le16_load(img + 56);
	if (phnum && phentsize != PHDR_SIZE)
		return LUGATE_ERR_BADIMAGE;
	if (phnum > MAX_PHDRS || !range_ok(phoff, (uint64_t)phnum * PHDR_SIZE, size))
		return LUGATE_ERR_BADSIZE;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (size_t)i * PHDR_SIZE;
		uint64_t off = le64_load(ph + 8), filesz = le64_load(ph + 32);
		if (le32_load(ph) != PT_NOTE)
			continue;
		if (!range_ok(off, filesz, size))
			return LUGATE_ERR_BADSIZE;
		err = scan_notes(img + off, filesz, out);
		if (err)
			return err;
	}
	out->format = LUGATE_IMAGE_ELF;
	image_release_from_banner(img, size, out);
	return 0;
}
