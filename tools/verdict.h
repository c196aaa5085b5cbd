/* SPDX-License-Identifier: MIT */
#ifndef LUGATE_TOOLS_VERDICT_H
#define LUGATE_TOOLS_VERDICT_H

#include <stdio.h>
#include "cli.h"

/* Room for reasons: every device could fail, plus the release/compat/image reasons. */
#define CLI_REASON_CAPACITY(devices) ((size_t)(devices) + LUGATE_TABLE_MAX_COMPAT + 8)

struct json_object *cli_verdict_json(const struct lugate_verdict *v);
void cli_verdict_print(const struct lugate_verdict *v, FILE *out);
/* 0 allow, 1 refuse, 2 when the table or manifest was corrupt. */
int cli_verdict_exit(const struct lugate_verdict *v);
/* Print (JSON, text, or nothing when quiet) and return the exit code. */
int cli_verdict_report(const struct lugate_verdict *v, bool json, bool quiet);

#endif
