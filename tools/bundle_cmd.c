// SPDX-License-Identifier: MIT
/* `lugate bundle build|show`: the one initrd the kexec_file loader receives (docs/bundle-format.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/bundle.h>
#include "cli.h"
#include "stage.h"
#include "target.h"
#include "verbs.h"
#include "verdict.h"

static const char usage[] =
	"Usage: lugate bundle build --table SEALED --kernel K [--initrd I] [--append ARGS]\n"
	"                           [--fallback F [--fallback-initrd FI] [--fallback-append ARGS]]\n"
	"                           [--allow-refused-target] -o BUNDLE\n"
	"       lugate bundle show BUNDLE [--json]\n"
	"Pack (or list) what the kexec_file loader needs into one file, passed as the initrd of\n"
	"`kexec -s` (build/loader.bzImage) or of build/loader.arm64. Every entry carries its\n"
	"SHA-256; the loader verifies them.\n"
	"build first runs what the loader will: the table must be sealed (`lugate seal`), the kernel\n"
	"and fallback both bootable 64-bit bzImages or both arm64 Images, each command line\n"
	"printable ASCII within its kernel's cmdline_size (arm64: 2047) (the fallback boots with\n"
	"--fallback-append, else --append), and the\n"
	"check must allow the kernel (its hash the sealed one, its manifest the table's needs) and\n"
	"the fallback must match the sealed fallback hash. Nothing is written otherwise.\n"
	"  --allow-refused-target  build even though the loader will refuse the target (or the\n"
	"                     fallback's hash), to test that refusal; the reasons are still printed\n"
	"Exit: 0 built, 1 the loader would refuse (reasons as `lugate check` prints them), 2 bad input.\n";

struct bundle_args {
	const char *table, *kernel, *initrd, *append, *fallback, *fallback_initrd, *fallback_append, *output;
	bool allow_refused;
};

/* The table: well-formed and sealed, as the loader's gate requires. */
static bool read_table(const char *path, uint8_t **blob, size_t *size)
{
	struct lugate_table t;
	int err;

	if (!cli_read_file(path, LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX, blob, size))
		return false;
	err = lugate_table_open(*blob, *size, &t);
	if (err)
		return cli_error("%s: not a valid handoff table: %s", path, lugate_strerror(err)), false;
	if (!t.sealed)
		return cli_error("%s: the table is not sealed to a target image (run `lugate seal`); "
				 "the loader refuses an unsealed table", path), false;
	return true;
}

/*
 * The check as the loader will run it: the sealed table and policy, the target's manifest
 * alone (the loader cannot decompress a kernel to scan it), its SHA-256 against the sealed
 * one; then the fallback's hash against the sealed fallback hash. The KHO format the
 * outgoing kernel will show at the jump is not known here: the loader still checks it.
 * Returns EXIT_ALLOW, EXIT_REFUSE (printed as `check` prints it) or EXIT_INPUT.
 */
static int loader_verdict(const struct bundle_args *a, const uint8_t *table, size_t table_size,
			  struct cli_target *kernel, const struct cli_target *fallback)
{
	struct lugate_check_input in = { 0 };
	struct lugate_reason *reasons = calloc(CLI_REASON_CAPACITY(LUGATE_TABLE_MAX_DEVICES), sizeof(*reasons));
	struct lugate_verdict v;
	int rc, fb = 0;

	if (!reasons)
		return cli_error("out of memory");
	cli_target_check_input(kernel, &in);
	in.table = table;
	in.table_size = table_size;
	in.policy = NULL;              /* the policy sealed in the table, as the loader uses */
	in.scanned_compat = NULL;
	in.scanned_compat_count = 0;
	lugate_check(&in, reasons, CLI_REASON_CAPACITY(LUGATE_TABLE_MAX_DEVICES), &v);
	if (v.manifest_error) {
		free(reasons);
		return cli_error("%s: its manifest is corrupt: %s", a->kernel, lugate_strerror(v.manifest_error));
	}
	if (a->fallback)
		fb = lugate_check_fallback(&v.table, fallback->sha256);
	rc = v.decision == LUGATE_ALLOW && fb != LUGATE_ERR_BADHASH ? EXIT_ALLOW : EXIT_REFUSE;
	if (v.decision != LUGATE_ALLOW)
		cli_verdict_print(&v, stdout);
	if (fb == LUGATE_ERR_BADHASH)
		printf("%sfallback-mismatch: %s does not match the fallback hash sealed in the table; the loader "
		       "would stop instead of booting it\n", v.decision == LUGATE_ALLOW ? "refuse: " : "  ", a->fallback);
	free(reasons);
	if (rc == EXIT_REFUSE && a->allow_refused) {
		fprintf(stderr, "lugate: warning: the loader will refuse this bundle's %s (--allow-refused-target)\n",
			v.decision != LUGATE_ALLOW ? "target" : "fallback");
		rc = EXIT_ALLOW;
	}
	return rc;
}

/* Validate everything the loader will, then pack and write; nothing is written on failure. */
static int build(const struct bundle_args *a)
{
	struct cli_target kernel = { 0 }, fallback = { 0 };
	struct cli_bundle_parts parts = { 0 };
	uint8_t *table = NULL, *bundle = NULL;
	size_t table_size = 0, bundle_size = 0;
	uint32_t kernel_cmdline = 0, fallback_cmdline = 0;
	enum lugate_image_format kernel_format, fallback_format;
	const char *fb_line;
	int rc = EXIT_INPUT;

	if (!read_table(a->table, &table, &table_size))
		goto out;
	if (!cli_target_open(a->kernel, false, &kernel) ||
	    !cli_stage_bundle_image("kernel", a->kernel, kernel.data, kernel.size, &kernel_cmdline, &kernel_format))
		goto out;
	if (a->fallback && (!cli_target_open(a->fallback, false, &fallback) ||
			    !cli_stage_bundle_image("fallback", a->fallback, fallback.data, fallback.size,
						    &fallback_cmdline, &fallback_format)))
		goto out;
	/* one loader receives the bundle: it boots one architecture */
	if (a->fallback && fallback_format != kernel_format) {
		cli_error("fallback %s: not the kernel's architecture (%s): one loader boots both",
			  a->fallback, lugate_image_format_name(kernel_format));
		goto out;
	}
	/* the fallback boots with its own line, else with the target's */
	fb_line = a->fallback_append ? a->fallback_append : a->append;
	if (a->append && !cli_stage_cmdline("--append", a->append, strlen(a->append), a->kernel, kernel_cmdline))
		goto out;
	if (a->fallback && fb_line &&
	    !cli_stage_cmdline(a->fallback_append ? "--fallback-append" : "--append (the fallback's too)", fb_line,
			       strlen(fb_line), a->fallback, fallback_cmdline))
		goto out;
	rc = loader_verdict(a, table, table_size, &kernel, &fallback);
	if (rc != EXIT_ALLOW)
		goto out;
	rc = EXIT_INPUT;
	parts.table_name = a->table;
	parts.table = table;
	parts.table_size = table_size;
	parts.kernel_name = a->kernel;
	parts.kernel = kernel.data;
	parts.kernel_size = kernel.size;
	if (a->fallback) {
		parts.fallback_name = a->fallback;
		parts.fallback = fallback.data;
		parts.fallback_size = fallback.size;
	}
	parts.initrd = a->initrd;
	parts.fallback_initrd = a->fallback_initrd;
	parts.append = a->append;
	parts.fallback_append = a->fallback_append;
	if (cli_bundle_pack(&parts, a->output, &bundle, &bundle_size) && cli_write_file(a->output, bundle, bundle_size))
		rc = EXIT_ALLOW;
out:
	cli_target_free(&kernel);
	cli_target_free(&fallback);
	free(table);
	free(bundle);
	return rc;
}

static int bundle_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "table", required_argument, NULL, 't' },   { "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },  { "append", required_argument, NULL, 'a' },
		{ "fallback", required_argument, NULL, 'f' }, { "fallback-initrd", required_argument, NULL, 'F' },
		{ "fallback-append", required_argument, NULL, 'A' }, { "output", required_argument, NULL, 'o' },
		{ "allow-refused-target", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct bundle_args a = { 0 };
	int c;

	while ((c = cli_getopt(argc, argv, "t:k:i:a:f:F:A:o:h", opts)) != -1) {
		switch (c) {
		case 't': a.table = optarg; break;
		case 'k': a.kernel = optarg; break;
		case 'i': a.initrd = optarg; break;
		case 'a': a.append = optarg; break;
		case 'f': a.fallback = optarg; break;
		case 'F': a.fallback_initrd = optarg; break;
		case 'A': a.fallback_append = optarg; break;
		case 'o': a.output = optarg; break;
		case 'R': a.allow_refused = true; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (!a.table || !a.kernel || !a.output || optind != argc) {
		fputs(usage, stderr);
		return cli_error("bundle build: --table, --kernel and -o are required");
	}
	if (!a.fallback && (a.fallback_initrd || a.fallback_append))
		return cli_error("bundle build: --fallback-initrd and --fallback-append need --fallback");
	return build(&a);
}

static int bundle_show(int argc, char **argv)
{
	struct lugate_bundle b;
	bool json;
	uint8_t *blob;
	size_t size;
	const char *path;
	int err, rc = EXIT_ALLOW;

	if (!cli_json_file_args(argc, argv, usage, &json, &path, &rc))
		return rc;
	if (!cli_read_file(path, (size_t)4 << 30, &blob, &size))
		return EXIT_INPUT;
	err = lugate_bundle_open(blob, size, &b);
	if (err) {
		free(blob);
		return cli_error("%s: not a valid bundle: %s", path, lugate_strerror(err));
	}
	struct json_object *arr = json_object_new_array();
	for (uint32_t i = 0; i < b.entry_count; i++) {
		const struct lugate_bundle_entry *e = &b.entry[i];
		char hex[2 * LUGATE_SHA256_SIZE + 1];
		bool ok = lugate_bundle_verify(e, NULL) == 0;
		lugate_hex_format(e->sha256, LUGATE_SHA256_SIZE, hex);
		if (!ok) {
			cli_error("%s: %s entry does not match its SHA-256", path, lugate_bundle_role_name(e->role));
			rc = EXIT_INPUT;
		}
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "role", json_object_new_string(lugate_bundle_role_name(e->role)));
		json_object_object_add(o, "offset", json_object_new_int64((int64_t)e->offset));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)e->size));
		json_object_object_add(o, "sha256", json_object_new_string(hex));
		json_object_object_add(o, "verified", json_object_new_boolean(ok));
		if (e->role == LUGATE_BUNDLE_CMDLINE || e->role == LUGATE_BUNDLE_FALLBACK_CMDLINE)
			json_object_object_add(o, "text", json_object_new_string_len(e->data, (int)e->size));
		json_object_array_add(arr, o);
		if (!json)
			printf("%-16s %10llu bytes at 0x%08llx sha256 %s%s\n", lugate_bundle_role_name(e->role),
			       (unsigned long long)e->size, (unsigned long long)e->offset, hex, ok ? "" : " MISMATCH");
	}
	if (json) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
		json_object_object_add(o, "entries", arr);
		cli_print_json(o);
	} else {
		json_object_put(arr);
	}
	free(blob);
	return rc;
}

int cmd_bundle(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return bundle_build(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return bundle_show(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return fputs(usage, stdout), EXIT_ALLOW;
	fputs(usage, stderr);
	return cli_error("bundle: expected 'build' or 'show'");
}
