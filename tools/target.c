// SPDX-License-Identifier: MIT
/* Opening a kernel image for the CLI; see target.h. */
#include <stdlib.h>
#include <string.h>
#include "target.h"

/* The kernel proper to scan: a bzImage's (or UKI's) decompressed payload, or an uncompressed
 * ELF/arm64 image (or a UKI's uncompressed arm64 Image) itself. */
void cli_target_scan(struct cli_target *t)
{
	const struct lugate_image_info *i = &t->info;
	uint8_t *plain = NULL;
	size_t plain_size = 0;

	if (t->scanned || t->scan_error)
		return;
	if (i->has_bzimage) {
		if (!i->payload.p) {
			t->scan_error = "the bzImage names no payload (boot protocol < 2.08)";
			return;
		}
		t->scan_error = cli_decompress(i->bz.compression, i->payload.p, i->payload.size, &plain, &plain_size);
		if (t->scan_error)
			return;
		t->kernel_size = plain_size;
		t->compat_count = cli_scan_compat(plain, plain_size, t->compat, CLI_SCAN_MAX);
		free(plain);
	} else if (i->format == LUGATE_IMAGE_ELF || i->format == LUGATE_IMAGE_ARM64) {
		t->kernel_size = i->image_size;
		t->compat_count = cli_scan_compat(t->data, i->image_size, t->compat, CLI_SCAN_MAX);
	} else if (i->format == LUGATE_IMAGE_UKI && i->linux_format == LUGATE_IMAGE_ARM64) {
		t->kernel_size = i->linux_section.size;
		t->compat_count = cli_scan_compat(i->linux_section.p, i->linux_section.size, t->compat, CLI_SCAN_MAX);
	} else {
		t->scan_error = "no kernel inside this image to scan";
		return;
	}
	for (size_t k = 0; k < t->compat_count; k++)
		t->compat_ptrs[k] = t->compat[k];
	t->scanned = true;
}

bool cli_target_open(const char *path, bool want_scan, struct cli_target *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->path = path;
	if (!cli_read_file(path, (size_t)2 << 30, &t->data, &t->size))
		return false;
	err = lugate_image_identify(t->data, t->size, &t->info);
	if (err) {
		if (err == LUGATE_ERR_UNKNOWNFMT)
			cli_error("%s: not a kernel image lugate knows (bzImage, PE/UKI, ELF64, arm64 Image)", CLI_QPATH(path));
		else
			cli_error("%s: malformed kernel image: %s (%s)", CLI_QPATH(path), t->info.why ? t->info.why : lugate_strerror(err),
				  lugate_errname(err));
		cli_target_free(t);
		return false;
	}
	lugate_sha256(t->data, t->size, t->sha256);
	if (t->info.carrier != LUGATE_CARRIER_NONE) {
		t->manifest_error = lugate_manifest_open(t->info.manifest.p, t->info.manifest.size, &t->manifest);
		t->has_manifest = t->manifest_error == 0;
	}
	t->release_mismatch = t->has_manifest && t->info.release[0] && strcmp(t->manifest.release, t->info.release) != 0;
	if (want_scan)
		cli_target_scan(t);
	return true;
}

bool cli_target_usable(const struct cli_target *t)
{
	if (!t->release_mismatch)
		return true;
	cli_error("%s: its manifest names release %s but the image is %s (from the %s): stamp it with its own manifest",
		  CLI_QPATH(t->path), t->manifest.release, t->info.release, t->info.release_source);
	return false;
}

void cli_target_free(struct cli_target *t)
{
	free(t->data);
	t->data = NULL;
}

void cli_target_check_input(const struct cli_target *t, struct lugate_check_input *in)
{
	if (t->info.carrier != LUGATE_CARRIER_NONE) {
		in->manifest = t->info.manifest.p;
		in->manifest_size = t->info.manifest.size;
	}
	in->target_release = t->info.release[0] ? t->info.release : NULL;
	in->scanned_compat = t->scanned ? t->compat_ptrs : NULL;
	in->scanned_compat_count = t->scanned ? t->compat_count : 0;
	in->target_sha256 = t->sha256;
}

static bool compat_missing(const struct lugate_verdict *v)
{
	if (v->reason_total > v->reason_count)
		return true; /* some reasons did not fit: do not guess which */
	for (size_t k = 0; k < v->reason_count; k++)
		if (v->reasons[k].code == LUGATE_REASON_COMPAT_MISSING)
			return true;
	return false;
}

void cli_target_check(struct cli_target *t, struct lugate_check_input *in, struct lugate_reason *reasons,
		      size_t capacity, struct lugate_verdict *v)
{
	lugate_check(in, reasons, capacity, v);
	if (t->scanned || t->scan_error || !compat_missing(v))
		return;
	cli_target_scan(t);
	if (!t->scanned)
		return;
	in->scanned_compat = t->compat_ptrs;
	in->scanned_compat_count = t->compat_count;
	lugate_check(in, reasons, capacity, v);
}
