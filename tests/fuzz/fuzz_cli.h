/* SPDX-License-Identifier: MIT */
/*
 * Shared bits of the harnesses that fuzz the CLI's own parsers and scans (tools/): errors kept
 * quiet, and the properties every compatible string the kernel scan reports must have.
 */
#ifndef LUGATE_FUZZ_CLI_H
#define LUGATE_FUZZ_CLI_H

#include <stdbool.h>
#include "fuzz.h"
#include "../../tools/target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cli_quiet_errors(true); /* every bad input would print its one-line error */
	return 0;
}

/* What the scan reports of p[0..n): at most CLI_SCAN_MAX distinct strings, each ending in
 * "-v<digits>", each a whole C string of the input. */
static inline void fuzz_check_scanned(const uint8_t *p, size_t n, char found[][LUGATE_COMPAT_MAX + 1], size_t count)
{
	FUZZ_ASSERT(count <= CLI_SCAN_MAX);
	for (size_t i = 0; i < count; i++) {
		size_t len = strnlen(found[i], LUGATE_COMPAT_MAX + 1);
		size_t d = len;
		bool hit = false;

		FUZZ_ASSERT(len > 0 && len <= LUGATE_COMPAT_MAX);
		/* it ends in "-v<digits>" (a handler's own name may hold another "-v" before) */
		while (d > 0 && found[i][d - 1] >= '0' && found[i][d - 1] <= '9')
			d--;
		FUZZ_ASSERT(d < len && d >= 2 && found[i][d - 1] == 'v' && found[i][d - 2] == '-');
		for (size_t j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(found[i], found[j]) != 0);
		/* a whole C string of the input: at the start or after a byte that is not printable
		 * ASCII (a NUL, or a pointer's last byte before a char array in a struct) */
		for (size_t at = 0; at + len < n && !hit; at++)
			hit = (at == 0 || p[at - 1] < 0x20 || p[at - 1] > 0x7e) && memcmp(p + at, found[i], len + 1) == 0;
		FUZZ_ASSERT(hit);
	}
}

#endif
