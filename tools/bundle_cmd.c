// SPDX-License-Identifier: MIT
/* `lugate bundle build|show`: the one initrd the kexec_file loader receives (docs/bundle-format.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/bundle.h>
#include "cli.h"
#include "verbs.h"

static const char usage[] =
	"Usage: lugate bundle build --table T --kernel K [--initrd I] [--append ARGS]\n"
	"                           [--fallback F [--fallback-initrd FI] [--fallback-append ARGS]] -o BUNDLE\n"
	"       lugate bundle show BUNDLE [--json]\n"
	"Pack (or list) what the bzImage64 loader needs into one file, passed as the initrd of\n"
	"`kexec -s`. Every entry carries its SHA-256; the loader verifies them.\n";

struct bundle_file {
	uint32_t role;
	const char *path;        /* file, or NULL */
	const char *text;        /* command line, or NULL */
	uint8_t *data;
	size_t size;
};

int cli_bundle_write(const struct cli_bundle_spec *spec, const char *output)
{
	struct bundle_file f[] = {
		{ LUGATE_BUNDLE_TABLE, spec->table, NULL, NULL, 0 },
		{ LUGATE_BUNDLE_KERNEL, spec->kernel, NULL, NULL, 0 },
		{ LUGATE_BUNDLE_INITRD, spec->initrd, NULL, NULL, 0 },
		{ LUGATE_BUNDLE_CMDLINE, NULL, spec->append, NULL, 0 },
		{ LUGATE_BUNDLE_FALLBACK, spec->fallback, NULL, NULL, 0 },
		{ LUGATE_BUNDLE_FALLBACK_INITRD, spec->fallback_initrd, NULL, NULL, 0 },
		{ LUGATE_BUNDLE_FALLBACK_CMDLINE, NULL, spec->fallback_append, NULL, 0 },
	};
	struct lugate_bundle_input in[sizeof(f) / sizeof(f[0])];
	uint32_t n = 0;
	uint64_t needed = 0;
	uint8_t *buf = NULL;
	int rc = EXIT_INPUT;
	long long len;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].path) {
			if (!cli_read_file(f[i].path, (size_t)2 << 30, &f[i].data, &f[i].size))
				goto out;
			if (f[i].size == 0) {
				cli_error("%s: empty file", CLI_QPATH(f[i].path));
				goto out;
			}
			in[n++] = (struct lugate_bundle_input){ f[i].role, f[i].data, f[i].size };
		} else if (f[i].text && f[i].text[0]) {
			in[n++] = (struct lugate_bundle_input){ f[i].role, f[i].text, strlen(f[i].text) };
		}
	}
	len = lugate_bundle_build(NULL, 0, in, n, &needed);
	if (len == LUGATE_ERR_NOSPACE && (buf = malloc(needed)) != NULL)
		len = lugate_bundle_build(buf, needed, in, n, NULL);
	if (len < 0) {
		if (len == LUGATE_ERR_BADSTRING)
			cli_error("%s: a command line must be printable ASCII, at most %u characters", CLI_QPATH(output),
				  LUGATE_BUNDLE_CMDLINE_MAX);
		else
			cli_error("%s: cannot build the bundle: %s", CLI_QPATH(output), lugate_strerror((int)len));
		goto out;
	}
	if (cli_write_file(output, buf, (size_t)len))
		rc = EXIT_ALLOW;
out:
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		free(f[i].data);
	free(buf);
	return rc;
}

static int bundle_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "table", required_argument, NULL, 't' },   { "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },  { "append", required_argument, NULL, 'a' },
		{ "fallback", required_argument, NULL, 'f' }, { "fallback-initrd", required_argument, NULL, 'F' },
		{ "fallback-append", required_argument, NULL, 'A' }, { "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct cli_bundle_spec spec = { 0 };
	const char *output = NULL;
	int c;

	while ((c = cli_getopt(argc, argv, "t:k:i:a:f:F:A:o:h", opts)) != -1) {
		switch (c) {
		case 't': spec.table = optarg; break;
		case 'k': spec.kernel = optarg; break;
		case 'i': spec.initrd = optarg; break;
		case 'a': spec.append = optarg; break;
		case 'f': spec.fallback = optarg; break;
		case 'F': spec.fallback_initrd = optarg; break;
		case 'A': spec.fallback_append = optarg; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (!spec.table || !spec.kernel || !output || optind != argc) {
		fputs(usage, stderr);
		return cli_error("bundle build: --table, --kernel and -o are required");
	}
	if (!spec.fallback && (spec.fallback_initrd || spec.fallback_append))
		return cli_error("bundle build: --fallback-initrd and --fallback-append need --fallback");
	return cli_bundle_write(&spec, output);
}

static int bundle_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct lugate_bundle b;
	bool json = false;
	uint8_t *blob;
	size_t size;
	int c, err, rc = EXIT_ALLOW;

	while ((c = cli_getopt(argc, argv, "jh", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return EXIT_INPUT;
	}
	if (!cli_read_file(argv[optind], (size_t)4 << 30, &blob, &size))
		return EXIT_INPUT;
	err = lugate_bundle_open(blob, size, &b);
	if (err) {
		free(blob);
		return cli_error("%s: not a valid bundle: %s", CLI_QPATH(argv[optind]), lugate_strerror(err));
	}
	struct json_object *arr = json_object_new_array();
	for (uint32_t i = 0; i < b.entry_count; i++) {
		const struct lugate_bundle_entry *e = &b.entry[i];
		char hex[2 * LUGATE_SHA256_SIZE + 1];
		bool ok = lugate_bundle_verify(e, NULL) == 0;
		lugate_hex_format(e->sha256, LUGATE_SHA256_SIZE, hex);
		if (!ok) {
			cli_error("%s: %s entry does not match its SHA-256", CLI_QPATH(argv[optind]), lugate_bundle_role_name(e->role));
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
