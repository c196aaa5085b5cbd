// SPDX-License-Identifier: MIT
/*
 * Fuzz the manifest's JSON source form (tools/json_input.c, cli_manifest_from_json), the
 * way `lugate manifest build`, `check --manifest` and `embed` read it.
 *
 * Whatever it accepts becomes a binary manifest that lugate_manifest_open accepts, with the
 * JSON's release; printed back as JSON (cli_manifest_to_json, what `manifest show` prints)
 * and read again, it gives the very same bytes. No accepted input has a key twice in any
 * object (fuzz_json.h checks that on its own).
 */
#include "fuzz.h"
#include "fuzz_json.h"
#include "fuzz_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lugate_manifest m, m2;
	struct json_object *shown;
	uint8_t *blob, *blob2;
	size_t blob_size, blob2_size;
	const char *text;

	if (!cli_manifest_from_json((const char *)data, size, "fuzz.json", &blob, &blob_size))
		return 0;
	fuzz_json_assert_unique_keys((const char *)data, size);
	FUZZ_ASSERT(lugate_manifest_open(blob, blob_size, &m) == 0);
	FUZZ_ASSERT(m.schema_count <= LUGATE_MANIFEST_MAX_SCHEMAS && m.compat_count <= LUGATE_MANIFEST_MAX_COMPAT);

	shown = cli_manifest_to_json(&m);
	text = json_object_to_json_string_ext(shown, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	FUZZ_ASSERT(text);
	FUZZ_ASSERT(cli_manifest_from_json(text, strlen(text), "shown.json", &blob2, &blob2_size));
	FUZZ_ASSERT(blob2_size == blob_size && memcmp(blob, blob2, blob_size) == 0);
	FUZZ_ASSERT(lugate_manifest_open(blob2, blob2_size, &m2) == 0 && strcmp(m2.release, m.release) == 0);
	json_object_put(shown);
	free(blob2);
	free(blob);
	return 0;
}
