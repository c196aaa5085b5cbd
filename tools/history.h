/* SPDX-License-Identifier: MIT */
/*
 * The memory of version pairs: after each jump `lugate status --record` appends its outcome,
 * and `check`/`load` refuse a pair whose last outcome was bad (reason known-bad).
 *
 * One file, STATE_DIR/history, one record a line: 16 hex digits (the first 8 bytes of the
 * SHA-256 of the rest of the line), a space, a compact JSON object, "\n". Appends are one
 * write() under flock(STATE_DIR/history.lock) followed by fsync; a failed or short write is cut
 * off again. A line whose checksum does not match (a torn write, a crash, a bad disk) is
 * skipped and reported, never trusted. Past CLI_HISTORY_MAX records the file is rewritten
 * (temp file, fsync, rename) with the newest ones only.
 */
#ifndef LUGATE_TOOLS_HISTORY_H
#define LUGATE_TOOLS_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define CLI_HISTORY_MAX 200u
#define CLI_HISTORY_LINE_MAX 4096u
#define CLI_STATE_DIR_DEFAULT "/var/lib/lugate"

/* --state-dir, else $LUGATE_STATE_DIR, else /var/lib/lugate. */
const char *cli_state_dir(const char *option);

/* Append one record (a JSON object; "time" is added). Prints errors; false on failure, and
 * then the file is as it was. */
bool cli_history_append(const char *state_dir, struct json_object *rec);

/* Every intact record, oldest first (a JSON array the caller owns); *skipped counts torn or
 * corrupt lines (reported on stderr unless quiet). A missing file is an empty history.
 * Returns false (error printed) only when the file exists and cannot be read. */
bool cli_history_load(const char *state_dir, struct json_object **records, size_t *skipped, bool quiet);

/* The date ("2026-12-04T18:41:55Z") the pair outgoing -> target last failed, if its latest
 * record is bad; hashes (32 bytes) may be NULL when unknown, and then match anything.
 * Returns 1 (known bad; date in buf), 0 (not), -1 (the history cannot be read; printed). */
int cli_history_known_bad(const char *state_dir, const char *outgoing, const uint8_t *outgoing_sha256,
			  const char *target, const uint8_t *target_sha256, char *buf, size_t size);

#endif
