// SPDX-License-Identifier: MIT
/* Printing a verdict, the same way for `check`, `seal` and `load`. */
#include <stdio.h>
#include "cli.h"
#include "verdict.h"

static struct json_object *reason_json(const struct lugate_reason *r)
{
	struct json_object *o = json_object_new_object();
	char msg[512], addr[LUGATE_PCI_TEXT_LEN + 1];

	json_object_object_add(o, "code", json_object_new_string(lugate_reason_name(r->code)));
	if (r->has_device) {
		lugate_pci_format(r->device, addr);
		json_object_object_add(o, "device", json_object_new_string(addr));
	}
	if (r->code == LUGATE_REASON_COMPAT_MISSING) {
		json_object_object_add(o, "compatible", r->subject ? json_object_new_string(r->subject) : NULL);
		json_object_object_add(o, "layer", json_object_new_string(lugate_layer_name(r->layer)));
		json_object_object_add(o, "consequence", json_object_new_string(lugate_layer_consequence(r->layer)));
		if (r->session)
			json_object_object_add(o, "session", json_object_new_string(r->session));
		if (r->has_token)
			json_object_object_add(o, "token", json_object_new_uint64(r->token));
		json_object_object_add(o, "compiled_only", json_object_new_boolean(r->compiled_only));
	}
	if (r->code == LUGATE_REASON_PAGE_SIZE_CHANGE) {
		json_object_object_add(o, "outgoing_page_size", json_object_new_int64(r->from_page_size));
		json_object_object_add(o, "target_page_size", json_object_new_int64(r->to_page_size));
	}
	lugate_reason_format(r, msg, sizeof(msg));
	json_object_object_add(o, "message", json_object_new_string(msg));
	return o;
}

struct json_object *cli_verdict_json(const struct lugate_verdict *v)
{
	struct json_object *o = json_object_new_object(), *reasons = json_object_new_array();

	json_object_object_add(o, "verdict", json_object_new_string(v->decision == LUGATE_ALLOW ? "allow" : "refuse"));
	json_object_object_add(o, "outgoing", v->outgoing ? json_object_new_string(v->outgoing) : NULL);
	json_object_object_add(o, "target", v->target ? json_object_new_string(v->target) : NULL);
	json_object_object_add(o, "path", json_object_new_string(lugate_path_name(v->path)));
	json_object_object_add(o, "devices", json_object_new_int64(v->device_count));
	for (size_t i = 0; i < v->reason_count; i++)
		json_object_array_add(reasons, reason_json(&v->reasons[i]));
	json_object_object_add(o, "reasons", reasons);
	if (v->reason_total > v->reason_count)
		json_object_object_add(o, "reasons_omitted", json_object_new_int64((int64_t)(v->reason_total - v->reason_count)));
	return o;
}

void cli_verdict_print(const struct lugate_verdict *v, FILE *out)
{
	char msg[512], addr[LUGATE_PCI_TEXT_LEN + 1];

	if (v->decision == LUGATE_ALLOW) {
		fprintf(out, "allow: %s -> %s (%s), %u preserved device%s supported\n", v->outgoing, v->target,
			lugate_path_name(v->path), v->device_count, v->device_count == 1 ? "" : "s");
		return;
	}
	fprintf(out, "refuse: %s -> %s, %zu reason%s\n", v->outgoing ? v->outgoing : "?",
		v->target ? v->target : "?", v->reason_total, v->reason_total == 1 ? "" : "s");
	for (size_t i = 0; i < v->reason_count; i++) {
		const struct lugate_reason *r = &v->reasons[i];
		lugate_reason_format(r, msg, sizeof(msg));
		if (r->has_device) {
			lugate_pci_format(r->device, addr);
			fprintf(out, "  %s %s: %s\n", lugate_reason_name(r->code), addr, msg);
		} else {
			fprintf(out, "  %s: %s\n", lugate_reason_name(r->code), msg);
		}
	}
	if (v->reason_total > v->reason_count)
		fprintf(out, "  ... and %zu more\n", v->reason_total - v->reason_count);
}

int cli_verdict_exit(const struct lugate_verdict *v)
{
	if (v->reason_count && v->reasons[0].code == LUGATE_REASON_TABLE_CORRUPT)
		return EXIT_INPUT;
	if (v->manifest_error)
		return EXIT_INPUT;
	return v->decision == LUGATE_ALLOW ? EXIT_ALLOW : EXIT_REFUSE;
}

int cli_verdict_report(const struct lugate_verdict *v, bool json, bool quiet)
{
	if (json)
		cli_print_json(cli_verdict_json(v));
	else if (!quiet)
		cli_verdict_print(v, stdout);
	return cli_verdict_exit(v);
}
