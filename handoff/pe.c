// SPDX-License-Identifier: MIT
/*
 * PE/COFF images and systemd Unified Kernel Images (uapi-group UKI specification): the
 * section table, the sections lugate reads (.linux, .uname, .osrel, .lugate), and the kernel
 * inside .linux (a bzImage, an arm64 Image or a zboot image), which is inspected too.
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

#define COFF_SIZE 20
#define SECTION_SIZE 40

struct pe_section {
	char name[8];
	uint32_t vsize, raw_size, raw_ptr;
};

static void read_section(const uint8_t *s, struct pe_section *out)
{
	memcpy(out->name, s, 8);
	out->vsize = le32_load(s + 8);
	out->raw_size = le32_load(s + 16);
	out->raw_ptr = le32_load(s + 20);
}

static bool name_is(const struct pe_section *s, const char *name)
{
	size_t n = strlen(name);
	return memcmp(s->name, name, n) == 0 && (n == 8 || s->name[n] == '\0');
}

/* The bytes of a section's content: VirtualSize when set (raw data is padded to the file
 * alignment), never more than the raw data present in the file. A section without raw data
 * may name any PointerToRawData (it is not checked): its empty view sits at the image's start,
 * never outside the image. */
static struct lugate_view section_view(const uint8_t *img, const struct pe_section *s)
{
	struct lugate_view v = { img + (s->raw_size ? s->raw_ptr : 0), s->raw_size };
	if (s->vsize && s->vsize < s->raw_size)
		v.size = s->vsize;
	return v;
}

/* Raw data ranges must not overlap: each byte of the file means one thing. */
static bool overlaps(const struct pe_section *a, const struct pe_section *b)
{
	if (!a->raw_size || !b->raw_size)
		return false;
	return a->raw_ptr < b->raw_ptr + b->raw_size && b->raw_ptr < a->raw_ptr + a->raw_size;
}

static int take_singleton(struct lugate_view *slot, const uint8_t *img, const struct pe_section *s)
{
	if (slot->p)
		return LUGATE_ERR_DUPLICATE;
	*slot = section_view(img, s);
	return 0;
}

static int read_sections(const uint8_t *img, size_t size, uint64_t table, uint16_t count,
			 struct lugate_image_info *out)
{
	struct pe_section sec[LUGATE_IMAGE_MAX_SECTIONS];
	int err = 0;

	for (uint16_t i = 0; i < count; i++) {
		read_section(img + table + (size_t)i * SECTION_SIZE, &sec[i]);
		if (sec[i].raw_size && !range_ok(sec[i].raw_ptr, sec[i].raw_size, size))
			return image_fail(out, LUGATE_ERR_BADSIZE, "PE: a section's raw data lies outside the file");
		for (uint16_t j = 0; j < i; j++)
			if (overlaps(&sec[i], &sec[j]))
				return image_fail(out, LUGATE_ERR_BADIMAGE, "PE: two sections share file bytes (overlapping raw data)");
		if (name_is(&sec[i], ".linux"))
			err = take_singleton(&out->linux_section, img, &sec[i]);
		else if (name_is(&sec[i], ".uname"))
			err = take_singleton(&out->uname_section, img, &sec[i]);
		else if (name_is(&sec[i], ".osrel"))
			err = take_singleton(&out->osrel_section, img, &sec[i]);
		else if (name_is(&sec[i], ".lugate"))
			err = take_singleton(&out->lugate_section, img, &sec[i]);
		else if (memcmp(sec[i].name, ".lugate", 7) == 0)
			/* lugate data lugate cannot read: never treat the image as unstamped */
			return image_fail(out, LUGATE_ERR_UNSUPPORTED,
					  "PE: a section named .lugate<something> that lugate does not read (only .lugate)");
		if (err)
			return image_fail(out, err, "PE: a section that must be unique (.linux, .uname, .osrel, .lugate) appears twice");
	}
	return 0;
}

/* The kernel inside a UKI's .linux: an x86 bzImage, an arm64 Image, or a zboot image. */
static int read_inner_kernel(struct lugate_image_info *out, struct lugate_image_info *inner)
{
	const struct lugate_view *k = &out->linux_section;
	int err;

	memset(inner, 0, sizeof(*inner));
	err = image_parse_bzimage(k->p, k->size, inner);
	if (err == 0) {
		out->linux_format = LUGATE_IMAGE_BZIMAGE;
		out->has_bzimage = true;
		out->bz = inner->bz;
		out->payload = inner->payload;
		return 0;
	}
	if (err != LUGATE_ERR_NOTFOUND)
		return image_fail(out, err, inner->why ? inner->why : "UKI: the bzImage in .linux is malformed");
	memset(inner, 0, sizeof(*inner));
	err = image_parse_arm64(k->p, k->size, inner);
	if (err == 0) {
		out->linux_format = LUGATE_IMAGE_ARM64;
		out->arm64_text_offset = inner->arm64_text_offset;
		out->arm64_image_size = inner->arm64_image_size;
		out->arm64_page_size = inner->arm64_page_size;
		out->arm64_big_endian = inner->arm64_big_endian;
		out->arm64_header = true;
		return 0;
	}
	if (err != LUGATE_ERR_NOTFOUND)
		return image_fail(out, err, inner->why ? inner->why : "UKI: the arm64 Image in .linux is malformed");
	memset(inner, 0, sizeof(*inner));
	err = image_zboot_header(k->p, k->size, inner);
	if (err == 0) {
		/* its kernel is compressed: lugate_image_zboot_payload reads it (the CLI) */
		out->linux_format = LUGATE_IMAGE_ZBOOT;
		out->payload = inner->payload;
		out->zboot_compression = inner->zboot_compression;
		return 0;
	}
	if (err != LUGATE_ERR_NOTFOUND)
		return image_fail(out, err, inner->why ? inner->why : "UKI: the zboot image in .linux is malformed");
	return 0; /* a kernel lugate does not read: the UKI is still one */
}

/* A UKI: the release from .uname, else from the kernel inside; that kernel's header too.
 * When both name a release they must name the same one: the kernel in .linux is what boots,
 * and a check made against a .uname that says otherwise would judge another kernel. */
static int read_uki(struct lugate_image_info *out)
{
	struct lugate_image_info inner;
	int err;

	out->format = LUGATE_IMAGE_UKI;
	err = read_inner_kernel(out, &inner);
	if (err)
		return err;
	if (out->uname_section.p) {
		size_t n = out->uname_section.size;
		while (n && (out->uname_section.p[n - 1] == '\n' || out->uname_section.p[n - 1] == '\0'))
			n--;
		/* the whole section (but a final newline or NULs) is the release: one word */
		image_take_release(out->uname_section.p, n, out->release);
		if (out->release[0] && strlen(out->release) == n) {
			out->release_source = ".uname";
			if (inner.release[0] && strcmp(inner.release, out->release) != 0)
				return image_fail(out, LUGATE_ERR_INCONSISTENT,
						  out->has_bzimage ? "UKI: .uname and the bzImage version string in .linux name different releases"
								   : "UKI: .uname and the Linux version banner in .linux name different releases");
			return 0;
		}
		out->release[0] = '\0';
	}
	if (inner.release[0]) {
		memcpy(out->release, inner.release, sizeof(out->release));
		out->release_source = out->has_bzimage ? "bzImage version string (.linux)" : "Linux version banner (.linux)";
	}
	return 0;
}

int image_parse_pe(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	uint64_t pe, table;
	uint16_t count, opt_size;
	int err;

	if (size < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return LUGATE_ERR_NOTFOUND;
	pe = le32_load(img + 0x3c);
	if (!range_ok(pe, 4, size) || memcmp(img + pe, "PE\0\0", 4) != 0)
		return LUGATE_ERR_NOTFOUND; /* a DOS executable, not a kernel */
	out->format = LUGATE_IMAGE_PE;
	if (!range_ok(pe, 4 + COFF_SIZE, size))
		return image_fail(out, LUGATE_ERR_TRUNCATED, "PE: the file ends inside the COFF header");
	out->pe_machine = le16_load(img + pe + 4);
	count = le16_load(img + pe + 6);
	opt_size = le16_load(img + pe + 20);
	if (count > LUGATE_IMAGE_MAX_SECTIONS)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "PE: more sections than the PE format allows (96)");
	table = pe + 4 + COFF_SIZE + opt_size;
	if (!range_ok(table, (uint64_t)count * SECTION_SIZE, size))
		return image_fail(out, LUGATE_ERR_TRUNCATED, "PE: the section table runs past the end of the file");
	out->pe_sections = count;
	err = read_sections(img, size, table, count, out);
	if (err)
		return err;
	if (out->lugate_section.p) {
		out->carrier = LUGATE_CARRIER_PE_SECTION;
		out->manifest = out->lugate_section;
	}
	if (out->linux_section.p)
		return read_uki(out);
	return 0;
}
