// SPDX-License-Identifier: MIT
/* Inspecting a kernel-image module; see target.h. */
#include <string.h>
#include <lugate/lugate.h>
#include "console.h"
#include "target.h"

/*
 * The manifest and release of an image come from the core's image-format parser
 * (handoff/image*.c) once it exists; until then only the bzImage's own kernel_version
 * string is read, and the image has no manifest.
 */
static void find_manifest(const void *image, size_t size, struct target_info *out)
{
	(void)image;
	(void)size;
	out->manifest = NULL;
	out->manifest_size = 0;
	out->release = out->bz.release[0] ? out->bz.release : NULL;
}

void target_inspect(const struct loader_module *m, const char *label, struct target_info *out)
{
	struct log_line l;
	char hex[2 * LUGATE_SHA256_SIZE + 1];

	memset(out, 0, sizeof(*out));
	out->module = m;
	out->bootable = bzimage_parse(module_bytes(m), (size_t)m->size, &out->bz, &out->why_unbootable);
	lugate_sha256(module_bytes(m), (size_t)m->size, out->sha256);
	if (out->bootable)
		find_manifest(module_bytes(m), (size_t)m->size, out);

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
			lugate_fmt_str(&l.f, " bytes");
		}
		lugate_fmt_str(&l.f, ", init_size 0x");
		lugate_fmt_hex(&l.f, out->bz.init_size, 0);
		lugate_fmt_str(&l.f, ", alignment 0x");
		lugate_fmt_hex(&l.f, out->bz.kernel_alignment, 0);
	}
	log_emit(&l);
}
