// SPDX-License-Identifier: MIT
/* Opening a kernel image for the CLI; see target.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "history.h"
#include "target.h"

/*
 * Reading an image: its format is known from its first bytes, so the rest is read only when
 * they name one, and only up to what that format can be. Every header lugate reads starts in
 * the first IMAGE_PREFIX bytes (the bzImage setup header, the PE header that e_lfanew points
 * to, the ELF header, the arm64 header); a manifest trailer sits at the end but names no
 * format. The file caps keep `inspect` and `check --kernel` under 300 MB for any input: a
 * compressed kernel's file plus its decoder's window (at most 132 MiB, see decompress.c), or
 * an uncompressed kernel's file alone.
 */
#define IMAGE_PREFIX ((size_t)64 << 10)
#define IMAGE_MAX_COMPRESSED ((size_t)128 << 20) /* bzImage, PE, UKI: Debian's are 8 to 100 MiB */
#define IMAGE_MAX_PLAIN ((size_t)256 << 20)      /* ELF vmlinux, arm64 Image (no debug info) */
/* A payload that declares no init_size (boot protocol < 2.10): x86-64 maps at most 1 GiB
 * of kernel (KERNEL_IMAGE_SIZE). */
#define PAYLOAD_MAX ((size_t)1 << 30)

static bool read_at(int fd, const char *path, uint8_t *buf, size_t from, size_t to)
{
	while (from < to) {
		ssize_t n = pread(fd, buf + from, to - from, (off_t)from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error("%s: read failed: %s", path, n < 0 ? strerror(errno) : "file shrank");
			return false;
		}
		from += (size_t)n;
	}
	return true;
}

static size_t format_cap(enum lugate_image_format f)
{
	return f == LUGATE_IMAGE_ELF || f == LUGATE_IMAGE_ARM64 ? IMAGE_MAX_PLAIN : IMAGE_MAX_COMPRESSED;
}

/* Read the first bytes, identify, then the rest (bounded by the format). The buffer is
 * malloc'd (8-byte aligned, as the manifest carriers need) and NUL-terminated past size. */
static bool read_image(const char *path, uint8_t **data, size_t *size)
{
	struct lugate_image_info info;
	struct stat st;
	uint8_t *buf = NULL, *grown;
	size_t want, have;
	int fd, err;

	/* the type is checked before the open: a FIFO must not hang it, a device is never opened */
	fd = cli_open_input(path);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0) {
		cli_error("%s: cannot stat: %s", CLI_QPATH(path), strerror(errno));
		goto fail;
	}
	want = (uint64_t)st.st_size > IMAGE_MAX_PLAIN ? IMAGE_MAX_PLAIN + 1 : (size_t)st.st_size;
	have = want < IMAGE_PREFIX ? want : IMAGE_PREFIX;
	buf = malloc(have + 1);
	if (!buf) {
		cli_error("%s: out of memory", path);
		goto fail;
	}
	if (!read_at(fd, path, buf, 0, have))
		goto fail;
	err = lugate_image_identify(buf, have, &info);
	if (err == LUGATE_ERR_UNKNOWNFMT) {
		cli_error("%s: not a kernel image lugate knows (bzImage, PE/UKI, ELF64, arm64 Image)", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > format_cap(info.format)) {
		cli_error("%s: too large for %s %s (%lld bytes; limit %zu MiB)", path,
			  info.format == LUGATE_IMAGE_UNKNOWN ? "a" : "an image of format",
			  info.format == LUGATE_IMAGE_UNKNOWN ? "kernel image" : lugate_image_format_name(info.format),
			  (long long)st.st_size, format_cap(info.format) >> 20);
		goto fail;
	}
	if (want > have) {
		grown = realloc(buf, want + 1);
		if (!grown) {
			cli_error("%s: out of memory", path);
			goto fail;
		}
		buf = grown;
		if (!read_at(fd, path, buf, have, want))
			goto fail;
	}
	close(fd);
	buf[want] = 0;
	*data = buf;
	*size = want;
	return true;
fail:
	free(buf);
	close(fd);
	return false;
}

/* What a bzImage payload may decompress to: the setup header's init_size is the memory the
 * kernel needs to decompress and run in, so its vmlinux is no larger (Debian 6.1: 65.9 MB
 * from 66.7 MB); a quarter more for a margin. Without one, PAYLOAD_MAX. */
static size_t payload_limit(const struct lugate_bzimage *bz)
{
	if (!bz->init_size)
		return PAYLOAD_MAX;
	uint64_t lim = (uint64_t)bz->init_size + bz->init_size / 4;
	return lim < PAYLOAD_MAX ? (size_t)lim : PAYLOAD_MAX;
}

/* The kernel proper to scan: a bzImage's (or UKI's) decompressed payload, or an uncompressed
 * ELF/arm64 image (or a UKI's uncompressed arm64 Image) itself. */
void cli_target_scan(struct cli_target *t)
{
	const struct lugate_image_info *i = &t->info;

	if (t->scanned || t->scan_error)
		return;
	if (i->has_bzimage) {
		struct cli_compat_scan *s;
		size_t plain_size = 0;
		if (!i->payload.p) {
			t->scan_error = "the bzImage names no payload (boot protocol < 2.08)";
			return;
		}
		s = malloc(sizeof(*s));
		if (!s) {
			t->scan_error = "out of memory";
			return;
		}
		cli_scan_init(s);
		t->scan_limit = payload_limit(&i->bz);
		t->scan_error = cli_decompress(i->bz.compression, i->payload.p, i->payload.size, t->scan_limit, cli_scan_sink,
					       s, &plain_size, &t->scan_too_large);
		if (!t->scan_error) {
			t->kernel_size = plain_size;
			t->compat_count = cli_scan_finish_layers(s, t->compat, t->compat_layer, CLI_SCAN_MAX);
		}
		free(s);
		if (t->scan_error)
			return;
	} else if (i->format == LUGATE_IMAGE_ELF || i->format == LUGATE_IMAGE_ARM64) {
		t->kernel_size = i->image_size;
		t->compat_count = cli_scan_compat_layers(t->data, i->image_size, t->compat, t->compat_layer, CLI_SCAN_MAX);
	} else if (i->format == LUGATE_IMAGE_UKI && i->linux_format == LUGATE_IMAGE_ARM64) {
		t->kernel_size = i->linux_section.size;
		t->compat_count = cli_scan_compat_layers(i->linux_section.p, i->linux_section.size, t->compat, t->compat_layer,
							 CLI_SCAN_MAX);
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
	if (!read_image(path, &t->data, &t->size))
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
	if ((t->info.format == LUGATE_IMAGE_ZBOOT || t->info.linux_format == LUGATE_IMAGE_ZBOOT) && !cli_target_read_zboot(t)) {
		cli_target_free(t);
		return false;
	}
	lugate_sha256(t->data, t->size, t->sha256);
	if (t->info.carrier != LUGATE_CARRIER_NONE) {
		t->manifest_error = lugate_manifest_open(t->info.manifest.p, t->info.manifest.size, &t->manifest);
		t->has_manifest = t->manifest_error == 0;
	}
	t->release_mismatch = t->has_manifest && !lugate_manifest_fits_image(&t->manifest, t->info.release);
	if (want_scan) {
		cli_target_scan(t);
		if (!cli_target_scan_ok(t)) {
			cli_target_free(t);
			return false;
		}
	}
	return true;
}

bool cli_target_scan_ok(const struct cli_target *t)
{
	if (!t->scan_too_large)
		return true;
	if (t->info.bz.init_size)
		cli_error("%s: %s: its kernel decompresses to more than %zu bytes, more than the setup header's init_size "
			  "(%u bytes) allows",
			  t->path, t->scan_error, t->scan_limit, t->info.bz.init_size);
	else
		cli_error("%s: %s: its kernel decompresses to more than %zu bytes, the most lugate reads (the setup header "
			  "declares no init_size)",
			  t->path, t->scan_error, t->scan_limit);
	return false;
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
	in->target_page_size = lugate_image_page_size(&t->info);
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

bool cli_target_check(struct cli_target *t, struct lugate_check_input *in, struct lugate_reason *reasons,
		      size_t capacity, struct lugate_verdict *v)
{
	lugate_check(in, reasons, capacity, v);
	if (t->scanned || t->scan_error || !compat_missing(v))
		return cli_target_scan_ok(t);
	cli_target_scan(t);
	if (!t->scanned)
		return cli_target_scan_ok(t);
	in->scanned_compat = t->compat_ptrs;
	in->scanned_compat_count = t->compat_count;
	lugate_check(in, reasons, capacity, v);
	return true;
}

int cli_target_check_with_history(struct cli_target *t, struct lugate_check_input *in,
				  struct lugate_reason *reasons, size_t capacity, const char *state_dir,
				  const uint8_t *target_sha256, char known_bad[64], struct lugate_verdict *v)
{
	for (int pass = 0; pass < 2; pass++) {
		int kb;

		if (!t)
			lugate_check(in, reasons, capacity, v);
		else if (!cli_target_check(t, in, reasons, capacity, v))
			return EXIT_INPUT;
		if (pass == 1)
			break;
		/* the pair is known once checked; its history is the check's one more input */
		kb = cli_history_known_bad(cli_state_dir(state_dir), v->outgoing, NULL, v->target, target_sha256,
					   known_bad, 64);
		if (kb < 0)
			return EXIT_SYSTEM;
		if (kb == 0)
			break;
		in->known_bad_since = known_bad;
	}
	return EXIT_ALLOW;
}
