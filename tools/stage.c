// SPDX-License-Identifier: MIT
/* Staging checks and bundle packing shared by `load` and `bundle build`; see stage.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/boot.h>
#include <lugate/cmdline.h>
#include "stage.h"

/* The largest image read: a kernel with a large built-in initramfs stays well below it. */
#define STAGE_IMAGE_MAX ((size_t)2 << 30)

bool cli_stage_image(const char *what, const char *path, const void *data, size_t size, uint32_t *cmdline_size)
{
	struct lugate_image_info info;
	const char *why = NULL;
	int err = lugate_image_identify(data, size, &info);

	*cmdline_size = 0;
	if (err)
		return cli_error("%s %s: not a kernel image lugate can boot: %s", what, path,
				 info.why ? info.why : lugate_strerror(err)), false;
	if (lugate_bzimage_boot64(data, size, &info, &why) != 0)
		return cli_error("%s %s: lugate's loader cannot boot it: %s", what, path, why), false;
	*cmdline_size = info.bz.cmdline_size;
	return true;
}

/* An arm64 Image (info already identified as one) that build/loader.arm64 can boot. */
static bool stage_arm64_image(const char *what, const char *path, const struct lugate_image_info *info,
			      uint32_t *cmdline_size)
{
	const char *why = NULL;

	*cmdline_size = 0;
	if (lugate_arm64_boot(info, &why) != 0)
		return cli_error("%s %s: lugate's arm64 loader cannot boot it: %s", what, path, why), false;
	*cmdline_size = LUGATE_ARM64_CMDLINE_MAX;
	return true;
}

bool cli_stage_bundle_image(const char *what, const char *path, const void *data, size_t size,
			    uint32_t *cmdline_size, enum lugate_image_format *format)
{
	struct lugate_image_info info;

	*format = LUGATE_IMAGE_UNKNOWN;
	if (lugate_image_identify(data, size, &info) != 0 || info.format != LUGATE_IMAGE_ARM64)
		return cli_stage_image(what, path, data, size, cmdline_size) &&
		       (*format = LUGATE_IMAGE_BZIMAGE, true);
	if (!stage_arm64_image(what, path, &info, cmdline_size))
		return false;
	*format = LUGATE_IMAGE_ARM64;
	return true;
}

/* On an arm64 host only an arm64 Image, the one kind build/loader.arm64 boots. */
static bool stage_image_for(const char *what, const char *path, bool arm64, const void *data, size_t size,
			    uint32_t *cmdline_size)
{
	struct lugate_image_info info;

	if (!arm64)
		return cli_stage_image(what, path, data, size, cmdline_size);
	*cmdline_size = 0;
	if (lugate_image_identify(data, size, &info) != 0 || info.format != LUGATE_IMAGE_ARM64)
		return cli_error("%s %s: not an arm64 Image, the kind lugate's arm64 loader boots (this host is arm64; "
				 "a vmlinuz must be decompressed first)", what, path), false;
	return stage_arm64_image(what, path, &info, cmdline_size);
}

bool cli_stage_image_file(const char *what, const char *path, bool arm64, uint8_t **data, size_t *size,
			  uint32_t *cmdline_size)
{
	*data = NULL;
	if (!cli_read_file(path, STAGE_IMAGE_MAX, data, size))
		return false;
	if (stage_image_for(what, path, arm64, *data, *size, cmdline_size))
		return true;
	free(*data);
	*data = NULL;
	return false;
}

bool cli_stage_cmdline(const char *what, const char *line, size_t len, const char *image, uint32_t cmdline_size)
{
	size_t at;

	switch (lugate_cmdline_check(line, len, cmdline_size)) {
	case 0:
		return true;
	case LUGATE_ERR_BADSTRING:
		at = lugate_cmdline_bad_at(line, len);
		return cli_error("%s: byte %zu is 0x%02x: a kernel command line must be printable ASCII "
				 "(no tab, newline or other control character, nothing above 0x7e)",
				 what, at, (unsigned)(unsigned char)line[at]), false;
	case LUGATE_ERR_RANGE:
		if (cmdline_size && cmdline_size <= LUGATE_CMDLINE_MAX)
			return cli_error("%s: %zu characters, more than the %u that %s accepts (its cmdline_size)",
					 what, len, cmdline_size, image), false;
		return cli_error("%s: %zu characters, more than the %u lugate carries", what, len,
				 LUGATE_CMDLINE_MAX), false;
	default:
		return cli_error("%s: not a valid command line", what), false;
	}
}

bool cli_bundle_pack(const struct cli_bundle_parts *p, const char *name, uint8_t **out, size_t *out_size)
{
	struct {
		uint32_t role;
		const char *path;
		uint8_t *data;
		size_t size;
	} files[] = {
		{ LUGATE_BUNDLE_INITRD, p->initrd, NULL, 0 },
		{ LUGATE_BUNDLE_FALLBACK_INITRD, p->fallback_initrd, NULL, 0 },
	};
	struct lugate_bundle_input in[LUGATE_BUNDLE_MAX_ENTRIES];
	uint32_t n = 0;
	uint64_t needed = 0;
	uint8_t *buf = NULL;
	long long len = -1;
	bool ok = false;

	*out = NULL;
	in[n++] = (struct lugate_bundle_input){ LUGATE_BUNDLE_TABLE, p->table, p->table_size };
	in[n++] = (struct lugate_bundle_input){ LUGATE_BUNDLE_KERNEL, p->kernel, p->kernel_size };
	if (p->fallback)
		in[n++] = (struct lugate_bundle_input){ LUGATE_BUNDLE_FALLBACK, p->fallback, p->fallback_size };
	if (p->append && p->append[0])
		in[n++] = (struct lugate_bundle_input){ LUGATE_BUNDLE_CMDLINE, p->append, strlen(p->append) };
	if (p->fallback_append && p->fallback_append[0])
		in[n++] = (struct lugate_bundle_input){ LUGATE_BUNDLE_FALLBACK_CMDLINE, p->fallback_append,
							strlen(p->fallback_append) };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!files[i].path)
			continue;
		if (!cli_read_file(files[i].path, STAGE_IMAGE_MAX, &files[i].data, &files[i].size))
			goto out;
		if (files[i].size == 0) {
			cli_error("%s: empty file", files[i].path);
			goto out;
		}
		in[n++] = (struct lugate_bundle_input){ files[i].role, files[i].data, files[i].size };
	}
	len = lugate_bundle_build(NULL, 0, in, n, &needed);
	if (len == LUGATE_ERR_NOSPACE) {
		buf = malloc(needed);
		if (!buf) {
			cli_error("%s: out of memory for a bundle of %llu bytes", name, (unsigned long long)needed);
			goto out;
		}
		len = lugate_bundle_build(buf, needed, in, n, NULL);
	}
	if (len < 0) {
		cli_error("%s: cannot build the bundle: %s", name, lugate_strerror((int)len));
		goto out;
	}
	*out = buf;
	*out_size = (size_t)len;
	buf = NULL;
	ok = true;
out:
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		free(files[i].data);
	free(buf);
	return ok;
}
