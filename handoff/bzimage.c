// SPDX-License-Identifier: MIT
/*
 * The x86 bzImage setup header (Documentation/arch/x86/boot.rst): read only the fields the
 * header's own version and length say exist, and check every offset against the file.
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/image.h>
#include "bytes.h"
#include "image_internal.h"

#define OFF_SETUP_SECTS 0x1f1
#define OFF_SYSSIZE 0x1f4
#define OFF_BOOT_FLAG 0x1fe
#define OFF_JUMP 0x200
#define OFF_HEADER 0x202
#define OFF_VERSION 0x206
#define OFF_KERNEL_VERSION 0x20e
#define OFF_LOADFLAGS 0x211
#define OFF_KERNEL_ALIGNMENT 0x230
#define OFF_RELOCATABLE 0x234
#define OFF_XLOADFLAGS 0x236
#define OFF_CMDLINE_SIZE 0x238
#define OFF_PAYLOAD_OFFSET 0x248
#define OFF_PAYLOAD_LENGTH 0x24c
#define OFF_PREF_ADDRESS 0x258
#define OFF_INIT_SIZE 0x260
#define OFF_HANDOVER_OFFSET 0x264

static enum lugate_compression payload_compression(const uint8_t *p, size_t n)
{
	static const struct {
		uint8_t magic[6];
		uint8_t len;
		enum lugate_compression kind;
	} magics[] = {
		{ { 0x1f, 0x8b }, 2, LUGATE_COMP_GZIP },
		{ { 'B', 'Z', 'h' }, 3, LUGATE_COMP_BZIP2 },
		{ { 0x5d, 0x00, 0x00 }, 3, LUGATE_COMP_LZMA },
		{ { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, LUGATE_COMP_XZ },
		{ { 0x02, 0x21, 0x4c, 0x18 }, 4, LUGATE_COMP_LZ4 },
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, LUGATE_COMP_ZSTD },
	};
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (n >= magics[i].len && memcmp(p, magics[i].magic, magics[i].len) == 0)
			return magics[i].kind;
	return LUGATE_COMP_UNKNOWN;
}

/* A field exists if the protocol version has it and it lies inside the header's length. */
static bool field_present(uint16_t version, uint16_t since, size_t header_end, size_t off, size_t len)
{
	return version >= since && off + len <= header_end;
}

static bool has_pe_header(const uint8_t *img, size_t size)
{
	uint32_t pe;
	if (size < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return false;
	pe = le32_load(img + 0x3c);
	return range_ok(pe, 4, size) && memcmp(img + pe, "PE\0\0", 4) == 0;
}

int image_parse_bzimage(const uint8_t *img, size_t size, struct lugate_image_info *out)
{
	struct lugate_bzimage *bz = &out->bz;
	uint64_t code_end;
	size_t header_end;
	uint16_t v;

	if (size < OFF_HEADER + 4 || le16_load(img + OFF_BOOT_FLAG) != 0xaa55 ||
	    memcmp(img + OFF_HEADER, "HdrS", 4) != 0)
		return LUGATE_ERR_NOTFOUND;
	out->format = LUGATE_IMAGE_BZIMAGE;
	memset(bz, 0, sizeof(*bz));
	header_end = OFF_HEADER + (size_t)img[OFF_JUMP + 1]; /* the jump skips the header */
	if (img[OFF_JUMP] != 0xeb)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "bzImage: no short jump over the setup header at 0x200");
	if (header_end > size)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "bzImage: the setup header runs past the end of the file");
	if (header_end < OFF_VERSION + 2)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "bzImage: the setup header is too short to hold its version");
	v = bz->version = le16_load(img + OFF_VERSION);
	if (v < 0x0200)
		return image_fail(out, LUGATE_ERR_UNSUPPORTED, "bzImage: boot protocol older than 2.00");
	bz->setup_sects = img[OFF_SETUP_SECTS] ? img[OFF_SETUP_SECTS] : 4;
	bz->syssize = le32_load(img + OFF_SYSSIZE);
	bz->code_offset = ((uint32_t)bz->setup_sects + 1) * 512;
	if (bz->code_offset > size)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "bzImage: the file ends inside the setup sectors");
	/* the protected-mode code is syssize paragraphs; anything after it is not read at boot */
	code_end = (uint64_t)bz->code_offset + (uint64_t)bz->syssize * 16;
	if (code_end > size)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "bzImage: the file ends before the protected-mode code does (syssize)");
	if (field_present(v, 0x0200, header_end, OFF_LOADFLAGS, 1))
		bz->loadflags = img[OFF_LOADFLAGS];
	if (field_present(v, 0x0205, header_end, OFF_RELOCATABLE, 1)) {
		bz->kernel_alignment = le32_load(img + OFF_KERNEL_ALIGNMENT);
		bz->relocatable = img[OFF_RELOCATABLE];
	}
	if (field_present(v, 0x020c, header_end, OFF_XLOADFLAGS, 2))
		bz->xloadflags = le16_load(img + OFF_XLOADFLAGS);
	if (field_present(v, 0x0206, header_end, OFF_CMDLINE_SIZE, 4))
		bz->cmdline_size = le32_load(img + OFF_CMDLINE_SIZE);
	if (field_present(v, 0x020a, header_end, OFF_INIT_SIZE, 4)) {
		bz->pref_address = le64_load(img + OFF_PREF_ADDRESS);
		bz->init_size = le32_load(img + OFF_INIT_SIZE);
	}
	if (field_present(v, 0x020b, header_end, OFF_HANDOVER_OFFSET, 4))
		bz->handover_offset = le32_load(img + OFF_HANDOVER_OFFSET);
	if (field_present(v, 0x0208, header_end, OFF_PAYLOAD_LENGTH, 4)) {
		bz->payload_offset = le32_load(img + OFF_PAYLOAD_OFFSET);
		bz->payload_length = le32_load(img + OFF_PAYLOAD_LENGTH);
		if (bz->payload_length) {
			/* the payload is part of the protected-mode code (header.S: ZO_z_input_len) */
			uint64_t at = (uint64_t)bz->code_offset + bz->payload_offset;
			if (!range_ok(at, bz->payload_length, code_end))
				return image_fail(out, LUGATE_ERR_BADSIZE,
						  "bzImage: payload_offset/payload_length point outside the protected-mode code");
			out->payload.p = img + at;
			out->payload.size = bz->payload_length;
			bz->compression = payload_compression(out->payload.p, out->payload.size);
		}
	}
	bz->efi_stub = has_pe_header(img, size);
	/* the kernel version string: a pointer, relative to 0x200, into the setup code */
	uint16_t kver = field_present(v, 0x0200, header_end, OFF_KERNEL_VERSION, 2) ? le16_load(img + OFF_KERNEL_VERSION) : 0;
	if (kver) {
		size_t at = (size_t)kver + 0x200;
		if (at >= bz->code_offset)
			return image_fail(out, LUGATE_ERR_BADSIZE, "bzImage: kernel_version points outside the setup code");
		image_take_release(img + at, bz->code_offset - at, out->release);
		if (out->release[0])
			out->release_source = "bzImage version string";
	}
	out->has_bzimage = true;
	return 0;
}
