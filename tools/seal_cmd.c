// SPDX-License-Identifier: MIT
/* `lugate seal`: run the check; on allow, bind the table to the image (and a fallback). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "seal.h"
#include "history.h"
#include "target.h"
#include "verbs.h"
#include "verdict.h"

static const char usage[] =
	"Usage: lugate seal --handoff TABLE --kernel IMAGE [--fallback IMAGE2] [--policy P] -o SEALED [--json]\n"
	"Check the table against the image; on allow, write a table bound to the image's SHA-256\n"
	"(and the fallback's), its release and the policy in force. On refuse write nothing, exit 1.\n";

/* The policy in force: --policy, else the one already sealed in the table, else the default. */
static bool resolve_policy(const struct cli_seal_args *a, const struct lugate_table *t, struct lugate_policy *p)
{
	if (a->policy_path)
		return cli_policy_load(a->policy_path, p);
	if (t->policy_text)
		return lugate_policy_parse(t->policy_text, strlen(t->policy_text), p, NULL) == 0 ||
		       (cli_error("%s: its sealed policy does not parse", CLI_QPATH(a->table_path)), false);
	lugate_policy_default(p);
	return true;
}

static bool build_sealed(const struct lugate_table *t, const struct lugate_verdict *v, const uint8_t *target_sha,
			 const uint8_t *fallback_sha, const char *policy_text, const char *what, uint8_t **out,
			 size_t *out_size)
{
	struct lugate_device *devs = calloc(t->device_count ? t->device_count : 1, sizeof(*devs));
	const char *compat[LUGATE_TABLE_MAX_COMPAT];
	struct lugate_table_spec spec = { 0 };
	int cursor = 0;
	size_t n = 0;
	bool ok;

	if (!devs)
		return cli_error("%s: out of memory", CLI_QPATH(what)), false;
	while (n < t->device_count && lugate_table_next_device(t, &cursor, &devs[n]) == 1)
		n++;
	for (uint32_t i = 0; i < t->compat_count; i++)
		compat[i] = lugate_table_compat(t, i);
	spec.release = t->release;
	spec.compat = compat;
	spec.compat_count = t->compat_count;
	spec.devices = devs;
	spec.device_count = n;
	spec.target_sha256 = target_sha;
	spec.target_release = v->target;
	spec.fallback_sha256 = fallback_sha;
	spec.policy_text = policy_text;
	spec.page_size = t->page_size;
	ok = cli_table_build(&spec, out, out_size, what);
	free(devs);
	return ok;
}

int cli_seal(const struct cli_seal_args *a, uint8_t **sealed, size_t *sealed_size)
{
	struct cli_target target = { 0 }, fallback = { 0 };
	struct lugate_check_input in = { 0 };
	struct lugate_reason *reasons = NULL;
	struct lugate_policy policy;
	struct lugate_verdict v;
	struct lugate_table t;
	uint8_t *own = NULL;
	const uint8_t *table = a->table;
	size_t table_size = a->table_size;
	char policy_text[LUGATE_POLICY_TEXT_MAX + 1], known_bad[64];
	int rc = EXIT_INPUT, err;

	*sealed = NULL;
	if (!table) {
		if (!cli_read_file(a->table_path, LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX, &own, &table_size))
			return EXIT_INPUT;
		table = own;
	}
	err = lugate_table_open(table, table_size, &t);
	if (err) {
		cli_error("%s: not a valid handoff table: %s", CLI_QPATH(a->table_path), lugate_strerror(err));
		goto out;
	}
	if (!resolve_policy(a, &t, &policy) || lugate_policy_format(&policy, policy_text, sizeof(policy_text)) < 0)
		goto out;
	if (!cli_target_open(a->kernel_path, false, &target))
		goto out;
	if (a->fallback_path && !cli_target_open(a->fallback_path, false, &fallback))
		goto out;
	reasons = calloc(CLI_REASON_CAPACITY(t.device_count), sizeof(*reasons));
	if (!reasons) {
		cli_error("out of memory");
		goto out;
	}
	in.table = table;
	in.table_size = table_size;
	in.policy = &policy;
	cli_target_check_input(&target, &in);
	in.target_sha256 = NULL; /* binding the table to this image is the point: no mismatch check */
	in.outgoing = a->outgoing;
	in.outgoing_count = a->outgoing_count;
	for (int pass = 0; pass < 2; pass++) {
		if (a->manifest_only)
			lugate_check(&in, reasons, CLI_REASON_CAPACITY(t.device_count), &v);
		else if (!cli_target_check(&target, &in, reasons, CLI_REASON_CAPACITY(t.device_count), &v))
			goto out; /* the payload decompresses past its declared size: rc is EXIT_INPUT */
		/* a pair whose last jump went bad (`lugate status --record`) is one more input */
		if (pass == 0) {
			int kb = cli_history_known_bad(cli_state_dir(a->state_dir), v.outgoing, NULL, v.target,
						      target.sha256, known_bad, sizeof(known_bad));
			if (kb < 0) {
				rc = EXIT_SYSTEM;
				goto out;
			}
			if (kb == 0)
				break;
			in.known_bad_since = known_bad;
		}
	}
	if (v.manifest_error)
		cli_error("%s: its manifest is corrupt: %s", CLI_QPATH(a->kernel_path), lugate_strerror(v.manifest_error));
	if (a->verdict_json) {
		*a->verdict_json = cli_verdict_json(&v);
		rc = cli_verdict_exit(&v);
	} else {
		rc = cli_verdict_report(&v, a->json, a->quiet);
	}
	if (rc != EXIT_ALLOW)
		goto out;
	if (!build_sealed(&t, &v, target.sha256, a->fallback_path ? fallback.sha256 : NULL, policy_text,
			  a->table_path, sealed, sealed_size))
		rc = EXIT_INPUT;
out:
	free(reasons);
	free(own);
	cli_target_free(&target);
	cli_target_free(&fallback);
	return rc;
}

int cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "handoff", required_argument, NULL, 't' }, { "kernel", required_argument, NULL, 'k' },
		{ "fallback", required_argument, NULL, 'f' }, { "policy", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },  { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_seal_args a = { 0 };
	const char *output = NULL;
	uint8_t *sealed;
	size_t size;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "t:k:f:p:o:jqh", opts)) != -1) {
		switch (c) {
		case 't': a.table_path = optarg; break;
		case 'k': a.kernel_path = optarg; break;
		case 'f': a.fallback_path = optarg; break;
		case 'p': a.policy_path = optarg; break;
		case 'o': output = optarg; break;
		case 'j': a.json = true; break;
		case 'q': a.quiet = true; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (!a.table_path || !a.kernel_path || !output || optind != argc) {
		fputs(usage, stderr);
		return cli_error("seal: --handoff, --kernel and -o are required");
	}
	rc = cli_seal(&a, &sealed, &size);
	if (rc == EXIT_ALLOW && !cli_write_file(output, sealed, size))
		rc = EXIT_INPUT;
	free(sealed);
	return rc;
}
