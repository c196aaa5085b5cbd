// SPDX-License-Identifier: MIT
/* `lugate check`: the admins' pre-flight — the very check the loader repeats. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"
#include "history.h"
#include "outgoing.h"
#include "target.h"
#include "verdict.h"

static const char usage[] =
	"Usage: lugate check --handoff TABLE (--manifest MANIFEST | --kernel IMAGE) [--policy FILE]\n"
	"                    [--outgoing-image IMAGE0] [--state-dir DIR] [--json] [-q]\n"
	"Check a handoff table against a target kernel's manifest under the version policy.\n"
	"  --handoff TABLE    handoff table (sealed or not)\n"
	"  --manifest FILE    the target's manifest (JSON source or binary form)\n"
	"  --kernel IMAGE     the target image: its manifest, release and hash (see `lugate inspect`)\n"
	"  --policy FILE      version policy (docs/policy.md); default: sealed policy, else same+stable-next\n"
	"  --outgoing-image IMAGE0  the outgoing kernel's image: the target must revive the file handlers\n"
	"                     and FLBs compiled into it too, unless the policy says `may-lack`\n"
	"  --state-dir DIR    the jump history (default $LUGATE_STATE_DIR, else /var/lib/lugate): a pair\n"
	"                     whose last jump went bad is refused (known-bad)\n"
	"  --json             machine-readable verdict\n"
	"  -q, --quiet        print nothing; the exit code says it\n"
	"Exit: 0 allow, 1 refuse, 2 usage error or unreadable/corrupt input, 3 unreadable history.\n";

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "handoff", required_argument, NULL, 't' }, { "manifest", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },  { "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },          { "quiet", no_argument, NULL, 'q' },
		{ "state-dir", required_argument, NULL, 's' }, { "outgoing-image", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	const char *table_path = NULL, *manifest_path = NULL, *kernel_path = NULL, *policy_path = NULL;
	const char *state_dir = NULL, *outgoing_path = NULL;
	struct cli_outgoing_image outgoing = { 0 };
	char known_bad[64];
	struct lugate_check_input in = { 0 };
	struct lugate_policy policy;
	struct lugate_verdict v;
	struct lugate_reason *reasons = NULL;
	uint8_t *table = NULL, *manifest = NULL;
	size_t table_size = 0, manifest_size = 0;
	struct cli_target target = { 0 };
	bool json = false, quiet = false;
	int c, rc = EXIT_INPUT;

	while ((c = cli_getopt(argc, argv, "t:m:k:p:s:jqh", opts)) != -1) {
		switch (c) {
		case 't': table_path = optarg; break;
		case 'm': manifest_path = optarg; break;
		case 'k': kernel_path = optarg; break;
		case 'p': policy_path = optarg; break;
		case 's': state_dir = optarg; break;
		case 'O': outgoing_path = optarg; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (!table_path || optind != argc || !!manifest_path + !!kernel_path != 1) {
		fputs(usage, stderr);
		return cli_error("check: --handoff and exactly one of --manifest or --kernel are required");
	}
	if (policy_path) {
		if (!cli_policy_load(policy_path, &policy))
			return EXIT_INPUT;
		in.policy = &policy;
	}
	if (!cli_read_file(table_path, LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX, &table, &table_size))
		return EXIT_INPUT;
	if (kernel_path) {
		if (!cli_target_open(kernel_path, false, &target))
			goto out;
		cli_target_check_input(&target, &in);
	} else {
		if (!cli_manifest_load(manifest_path, &manifest, &manifest_size))
			goto out;
		in.manifest = manifest;
		in.manifest_size = manifest_size;
	}
	in.table = table;
	in.table_size = table_size;
	if (outgoing_path) {
		struct lugate_table t;

		/* a table that does not open is the check's table-corrupt; the image is still read */
		if (cli_outgoing_image_open(outgoing_path, lugate_table_open(table, table_size, &t) == 0 ? t.release : NULL,
					    &outgoing) != 0)
			goto out;
		in.outgoing = outgoing.formats;
		in.outgoing_count = outgoing.count;
	}
	reasons = calloc(CLI_REASON_CAPACITY(LUGATE_TABLE_MAX_DEVICES), sizeof(*reasons));
	if (!reasons) {
		cli_error("out of memory");
		goto out;
	}
	rc = cli_target_check_with_history(kernel_path ? &target : NULL, &in, reasons,
					    CLI_REASON_CAPACITY(LUGATE_TABLE_MAX_DEVICES), state_dir, in.target_sha256,
					    known_bad, &v);
	if (rc != EXIT_ALLOW)
		goto out;
	if (v.reason_count && v.reasons[0].code == LUGATE_REASON_TABLE_CORRUPT)
		cli_error("%s: not a valid handoff table: %s", CLI_QPATH(table_path), lugate_strerror(v.reasons[0].error));
	else if (v.manifest_error)
		cli_error("%s: its manifest is corrupt: %s", CLI_QPATH(kernel_path ? kernel_path : manifest_path),
			  lugate_strerror(v.manifest_error));
	rc = cli_verdict_report(&v, json, quiet);
out:
	cli_target_free(&target);
	cli_outgoing_image_free(&outgoing);
	free(reasons);
	free(table);
	free(manifest);
	return rc;
}
