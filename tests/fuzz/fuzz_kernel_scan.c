// SPDX-License-Identifier: MIT
/*
 * Fuzz the scan of a kernel for the KHO/LUO format strings it revives (tools/decompress.c,
 * cli_scan_compat), as `lugate check --kernel`, `seal` and `inspect` run it on a payload.
 * It reports at most CLI_SCAN_MAX distinct strings, each "<family>-v<digits>" of at most
 * LUGATE_COMPAT_MAX characters, each a whole C string of the scanned bytes that starts at
 * the start or after a byte that is not printable ASCII.
 * fuzz_decompress feeds it decompressed payloads; this harness gives it raw bytes, fast.
 */
#include "fuzz.h"
#include "../../tools/target.h"

static void scan_properties(const uint8_t *p, size_t n)
{
	char found[CLI_SCAN_MAX][LUGATE_COMPAT_MAX + 1];
	size_t count = cli_scan_compat(p, n, found, CLI_SCAN_MAX);

	FUZZ_ASSERT(count <= CLI_SCAN_MAX);
	for (size_t i = 0; i < count; i++) {
		size_t len = strnlen(found[i], sizeof(found[i]));
		const char *v = strstr(found[i], "-v");
		bool hit = false;

		FUZZ_ASSERT(len > 0 && len <= LUGATE_COMPAT_MAX);
		FUZZ_ASSERT(v && v[2] >= '0' && v[2] <= '9');
		for (size_t j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(found[i], found[j]) != 0);
		/* a whole C string of the input: at the start or after a byte that is not printable
		 * ASCII (a NUL, or a pointer's last byte before a char array in a struct) */
		for (size_t at = 0; at + len < n && !hit; at++)
			hit = (at == 0 || p[at - 1] < 0x20 || p[at - 1] > 0x7e) && memcmp(p + at, found[i], len + 1) == 0;
		FUZZ_ASSERT(hit);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scan_properties(data, size);
	return 0;
}
