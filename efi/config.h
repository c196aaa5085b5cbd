/* SPDX-License-Identifier: MIT */
/*
 * lugate.efi's inputs: a small text file on the ESP (default \lugate\lugate.conf) and the
 * app's load options, which override it. Pure C (no UEFI calls), so it is unit-tested on the
 * host (tests/e2e/efi/config_units.c).
 *
 * The file: one "key = value" per line; blank lines and lines starting with '#' are ignored;
 * the value runs to the end of the line (surrounding blanks dropped; one pair of surrounding
 * double quotes dropped). Keys:
 *   kernel            the target kernel image (x86-64 bzImage with the EFI handover entry)
 *   initrd            its initrd (optional)
 *   table             the sealed handoff table
 *   fallback          the kernel to boot when the check refuses (optional)
 *   fallback-initrd   its initrd (optional)
 *   cmdline           the kernel command line (optional; empty by default)
 *   fallback-cmdline  the fallback's command line (optional; default: cmdline)
 * Paths are on the ESP the app was loaded from: absolute if they start with '\' or '/',
 * otherwise relative to the configuration file's folder; '/' and '\' are both separators.
 *
 * The load options (UCS-2 text, e.g. from the UEFI shell or a Boot#### entry): words
 * key=value with the same keys, plus config=PATH (another configuration file, absolute); a
 * value may be double-quoted to hold blanks (cmdline="console=ttyS0 quiet"). The first word is
 * skipped when it has no '=' (the shell passes the program's own path there).
 *
 * Malformed input (an unknown key, a key given twice in one source, a line without '=', an
 * over-long value, a NUL or control byte) is counted and the first problem kept: the app then
 * refuses (reason bad-config), as the loader does for bad module roles.
 */
#ifndef LUGATE_EFI_CONFIG_H
#define LUGATE_EFI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH "\\lugate\\lugate.conf"
#define CONFIG_VALUE_MAX 4096u       /* bytes with the NUL: a 4095-byte command line */
#define CONFIG_FILE_MAX 65536u
#define CONFIG_ERROR_MAX 160u

enum config_key {
	CFG_KERNEL = 0,
	CFG_INITRD,
	CFG_TABLE,
	CFG_FALLBACK,
	CFG_FALLBACK_INITRD,
	CFG_CMDLINE,
	CFG_FALLBACK_CMDLINE,
	CFG_CONFIG,                  /* load options only: which configuration file */
	CFG_KEY_COUNT
};

struct config {
	bool set[CFG_KEY_COUNT];
	char value[CFG_KEY_COUNT][CONFIG_VALUE_MAX];
	unsigned errors;
	char first_error[CONFIG_ERROR_MAX];
};

const char *config_key_name(enum config_key k);
/* Path-valued keys (resolved against the configuration file's folder). */
bool config_key_is_path(enum config_key k);

void config_init(struct config *c);

/* Parse a configuration file's bytes (need not be NUL-terminated). */
void config_parse_file(struct config *c, const char *text, size_t size);

/* Parse load options already converted to text (NUL-terminated). */
void config_parse_options(struct config *c, const char *text);

/*
 * Convert UCS-2 load options to ASCII text in out (NUL-terminated). Returns false, leaving
 * out empty, if they are not printable text (e.g. the binary data of a Boot#### entry);
 * a terminating NUL character ends the text.
 */
bool config_options_text(const uint16_t *opts, size_t bytes, char *out, size_t out_size);

/* out = file's keys, each overridden by options' if set there; errors of both are summed. */
void config_merge(struct config *out, const struct config *file, const struct config *options);

/*
 * Resolve a path value: '/' becomes '\'; relative paths are taken from the folder of
 * config_path (an absolute ESP path). False if the result does not fit out_size.
 */
bool config_resolve_path(const char *config_path, const char *value, char *out, size_t out_size);

#endif
