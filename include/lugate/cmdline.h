/* SPDX-License-Identifier: MIT */
/*
 * The one rule for a kernel command line lugate stages or packs: what `lugate load` passes to
 * kexec, what `lugate bundle build` writes into a bundle and what a bundle may carry. A line
 * that breaks it is refused before anything is staged, never found out by the loader after
 * `kexec -e` (when all it can do is stop or boot the fallback).
 *
 *   - every byte printable ASCII (0x20..0x7e): no NUL, no tab, newline or other control
 *     character, nothing above 0x7e (a multiboot module string and the loader's log are
 *     plain text; the kernel's own parser splits at white space it does not expect here);
 *   - at most cmdline_size characters, the limit the target's bzImage setup header declares
 *     (struct lugate_bzimage.cmdline_size, without the NUL): the loader cannot place a longer
 *     line for that kernel. 0 means the image states no limit;
 *   - at most LUGATE_CMDLINE_MAX characters in any case (what a bundle entry and the loader's
 *     buffers hold).
 *
 * The empty line (len 0) is valid: the kernel boots with no arguments.
 */
#ifndef LUGATE_CMDLINE_H
#define LUGATE_CMDLINE_H

#include <lugate/types.h>

#define LUGATE_CMDLINE_MAX 4096u

/*
 * Check s[0..len) (not NUL-terminated; s may be NULL only when len is 0). Returns 0,
 * LUGATE_ERR_BADSTRING (a byte outside printable ASCII: see lugate_cmdline_bad_at),
 * or LUGATE_ERR_RANGE (longer than cmdline_size or LUGATE_CMDLINE_MAX: see
 * lugate_cmdline_limit). A bad byte is reported before a bad length.
 */
int lugate_cmdline_check(const char *s, size_t len, uint32_t cmdline_size);

/* The offset of the first byte outside printable ASCII, or len if there is none. */
size_t lugate_cmdline_bad_at(const char *s, size_t len);

/* The longest line the rule allows for an image declaring cmdline_size. */
uint32_t lugate_cmdline_limit(uint32_t cmdline_size);

#endif
