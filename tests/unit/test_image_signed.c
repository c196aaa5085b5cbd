// SPDX-License-Identifier: MIT
/*
 * A manifest trailer in a PE image signed after stamping (handoff/pecert.c): the signing tool
 * appended the certificate table after the trailer, 8-byte aligned with zero bytes, and
 * recorded it in the security data directory. The reader finds the trailer just before the
 * table, and only there: a table that does not end the file, an unaligned or empty one, a
 * non-zero byte in the alignment gap, or a directory the optional header does not hold mean
 * no trailer. Each image is identified from a buffer of exactly its size (sanitizer builds
 * catch a read past its end). The real thing (sbsign, osslsigncode) is tests/images/suite-signed.sh.
 */
#include <lugate/image.h>
#include "helpers.h"

#define IMAGE_SIZE 4096u /* a PE with no sections: headers and zeros */
#define OPT 0x58u        /* optional header: after "PE\0\0" at 0x40 and the 20-byte COFF header */
#define SECDIR (OPT + 144u)
#define CERT_SIZE 1472u  /* what Debian's signature table measures; any multiple of 8 */

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

static size_t manifest_blob(const char *release, uint8_t **out)
{
	struct lugate_schema s = { .guid = guid_of(GUID_A), .min_version = 1, .max_version = 3 };
	struct lugate_manifest_spec spec = { .release = release, .schemas = &s, .schema_count = 1 };
	return build_manifest(&spec, out);
}

/* A PE32+ image, stamped with a trailer, then "signed": alignment zeros, a certificate table. */
struct signed_image {
	uint8_t *p;
	size_t size, manifest_at, manifest_size, trailer_end, table_at;
};

static void build_signed_for(struct signed_image *s, size_t extra_pad, const char *release)
{
	uint8_t *m;
	size_t msize = manifest_blob(release, &m), pad = lugate_trailer_pad(IMAGE_SIZE);

	s->manifest_at = IMAGE_SIZE + pad;
	s->manifest_size = msize;
	s->trailer_end = s->manifest_at + msize + LUGATE_TRAILER_SIZE;
	/* signing tools align the table to 8 bytes with zeros; extra_pad adds whole quadwords */
	s->table_at = (s->trailer_end + 7) / 8 * 8 + extra_pad;
	s->size = s->table_at + CERT_SIZE;
	s->p = calloc(1, s->size);
	assert_non_null(s->p);
	s->p[0] = 'M';
	s->p[1] = 'Z';
	put32(s->p + 0x3c, 0x40);
	memcpy(s->p + 0x40, "PE\0\0", 4);
	put16(s->p + 0x44, 0x8664);
	put16(s->p + 0x54, 240);           /* SizeOfOptionalHeader: PE32+ with 16 directories */
	put16(s->p + OPT, 0x20b);
	put32(s->p + OPT + 108, 16);        /* NumberOfRvaAndSizes */
	put32(s->p + SECDIR, (uint32_t)s->table_at);
	put32(s->p + SECDIR + 4, CERT_SIZE);
	memcpy(s->p + s->manifest_at, m, msize);
	lugate_trailer_write(s->p + s->manifest_at + msize, (uint32_t)msize, (uint8_t)pad);
	memset(s->p + s->table_at, 0xa5, CERT_SIZE); /* not zero: it must not be read as padding */
	free(m);
}

static void build_signed(struct signed_image *s, size_t extra_pad)
{
	build_signed_for(s, extra_pad, "6.1.0-56-amd64");
}

/* identify a copy of exactly size bytes, 8-byte aligned (malloc) */
static int identify(const struct signed_image *s, size_t size, struct lugate_image_info *info, size_t *manifest_at)
{
	uint8_t *copy = malloc(size ? size : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, s->p, size);
	err = lugate_image_identify(copy, size, info);
	*manifest_at = info->manifest.p ? (size_t)(info->manifest.p - copy) : 0;
	free(copy);
	return err;
}

static void found_before_the_table(void **state)
{
	(void)state;
	/* every gap a signing tool can leave: 0..7 bytes to the next quadword, plus whole quadwords */
	for (size_t extra = 0; extra <= 8; extra += 8) {
		struct signed_image s;
		struct lugate_image_info info;
		size_t at;

		build_signed(&s, extra);
		if (extra == 0 || s.table_at - s.trailer_end < LUGATE_MANIFEST_ALIGN) {
			assert_int_equal(identify(&s, s.size, &info, &at), 0);
			assert_int_equal(info.carrier, LUGATE_CARRIER_TRAILER);
			assert_int_equal(at, s.manifest_at);
			assert_int_equal(info.manifest.size, s.manifest_size);
			assert_int_equal(info.image_size, IMAGE_SIZE);
			assert_int_equal(info.format, LUGATE_IMAGE_PE);
		} else {
			/* 8 or more zero bytes between the trailer and the table: no signing tool writes that */
			assert_int_equal(identify(&s, s.size, &info, &at), 0);
			assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);
		}
		free(s.p);
	}
}

static void every_alignment_gap(void **state)
{
	(void)state;
	/* move the trailer back by 0..7 bytes inside a fixed layout: found at each */
	for (size_t gap = 0; gap < 8; gap++) {
		struct signed_image s;
		struct lugate_image_info info;
		size_t at, len;

		build_signed(&s, 8);
		len = s.trailer_end - s.manifest_at;
		memmove(s.p + s.table_at - gap - len, s.p + s.manifest_at, len);
		memset(s.p + s.manifest_at, 0, s.table_at - gap - len - s.manifest_at);
		memset(s.p + s.table_at - gap, 0, gap);
		/* the pad byte in the trailer says how many zeros precede the manifest: keep it 8-aligned */
		if ((s.table_at - gap - len) % 8 == 0) {
			s.p[s.table_at - gap - LUGATE_TRAILER_SIZE + 5] = 0;
			assert_int_equal(identify(&s, s.size, &info, &at), 0);
			assert_int_equal(info.carrier, LUGATE_CARRIER_TRAILER);
			assert_int_equal(at, s.table_at - gap - len);
		} else {
			/* the manifest would start unaligned: found, and refused as such */
			s.p[s.table_at - gap - LUGATE_TRAILER_SIZE + 5] = 0;
			assert_int_equal(identify(&s, s.size, &info, &at), LUGATE_ERR_BADIMAGE);
			assert_non_null(info.why);
		}
		free(s.p);
	}
}

static void not_found_unless_the_table_ends_the_file(void **state)
{
	struct signed_image s;
	struct lugate_image_info info;
	size_t at;

	(void)state;
	build_signed(&s, 0);
	/* the unsigned stamped image: the usual trailer at the end */
	assert_int_equal(identify(&s, s.trailer_end, &info, &at), 0);
	assert_int_equal(info.carrier, LUGATE_CARRIER_TRAILER);
	/* a byte after the table: the table no longer ends the file */
	{
		uint8_t *longer = calloc(1, s.size + 8);
		assert_non_null(longer);
		memcpy(longer, s.p, s.size);
		assert_int_equal(lugate_image_identify(longer, s.size + 8, &info), 0);
		assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);
		free(longer);
	}
	/* cut inside the table */
	assert_int_equal(identify(&s, s.size - 8, &info, &at), 0);
	assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);
	free(s.p);
}

static void not_found_for_odd_directories(void **state)
{
	static const struct {
		uint32_t at, value, width;
		const char *what;
	} edits[] = {
		{ SECDIR + 4, 0, 4, "an empty table" },
		{ SECDIR, 1, 4, "table offset off by one (unaligned)" },
		{ OPT + 108, 4, 4, "four directories: the security entry is not counted" },
		{ 0x54, 144 + 4, 2, "optional header ends inside the security entry" },
		{ OPT, 0x107, 2, "neither PE32 nor PE32+" },
		{ 0x40, 0, 1, "no PE signature" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct signed_image s;
		struct lugate_image_info info;
		size_t at;

		build_signed(&s, 0);
		if (edits[i].width == 4)
			put32(s.p + edits[i].at, edits[i].value);
		else if (edits[i].width == 2)
			put16(s.p + edits[i].at, (uint16_t)edits[i].value);
		else
			s.p[edits[i].at] = (uint8_t)edits[i].value;
		if (edits[i].at == SECDIR) { /* keep offset + size = file size, only misaligned */
			put32(s.p + SECDIR, (uint32_t)s.table_at + 1);
			put32(s.p + SECDIR + 4, CERT_SIZE - 1);
		}
		int err = identify(&s, s.size, &info, &at);
		if (err == 0)
			assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);
		else
			assert_int_equal(err, LUGATE_ERR_UNKNOWNFMT); /* "no PE signature": not an image at all */
		print_message("# %s: %s\n", edits[i].what, err ? "unknown format" : "no manifest");
		free(s.p);
	}
}

static void gap_must_be_zero(void **state)
{
	/* a layout with a gap of 1..7 bytes between the trailer and the table: a manifest whose
	 * size plus the trailer's is not a multiple of 8 (FDT sizes move in steps of 4) */
	static const char *const releases[] = { "6.1.0-56-amd64", "6.1.0-56-cloud-amd64", "6.12.5", "6.12.50-lu1" };
	struct signed_image s = { 0 };
	struct lugate_image_info info;
	size_t at;

	(void)state;
	for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++) {
		free(s.p);
		build_signed_for(&s, 0, releases[i]);
		if (s.table_at != s.trailer_end)
			break;
	}
	assert_true(s.table_at > s.trailer_end);
	assert_int_equal(identify(&s, s.size, &info, &at), 0);
	assert_int_equal(info.carrier, LUGATE_CARRIER_TRAILER); /* found with its zero gap... */
	s.p[s.table_at - 1] = 1;
	assert_int_equal(identify(&s, s.size, &info, &at), 0);
	assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);    /* ...and not with a non-zero byte there */
	free(s.p);
}

static void malformed_trailer_before_the_table_is_an_error(void **state)
{
	struct signed_image s;
	struct lugate_image_info info;
	size_t at;

	(void)state;
	build_signed(&s, 0);
	put32(s.p + s.trailer_end - LUGATE_TRAILER_SIZE, 0xfffffff0u); /* manifest size past the start */
	assert_int_equal(identify(&s, s.size, &info, &at), LUGATE_ERR_BADSIZE);
	assert_non_null(info.why);
	free(s.p);
	build_signed(&s, 0);
	s.p[s.trailer_end - LUGATE_TRAILER_SIZE + 4] = 2; /* a trailer version lugate does not read */
	assert_int_equal(identify(&s, s.size, &info, &at), LUGATE_ERR_BADVERSION);
	free(s.p);
}

static void hostile_directories_stay_inside(void **state)
{
	/* offsets and sizes that overflow or point outside: never a read outside the buffer */
	static const uint32_t offsets[] = { 0, 8, 0x40, 0xfffffff8u, 0x80000000u };
	static const uint32_t sizes[] = { 8, 0xfffffff8u, 0x7ffffff8u, 16 };
	(void)state;
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			struct signed_image s;
			struct lugate_image_info info;
			size_t at;

			build_signed(&s, 0);
			put32(s.p + SECDIR, offsets[i]);
			put32(s.p + SECDIR + 4, sizes[j]);
			assert_int_equal(identify(&s, s.size, &info, &at), 0);
			assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);
			free(s.p);
		}
	/* e_lfanew near the end, and a file of only headers */
	struct signed_image s;
	struct lugate_image_info info;
	size_t at;
	build_signed(&s, 0);
	put32(s.p + 0x3c, (uint32_t)s.size - 4);
	memcpy(s.p + s.size - 4, "PE\0\0", 4);
	assert_true(identify(&s, s.size, &info, &at) <= 0);
	assert_int_equal(info.carrier, LUGATE_CARRIER_NONE);
	free(s.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(found_before_the_table),
		cmocka_unit_test(every_alignment_gap),
		cmocka_unit_test(not_found_unless_the_table_ends_the_file),
		cmocka_unit_test(not_found_for_odd_directories),
		cmocka_unit_test(gap_must_be_zero),
		cmocka_unit_test(malformed_trailer_before_the_table_is_an_error),
		cmocka_unit_test(hostile_directories_stay_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
