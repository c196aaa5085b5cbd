// SPDX-License-Identifier: MIT
/* `lugate manifest build|show`: the binary manifest from its JSON source, and back. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

static const char usage[] =
	"Usage: lugate manifest build MANIFEST.json -o MANIFEST.bin\n"
	"       lugate manifest show MANIFEST(.json|.bin)\n"
	"Convert a manifest's JSON source form to the binary form images carry\n"
	"(docs/manifest-format.md), or print a manifest as JSON.\n";

int cmd_manifest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	struct lugate_manifest m;
	uint8_t *blob;
	size_t size;
	bool build;
	int c, rc = EXIT_INPUT;

	if (argc < 2 || (strcmp(argv[1], "build") != 0 && strcmp(argv[1], "show") != 0)) {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
			return fputs(usage, stdout), EXIT_ALLOW;
		fputs(usage, stderr);
		return cli_error("manifest: expected 'build' or 'show'");
	}
	build = strcmp(argv[1], "build") == 0;
	argc--;
	argv++;
	while ((c = cli_getopt(argc, argv, "o:h", opts)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (optind + 1 != argc || (build && !output) || (!build && output)) {
		fputs(usage, stderr);
		return EXIT_INPUT;
	}
	if (!cli_manifest_load(argv[optind], &blob, &size))
		return EXIT_INPUT;
	if (build) {
		rc = cli_write_file(output, blob, size) ? EXIT_ALLOW : EXIT_INPUT;
	} else if (lugate_manifest_open(blob, size, &m) == 0) {
		cli_print_json(cli_manifest_to_json(&m));
		rc = EXIT_ALLOW;
	}
	free(blob);
	return rc;
}
