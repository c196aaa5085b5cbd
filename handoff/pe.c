// SPDX-License-Identifier: MIT
/*
 * PE/COFF images and systemd Unified Kernel Images (uapi-group UKI specification): the
 * section table, the sections lugate reads (.linux, .uname, .osrel, .lugate), and the kernel
 * inside .linux (a bzImage), which is inspected too.
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

static int read_sections(const uint8_t *img, size_t size, uint32_t table, uint16_t count,
			 struct lugate_image_info *out)
{
	struct pe_section sec[LUGATE_IMAGE_MAX_SECTIONS];
	int err = 0;

	for (uint16_t i = 0; i < count; i++) {
		read_section(img + table + (size_t)i * SECTION_SIZE, &sec[i]);
		if (sec[i].raw_size && !range_ok(sec[i].raw_ptr, sec[i].raw_size, size))
			return LUGATE_ERR_BADSIZE;
		for (uint16_t j = 0; j < i; j++)
			if (overlaps(&sec[i], &sec[j]))
				return LUGATE_ERR_BADIMAGE;
		if (name_is(&sec[i], ".linux"))
			err = take_singleton(&out->linux_section, img, &sec[i]);
		else if (name_is(&sec[i], ".uname"))
			err = take_singleton(&out->uname_section, img, &sec[i]);
		else if (name_is(&sec[i], ".osrel"))
			err = take_singleton(&out->osrel_section, img, &sec[i]);
		else if (name_is(&sec[i], ".lugate"))
			err = take_singleton(&out->lugate_section, img, &sec[i]);
		if (err)
			return err;
	}
	return 0;
}

/* A UKI: the release from .uname, else from the kernel inside; that kernel's header too. */
static int read_uki(struct lugate_image_info *out)
{
	struct lugate_image_info inner;
	int err;

	/* the parser fills only what the kernel's header has: the rest must read as absent */
	memset(&inner, 0, sizeof(inner));
	err = image_parse_bzimage(out->linux_section.p, out->linux_section.size, &inner);

	out->format = LUGATE_IMAGE_UKI;
	if (err == 0) {
		out->has_bzimage = true;
		out->bz = inner.bz;
		out->payload = inner.payload;
	} else if (err != LUGATE_ERR_NOTFOUND) {
		return err;
	}
	if (out->uname_section.p) {
		size_t n = out->uname_section.size;
		while (n && (out->uname_section.p[n - 1] == '\n' || out->uname_section.p[n - 1] == '\0'))
			n--;
		image_take_release(out->uname_section.p, n, out->release);
		if (out->release[0] && n <= LUGATE_RELEASE_MAX) {
			out->release_source = ".uname";
			return 0;
		}
		out->release[0] = '\0';
	}
	if (err == 0 && inner.release[0]) {
		memcpy(out->release, inner.release, sizeof(out->release));
		out->release_source = "bzImage version string (.linux)";
	}
	return 0;
}

int image_parse_pe(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	uint32_t pe, table;
	uint16_t count, opt_size;
	int err;

	if (size < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return LUGATE_ERR_NOTFOUND;
	pe = le32_load(img + 0x3c);
	if (!range_ok(pe, 4 + COFF_SIZE, size))
		return LUGATE_ERR_BADSIZE;
	if (memcmp(img + pe, "PE\0\0", 4) != 0)
		return LUGATE_ERR_NOTFOUND; /* a DOS executable, not a kernel */
	out->pe_machine = le16_load(img + pe + 4);
	count = le16_load(img + pe + 6);
	opt_size = le16_load(img + pe + 20);
	if (count > LUGATE_IMAGE_MAX_SECTIONS)
		return LUGATE_ERR_BADIMAGE;
	table = pe + 4 + COFF_SIZE + opt_size;
	if (!range_ok(table, (uint64_t)count * SECTION_SIZE, size))
		return LUGATE_ERR_BADSIZE;
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
	out->format = LUGATE_IMAGE_PE;
	return 0;
}
