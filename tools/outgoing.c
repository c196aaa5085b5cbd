// SPDX-License-Identifier: MIT
/*
 * The outgoing kernel's image: the LUO file handlers and FLBs compiled into it, which are the
 * formats it can serialize preserved files in. Per-file handler strings reach KHO only when
 * the reboot freezes the sessions, after every pre-flight: what the running kernel could write
 * is known before then only from its image. Each one joins the check as an outgoing format of
 * its layer, marked compiled_only (the policy's "may-lack" may lift it; see docs/policy.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kexec.h"
#include "outgoing.h"

static bool outgoing_release(char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	/* under a test root its fake /proc names the running release; else uname */
	if (!getenv("LUGATE_SYSROOT"))
		return cli_running_release(buf, size);
	cli_sys_path(path, sizeof(path), "/proc/sys/kernel/osrelease");
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

int cli_outgoing_image_open(const char *given, const char *table_release, struct cli_outgoing_image *o)
{
	struct stat st;
	char release[LUGATE_RELEASE_MAX + 2];

	memset(o, 0, sizeof(*o));
	if (given) {
		snprintf(o->path, sizeof(o->path), "%s", given);
	} else {
		char rel[sizeof(o->path) - 32];

		if (!outgoing_release(release, sizeof(release)))
			return 1;
		snprintf(rel, sizeof(rel), "/boot/vmlinuz-%s", release);
		cli_sys_path(o->path, sizeof(o->path), rel);
		/* the default may simply not be there (a kernel booted from elsewhere): say so, go on */
		if (stat(o->path, &st) != 0 && errno == ENOENT)
			return 1;
	}
	if (!cli_target_open(o->path, true, &o->image))
		return -1;
	o->open = true;
	if (!o->image.scanned) {
		cli_error("outgoing image %s: its kernel cannot be scanned for the file handlers and FLBs it can "
			  "serialize: %s", CLI_QPATH(o->path), o->image.scan_error ? o->image.scan_error : "unknown format");
		return -1;
	}
	/* the handlers of another kernel say nothing about this one */
	if (table_release && o->image.info.release[0] && strcmp(o->image.info.release, table_release) != 0) {
		cli_error("outgoing image %s is release %s, but the handoff table's outgoing kernel is %s: pass the "
			  "running kernel's image with --outgoing-image",
			  CLI_QPATH(o->path), o->image.info.release, table_release);
		return -1;
	}
	for (size_t k = 0; k < o->image.compat_count; k++) {
		enum lugate_layer layer = (enum lugate_layer)o->image.compat_layer[k];

		if (layer != LUGATE_LAYER_FILE_HANDLER && layer != LUGATE_LAYER_FLB)
			continue; /* KHO/LUO versions come from the running kernel itself (debugfs) */
		o->formats[o->count++] = (struct lugate_outgoing_format){
			.compatible = o->image.compat[k], .layer = layer, .compiled_only = true };
	}
	return 0;
}

void cli_outgoing_image_free(struct cli_outgoing_image *o)
{
	if (o->open)
		cli_target_free(&o->image);
	o->open = false;
}

struct json_object *cli_outgoing_image_json(const struct cli_outgoing_image *o)
{
	struct json_object *j, *formats;

	if (!o->open)
		return NULL;
	j = json_object_new_object();
	formats = json_object_new_array();
	json_object_object_add(j, "path", json_object_new_string(o->path));
	json_object_object_add(j, "release", o->image.info.release[0] ? json_object_new_string(o->image.info.release) : NULL);
	for (size_t k = 0; k < o->count; k++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "compatible", json_object_new_string(o->formats[k].compatible));
		json_object_object_add(f, "layer", json_object_new_string(lugate_layer_name(o->formats[k].layer)));
		json_object_array_add(formats, f);
	}
	json_object_object_add(j, "formats", formats);
	return j;
}
