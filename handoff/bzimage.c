// SPDX-License-Identifier: MIT
/*
 * The x86 bzImage setup header (Documentation/arch/x86/boot.rst): read only the fields the
 * header's own version and length say exist, and check every offset against the file.
 */
#include <string.h>
#include <lugate/error.h>
#include <lugate/image.h>
#include <lugate/x86_boot.h>
#include "bytes.h"
#include "image_internal.h"

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

/*
 * A setup-header field exists if the protocol version has it and it lies inside the header's
 * own length; LUGATE_X86_OFF is both its file offset and its zero-page offset.
 */
#define HDR_OFF(f) LUGATE_X86_OFF(hdr.f)
#define HDR_HAS(f, since) (v >= (since) && LUGATE_X86_END(hdr.f) <= header_end)

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

	if (size < LUGATE_X86_END(hdr.header) || le16_load(img + HDR_OFF(boot_flag)) != LUGATE_X86_BOOT_FLAG ||
	    memcmp(img + HDR_OFF(header), LUGATE_X86_HEADER_MAGIC, 4) != 0)
		return LUGATE_ERR_NOTFOUND;
	out->format = LUGATE_IMAGE_BZIMAGE;
	memset(bz, 0, sizeof(*bz));
	/* the jump at 0x200 skips the header: its displacement says where the header ends */
	header_end = HDR_OFF(header) + (size_t)img[HDR_OFF(jump) + 1];
	if (img[HDR_OFF(jump)] != LUGATE_X86_JUMP_SHORT)
		return image_fail(out, LUGATE_ERR_BADIMAGE, "bzImage: no short jump over the setup header at 0x200");
	if (header_end > size)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "bzImage: the setup header runs past the end of the file");
	if (header_end < LUGATE_X86_END(hdr.version))
		return image_fail(out, LUGATE_ERR_BADIMAGE, "bzImage: the setup header is too short to hold its version");
	bz->header_end = (uint32_t)header_end;
	v = bz->version = le16_load(img + HDR_OFF(version));
	if (v < 0x0200)
		return image_fail(out, LUGATE_ERR_UNSUPPORTED, "bzImage: boot protocol older than 2.00");
	bz->setup_sects = img[HDR_OFF(setup_sects)] ? img[HDR_OFF(setup_sects)] : 4;
	bz->syssize = le32_load(img + HDR_OFF(syssize));
	bz->code_offset = ((uint32_t)bz->setup_sects + 1) * 512;
	if (bz->code_offset > size)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "bzImage: the file ends inside the setup sectors");
	/*
	 * The one syssize rule: the protected-mode code is exactly syssize paragraphs after the
	 * setup sectors and lies inside the file. Bytes after it (a manifest trailer, a signature)
	 * are not part of the kernel: no loader copies them.
	 */
	code_end = (uint64_t)bz->code_offset + (uint64_t)bz->syssize * 16;
	if (code_end > size)
		return image_fail(out, LUGATE_ERR_TRUNCATED, "bzImage: the file ends before the protected-mode code does (syssize)");
	bz->code_size = (uint64_t)bz->syssize * 16;
	if (HDR_HAS(loadflags, 0x0200))
		bz->loadflags = img[HDR_OFF(loadflags)];
	if (HDR_HAS(initrd_addr_max, 0x0203))
		bz->initrd_addr_max = le32_load(img + HDR_OFF(initrd_addr_max));
	if (HDR_HAS(relocatable_kernel, 0x0205)) {
		bz->kernel_alignment = le32_load(img + HDR_OFF(kernel_alignment));
		bz->relocatable = img[HDR_OFF(relocatable_kernel)];
	}
	if (HDR_HAS(xloadflags, 0x020c))
		bz->xloadflags = le16_load(img + HDR_OFF(xloadflags));
	if (HDR_HAS(cmdline_size, 0x0206))
		bz->cmdline_size = le32_load(img + HDR_OFF(cmdline_size));
	if (HDR_HAS(init_size, 0x020a)) {
		bz->pref_address = le64_load(img + HDR_OFF(pref_address));
		bz->init_size = le32_load(img + HDR_OFF(init_size));
	}
	if (HDR_HAS(handover_offset, 0x020b))
		bz->handover_offset = le32_load(img + HDR_OFF(handover_offset));
	if (HDR_HAS(payload_length, 0x0208)) {
		bz->payload_offset = le32_load(img + HDR_OFF(payload_offset));
		bz->payload_length = le32_load(img + HDR_OFF(payload_length));
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
	uint16_t kver = HDR_HAS(kernel_version, 0x0200) ? le16_load(img + HDR_OFF(kernel_version)) : 0;
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
