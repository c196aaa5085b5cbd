// SPDX-License-Identifier: MIT
/*
 * Kernel image parsers (handoff/image.c, bzimage.c, pe.c, elf.c, arm64.c, trailer.c) on
 * synthetic images built here field by field from the documented layouts (boot.rst setup
 * header, PE/COFF, ELF64, arm64 booting.rst, the lugate trailer): what each format says,
 * where the manifest is, and a clean error with a reason for truncated, hostile and
 * ambiguous images. Real Debian kernels and UKIs are read by tests/images/.
 * Every image under test sits in a buffer of exactly its size, so that the sanitizer build
 * (tests/sanitize) catches any read past its end.
 */
#include <stdio.h>
#include <lugate/image.h>
#include "helpers.h"

/* ---- little-endian writers ---------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	assert_non_null(q);
	memcpy(q, p, n);
	return q;
}

/* identify a copy of exactly n bytes (so that a read past the end is a sanitizer error) */
static int identify(const uint8_t *img, size_t n, struct lugate_image_info *info)
{
	uint8_t *copy = dup_exact(img, n);
	int err = lugate_image_identify(copy, n, info);
	/* views point into the copy: re-point them into img for the caller */
	const struct lugate_view *views[] = { &info->payload, &info->manifest, &info->linux_section, &info->uname_section,
					      &info->osrel_section, &info->lugate_section, &info->elf_build_id };
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		struct lugate_view *v = (struct lugate_view *)views[i];
		if (v->p) {
			assert_true(v->p >= copy && v->size <= n && (size_t)(v->p - copy) <= n - v->size);
			v->p = img + (v->p - copy);
		}
	}
	free(copy);
	if (err) {
		assert_non_null(info->why);
		assert_true(strlen(info->why) > 10 && !strchr(info->why, '\n'));
	}
	return err;
}

/* ---- a synthetic bzImage ------------------------------------------------------------------- */

#define BZ_SETUP_SECTS 3u
#define BZ_CODE (((size_t)BZ_SETUP_SECTS + 1) * 512)
#define BZ_CODE_SIZE 4096u
#define BZ_SIZE (BZ_CODE + BZ_CODE_SIZE)
#define BZ_PAYLOAD_OFF 0x100u
#define BZ_PAYLOAD_LEN 0x300u
#define BZ_VERSION_STRING 0x400u /* file offset of the version string, inside the setup code */

static const char bz_version_text[] = "6.1.0-99-test (builder@example) #1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1";

/* A bzImage with protocol 2.15: every field at its boot.rst offset, gzip payload. */
static void make_bzimage(uint8_t *img, size_t size)
{
	assert_true(size >= BZ_SIZE);
	memset(img, 0, size);
	img[0x1f1] = BZ_SETUP_SECTS;
	put32(img + 0x1f4, BZ_CODE_SIZE / 16);               /* syssize */
	put16(img + 0x1fe, 0xaa55);
	img[0x200] = 0xeb;                                   /* jmp over the header */
	img[0x201] = 0x6a;                                   /* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	put16(img + 0x20e, BZ_VERSION_STRING - 0x200);       /* kernel_version */
	img[0x211] = 0x81;                                   /* LOADED_HIGH | CAN_USE_HEAP */
	put32(img + 0x230, 0x200000);                        /* kernel_alignment */
	img[0x234] = 1;                                      /* relocatable */
	put16(img + 0x236, 0x7f);                            /* xloadflags */
	put32(img + 0x238, 2047);                            /* cmdline_size */
	put32(img + 0x248, BZ_PAYLOAD_OFF);
	put32(img + 0x24c, BZ_PAYLOAD_LEN);
	put64(img + 0x258, 0x1000000);                       /* pref_address */
	put32(img + 0x260, 0x3f98000);                       /* init_size */
	put32(img + 0x264, 0x190);                           /* handover_offset */
	memcpy(img + BZ_VERSION_STRING, bz_version_text, sizeof(bz_version_text));
	img[BZ_CODE + BZ_PAYLOAD_OFF] = 0x1f;                /* gzip magic */
	img[BZ_CODE + BZ_PAYLOAD_OFF + 1] = 0x8b;
}

static void bzimage_fields(void **state)
{
	(void)state;
	uint8_t img[BZ_SIZE];
	struct lugate_image_info i;

	make_bzimage(img, sizeof(img));
	assert_int_equal(identify(img, sizeof(img), &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_BZIMAGE);
	assert_string_equal(lugate_image_format_name(i.format), "bzImage");
	assert_true(i.has_bzimage);
	assert_null(i.why);
	assert_string_equal(i.release, "6.1.0-99-test");
	assert_string_equal(i.release_source, "bzImage version string");
	assert_int_equal(i.bz.version, 0x020f);
	assert_int_equal(i.bz.setup_sects, BZ_SETUP_SECTS);
	assert_int_equal(i.bz.code_offset, BZ_CODE);
	assert_int_equal(i.bz.syssize, BZ_CODE_SIZE / 16);
	assert_int_equal(i.bz.loadflags, 0x81);
	assert_int_equal(i.bz.xloadflags, 0x7f);
	assert_int_equal(i.bz.kernel_alignment, 0x200000);
	assert_int_equal(i.bz.relocatable, 1);
	assert_int_equal(i.bz.cmdline_size, 2047);
	assert_int_equal(i.bz.init_size, 0x3f98000);
	assert_int_equal(i.bz.pref_address, 0x1000000);
	assert_int_equal(i.bz.handover_offset, 0x190);
	assert_int_equal(i.bz.payload_offset, BZ_PAYLOAD_OFF);
	assert_int_equal(i.bz.payload_length, BZ_PAYLOAD_LEN);
	assert_ptr_equal(i.payload.p, img + BZ_CODE + BZ_PAYLOAD_OFF);
	assert_int_equal(i.payload.size, BZ_PAYLOAD_LEN);
	assert_int_equal(i.bz.compression, LUGATE_COMP_GZIP);
	assert_false(i.bz.efi_stub);
	assert_int_equal(i.carrier, LUGATE_CARRIER_NONE);
	assert_null(i.manifest.p);
	assert_int_equal(i.image_size, sizeof(img));
}

static void bzimage_setup_sects_zero_means_four(void **state)
{
	(void)state;
	static uint8_t img[5 * 512 + BZ_CODE_SIZE];
	struct lugate_image_info i;

	make_bzimage(img, sizeof(img));
	img[0x1f1] = 0;
	assert_int_equal(identify(img, sizeof(img), &i), 0);
	assert_int_equal(i.bz.setup_sects, 4);
	assert_int_equal(i.bz.code_offset, 5 * 512);
}

static void bzimage_compression_magics(void **state)
{
	(void)state;
	static const struct { uint8_t magic[6]; size_t len; enum lugate_compression want; const char *name; } m[] = {
		{ { 0x1f, 0x8b }, 2, LUGATE_COMP_GZIP, "gzip" },
		{ { 'B', 'Z', 'h' }, 3, LUGATE_COMP_BZIP2, "bzip2" },
		{ { 0x5d, 0, 0 }, 3, LUGATE_COMP_LZMA, "lzma" },
		{ { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, LUGATE_COMP_XZ, "xz" },
		{ { 0x02, 0x21, 0x4c, 0x18 }, 4, LUGATE_COMP_LZ4, "lz4" },
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, LUGATE_COMP_ZSTD, "zstd" },
		{ { 0x00, 0x11 }, 2, LUGATE_COMP_UNKNOWN, "unknown" },
	};
	uint8_t img[BZ_SIZE];
	struct lugate_image_info i;

	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		make_bzimage(img, sizeof(img));
		memcpy(img + BZ_CODE + BZ_PAYLOAD_OFF, m[k].magic, m[k].len);
		assert_int_equal(identify(img, sizeof(img), &i), 0);
		assert_int_equal(i.bz.compression, m[k].want);
		assert_string_equal(lugate_compression_name(i.bz.compression), m[k].name);
	}
	assert_string_equal(lugate_compression_name(LUGATE_COMP_NONE), "none");
	assert_string_equal(lugate_compression_name((enum lugate_compression)99), "unknown");
}

/* The release is the first word of the version string, or nothing: never guessed. */
static void bzimage_release_rules(void **state)
{
	(void)state;
	static const struct { const char *text; const char *want; } r[] = {
		{ "6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1", "6.1.0-56-amd64" },
		{ "7.3.4\n", "7.3.4" },
		{ "6.12.5-lu1", "6.12.5-lu1" },
		{ " 6.1.0 leading space", "" },
		{ "6.1.0\x01-control", "" },
		{ "", "" },
		{ "0123456789012345678901234567890123456789012345678901234567890123", /* 64: fits */
		  "0123456789012345678901234567890123456789012345678901234567890123" },
		{ "01234567890123456789012345678901234567890123456789012345678901234", "" }, /* 65 */
	};
	uint8_t img[BZ_SIZE];
	struct lugate_image_info i;

	for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++) {
		make_bzimage(img, sizeof(img));
		memset(img + BZ_VERSION_STRING, 0, 128);
		memcpy(img + BZ_VERSION_STRING, r[k].text, strlen(r[k].text));
		assert_int_equal(identify(img, sizeof(img), &i), 0);
		assert_string_equal(i.release, r[k].want);
		if (r[k].want[0])
			assert_non_null(i.release_source);
		else
			assert_null(i.release_source);
	}
	/* no kernel_version pointer: no release */
	make_bzimage(img, sizeof(img));
	put16(img + 0x20e, 0);
	assert_int_equal(identify(img, sizeof(img), &i), 0);
	assert_string_equal(i.release, "");
	assert_null(i.release_source);
}

/* An older protocol: fields it does not have are not read (they stay zero). */
static void bzimage_old_protocol(void **state)
{
	(void)state;
	uint8_t img[BZ_SIZE];
	struct lugate_image_info i;

	make_bzimage(img, sizeof(img));
	put16(img + 0x206, 0x0207);
	assert_int_equal(identify(img, sizeof(img), &i), 0);
	assert_int_equal(i.bz.version, 0x0207);
	assert_int_equal(i.bz.payload_length, 0);
	assert_null(i.payload.p);
	assert_int_equal(i.bz.init_size, 0);
	assert_int_equal(i.bz.xloadflags, 0);
	assert_int_equal(i.bz.kernel_alignment, 0x200000); /* 2.05 */
	/* a header whose jump says it is short: later fields are not there */
	make_bzimage(img, sizeof(img));
	img[0x201] = 0x30; /* header ends at 0x232 */
	assert_int_equal(identify(img, sizeof(img), &i), 0);
	assert_int_equal(i.bz.relocatable, 0);
	assert_int_equal(i.bz.payload_length, 0);
}

static void expect_error(const uint8_t *img, size_t n, int want, enum lugate_image_format fmt)
{
	struct lugate_image_info i;
	int err = identify(img, n, &i);
	if (err != want)
		fail_msg("want %s, got %s (%s)", lugate_errname(want), lugate_errname(err), i.why ? i.why : "no reason");
	assert_int_equal(i.format, fmt);
}

static void bzimage_hostile(void **state)
{
	(void)state;
	uint8_t img[BZ_SIZE];

	make_bzimage(img, sizeof(img));
	put32(img + 0x248, BZ_CODE_SIZE - 16); /* payload runs past the protected-mode code */
	expect_error(img, sizeof(img), LUGATE_ERR_BADSIZE, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	put32(img + 0x248, 0xfffffff0); /* offset + length wraps in 32 bits */
	put32(img + 0x24c, 0x20);
	expect_error(img, sizeof(img), LUGATE_ERR_BADSIZE, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	put32(img + 0x1f4, BZ_CODE_SIZE / 16 + 1); /* syssize says more code than the file has */
	expect_error(img, sizeof(img), LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	put32(img + 0x1f4, 0xffffffff);
	expect_error(img, sizeof(img), LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	put16(img + 0x20e, (uint16_t)(BZ_CODE - 0x200)); /* version string outside the setup code */
	expect_error(img, sizeof(img), LUGATE_ERR_BADSIZE, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	put16(img + 0x20e, 0xffff);
	expect_error(img, sizeof(img), LUGATE_ERR_BADSIZE, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	img[0x200] = 0x90; /* no jump */
	expect_error(img, sizeof(img), LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	img[0x201] = 0; /* header too short to have a version */
	expect_error(img, sizeof(img), LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	put16(img + 0x206, 0x0100);
	expect_error(img, sizeof(img), LUGATE_ERR_UNSUPPORTED, LUGATE_IMAGE_BZIMAGE);
	make_bzimage(img, sizeof(img));
	img[0x1f1] = 0xff; /* setup sectors beyond the file */
	expect_error(img, sizeof(img), LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_BZIMAGE);
}

/* Every prefix of an image: identified with views inside it, or a clean error. */
static void every_prefix(const uint8_t *img, size_t size, size_t step)
{
	struct lugate_image_info i;

	for (size_t n = 0; n <= size; n += (n < 1200 ? 1 : step)) {
		int err = identify(img, n, &i);
		assert_true(err <= 0 && err >= -LUGATE_ERR_MAX);
		if (err == 0)
			assert_true(i.image_size <= n);
	}
}

static void bzimage_truncated(void **state)
{
	(void)state;
	uint8_t img[BZ_SIZE];
	struct lugate_image_info i;

	make_bzimage(img, sizeof(img));
	every_prefix(img, sizeof(img), 7);
	/* header only: the setup sectors and no code */
	expect_error(img, BZ_CODE, LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_BZIMAGE);
	assert_int_equal(identify(img, 0x210, &i), LUGATE_ERR_TRUNCATED);   /* "HdrS", cut inside the header */
	assert_int_equal(identify(img, 0x204, &i), LUGATE_ERR_UNKNOWNFMT);  /* "HdrS" itself cut */
	assert_int_equal(identify(img, sizeof(img) - 1, &i), LUGATE_ERR_TRUNCATED);
	/* bytes after the protected-mode code (a signature, say) are not the kernel's */
	static uint8_t longer[BZ_SIZE + 100];
	make_bzimage(longer, sizeof(longer));
	assert_int_equal(identify(longer, sizeof(longer), &i), 0);
	assert_int_equal(i.image_size, sizeof(longer));
}

/* ---- the trailer -------------------------------------------------------------------------- */

static const char *const revives[] = { "kho-v1", "luo-v1" };

static size_t make_manifest(const char *release, uint8_t **out)
{
	struct lugate_schema s = { .guid = guid_of(GUID_A), .min_version = 1, .max_version = 3 };
	struct lugate_manifest_spec spec = { .release = release, .schemas = &s, .schema_count = 1,
					     .compat = revives, .compat_count = 2 };
	return build_manifest(&spec, out);
}

/* image + pad + manifest + trailer, as `lugate embed` writes it */
static uint8_t *stamp_trailer(const uint8_t *img, size_t size, const uint8_t *m, size_t msize, size_t *out_size)
{
	size_t pad = lugate_trailer_pad(size);
	uint8_t *out = calloc(1, size + pad + msize + LUGATE_TRAILER_SIZE);

	assert_non_null(out);
	memcpy(out, img, size);
	memcpy(out + size + pad, m, msize);
	lugate_trailer_write(out + size + pad + msize, (uint32_t)msize, (uint8_t)pad);
	*out_size = size + pad + msize + LUGATE_TRAILER_SIZE;
	return out;
}

static void trailer_found_from_the_end(void **state)
{
	(void)state;
	uint8_t *m, *stamped;
	size_t msize = make_manifest("6.1.0-99-test", &m), n;
	struct lugate_image_info i;
	struct lugate_manifest man;

	/* every image size mod 8: the pad keeps the manifest aligned and the image its size */
	for (size_t extra = 0; extra < 8; extra++) {
		size_t size = BZ_SIZE + extra;
		uint8_t *img = calloc(1, size);
		assert_non_null(img);
		make_bzimage(img, size);
		stamped = stamp_trailer(img, size, m, msize, &n);
		assert_int_equal(identify(stamped, n, &i), 0);
		assert_int_equal(i.format, LUGATE_IMAGE_BZIMAGE);
		assert_int_equal(i.carrier, LUGATE_CARRIER_TRAILER);
		assert_string_equal(lugate_carrier_name(i.carrier), "trailer");
		assert_int_equal(i.image_size, size);
		assert_int_equal(i.manifest.size, msize);
		assert_int_equal((size_t)(i.manifest.p - stamped) % LUGATE_MANIFEST_ALIGN, 0);
		assert_memory_equal(i.manifest.p, m, msize);
		assert_memory_equal(stamped, img, size); /* the original bytes come first, unchanged */
		assert_int_equal(lugate_manifest_open(i.manifest.p, i.manifest.size, &man), 0);
		assert_string_equal(man.release, "6.1.0-99-test");
		assert_string_equal(i.release, "6.1.0-99-test"); /* the image's own, read as before */
		free(stamped);
		free(img);
	}
	free(m);
}

static void trailer_hostile(void **state)
{
	(void)state;
	uint8_t img[BZ_SIZE], *m, *stamped;
	size_t msize = make_manifest("6.1.0-99-test", &m), n;
	uint8_t *t;

	make_bzimage(img, sizeof(img));
	stamped = stamp_trailer(img, sizeof(img), m, msize, &n);
	t = stamped + n - LUGATE_TRAILER_SIZE;
	t[4] = 2; /* a version lugate does not read */
	expect_error(stamped, n, LUGATE_ERR_BADVERSION, LUGATE_IMAGE_UNKNOWN);
	t[4] = 1;
	t[6] = 1; /* reserved */
	expect_error(stamped, n, LUGATE_ERR_BADVERSION, LUGATE_IMAGE_UNKNOWN);
	t[6] = 0;
	put32(t, (uint32_t)n); /* manifest larger than the file */
	expect_error(stamped, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_UNKNOWN);
	put32(t, 0xffffffff);
	expect_error(stamped, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_UNKNOWN);
	put32(t, LUGATE_FRAME_HEADER_SIZE - 1); /* smaller than any frame */
	expect_error(stamped, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_UNKNOWN);
	put32(t, (uint32_t)msize);
	t[5] = 8; /* pad beyond 7 */
	expect_error(stamped, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_UNKNOWN);
	t[5] = 1; /* a pad over image bytes that are not zero */
	stamped[n - LUGATE_TRAILER_SIZE - msize - 1] = 0x55;
	expect_error(stamped, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_UNKNOWN);
	stamped[n - LUGATE_TRAILER_SIZE - msize - 1] = 0;
	t[5] = 0;
	assert_int_equal(identify(stamped, n, &(struct lugate_image_info){ 0 }), 0);
	/* a trailer alone, or after a file lugate does not know */
	expect_error(t, LUGATE_TRAILER_SIZE, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_UNKNOWN);
	memset(stamped, 0x41, sizeof(img));
	expect_error(stamped, n, LUGATE_ERR_UNKNOWNFMT, LUGATE_IMAGE_UNKNOWN);
	free(stamped);
	free(m);
}

/* A manifest at an unaligned offset is refused: libfdt would not read it in place. */
static void trailer_unaligned_manifest(void **state)
{
	(void)state;
	uint8_t img[BZ_SIZE + 3], *m, *out;
	size_t msize = make_manifest("6.1.0-99-test", &m), n = sizeof(img) + msize + LUGATE_TRAILER_SIZE;

	make_bzimage(img, sizeof(img));
	out = calloc(1, n);
	assert_non_null(out);
	memcpy(out, img, sizeof(img));
	memcpy(out + sizeof(img), m, msize); /* no pad: as the first `lugate embed` wrote it */
	lugate_trailer_write(out + sizeof(img) + msize, (uint32_t)msize, 0);
	expect_error(out, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_BZIMAGE);
	free(out);
	free(m);
}

/* ---- PE and UKI --------------------------------------------------------------------------- */

struct pe_sec {
	const char *name;
	const uint8_t *data;
	uint32_t size;
};

#define PE_AT 0x80u
#define PE_OPT_SIZE 240u
#define PE_TABLE (PE_AT + 24u + PE_OPT_SIZE)
#define PE_HEADERS 0x400u

/* A PE32+ EFI application with the given sections, file alignment 0x200. */
static uint8_t *make_pe(const struct pe_sec *secs, uint16_t count, size_t *size)
{
	size_t n = PE_HEADERS, at;
	uint32_t va = 0x1000;
	uint8_t *img;

	for (uint16_t k = 0; k < count; k++)
		n += (secs[k].size + 0x1ffu) & ~0x1ffu;
	img = calloc(1, n);
	assert_non_null(img);
	img[0] = 'M';
	img[1] = 'Z';
	put32(img + 0x3c, PE_AT);
	memcpy(img + PE_AT, "PE\0\0", 4);
	put16(img + PE_AT + 4, 0x8664);
	put16(img + PE_AT + 6, count);
	put16(img + PE_AT + 20, PE_OPT_SIZE);
	put16(img + PE_AT + 24, 0x20b);
	put32(img + PE_AT + 24 + 32, 0x1000);   /* SectionAlignment */
	put32(img + PE_AT + 24 + 36, 0x200);    /* FileAlignment */
	put32(img + PE_AT + 24 + 60, PE_HEADERS);
	put16(img + PE_AT + 24 + 68, 10);       /* EFI application */
	put32(img + PE_AT + 24 + 108, 16);      /* NumberOfRvaAndSizes */
	at = PE_HEADERS;
	for (uint16_t k = 0; k < count; k++) {
		uint8_t *s = img + PE_TABLE + (size_t)k * 40;
		uint32_t raw = (secs[k].size + 0x1ffu) & ~0x1ffu;
		memcpy(s, secs[k].name, strlen(secs[k].name));
		put32(s + 8, secs[k].size);
		put32(s + 12, va);
		put32(s + 16, raw);
		put32(s + 20, raw ? (uint32_t)at : 0);
		memcpy(img + at, secs[k].data, secs[k].size);
		at += raw;
		va += (secs[k].size + 0xfffu) & ~0xfffu;
	}
	put32(img + PE_AT + 24 + 56, va);       /* SizeOfImage */
	*size = n;
	return img;
}

static uint8_t bz_inner[BZ_SIZE];
static const uint8_t osrel[] = "ID=debian\nVERSION_ID=\"12\"\n";
/* the release the kernel in .linux names (bz_version_text): a UKI states it twice, alike */
static const uint8_t uname_text[] = "6.1.0-99-test\n";
static const uint8_t text_code[64] = { 0xc3 };

static void uki_sections(void **state)
{
	(void)state;
	struct pe_sec secs[] = {
		{ ".text", text_code, sizeof(text_code) },
		{ ".osrel", osrel, sizeof(osrel) - 1 },
		{ ".uname", uname_text, sizeof(uname_text) - 1 },
		{ ".linux", bz_inner, sizeof(bz_inner) },
	};
	struct lugate_image_info i;
	size_t n;
	uint8_t *img;

	make_bzimage(bz_inner, sizeof(bz_inner));
	img = make_pe(secs, 4, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_UKI);
	assert_string_equal(lugate_image_format_name(i.format), "uki");
	assert_int_equal(i.linux_format, LUGATE_IMAGE_BZIMAGE);
	assert_int_equal(i.pe_machine, 0x8664);
	assert_int_equal(i.pe_sections, 4);
	assert_string_equal(i.release, "6.1.0-99-test"); /* .uname first, the kernel's string agrees */
	assert_string_equal(i.release_source, ".uname");
	assert_int_equal(i.osrel_section.size, sizeof(osrel) - 1);
	assert_memory_equal(i.osrel_section.p, osrel, sizeof(osrel) - 1);
	assert_int_equal(i.linux_section.size, sizeof(bz_inner));
	assert_true(i.has_bzimage);
	assert_int_equal(i.bz.version, 0x020f);
	assert_int_equal(i.bz.compression, LUGATE_COMP_GZIP);
	assert_ptr_equal(i.payload.p, i.linux_section.p + BZ_CODE + BZ_PAYLOAD_OFF);
	assert_int_equal(i.carrier, LUGATE_CARRIER_NONE);
	free(img);

	/* without .uname: the release of the kernel inside */
	img = make_pe((struct pe_sec[]){ secs[0], secs[1], secs[3] }, 3, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_string_equal(i.release, "6.1.0-99-test");
	assert_string_equal(i.release_source, "bzImage version string (.linux)");
	free(img);

	/* a .uname that contradicts the kernel in .linux (the one that boots): an input error,
	 * whichever of the two a check would have believed */
	static const uint8_t other_uname[] = "6.1.0-56-amd64\n";
	struct pe_sec contra[] = { secs[0], { ".uname", other_uname, sizeof(other_uname) - 1 }, secs[3] };
	img = make_pe(contra, 3, &n);
	assert_int_equal(identify(img, n, &i), LUGATE_ERR_INCONSISTENT);
	assert_string_equal(i.why, "UKI: .uname and the bzImage version string in .linux name different releases");
	free(img);
	/* the same release with a trailing NUL instead of a newline: one release */
	static const uint8_t nul_uname[] = "6.1.0-99-test\0\0";
	struct pe_sec alike[] = { secs[0], { ".uname", nul_uname, sizeof(nul_uname) - 1 }, secs[3] };
	img = make_pe(alike, 3, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_string_equal(i.release, "6.1.0-99-test");
	free(img);

	/* a .uname that is not one word: not taken, and not guessed either */
	static const uint8_t bad_uname[] = "two words\n";
	struct pe_sec bad[] = { secs[0], { ".uname", bad_uname, sizeof(bad_uname) - 1 }, { ".linux", text_code, 8 } };
	img = make_pe(bad, 3, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_UKI);
	assert_int_equal(i.linux_format, LUGATE_IMAGE_UNKNOWN);
	assert_string_equal(i.release, "");
	assert_null(i.release_source);
	free(img);

	/* no .linux: a plain PE (an EFI application) */
	img = make_pe(secs, 1, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_PE);
	assert_string_equal(i.release, "");
	free(img);
}

static void uki_lugate_section(void **state)
{
	(void)state;
	uint8_t *m, *img, *stamped;
	size_t msize = make_manifest("6.1.0-56-amd64", &m), n, sn;
	struct lugate_image_info i;
	struct lugate_manifest man;

	make_bzimage(bz_inner, sizeof(bz_inner));
	struct pe_sec secs[] = { { ".linux", bz_inner, sizeof(bz_inner) }, { ".lugate", m, (uint32_t)msize } };
	img = make_pe(secs, 2, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.carrier, LUGATE_CARRIER_PE_SECTION);
	assert_string_equal(lugate_carrier_name(i.carrier), "pe-section");
	assert_int_equal(i.manifest.size, msize); /* VirtualSize, not the padded raw size */
	assert_ptr_equal(i.manifest.p, i.lugate_section.p);
	assert_int_equal(lugate_manifest_open(i.manifest.p, i.manifest.size, &man), 0);
	/* and a trailer too: two manifests, which one is meant? */
	stamped = stamp_trailer(img, n, m, msize, &sn);
	expect_error(stamped, sn, LUGATE_ERR_DUPLICATE, LUGATE_IMAGE_UKI);
	free(stamped);
	free(img);

	/* a section named .lugate<X>: lugate data lugate cannot read, never "unstamped" */
	static const char *const unknown[] = { ".lugateX", ".lugate2", ".lugate_" };
	for (size_t u = 0; u < 3; u++) {
		struct pe_sec odd[] = { secs[0], { unknown[u], m, (uint32_t)msize } };
		img = make_pe(odd, 2, &n);
		assert_int_equal(identify(img, n, &i), LUGATE_ERR_UNSUPPORTED);
		assert_string_equal(i.why, "PE: a section named .lugate<something> that lugate does not read (only .lugate)");
		assert_int_equal(i.carrier, LUGATE_CARRIER_NONE);
		free(img);
	}
	/* names that merely start alike are other sections: ".lugat" */
	struct pe_sec near[] = { secs[0], { ".lugat", m, (uint32_t)msize } };
	img = make_pe(near, 2, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.carrier, LUGATE_CARRIER_NONE);
	free(img);
	free(m);
}

static void pe_hostile(void **state)
{
	(void)state;
	struct pe_sec secs[] = { { ".text", text_code, sizeof(text_code) }, { ".linux", bz_inner, sizeof(bz_inner) },
				 { ".osrel", osrel, sizeof(osrel) - 1 } };
	uint8_t *img;
	size_t n;

	make_bzimage(bz_inner, sizeof(bz_inner));
	img = make_pe(secs, 3, &n);
	/* overlapping raw data: .osrel's bytes inside .linux */
	put32(img + PE_TABLE + 2 * 40 + 20, PE_HEADERS + 0x200 + 0x200);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_PE);
	free(img);
	/* every section the same bytes (a "loop" back over one range) */
	img = make_pe(secs, 3, &n);
	for (int k = 1; k < 3; k++)
		put32(img + PE_TABLE + (size_t)k * 40 + 20, PE_HEADERS);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_PE);
	free(img);
	/* raw data past the end of the file, and wrapping around 32 bits */
	img = make_pe(secs, 3, &n);
	put32(img + PE_TABLE + 2 * 40 + 16, 0x10000000);
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_PE);
	put32(img + PE_TABLE + 2 * 40 + 16, 0x200);
	put32(img + PE_TABLE + 2 * 40 + 20, 0xfffffe00);
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_PE);
	free(img);
	/* two .linux sections */
	struct pe_sec twice[] = { secs[1], secs[1] };
	img = make_pe(twice, 2, &n);
	expect_error(img, n, LUGATE_ERR_DUPLICATE, LUGATE_IMAGE_PE);
	free(img);
	/* a huge section count, and a table running off the file */
	img = make_pe(secs, 3, &n);
	put16(img + PE_AT + 6, 0xffff);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_PE);
	put16(img + PE_AT + 6, 97);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_PE);
	put16(img + PE_AT + 6, 3);
	put16(img + PE_AT + 20, 0xffff); /* optional header size pushes the table out */
	expect_error(img, n, LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_PE);
	free(img);
	/* a malformed kernel inside .linux is an error, not a UKI without a kernel */
	img = make_pe(secs, 3, &n);
	put32(img + PE_HEADERS + 0x200 + 0x1f4, 0xffffff); /* the inner syssize */
	expect_error(img, n, LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_UKI);
	free(img);
	/* e_lfanew outside the file, or no PE signature: not a kernel lugate knows */
	img = make_pe(secs, 3, &n);
	put32(img + 0x3c, 0xfffffff0);
	expect_error(img, n, LUGATE_ERR_UNKNOWNFMT, LUGATE_IMAGE_UNKNOWN);
	put32(img + 0x3c, PE_AT);
	img[PE_AT] = 'X';
	expect_error(img, n, LUGATE_ERR_UNKNOWNFMT, LUGATE_IMAGE_UNKNOWN);
	free(img);
}

static void pe_truncated(void **state)
{
	(void)state;
	struct pe_sec secs[] = { { ".uname", uname_text, sizeof(uname_text) - 1 }, { ".linux", bz_inner, sizeof(bz_inner) } };
	struct lugate_image_info i;
	uint8_t *img;
	size_t n;

	make_bzimage(bz_inner, sizeof(bz_inner));
	img = make_pe(secs, 2, &n);
	every_prefix(img, n, 5);
	/* headers only */
	assert_int_equal(identify(img, PE_HEADERS, &i), LUGATE_ERR_BADSIZE);
	assert_int_equal(i.format, LUGATE_IMAGE_PE);
	free(img);
}

/* Every byte of the headers of a stamped UKI flipped: identified, or a clean error. */
static void uki_header_mutations(void **state)
{
	(void)state;
	uint8_t *m, *img, *stamped;
	size_t msize = make_manifest("6.1.0-56-amd64", &m), n, sn;
	struct lugate_image_info i;
	static const uint8_t values[] = { 0x00, 0xff, 0x80, 0x01, 0x7f };

	make_bzimage(bz_inner, sizeof(bz_inner));
	struct pe_sec secs[] = { { ".uname", uname_text, sizeof(uname_text) - 1 }, { ".linux", bz_inner, sizeof(bz_inner) } };
	img = make_pe(secs, 2, &n);
	stamped = stamp_trailer(img, n, m, msize, &sn);
	/* the PE headers, the inner bzImage's setup header (.linux is the second section, at
	 * PE_HEADERS + 0x200), and the trailer */
	const size_t ranges[][2] = { { 0, PE_HEADERS }, { PE_HEADERS + 0x200 + 0x1f0, PE_HEADERS + 0x200 + 0x270 },
				     { sn - LUGATE_TRAILER_SIZE, sn } };
	size_t flipped = 0, still_ok = 0;
	for (size_t r = 0; r < 3; r++) {
		for (size_t at = ranges[r][0]; at < ranges[r][1]; at++) {
			for (size_t v = 0; v < sizeof(values); v++) {
				uint8_t keep = stamped[at];
				stamped[at] = values[v];
				int err = identify(stamped, sn, &i);
				assert_true(err <= 0 && err >= -LUGATE_ERR_MAX);
				still_ok += err == 0;
				flipped++;
				stamped[at] = keep;
			}
		}
	}
	/* most header bytes are not read at all; the ones that are must be refused */
	assert_true(still_ok > 0 && still_ok < flipped);
	free(stamped);
	free(img);
	free(m);
}

/* ---- ELF64 ---------------------------------------------------------------------------------- */

#define ELF_PHOFF 64u
#define ELF_NOTES 0x200u
#define ELF_BANNER 0x400u
#define ELF_SIZE 0x800u

static const char elf_banner[] = "Linux version 6.1.0-77-elf (builder@example) (gcc) #1 SMP";

static size_t put_note(uint8_t *p, const char *name, uint32_t type, const uint8_t *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1, at = 12 + ((namesz + 3) & ~3u);

	put32(p, namesz);
	put32(p + 4, descsz);
	put32(p + 8, type);
	memcpy(p + 12, name, namesz);
	memcpy(p + at, desc, descsz);
	return at + ((descsz + 3) & ~3u);
}

/* ELF64 x86-64 with a PT_LOAD and a PT_NOTE (GNU build-id, optionally a lugate note). */
static uint8_t *make_elf(const uint8_t *m, uint32_t msize, size_t *size)
{
	static const uint8_t build_id[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	size_t n = ELF_SIZE + msize + 64, notes;
	uint8_t *img = calloc(1, n), *ph;

	assert_non_null(img);
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2; /* ELFCLASS64 */
	img[5] = 1; /* little-endian */
	img[6] = 1;
	put16(img + 16, 2);  /* ET_EXEC */
	put16(img + 18, 62); /* EM_X86_64 */
	put32(img + 20, 1);
	put64(img + 24, 0x1000000);
	put64(img + 32, ELF_PHOFF);
	put16(img + 52, 64);
	put16(img + 54, 56);
	put16(img + 56, 2);
	ph = img + ELF_PHOFF; /* PT_LOAD of the banner page */
	put32(ph, 1);
	put64(ph + 8, ELF_BANNER);
	put64(ph + 32, 0x400);
	ph += 56; /* PT_NOTE */
	notes = put_note(img + ELF_NOTES, "GNU", 3, build_id, sizeof(build_id));
	if (m) {
		/* the descriptor at an 8-byte aligned offset: ELF_NOTES + notes + 20 */
		notes += put_note(img + ELF_NOTES + notes, "lugate", 1, m, msize);
	}
	put32(ph, 4);
	put64(ph + 8, ELF_NOTES);
	put64(ph + 32, notes);
	memcpy(img + ELF_BANNER, elf_banner, sizeof(elf_banner));
	*size = n;
	return img;
}

static void elf_fields_and_note(void **state)
{
	(void)state;
	uint8_t *m, *img;
	size_t msize = make_manifest("6.1.0-77-elf", &m), n;
	struct lugate_image_info i;
	struct lugate_manifest man;

	img = make_elf(NULL, 0, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_ELF);
	assert_string_equal(lugate_image_format_name(i.format), "elf");
	assert_int_equal(i.elf_class, 2);
	assert_int_equal(i.elf_machine, 62);
	assert_int_equal(i.elf_entry, 0x1000000);
	assert_int_equal(i.elf_notes, 1);
	assert_int_equal(i.elf_build_id.size, 20);
	assert_int_equal(i.elf_build_id.p[0], 0xde);
	assert_string_equal(i.release, "6.1.0-77-elf");
	assert_string_equal(i.release_source, "Linux version banner");
	assert_int_equal(i.carrier, LUGATE_CARRIER_NONE);
	free(img);

	img = make_elf(m, (uint32_t)msize, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.elf_notes, 2);
	assert_int_equal(i.carrier, LUGATE_CARRIER_ELF_NOTE);
	assert_string_equal(lugate_carrier_name(i.carrier), "elf-note");
	assert_int_equal(i.manifest.size, msize);
	assert_memory_equal(i.manifest.p, m, msize);
	assert_int_equal(lugate_manifest_open(i.manifest.p, i.manifest.size, &man), 0);
	/* a lugate note of another type: lugate data lugate cannot read, never "unstamped" */
	for (uint32_t type = 0; type < 4; type += 2) {
		size_t at = ELF_NOTES + 12 + 4 + 20; /* after the GNU build-id note */
		put32(img + at + 8, type);
		assert_int_equal(identify(img, n, &i), LUGATE_ERR_UNSUPPORTED);
		assert_string_equal(i.why, "ELF: a lugate note of a type lugate does not read (only type 1, the manifest)");
	}
	free(img);

	/* no banner: no release, never a guess */
	img = make_elf(NULL, 0, &n);
	memset(img + ELF_BANNER, 0, sizeof(elf_banner));
	memcpy(img + ELF_BANNER, "Linux version  6.1", 18); /* two spaces: not a release word */
	assert_int_equal(identify(img, n, &i), 0);
	assert_string_equal(i.release, "");
	assert_null(i.release_source);
	free(img);
	free(m);
}

static void elf_hostile(void **state)
{
	(void)state;
	uint8_t *m, *img;
	size_t msize = make_manifest("6.1.0-77-elf", &m), n;
	uint8_t *note_ph;

	img = make_elf(m, (uint32_t)msize, &n);
	note_ph = img + ELF_PHOFF + 56;
	put32(img + ELF_NOTES, 0xfffffffd); /* namesz wraps the note walk */
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ELF);
	put32(img + ELF_NOTES, 4);
	put32(img + ELF_NOTES + 4, 0xffffffff); /* descsz runs past the segment */
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ELF);
	put32(img + ELF_NOTES + 4, 20);
	put64(note_ph + 8, n - 8); /* PT_NOTE past the end */
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ELF);
	put64(note_ph + 8, 0xfffffffffffffff0ull); /* and wrapping */
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ELF);
	put64(note_ph + 8, ELF_NOTES);
	put16(img + 56, 129); /* more program headers than a kernel has */
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ELF);
	put16(img + 56, 2);
	put16(img + 54, 32);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ELF);
	put16(img + 54, 56);
	put64(img + 32, n - 60); /* program header table outside */
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ELF);
	put64(img + 32, ELF_PHOFF);
	img[4] = 1; /* ELF32 */
	expect_error(img, n, LUGATE_ERR_UNSUPPORTED, LUGATE_IMAGE_ELF);
	img[4] = 2;
	img[5] = 2; /* big-endian */
	expect_error(img, n, LUGATE_ERR_UNSUPPORTED, LUGATE_IMAGE_ELF);
	img[5] = 1;
	/* the PT_LOAD turned into a second PT_NOTE over the same bytes: read twice? refused */
	put32(img + ELF_PHOFF, 4);
	put64(img + ELF_PHOFF + 8, ELF_NOTES);
	put64(img + ELF_PHOFF + 32, 12 + 4 + 20);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ELF);
	free(img);
	/* the notes split over two PT_NOTE segments: fine; made to overlap: refused */
	img = make_elf(m, (uint32_t)msize, &n);
	put32(img + ELF_PHOFF, 4); /* a second PT_NOTE holding only the lugate note */
	put64(img + ELF_PHOFF + 8, ELF_NOTES + 36);
	put64(img + ELF_PHOFF + 32, 20 + ((msize + 3) & ~(size_t)3));
	put64(img + ELF_PHOFF + 56 + 32, 36); /* the first: only the build-id */
	struct lugate_image_info split;
	assert_int_equal(identify(img, n, &split), 0);
	assert_int_equal(split.carrier, LUGATE_CARRIER_ELF_NOTE);
	assert_int_equal(split.elf_notes, 2);
	put64(img + ELF_PHOFF + 56 + 32, 36 + 20 + ((msize + 3) & ~(size_t)3));
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ELF);
	free(img);
	/* two lugate notes: which manifest is meant? */
	img = make_elf(m, (uint32_t)msize, &n);
	put_note(img + 0x7ec, "lugate", 1, m, (uint32_t)msize); /* its descriptor at 0x800 */
	put32(img + ELF_PHOFF, 4);
	put64(img + ELF_PHOFF + 8, 0x7ec);
	put64(img + ELF_PHOFF + 32, 20 + ((msize + 3) & ~(size_t)3));
	expect_error(img, n, LUGATE_ERR_DUPLICATE, LUGATE_IMAGE_ELF);
	free(img);
	/* truncated: header only, and every prefix */
	img = make_elf(m, (uint32_t)msize, &n);
	expect_error(img, 63, LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_ELF);
	every_prefix(img, n, 3);
	free(img);
	free(m);
}

/* ---- arm64 Image ---------------------------------------------------------------------------- */

static void make_arm64(uint8_t *img, size_t size, uint64_t flags)
{
	memset(img, 0, size);
	put32(img, 0x91005a4d);           /* code0: "MZ" + add x13, x18, #0x16 (EFI stub) */
	put64(img + 8, 0);                /* text_offset */
	put64(img + 16, 0x2000000);       /* image_size */
	put64(img + 24, flags);
	put32(img + 0x38, 0x644d5241);    /* "ARM\x64" */
	memcpy(img + 0x100, elf_banner, sizeof(elf_banner));
}

static void arm64_header(void **state)
{
	(void)state;
	static const struct { uint64_t flags; uint32_t page; bool be; } f[] = {
		{ 0x0, 0, false }, { 0x2, 4096, false }, { 0x4, 16384, false }, { 0x6, 65536, false }, { 0xb, 4096, true },
	};
	uint8_t img[0x200];
	struct lugate_image_info i;

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		make_arm64(img, sizeof(img), f[k].flags);
		assert_int_equal(identify(img, sizeof(img), &i), 0);
		assert_int_equal(i.format, LUGATE_IMAGE_ARM64);
		assert_string_equal(lugate_image_format_name(i.format), "arm64-image");
		assert_int_equal(i.arm64_page_size, f[k].page);
		assert_int_equal(i.arm64_big_endian, f[k].be);
		assert_int_equal(i.arm64_image_size, 0x2000000);
		assert_int_equal(i.arm64_text_offset, 0);
		assert_string_equal(i.release, "6.1.0-77-elf");
	}
	/* "MZ" at 0 but an arm64 Image: an arm64 Image first */
	assert_int_equal(img[0], 'M');
	make_arm64(img, sizeof(img), 2);
	put64(img + 16, 63); /* image_size smaller than the header */
	expect_error(img, sizeof(img), LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ARM64);
	make_arm64(img, sizeof(img), 2);
	expect_error(img, 63, LUGATE_ERR_UNKNOWNFMT, LUGATE_IMAGE_UNKNOWN); /* header cut short */
	every_prefix(img, sizeof(img), 1);
}

/* A UKI around an arm64 Image: the inner header is read, the release from the banner. */
static void uki_arm64_inner(void **state)
{
	(void)state;
	static uint8_t a64[0x200];
	struct lugate_image_info i;
	size_t n;
	uint8_t *img;

	make_arm64(a64, sizeof(a64), 0x4);
	img = make_pe((struct pe_sec[]){ { ".linux", a64, sizeof(a64) } }, 1, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_UKI);
	assert_int_equal(i.linux_format, LUGATE_IMAGE_ARM64);
	assert_int_equal(i.arm64_page_size, 16384);
	assert_false(i.has_bzimage);
	assert_string_equal(i.release, "6.1.0-77-elf");
	assert_string_equal(i.release_source, "Linux version banner (.linux)");
	free(img);

	/* a .uname that agrees with the banner; one that does not: inconsistent */
	static const uint8_t same[] = "6.1.0-77-elf\n", other[] = "6.1.0-78-elf\n";
	img = make_pe((struct pe_sec[]){ { ".uname", same, sizeof(same) - 1 }, { ".linux", a64, sizeof(a64) } }, 2, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_string_equal(i.release_source, ".uname");
	free(img);
	img = make_pe((struct pe_sec[]){ { ".uname", other, sizeof(other) - 1 }, { ".linux", a64, sizeof(a64) } }, 2, &n);
	assert_int_equal(identify(img, n, &i), LUGATE_ERR_INCONSISTENT);
	assert_string_equal(i.why, "UKI: .uname and the Linux version banner in .linux name different releases");
	free(img);
}

/* ---- EFI zboot ------------------------------------------------------------------------------ */

#define ZBOOT_PAYLOAD 0x300u

/* A zboot image as zboot-header.S lays one out: a PE (make_pe) whose DOS header says "zimg",
 * with one .data section holding the payload (a pattern: the core never decompresses it). */
static uint8_t *make_zboot(const char *comp, size_t *n)
{
	static uint8_t payload[ZBOOT_PAYLOAD];
	uint8_t *img;

	for (size_t k = 0; k < sizeof(payload); k++)
		payload[k] = (uint8_t)(k * 7 + 1);
	img = make_pe((struct pe_sec[]){ { ".data", payload, sizeof(payload) } }, 1, n);
	put16(img + PE_AT + 4, 0xaa64);
	memcpy(img + 4, "zimg", 4);
	put32(img + 8, PE_HEADERS);
	put32(img + 12, ZBOOT_PAYLOAD);
	memcpy(img + 0x18, comp, strlen(comp) + 1);
	put32(img + 0x38, 0x818223cd);
	return img;
}

static void zboot_header(void **state)
{
	(void)state;
	static const struct { const char *name; enum lugate_compression c; } comp[] = {
		{ "gzip", LUGATE_COMP_GZIP }, { "zstd", LUGATE_COMP_ZSTD }, { "zstd22", LUGATE_COMP_ZSTD },
		{ "xzkern", LUGATE_COMP_XZ }, { "lzma", LUGATE_COMP_LZMA }, { "lz4", LUGATE_COMP_LZ4 },
		{ "lzo", LUGATE_COMP_UNKNOWN }, { "gzipx", LUGATE_COMP_UNKNOWN }, { "", LUGATE_COMP_UNKNOWN },
	};
	struct lugate_image_info i;
	size_t n;

	for (size_t k = 0; k < sizeof(comp) / sizeof(comp[0]); k++) {
		uint8_t *img = make_zboot(comp[k].name, &n);
		assert_int_equal(identify(img, n, &i), 0);
		assert_int_equal(i.format, LUGATE_IMAGE_ZBOOT);
		assert_string_equal(lugate_image_format_name(i.format), "zboot");
		assert_int_equal(i.zboot_compression, comp[k].c);
		assert_ptr_equal(i.payload.p, img + PE_HEADERS);
		assert_int_equal(i.payload.size, ZBOOT_PAYLOAD);
		assert_int_equal(i.pe_machine, 0xaa64);
		/* the kernel is compressed: nothing about it is known yet, nothing guessed */
		assert_string_equal(i.release, "");
		assert_false(i.arm64_header);
		assert_int_equal(lugate_image_page_size(&i), 0);
		assert_int_equal(i.payload_format, LUGATE_IMAGE_UNKNOWN);
		free(img);
	}
}

static void zboot_hostile(void **state)
{
	(void)state;
	uint8_t *img;
	size_t n;

	img = make_zboot("gzip", &n);
	put32(img + 0x38, 0x644d5241); /* "ARM\x64": an arm64 Image with an EFI stub, not zboot */
	assert_int_equal(identify(img, n, &(struct lugate_image_info){ 0 }), 0);
	put32(img + 0x38, 0);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ZBOOT);
	free(img);
	img = make_zboot("gzip", &n);
	memset(img + 0x18, 'z', 0x38 - 0x18); /* the name runs into the magic */
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ZBOOT);
	free(img);
	img = make_zboot("gzip", &n);
	put32(img + 8, 0x20); /* the payload overlaps the header */
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ZBOOT);
	put32(img + 8, PE_HEADERS);
	put32(img + 12, 0);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ZBOOT);
	put32(img + 12, (uint32_t)(n - PE_HEADERS + 1)); /* one byte past the file */
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ZBOOT);
	put32(img + 8, 0xffffff00); /* offset + size wraps in 32 bits */
	put32(img + 12, 0x200);
	expect_error(img, n, LUGATE_ERR_BADSIZE, LUGATE_IMAGE_ZBOOT);
	free(img);
	img = make_zboot("gzip", &n);
	put32(img + 0x3c, 0x7ffffff0); /* the PE header it also is: nowhere */
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ZBOOT);
	free(img);
	img = make_zboot("gzip", &n);
	memcpy(img + PE_TABLE, ".linux\0", 8); /* a zboot image is no UKI */
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_ZBOOT);
	free(img);
	img = make_zboot("gzip", &n);
	expect_error(img, 0x3f, LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_ZBOOT);
	every_prefix(img, n, 7);
	free(img);
}

/* The decompressed payload, as the CLI hands it over: an arm64 header and the banner's release. */
static void zboot_payload(void **state)
{
	(void)state;
	uint8_t a64[0x200], *img, *z;
	struct lugate_image_info i;
	size_t n, zn;

	make_arm64(a64, sizeof(a64), 0x4);
	img = make_zboot("zstd", &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(lugate_image_zboot_payload(&i, a64, 64, "6.1.0-77-elf"), 0);
	assert_true(i.arm64_header);
	assert_int_equal(i.arm64_page_size, 16384);
	assert_int_equal(lugate_image_page_size(&i), 16384);
	assert_int_equal(i.arm64_image_size, 0x2000000);
	assert_int_equal(i.payload_format, LUGATE_IMAGE_ARM64);
	assert_string_equal(i.release, "6.1.0-77-elf");
	assert_string_equal(i.release_source, "Linux version banner (zboot payload)");
	/* no banner: no release, never guessed */
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(lugate_image_zboot_payload(&i, a64, 64, ""), 0);
	assert_string_equal(i.release, "");
	assert_null(i.release_source);
	/* a payload that is no arm64 Image, or whose header is cut short */
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(lugate_image_zboot_payload(&i, bz_inner, 64, NULL), LUGATE_ERR_BADIMAGE);
	assert_non_null(strstr(i.why, "not an arm64 Image"));
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(lugate_image_zboot_payload(&i, a64, 63, NULL), LUGATE_ERR_BADIMAGE);
	/* only for a zboot image */
	make_arm64(a64, sizeof(a64), 0x2);
	assert_int_equal(identify(a64, sizeof(a64), &i), 0);
	assert_int_equal(lugate_image_zboot_payload(&i, a64, 64, NULL), LUGATE_ERR_INVAL);

	/* a UKI whose .linux is zboot: .uname and the payload's banner must agree */
	static const uint8_t same[] = "6.1.0-77-elf\n", other[] = "6.1.0-78-elf\n";
	make_arm64(a64, sizeof(a64), 0x2);
	z = make_zboot("gzip", &zn);
	free(img);
	img = make_pe((struct pe_sec[]){ { ".uname", same, sizeof(same) - 1 }, { ".linux", z, (uint32_t)zn } }, 2, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(i.format, LUGATE_IMAGE_UKI);
	assert_int_equal(i.linux_format, LUGATE_IMAGE_ZBOOT);
	assert_int_equal(i.zboot_compression, LUGATE_COMP_GZIP);
	assert_int_equal(i.payload.size, ZBOOT_PAYLOAD);
	assert_int_equal(lugate_image_zboot_payload(&i, a64, 64, "6.1.0-77-elf"), 0);
	assert_string_equal(i.release_source, ".uname");
	assert_int_equal(lugate_image_page_size(&i), 4096);
	free(img);
	img = make_pe((struct pe_sec[]){ { ".uname", other, sizeof(other) - 1 }, { ".linux", z, (uint32_t)zn } }, 2, &n);
	assert_int_equal(identify(img, n, &i), 0);
	assert_int_equal(lugate_image_zboot_payload(&i, a64, 64, "6.1.0-77-elf"), LUGATE_ERR_INCONSISTENT);
	free(img);
	/* a malformed zboot in .linux is an error of the UKI */
	put32(z + 12, 0);
	img = make_pe((struct pe_sec[]){ { ".linux", z, (uint32_t)zn } }, 1, &n);
	expect_error(img, n, LUGATE_ERR_BADIMAGE, LUGATE_IMAGE_UKI);
	free(img);
	free(z);
}

/* The banner of a kernel fed in pieces: the release whole-image parsing finds, whatever the cuts. */
static void banner_in_pieces(void **state)
{
	(void)state;
	static uint8_t kernel[3 * LUGATE_BANNER_WINDOW];
	static const size_t at[] = { 0, 100, LUGATE_BANNER_WINDOW - 90, LUGATE_BANNER_WINDOW - 20, LUGATE_BANNER_WINDOW,
				     sizeof(kernel) - sizeof(elf_banner) };
	static const size_t pieces[] = { 1, 7, 64, 1000, LUGATE_BANNER_WINDOW, sizeof(kernel) };
	struct lugate_banner_scan *s = malloc(sizeof(*s));

	assert_non_null(s);
	for (size_t a = 0; a < sizeof(at) / sizeof(at[0]); a++) {
		memset(kernel, 0, sizeof(kernel));
		memcpy(kernel + 50, "Linux version \n", 15); /* a banner naming nothing: skipped */
		memcpy(kernel + at[a] + (at[a] < 80 ? 80 : 0), elf_banner, sizeof(elf_banner) - 1);
		for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
			lugate_banner_init(s);
			for (size_t k = 0; k < sizeof(kernel); k += pieces[p])
				lugate_banner_feed(s, kernel + k, sizeof(kernel) - k < pieces[p] ? sizeof(kernel) - k : pieces[p]);
			assert_string_equal(lugate_banner_finish(s), "6.1.0-77-elf");
		}
	}
	/* at the very end, with no terminator: the data's end ends it */
	memset(kernel, 0, sizeof(kernel));
	memcpy(kernel + sizeof(kernel) - 18, "Linux version 6.2", 17);
	lugate_banner_init(s);
	lugate_banner_feed(s, kernel, sizeof(kernel) - 1);
	assert_string_equal(lugate_banner_finish(s), "6.2");
	/* none */
	memset(kernel, 'L', sizeof(kernel));
	lugate_banner_init(s);
	lugate_banner_feed(s, kernel, sizeof(kernel));
	assert_string_equal(lugate_banner_finish(s), "");
	free(s);
}

/* ---- anything else ---------------------------------------------------------------------------- */

static void not_an_image(void **state)
{
	(void)state;
	uint8_t junk[4096];
	struct lugate_image_info i;
	uint64_t x = 0x1234567;

	for (size_t k = 0; k < sizeof(junk); k++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		junk[k] = (uint8_t)(x >> 56);
	}
	junk[0] = 'X';
	expect_error(junk, sizeof(junk), LUGATE_ERR_UNKNOWNFMT, LUGATE_IMAGE_UNKNOWN);
	expect_error(junk, 0, LUGATE_ERR_TRUNCATED, LUGATE_IMAGE_UNKNOWN);
	expect_error(junk, 1, LUGATE_ERR_UNKNOWNFMT, LUGATE_IMAGE_UNKNOWN);
	assert_int_equal(lugate_image_identify(NULL, 10, &i), LUGATE_ERR_INVAL);
	assert_int_equal(lugate_image_identify(junk, 10, NULL), LUGATE_ERR_INVAL);
	assert_string_equal(lugate_image_format_name((enum lugate_image_format)42), "unknown");
	assert_string_equal(lugate_carrier_name(LUGATE_CARRIER_NONE), "none");
	assert_string_equal(lugate_carrier_name((enum lugate_manifest_carrier)42), "none");
	assert_int_equal(lugate_trailer_pad(0), 0);
	assert_int_equal(lugate_trailer_pad(1), 7);
	assert_int_equal(lugate_trailer_pad(8), 0);
	assert_int_equal(lugate_trailer_pad(13), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bzimage_fields),
		cmocka_unit_test(bzimage_setup_sects_zero_means_four),
		cmocka_unit_test(bzimage_compression_magics),
		cmocka_unit_test(bzimage_release_rules),
		cmocka_unit_test(bzimage_old_protocol),
		cmocka_unit_test(bzimage_hostile),
		cmocka_unit_test(bzimage_truncated),
		cmocka_unit_test(trailer_found_from_the_end),
		cmocka_unit_test(trailer_hostile),
		cmocka_unit_test(trailer_unaligned_manifest),
		cmocka_unit_test(uki_sections),
		cmocka_unit_test(uki_lugate_section),
		cmocka_unit_test(pe_hostile),
		cmocka_unit_test(pe_truncated),
		cmocka_unit_test(uki_header_mutations),
		cmocka_unit_test(elf_fields_and_note),
		cmocka_unit_test(elf_hostile),
		cmocka_unit_test(arm64_header),
		cmocka_unit_test(uki_arm64_inner),
		cmocka_unit_test(zboot_header),
		cmocka_unit_test(zboot_hostile),
		cmocka_unit_test(zboot_payload),
		cmocka_unit_test(banner_in_pieces),
		cmocka_unit_test(not_an_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
