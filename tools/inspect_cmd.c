// SPDX-License-Identifier: MIT
/* `lugate inspect`: what a kernel image says about itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
	"Usage: lugate inspect IMAGE [--json]\n"
	"Print an image's format, release, boot protocol, sizes, SHA-256, manifest, and the\n"
	"KHO/LUO formats its kernel carries (a kernel without KHO boots cold: every preserved\n"
	"page is lost). Exit: 0 ok, 2 unreadable or malformed image, corrupt manifest, or a\n"
	"manifest naming another release than the image.\n";

static struct json_object *hex_json(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

/* "2.15" for 0x020f */
static void protocol_text(uint16_t version, char buf[8])
{
	snprintf(buf, 8, "%u.%02u", (unsigned)(version >> 8), (unsigned)(version & 0xffu));
}

static struct json_object *view_hex_json(const struct lugate_view *v)
{
	char *hex;
	struct json_object *o;

	if (!v->p)
		return NULL;
	hex = malloc(2 * v->size + 1);
	if (!hex)
		return NULL;
	lugate_hex_format(v->p, v->size, hex);
	o = json_object_new_string(hex);
	free(hex);
	return o;
}

static struct json_object *boot_json(const struct cli_target *t)
{
	const struct lugate_bzimage *bz = &t->info.bz;
	struct json_object *o = json_object_new_object();
	char ver[8];

	protocol_text(bz->version, ver);
	json_object_object_add(o, "protocol", json_object_new_string(ver));
	json_object_object_add(o, "protocol_version", hex_json(bz->version));
	json_object_object_add(o, "setup_sects", json_object_new_int(bz->setup_sects));
	json_object_object_add(o, "syssize", json_object_new_int64(bz->syssize));
	json_object_object_add(o, "loadflags", hex_json(bz->loadflags));
	json_object_object_add(o, "xloadflags", hex_json(bz->xloadflags));
	json_object_object_add(o, "relocatable", json_object_new_boolean(bz->relocatable));
	json_object_object_add(o, "kernel_alignment", hex_json(bz->kernel_alignment));
	json_object_object_add(o, "pref_address", hex_json(bz->pref_address));
	json_object_object_add(o, "init_size", hex_json(bz->init_size));
	json_object_object_add(o, "cmdline_size", json_object_new_int64(bz->cmdline_size));
	json_object_object_add(o, "handover_offset", hex_json(bz->handover_offset));
	json_object_object_add(o, "payload_offset", json_object_new_int64((int64_t)bz->code_offset + bz->payload_offset));
	json_object_object_add(o, "payload_length", json_object_new_int64(bz->payload_length));
	json_object_object_add(o, "compression", json_object_new_string(lugate_compression_name(bz->compression)));
	json_object_object_add(o, "decompressed_size", t->scanned ? json_object_new_int64((int64_t)t->kernel_size) : NULL);
	json_object_object_add(o, "efi_stub", json_object_new_boolean(bz->efi_stub));
	return o;
}

static struct json_object *pe_json(const struct lugate_image_info *i)
{
	struct json_object *pe = json_object_new_object();

	json_object_object_add(pe, "sections", json_object_new_int(i->pe_sections));
	json_object_object_add(pe, "machine", hex_json(i->pe_machine));
	json_object_object_add(pe, "linux_size", json_object_new_int64((int64_t)i->linux_section.size));
	json_object_object_add(pe, "linux_format", i->format == LUGATE_IMAGE_UKI && i->linux_format
						? json_object_new_string(lugate_image_format_name(i->linux_format)) : NULL);
	json_object_object_add(pe, "has_uname", json_object_new_boolean(i->uname_section.p != NULL));
	json_object_object_add(pe, "has_osrel", json_object_new_boolean(i->osrel_section.p != NULL));
	return pe;
}

static struct json_object *arm64_json(const struct lugate_image_info *i)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "page_size", json_object_new_int64(i->arm64_page_size));
	json_object_object_add(a, "big_endian", json_object_new_boolean(i->arm64_big_endian));
	json_object_object_add(a, "image_size", hex_json(i->arm64_image_size));
	json_object_object_add(a, "text_offset", hex_json(i->arm64_text_offset));
	return a;
}

static struct json_object *zboot_json(const struct cli_target *t)
{
	const struct lugate_image_info *i = &t->info;
	struct json_object *z = json_object_new_object();

	json_object_object_add(z, "compression", json_object_new_string(lugate_compression_name(i->zboot_compression)));
	json_object_object_add(z, "payload_size", json_object_new_int64((int64_t)i->payload.size));
	json_object_object_add(z, "decompressed_size", t->scanned ? json_object_new_int64((int64_t)t->kernel_size) : NULL);
	json_object_object_add(z, "payload_format", json_object_new_string(lugate_image_format_name(i->payload_format)));
	return z;
}

static bool has_zboot(const struct lugate_image_info *i)
{
	return i->format == LUGATE_IMAGE_ZBOOT || i->linux_format == LUGATE_IMAGE_ZBOOT;
}

static struct json_object *inspect_json(const struct cli_target *t)
{
	const struct lugate_image_info *i = &t->info;
	struct json_object *o = json_object_new_object(), *kho = json_object_new_array();
	char hex[2 * LUGATE_SHA256_SIZE + 1];

	lugate_hex_format(t->sha256, LUGATE_SHA256_SIZE, hex);
	json_object_object_add(o, "format", json_object_new_string(lugate_image_format_name(i->format)));
	json_object_object_add(o, "release", i->release[0] ? json_object_new_string(i->release) : NULL);
	json_object_object_add(o, "release_source", i->release_source ? json_object_new_string(i->release_source) : NULL);
	/* what the check takes as the target's release: the manifest's, else the image's */
	json_object_object_add(o, "target_release", t->has_manifest ? json_object_new_string(t->manifest.release)
						     : i->release[0] ? json_object_new_string(i->release) : NULL);
	json_object_object_add(o, "size", json_object_new_int64((int64_t)t->size));
	json_object_object_add(o, "image_size", json_object_new_int64((int64_t)i->image_size));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	json_object_object_add(o, "boot", i->has_bzimage ? boot_json(t) : NULL);
	if (i->format == LUGATE_IMAGE_UKI || i->format == LUGATE_IMAGE_PE)
		json_object_object_add(o, "pe", pe_json(i));
	if (i->format == LUGATE_IMAGE_ELF) {
		struct json_object *elf = json_object_new_object();
		json_object_object_add(elf, "class", json_object_new_int(i->elf_class == 2 ? 64 : 32));
		json_object_object_add(elf, "machine", json_object_new_int(i->elf_machine));
		json_object_object_add(elf, "entry", hex_json(i->elf_entry));
		json_object_object_add(elf, "notes", json_object_new_int64(i->elf_notes));
		json_object_object_add(elf, "build_id", view_hex_json(&i->elf_build_id));
		json_object_object_add(o, "elf", elf);
	}
	if (has_zboot(i))
		json_object_object_add(o, "zboot", zboot_json(t));
	if (i->arm64_header)
		json_object_object_add(o, "arm64", arm64_json(i));
	/* the page size the check compares with the outgoing kernel's; null when the image leaves it unknown */
	json_object_object_add(o, "page_size",
			       lugate_image_page_size(i) ? json_object_new_int64(lugate_image_page_size(i)) : NULL);
	json_object_object_add(o, "manifest_carrier", json_object_new_string(lugate_carrier_name(i->carrier)));
	json_object_object_add(o, "manifest_size", i->carrier ? json_object_new_int64((int64_t)i->manifest.size) : NULL);
	json_object_object_add(o, "manifest", t->has_manifest ? cli_manifest_to_json(&t->manifest) : NULL);
	if (t->manifest_error)
		json_object_object_add(o, "manifest_error", json_object_new_string(lugate_strerror(t->manifest_error)));
	if (t->release_mismatch)
		json_object_object_add(o, "manifest_error", json_object_new_string("the manifest names another release than the image"));
	for (size_t k = 0; k < t->compat_count; k++)
		json_object_array_add(kho, json_object_new_string(t->compat[k]));
	json_object_object_add(o, "kho_compatible", t->scanned ? kho : NULL);
	if (t->scanned) {
		struct json_object *luo = json_object_new_array();

		for (size_t k = 0; k < t->compat_count; k++) {
			struct json_object *h;

			if (t->compat_layer[k] == LUGATE_LAYER_UNKNOWN)
				continue;
			h = json_object_new_object();
			json_object_object_add(h, "compatible", json_object_new_string(t->compat[k]));
			json_object_object_add(h, "layer", json_object_new_string(lugate_layer_name(t->compat_layer[k])));
			json_object_array_add(luo, h);
		}
		/* the file handlers and FLBs compiled in: what this kernel can serialize, and revive */
		json_object_object_add(o, "luo_handlers", luo);
	}
	if (!t->scanned) {
		json_object_put(kho);
		json_object_object_add(o, "kho_scan_error", json_object_new_string(t->scan_error));
	}
	return o;
}

static void print_boot(const struct cli_target *t)
{
	const struct lugate_bzimage *bz = &t->info.bz;
	char ver[8];

	protocol_text(bz->version, ver);
	printf("boot:       protocol %s, loadflags 0x%x, xloadflags 0x%x, init_size 0x%x, alignment 0x%x%s\n", ver,
	       (unsigned)bz->loadflags, (unsigned)bz->xloadflags, bz->init_size, bz->kernel_alignment,
	       bz->efi_stub ? ", EFI stub" : "");
	printf("payload:    %s, %u bytes", lugate_compression_name(bz->compression), bz->payload_length);
	if (t->scanned)
		printf(" -> %zu bytes", t->kernel_size);
	printf("\n");
}

static void print_manifest(const struct cli_target *t)
{
	const struct lugate_image_info *i = &t->info;

	if (t->has_manifest)
		printf("manifest:   %s, release %s, %u schema(s), %u revivable format(s)%s\n", lugate_carrier_name(i->carrier),
		       t->manifest.release, t->manifest.schema_count, t->manifest.compat_count,
		       t->release_mismatch ? " -- WRONG IMAGE: the image is another release" : "");
	else if (t->manifest_error)
		printf("manifest:   %s, CORRUPT: %s\n", lugate_carrier_name(i->carrier), lugate_strerror(t->manifest_error));
	else
		printf("manifest:   none (stamp it with `lugate embed`)\n");
}

static void inspect_text(const struct cli_target *t)
{
	const struct lugate_image_info *i = &t->info;
	char hex[2 * LUGATE_SHA256_SIZE + 1];

	lugate_hex_format(t->sha256, LUGATE_SHA256_SIZE, hex);
	printf("format:     %s", lugate_image_format_name(i->format));
	if (i->format == LUGATE_IMAGE_UKI)
		printf(" (.linux: %s)", lugate_image_format_name(i->linux_format));
	printf("\nrelease:    %s%s%s%s\n", i->release[0] ? i->release : "(not named by the image)",
	       i->release_source ? " (from " : "", i->release_source ? i->release_source : "", i->release_source ? ")" : "");
	printf("size:       %zu bytes (image %zu)\n", t->size, i->image_size);
	printf("sha256:     %s\n", hex);
	if (i->has_bzimage)
		print_boot(t);
	if (i->format == LUGATE_IMAGE_ELF)
		printf("elf:        ELF64, machine %u, entry 0x%llx, %u note(s)\n", (unsigned)i->elf_machine,
		       (unsigned long long)i->elf_entry, i->elf_notes);
	if (has_zboot(i))
		printf("zboot:      %s, %zu bytes -> %zu bytes (%s)\n", lugate_compression_name(i->zboot_compression),
		       i->payload.size, t->kernel_size, lugate_image_format_name(i->payload_format));
	if (i->arm64_header)
		printf("arm64:      page size %u, image_size 0x%llx, text_offset 0x%llx%s\n", i->arm64_page_size,
		       (unsigned long long)i->arm64_image_size, (unsigned long long)i->arm64_text_offset,
		       i->arm64_big_endian ? ", big-endian" : "");
	if (lugate_image_page_size(i))
		printf("page size:  %u\n", lugate_image_page_size(i));
	else
		printf("page size:  (not named by the image)\n");
	print_manifest(t);
	if (!t->scanned)
		printf("kho:        not scanned: %s\n", t->scan_error);
	else if (!t->compat_count)
		printf("kho:        none: this kernel has no KHO; a live update into it boots cold and loses every preserved page\n");
	else {
		printf("kho:       ");
		for (size_t k = 0; k < t->compat_count; k++)
			printf(" %s", t->compat[k]);
		printf("\n");
	}
	size_t shown = 0;
	for (size_t k = 0; t->scanned && k < t->compat_count; k++) {
		if (t->compat_layer[k] == LUGATE_LAYER_UNKNOWN)
			continue;
		printf("%s %s %s", shown++ ? "," : "luo:       ", lugate_layer_name(t->compat_layer[k]), t->compat[k]);
	}
	if (shown)
		printf("\n");
}

int cmd_inspect(int argc, char **argv)
{
	struct cli_target t;
	bool json;
	const char *path;
	int rc;

	if (!cli_json_file_args(argc, argv, usage, &json, &path, &rc))
		return rc;
	if (!cli_target_open(path, true, &t))
		return EXIT_INPUT;
	if (json)
		cli_print_json(inspect_json(&t));
	else
		inspect_text(&t);
	rc = EXIT_ALLOW;
	if (t.manifest_error) {
		cli_error("%s: its manifest (%s) is corrupt: %s", CLI_QPATH(t.path), lugate_carrier_name(t.info.carrier),
			  lugate_strerror(t.manifest_error));
		rc = EXIT_INPUT;
	} else if (!cli_target_usable(&t)) {
		rc = EXIT_INPUT;
	}
	cli_target_free(&t);
	return rc;
}
