// SPDX-License-Identifier: MIT
/* lugate: the kexec-time gate of a Linux live update. Verb dispatch. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

static const struct cli_verb verbs[] = {
	{ "handoff", "build or show a handoff table", cmd_handoff },
	{ "manifest", "build or show a binary manifest", cmd_manifest },
	{ "check", "check a handoff table against a target", cmd_check },
	{ "inspect", "what a kernel image says about itself", cmd_inspect },
	{ "embed", "stamp a manifest into a kernel image", cmd_embed },
	{ "seal", "check, then bind a table to the approved image", cmd_seal },
	{ "load", "check, seal and stage the live update with kexec", cmd_load },
	{ "bundle", "pack or list the kexec -s loader's inputs", cmd_bundle },
	{ "status", "after a jump: which kernel booted and whether it is the sealed one", cmd_status },
	{ "history", "the outcomes of earlier jumps, kept by `status --record`", cmd_history },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fputs("Usage: lugate VERB [OPTIONS]\n\nVerbs:\n", out);
	for (const struct cli_verb *v = verbs; v->name; v++)
		fprintf(out, "  %-10s %s\n", v->name, v->summary);
	fputs("\n`lugate VERB --help` describes a verb. Exit codes: 0 allow/ok, 1 refuse,\n"
	      "2 usage error or unreadable/corrupt input, 3 the system refused an action.\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_INPUT;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_ALLOW;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("lugate " LUGATE_VERSION);
		return EXIT_ALLOW;
	}
	for (const struct cli_verb *v = verbs; v->name; v++)
		if (strcmp(argv[1], v->name) == 0)
			return v->run(argc - 1, argv + 1);
	cli_error("unknown verb '%s' (try `lugate --help`)", CLI_Q(argv[1]));
	return EXIT_INPUT;
}
