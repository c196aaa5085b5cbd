// SPDX-License-Identifier: MIT
/*
 * `lugate embed`: stamp a manifest into a kernel image. A PE/UKI gets a `.lugate` section
 * when its headers have room for one more section header; everything else (a distro
 * bzImage, an ELF or arm64 kernel) gets a trailer after its last byte. Every original byte
 * the boot depends on stays as it was (docs/image-carriers.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
	"Usage: lugate embed --manifest MANIFEST IMAGE -o OUT [--replace]\n"
	"Stamp a manifest (JSON source or binary form) into a kernel image: a .lugate PE section\n"
	"for UKIs and PE images with header room, else a trailer after the image.\n"
	"  --replace   replace a manifest the image already carries (else: refuse, exit 2)\n";

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return a ? (v + a - 1) / a * a : v;
}

/* The PE checksum (16-bit ones' complement sum of the file with the field zeroed, plus size). */
static uint32_t pe_checksum(const uint8_t *p, size_t n, size_t field)
{
	uint64_t sum = 0;
	for (size_t i = 0; i + 1 < n + 1; i += 2) {
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
 * data, and zero bytes there. Returns NULL with *why set if it cannot.
 */
static uint8_t *pe_add_section(const uint8_t *img, size_t size, const uint8_t *m, size_t msize, size_t *out_size,
			       const char **why)
{
	/* lugate_image_identify checked the PE and COFF headers and that the section table lies
	 * in the file; every other field read here is checked before it is used */
	uint32_t pe = rd32(img + 0x3c), opt = pe + 24, count = img[pe + 6] | img[pe + 7] << 8;
	uint32_t opt_size = img[pe + 20] | img[pe + 21] << 8, table = opt + opt_size;
	uint32_t sec_align, file_align, headers, lowest = UINT32_MAX, new_raw, new_va, raw_size;
	uint64_t vend = 0;
	uint8_t *out;

	if (opt_size < 112 || (img[opt] | img[opt + 1] << 8) != 0x20b)
		return *why = "not a PE32+ image", NULL;
	if (count + 1 > LUGATE_IMAGE_MAX_SECTIONS)
		return *why = "it has as many sections as lugate reads", NULL;
	sec_align = rd32(img + opt + 32);
	file_align = rd32(img + opt + 36);
	headers = rd32(img + opt + 60);
	/* powers of two, FileAlignment 8..64 KiB (the manifest must start 8-byte aligned) */
	if (file_align < 8 || file_align > 0x10000 || (file_align & (file_align - 1)) || sec_align < file_align ||
	    sec_align > 0x10000000 || (sec_align & (sec_align - 1)))
		return *why = "the PE file or section alignment is not a sane power of two", NULL;
	if (opt_size >= 112 + 5 * 8 && rd32(img + opt + 112 + 4 * 8 + 4) != 0)
		return *why = "the image is signed (stamp it before signing)", NULL;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *s = img + table + (size_t)i * 40;
		uint32_t raw = rd32(s + 20), rsize = rd32(s + 16), va = rd32(s + 12), vs = rd32(s + 8);
		uint64_t end = ((uint64_t)va + (vs ? vs : rsize) + sec_align - 1) / sec_align * sec_align;
		if (rsize && raw < lowest)
			lowest = raw;
		if (end > vend)
			vend = end;
		if (rsize && (uint64_t)raw + rsize > size)
			return *why = "a section lies outside the file", NULL;
	}
	if (vend + align_up((uint32_t)msize, sec_align) > UINT32_MAX)
		return *why = "no room in the address space for another section", NULL;
	if ((uint64_t)table + (uint64_t)(count + 1) * 40 > headers || (uint64_t)table + (uint64_t)(count + 1) * 40 > lowest ||
	    (uint64_t)table + (uint64_t)(count + 1) * 40 > size)
		return *why = "no room in the headers for another section", NULL;
	for (uint32_t i = table + count * 40; i < table + (count + 1) * 40; i++)
		if (img[i])
			return *why = "the header room for another section is not empty", NULL;
	new_raw = align_up((uint32_t)size, file_align);
	raw_size = align_up((uint32_t)msize, file_align);
	new_va = (uint32_t)vend;
	*out_size = (size_t)new_raw + raw_size;
	out = calloc(1, *out_size);
	if (!out)
		return *why = "out of memory", NULL;
	memcpy(out, img, size);
	memcpy(out + new_raw, m, msize);
	static const char section_name[8] = ".lugate"; /* NUL-padded to 8, as PE names are */
	uint8_t *s = out + table + (size_t)count * 40;
	memcpy(s, section_name, sizeof(section_name));
	wr32(s + 8, (uint32_t)msize);
	wr32(s + 12, new_va);
	wr32(s + 16, raw_size);
	wr32(s + 20, new_raw);
	wr32(s + 36, 0x40000040); /* initialized data, readable */
	out[pe + 6] = (uint8_t)(count + 1);
	out[pe + 7] = (uint8_t)((count + 1) >> 8);
	wr32(out + opt + 8, rd32(out + opt + 8) + raw_size);             /* SizeOfInitializedData */
	wr32(out + opt + 56, align_up(new_va + (uint32_t)msize, sec_align)); /* SizeOfImage */
	if (rd32(out + opt + 64))
		wr32(out + opt + 64, pe_checksum(out, *out_size, opt + 64));
	return out;
}

/* The manifest starts at a multiple of 8 bytes (zero padding after the image): libfdt reads
 * a tree only at an 8-byte aligned address, and readers hold images in aligned buffers. */
static uint8_t *add_trailer(const uint8_t *img, size_t size, const uint8_t *m, size_t msize, size_t *out_size)
{
	size_t at = (size + 7) & ~(size_t)7;
	uint8_t *out;
	*out_size = at + msize + LUGATE_TRAILER_SIZE;
	out = calloc(1, *out_size);
	if (!out)
		return NULL;
	memcpy(out, img, size);
	memcpy(out + at, m, msize);
	lugate_trailer_write(out + at + msize, (uint32_t)msize);
	return out;
}

int cmd_embed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, 'm' }, { "output", required_argument, NULL, 'o' },
		{ "replace", no_argument, NULL, 'r' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *manifest_path = NULL, *output = NULL, *why = NULL;
	struct cli_target t, check;
	bool replace = false;
	uint8_t *manifest = NULL, *out = NULL;
	size_t msize, out_size = 0, base;
	int c, rc = EXIT_INPUT;

	while ((c = getopt_long(argc, argv, "m:o:rh", opts, NULL)) != -1) {
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
	if (!cli_manifest_load(manifest_path, &manifest, &msize))
		goto out;
	if (t.info.carrier != LUGATE_CARRIER_NONE && !replace) {
		cli_error("%s: already stamped (%s); pass --replace to replace its manifest", t.path,
			  lugate_carrier_name(t.info.carrier));
		goto out;
	}
	base = t.info.image_size; /* a trailer being replaced is simply left out */
	if (t.info.carrier == LUGATE_CARRIER_PE_SECTION || t.info.carrier == LUGATE_CARRIER_ELF_NOTE) {
		cli_error("%s: replacing a %s manifest is not supported; stamp the unstamped image", t.path,
			  lugate_carrier_name(t.info.carrier));
		goto out;
	}
	if (t.info.format == LUGATE_IMAGE_UKI || t.info.format == LUGATE_IMAGE_PE) {
		out = pe_add_section(t.data, base, manifest, msize, &out_size, &why);
		if (!out) {
			cli_error("%s: cannot add a .lugate section: %s", t.path, why);
			goto out;
		}
	} else {
		out = add_trailer(t.data, base, manifest, msize, &out_size);
		if (!out) {
			cli_error("%s: out of memory", t.path);
			goto out;
		}
	}
	/* read back what we are about to write: the same core must find the same manifest */
	if (lugate_image_identify(out, out_size, &check.info) != 0 || check.info.manifest.size != msize ||
	    memcmp(check.info.manifest.p, manifest, msize) != 0 ||
	    lugate_manifest_open(check.info.manifest.p, check.info.manifest.size, &check.manifest) != 0) {
		cli_error("%s: the stamped image does not read back (a bug: nothing written)", t.path);
		goto out;
	}
	if (cli_write_file(output, out, out_size))
		rc = EXIT_ALLOW;
out:
	free(out);
	free(manifest);
	cli_target_free(&t);
	return rc;
}
