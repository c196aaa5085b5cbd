// SPDX-License-Identifier: MIT
/*
 * Fuzz the decompression of a bzImage payload (tools/decompress.c, cli_decompress: gzip,
 * bzip2, lzma, xz, lz4, zstd through Debian's libraries; the first input byte picks one) as
 * `lugate check --kernel`, `seal` and `inspect` run it, then the scan of what came out.
 * It either fails with a message, in bounded time, or returns a buffer of the size it says.
 * Slower than the rest: each call sets up a library's decoder (liblzma's dictionary, bzip2's
 * block buffers) and an output buffer of at least 64 KiB.
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cli_quiet_errors(true); /* every bad input would print its one-line error */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *plain = NULL;
	size_t plain_size = 0;
	const char *err;

	if (size < 1)
		return 0;
	scan_properties(data + 1, size - 1);
	err = cli_decompress((enum lugate_compression)(1 + data[0] % 6), data + 1, size - 1, &plain, &plain_size);
	if (err) {
		FUZZ_ASSERT(*err);
		return 0;
	}
	FUZZ_ASSERT(plain || plain_size == 0);
	scan_properties(plain, plain_size); /* reads every byte: ASan sees a buffer shorter than said */
	free(plain);
	return 0;
}
