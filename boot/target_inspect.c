// SPDX-License-Identifier: MIT
/* Inspecting a kernel image; see target.h. */
#include <string.h>
#include <lugate/boot.h>
#include <lugate/image.h>
#include <lugate/lugate.h>
#include "cycles.h"
#include "log.h"
#include "target_inspect.h"

/*
 * The core's image parser (the one `lugate check --kernel` and `lugate seal` use) reads the
 * setup header, names the release and finds the manifest carrier (for a distro bzImage: the
 * trailer `lugate embed` appends); the core's lugate_bzimage_boot64 says whether that parse
 * is an image a 64-bit boot can enter. An image either rejects is not booted: the CLI
 * refuses to stage it too.
 */
static const char *not_wanted(enum lugate_image_format want)
{
	return want == LUGATE_IMAGE_ARM64 ? "not an arm64 Image (no \"ARM\\x64\" magic at 0x38)"
		: "not a bzImage (no 0xAA55 boot flag or \"HdrS\" header)";
}


static void identify(const uint8_t *image, size_t size, enum lugate_image_format want, struct target_info *out)
{
	struct lugate_image_info info;
	int err = lugate_image_identify(image, size, &info);

	out->format = info.format;
	if (err) {
		out->manifest_error = err;
		out->why_unbootable = err == LUGATE_ERR_DUPLICATE ? "the image carries two manifests"
			: info.format == want ? info.why : not_wanted(want);
		return;
	}
	if (info.format != want) {
		out->why_unbootable = not_wanted(want);
		return;
	}
	if (want == LUGATE_IMAGE_BZIMAGE) {
		if (lugate_bzimage_boot64(image, size, &info, &out->why_unbootable) != 0)
			return;
		out->bz = info.bz;
		out->code = image + info.bz.code_offset;
	} else {
		if (lugate_arm64_boot(&info, &out->why_unbootable) != 0)
			return;
		out->arm64_text_offset = info.arm64_text_offset;
		out->arm64_image_size = info.arm64_image_size;
		out->arm64_page_size = info.arm64_page_size;
		out->code = image;
	}
	out->bootable = true;
	out->image = image;
	out->image_size = size;
	out->carrier = info.carrier;
	if (info.carrier != LUGATE_CARRIER_NONE) {
		out->manifest = info.manifest.p;
		out->manifest_size = info.manifest.size;
	}
	if (info.release[0]) {
		memcpy(out->release_buf, info.release, sizeof(out->release_buf));
		out->release_buf[sizeof(out->release_buf) - 1] = '\0';
		out->release = out->release_buf;
	}
}

/* The format's own figures, after the release and the manifest. */
static void log_layout(struct log_line *l, const struct target_info *t)
{
	if (t->format == LUGATE_IMAGE_ARM64) {
		lugate_fmt_str(&l->f, ", text_offset 0x");
		lugate_fmt_hex(&l->f, t->arm64_text_offset, 0);
		lugate_fmt_str(&l->f, ", image_size 0x");
		lugate_fmt_hex(&l->f, t->arm64_image_size, 0);
		lugate_fmt_str(&l->f, ", page size ");
		lugate_fmt_udec(&l->f, t->arm64_page_size);
		return;
	}
	lugate_fmt_str(&l->f, ", init_size 0x");
	lugate_fmt_hex(&l->f, t->bz.init_size, 0);
	lugate_fmt_str(&l->f, ", alignment 0x");
	lugate_fmt_hex(&l->f, t->bz.kernel_alignment, 0);
}

/* "bzImage protocol 2.15" or "arm64 Image" */
static void log_format(struct log_line *l, const struct target_info *t)
{
	if (t->format == LUGATE_IMAGE_ARM64) {
		lugate_fmt_str(&l->f, ": arm64 Image");
		return;
	}
	lugate_fmt_str(&l->f, ": bzImage protocol ");
	lugate_fmt_udec(&l->f, t->bz.version >> 8);
	lugate_fmt_char(&l->f, '.');
	lugate_fmt_udec(&l->f, t->bz.version & 0xff);
}

void target_inspect(const void *image, size_t size, const char *label, struct target_info *out)
{
	target_inspect_as(image, size, label, LUGATE_IMAGE_BZIMAGE, out);
}

void target_inspect_as(const void *image, size_t size, const char *label, enum lugate_image_format want,
		       struct target_info *out)
{
	struct log_line l;
	char hex[2 * LUGATE_SHA256_SIZE + 1];
	uint64_t t0;

	memset(out, 0, sizeof(*out));
	identify(image, size, want, out);
	t0 = tsc_read();
	lugate_sha256(image, size, out->sha256);
	out->sha256_tsc = tsc_read() - t0;

	lugate_hex_format(out->sha256, LUGATE_SHA256_SIZE, hex);
	log_start(&l);
	lugate_fmt_str(&l.f, label);
	lugate_fmt_str(&l.f, ": sha256 ");
	lugate_fmt_str(&l.f, hex);
	lugate_fmt_str(&l.f, lugate_sha256_have_shani() ? " (SHA-NI)" : " (portable)");
	log_emit(&l);
	log_start(&l);
	lugate_fmt_str(&l.f, label);
	if (!out->bootable) {
		lugate_fmt_str(&l.f, ": not bootable: ");
		lugate_fmt_str(&l.f, out->why_unbootable);
	} else {
		log_format(&l, out);
		lugate_fmt_str(&l.f, ", release ");
		lugate_fmt_str(&l.f, out->release ? out->release : "(none)");
		lugate_fmt_str(&l.f, out->manifest ? ", manifest " : ", no manifest");
		if (out->manifest) {
			lugate_fmt_udec(&l.f, out->manifest_size);
			lugate_fmt_str(&l.f, " bytes (");
			lugate_fmt_str(&l.f, lugate_carrier_name(out->carrier));
			lugate_fmt_char(&l.f, ')');
		}
		log_layout(&l, out);
	}
	log_emit(&l);
}
