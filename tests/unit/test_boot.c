// SPDX-License-Identifier: MIT
/* What lugate's loaders boot (handoff/boot.c): a 64-bit bzImage whose setup header holds
 * together, every requirement broken once in an otherwise good image; and the arm64 loader's
 * Image rule (lugate_arm64_boot), on an Image header the core's parser read. */
#include "helpers.h"
#include <lugate/boot.h>
#include <lugate/image.h>

#define IMG_SIZE 8192u

static uint8_t img[IMG_SIZE];

static void put16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* One setup sector (code at 1024), the header through 0x268, protocol 2.15, relocatable. */
static void good(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = 1;
	put32(0x1f4, (IMG_SIZE - 1024) / 16);
	put16(0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = 0x66;
	memcpy(img + 0x202, "HdrS", 4);
	put16(0x206, 0x020f);
	img[0x211] = 0x01;             /* LOADED_HIGH */
	put32(0x230, 0x200000);        /* kernel_alignment */
	img[0x234] = 1;                /* relocatable */
	put16(0x236, 0x0001);          /* XLF_KERNEL_64 */
	put32(0x238, 2047);            /* cmdline_size */
	put32(0x260, 0x100000);        /* init_size */
}

static int boot64(size_t size, const char **why)
{
	struct lugate_image_info info;
	int err = lugate_image_identify(img, size, &info);
	if (err)
		return 1000 + err; /* the image parser refused it first: not what these tests vary */
	return lugate_bzimage_boot64(img, size, &info, why);
}

static void good_image_boots(void **state)
{
	(void)state;
	const char *why = "x";
	good();
	assert_int_equal(boot64(IMG_SIZE, &why), 0);
	assert_null(why);
	img[0x234] = 0;               /* not relocatable: a page-aligned pref_address will do */
	put32(0x258, 0x1000000);
	assert_int_equal(boot64(IMG_SIZE, &why), 0);
}

static void expect_refused(size_t size, int err, const char *text)
{
	const char *why = NULL;
	assert_int_equal(boot64(size, &why), err);
	assert_non_null(why);
	assert_non_null(strstr(why, text));
}

static void each_requirement(void **state)
{
	(void)state;
	good();
	put32(0x1f4, (4000 - 1024) / 16);
	expect_refused(4000, LUGATE_ERR_BADIMAGE, "too small");
	good();
	put16(0x206, 0x020b);
	expect_refused(IMG_SIZE, LUGATE_ERR_UNSUPPORTED, "older than 2.12");
	good();
	img[0x201] = 0x60;             /* the header ends at 0x262, before init_size */
	expect_refused(IMG_SIZE, LUGATE_ERR_BADIMAGE, "setup header size inconsistent");
	good();
	put16(0x236, 0);               /* a 32-bit-only kernel */
	expect_refused(IMG_SIZE, LUGATE_ERR_UNSUPPORTED, "no 64-bit entry point");
	good();
	img[0x211] = 0;
	expect_refused(IMG_SIZE, LUGATE_ERR_UNSUPPORTED, "LOADED_HIGH");
	good();
	put32(0x230, 0x3000);
	expect_refused(IMG_SIZE, LUGATE_ERR_BADIMAGE, "kernel_alignment");
	good();
	put32(0x230, 0x800);
	expect_refused(IMG_SIZE, LUGATE_ERR_BADIMAGE, "kernel_alignment");
	good();
	img[0x234] = 0;
	expect_refused(IMG_SIZE, LUGATE_ERR_BADIMAGE, "pref_address");
	put32(0x258, 0x1000800);
	expect_refused(IMG_SIZE, LUGATE_ERR_BADIMAGE, "pref_address");
	good();
	put32(0x260, IMG_SIZE - 1024 - 1);
	expect_refused(IMG_SIZE, LUGATE_ERR_BADIMAGE, "init_size");
	/* bytes after syssize (a manifest trailer) do not count against init_size */
	good();
	put32(0x1f4, 1024 / 16);
	put32(0x260, 1024);
	assert_int_equal(boot64(IMG_SIZE, &(const char *){ NULL }), 0);
}

static void other_formats_refused(void **state)
{
	(void)state;
	struct lugate_image_info info;
	const char *why = NULL;
	memset(&info, 0, sizeof(info));
	info.format = LUGATE_IMAGE_ARM64;
	assert_int_equal(lugate_bzimage_boot64(img, IMG_SIZE, &info, &why), LUGATE_ERR_UNSUPPORTED);
	assert_non_null(strstr(why, "not an x86 bzImage"));
	info.format = LUGATE_IMAGE_UKI;
	info.has_bzimage = true;     /* a UKI's .linux is a bzImage, but the file is a PE */
	assert_int_equal(lugate_bzimage_boot64(img, IMG_SIZE, &info, &why), LUGATE_ERR_UNSUPPORTED);
}

/* An arm64 Image header (booting.rst): b, text_offset, image_size, flags, "ARM\x64". */
static void arm64_header(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(img, 0, sizeof(img));
	put32(0, 0x14000010);
	put32(8, (uint32_t)text_offset);
	put32(12, (uint32_t)(text_offset >> 32));
	put32(16, (uint32_t)image_size);
	put32(20, (uint32_t)(image_size >> 32));
	put32(24, (uint32_t)flags);
	memcpy(img + 0x38, "ARM\x64", 4);
}

static int arm64_boot(const char **why)
{
	struct lugate_image_info info;

	assert_int_equal(lugate_image_identify(img, IMG_SIZE, &info), 0);
	assert_int_equal(info.format, LUGATE_IMAGE_ARM64);
	return lugate_arm64_boot(&info, why);
}

static void arm64_images(void **state)
{
	const char *why = "x";
	struct lugate_image_info info;

	(void)state;
	arm64_header(0, 0x2010000, 0xa);                 /* Debian's 6.1: LE, 4K, anywhere */
	assert_int_equal(arm64_boot(&why), 0);
	assert_null(why);
	arm64_header(0x80000, 0x1000000, 0x2);           /* an older text_offset still boots */
	assert_int_equal(arm64_boot(&why), 0);
	arm64_header(0, 0x2010000, 0xb);                 /* big-endian */
	assert_int_equal(arm64_boot(&why), LUGATE_ERR_UNSUPPORTED);
	assert_non_null(strstr(why, "big-endian"));
	arm64_header(0x80000, 0, 0);                     /* before 3.17: no image_size */
	assert_int_equal(arm64_boot(&why), LUGATE_ERR_UNSUPPORTED);
	assert_non_null(strstr(why, "image_size"));
	arm64_header(0x200000, 0x1000000, 0xa);          /* text_offset past the 2 MiB block */
	assert_int_equal(arm64_boot(&why), LUGATE_ERR_BADIMAGE);
	assert_non_null(strstr(why, "text_offset"));
	good();                                          /* a bzImage is not an arm64 Image */
	assert_int_equal(lugate_image_identify(img, IMG_SIZE, &info), 0);
	assert_int_equal(lugate_arm64_boot(&info, &why), LUGATE_ERR_UNSUPPORTED);
	assert_non_null(strstr(why, "not an arm64 Image"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_image_boots),
		cmocka_unit_test(each_requirement),
		cmocka_unit_test(other_formats_refused),
		cmocka_unit_test(arm64_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
