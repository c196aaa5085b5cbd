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
static void identify(const uint8_t *image, size_t size, struct target_info *out)
{
	struct lugate_image_info info;
	int err = lugate_image_identify(image, size, &info);

	if (err) {
		out->manifest_error = err;
		out->why_unbootable = err == LUGATE_ERR_DUPLICATE ? "the image carries two manifests"
			: info.format == LUGATE_IMAGE_BZIMAGE ? info.why
			: "not a bzImage (no 0xAA55 boot flag or \"HdrS\" header)";
		return;
	}
	if (lugate_bzimage_boot64(image, size, &info, &out->why_unbootable) != 0)
		return;
	out->bootable = true;
	out->bz = info.bz;
	out->image = image;
	out->image_size = size;
	out->code = image + info.bz.code_offset;
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

void target_inspect(const void *image, size_t size, const char *label, struct target_info *out)
{
	struct log_line l;
	char hex[2 * LUGATE_SHA256_SIZE + 1];
	uint64_t t0;

	memset(out, 0, sizeof(*out));
	identify(image, size, out);
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
		lugate_fmt_str(&l.f, ": bzImage protocol ");
		lugate_fmt_udec(&l.f, out->bz.version >> 8);
		lugate_fmt_char(&l.f, '.');
		lugate_fmt_udec(&l.f, out->bz.version & 0xff);
		lugate_fmt_str(&l.f, ", release ");
		lugate_fmt_str(&l.f, out->release ? out->release : "(none)");
		lugate_fmt_str(&l.f, out->manifest ? ", manifest " : ", no manifest");
		if (out->manifest) {
			lugate_fmt_udec(&l.f, out->manifest_size);
			lugate_fmt_str(&l.f, " bytes (");
			lugate_fmt_str(&l.f, lugate_carrier_name(out->carrier));
			lugate_fmt_char(&l.f, ')');
		}
		lugate_fmt_str(&l.f, ", init_size 0x");
		lugate_fmt_hex(&l.f, out->bz.init_size, 0);
		lugate_fmt_str(&l.f, ", alignment 0x");
		lugate_fmt_hex(&l.f, out->bz.kernel_alignment, 0);
	}
	log_emit(&l);
}
