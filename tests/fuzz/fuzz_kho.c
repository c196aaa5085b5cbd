// SPDX-License-Identifier: MIT
/*
 * Fuzz lugate_kho_root_compat (lugate/kho.h), the outgoing kernel's KHO format as the loader
 * reads it from the tree kexec_file hands over (a whole tree, through libfdt) and as `lugate`
 * reads it from debugfs' kho/out/fdt and LUO's sub-FDT (a prefix, byte by byte, at any
 * address: the input is also read one byte in).
 * An answer is an error and "", or one token of 1..47 printable characters without a space;
 * a whole tree's answer is also the answer for that tree with bytes appended (an area larger
 * than the tree, as KHO hands over a page).
 */
#include <lugate/kho.h>
#include "fuzz.h"

static void token_or_nothing(int err, const char *out)
{
	size_t len = strnlen(out, LUGATE_COMPAT_MAX + 1);

	if (err < 0) {
		FUZZ_ASSERT(len == 0);
		return;
	}
	FUZZ_ASSERT(err == 0);
	FUZZ_ASSERT(len >= 1 && len <= LUGATE_COMPAT_MAX);
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(out[i] > ' ' && out[i] <= '~');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char whole[LUGATE_COMPAT_MAX + 1], more[LUGATE_COMPAT_MAX + 1], prefix[LUGATE_COMPAT_MAX + 1];
	int err_whole, err;
	uint8_t *padded;

	err_whole = lugate_kho_root_compat(data, size, LUGATE_KHO_WHOLE, whole);
	token_or_nothing(err_whole, whole);
	err = lugate_kho_root_compat(data, size, LUGATE_KHO_PREFIX, prefix);
	token_or_nothing(err, prefix);
	if (size > 1) {
		err = lugate_kho_root_compat(data + 1, size - 1, LUGATE_KHO_PREFIX, prefix);
		token_or_nothing(err, prefix);
	}
	if (err_whole == 0 && size + 64 <= LUGATE_KHO_FDT_MAX) {
		padded = calloc(1, size + 64);
		if (!padded)
			abort();
		memcpy(padded, data, size);
		FUZZ_ASSERT(lugate_kho_root_compat(padded, size + 64, LUGATE_KHO_WHOLE, more) == 0);
		FUZZ_ASSERT(strcmp(more, whole) == 0);
		free(padded);
	}
	return 0;
}
