// SPDX-License-Identifier: MIT
/* The command-line rule; see include/lugate/cmdline.h. */
#include <lugate/cmdline.h>
#include <lugate/error.h>

size_t lugate_cmdline_bad_at(const char *s, size_t len)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			return i;
	}
	return len;
}

uint32_t lugate_cmdline_limit(uint32_t cmdline_size)
{
	return cmdline_size && cmdline_size < LUGATE_CMDLINE_MAX ? cmdline_size : LUGATE_CMDLINE_MAX;
}

int lugate_cmdline_check(const char *s, size_t len, uint32_t cmdline_size)
{
	if (!s && len)
		return LUGATE_ERR_INVAL;
	if (lugate_cmdline_bad_at(s, len) != len)
		return LUGATE_ERR_BADSTRING;
	if (len > lugate_cmdline_limit(cmdline_size))
		return LUGATE_ERR_RANGE;
	return 0;
}
