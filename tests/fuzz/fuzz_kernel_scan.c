// SPDX-License-Identifier: MIT
/*
 * Fuzz the scan of a kernel for the KHO/LUO format strings it revives and the LUO handlers and
 * FLBs compiled into it (tools/decompress.c, cli_scan_compat_layers), as `lugate check --kernel`,
 * `seal`, `inspect` and `load` (the outgoing image) run it on a payload.
 * It reports at most CLI_SCAN_MAX distinct strings, each "<family>-v<digits>" (or a handler's or
 * FLB's "<name>-v<digits>") of at most LUGATE_COMPAT_MAX characters, each a whole C string of the
 * scanned bytes that starts at the start or after a byte that is not printable ASCII; a layer
 * only for a string found in a handler's or FLB's record.
 * fuzz_decompress feeds it decompressed payloads; this harness gives it raw bytes, fast.
 */
#include "fuzz_cli.h"

/* A handler's or FLB's record: at an 8-byte aligned offset, after a kernel address, the string
 * NUL-padded to 48 bytes, then at least 32 zero bytes. */
static bool record_of(const uint8_t *p, size_t n, const char *s)
{
	size_t len = strlen(s);

	for (size_t at = 8; at + 48 + 32 <= n; at += 8) {
		bool zeros = true;
		if (p[at - 1] != 0xff || p[at - 2] != 0xff || memcmp(p + at, s, len) != 0)
			continue;
		for (size_t k = at + len; k < at + 48 + 32; k++)
			zeros = zeros && p[k] == 0;
		if (zeros)
			return true;
	}
	return false;
}

static void scan_properties(const uint8_t *p, size_t n)
{
	char found[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];
	uint8_t layers[CLI_SCAN_MAX];
	size_t count = cli_scan_compat_layers(p, n, found, layers, CLI_SCAN_MAX);

	fuzz_check_scanned(p, n, found, count);
	for (size_t i = 0; i < count; i++) {
		/* a layer is read only from a record, and only a handler's or an FLB's */
		FUZZ_ASSERT(layers[i] == LUGATE_LAYER_UNKNOWN || layers[i] == LUGATE_LAYER_FILE_HANDLER ||
			    layers[i] == LUGATE_LAYER_FLB);
		FUZZ_ASSERT(layers[i] == LUGATE_LAYER_UNKNOWN || record_of(p, n, found[i]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scan_properties(data, size);
	return 0;
}
