// SPDX-License-Identifier: MIT
/*
 * Fuzz lugate.efi's inputs (efi/config.c): its configuration file on the ESP, and its UCS-2
 * load options, as efi/efi_main.c reads them (file, then options, merged; paths resolved).
 * Whatever the bytes: every value stays a terminated string shorter than CONFIG_VALUE_MAX,
 * problems are counted with the first one kept as a terminated one-line message, an input
 * without problems keeps no message, and a resolved path fits and uses only '\'.
 */
#include <stdbool.h>
#include "fuzz.h"
#include "../../efi/config.h"

static struct config file_cfg, opt_cfg, merged;

static void config_properties(const struct config *c)
{
	size_t elen = strnlen(c->first_error, CONFIG_ERROR_MAX);

	FUZZ_ASSERT(elen < CONFIG_ERROR_MAX && !memchr(c->first_error, '\n', elen));
	FUZZ_ASSERT((c->errors == 0) == (elen == 0));
	for (int k = 0; k < CFG_KEY_COUNT; k++) {
		size_t vlen = strnlen(c->value[k], CONFIG_VALUE_MAX);
		FUZZ_ASSERT(vlen < CONFIG_VALUE_MAX);
		FUZZ_ASSERT(c->set[k] || vlen == 0);
		FUZZ_ASSERT(!c->set[k] || !config_key_is_path((enum config_key)k) || vlen > 0);
		FUZZ_ASSERT(config_key_name((enum config_key)k) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[CONFIG_VALUE_MAX * 2], path[CONFIG_VALUE_MAX + 64];
	uint16_t *ucs2 = malloc(size + 2);

	FUZZ_ASSERT(ucs2);
	config_init(&file_cfg);
	config_parse_file(&file_cfg, (const char *)data, size);
	config_properties(&file_cfg);

	config_init(&opt_cfg);
	if (size)
		memcpy(ucs2, data, size);
	if (config_options_text(ucs2, size & ~(size_t)1, text, sizeof(text))) {
		FUZZ_ASSERT(strlen(text) < sizeof(text));
		config_parse_options(&opt_cfg, text);
	} else {
		FUZZ_ASSERT(text[0] == '\0');
	}
	config_properties(&opt_cfg);
	free(ucs2);

	config_merge(&merged, &file_cfg, &opt_cfg);
	FUZZ_ASSERT(merged.errors == file_cfg.errors + opt_cfg.errors);
	config_properties(&merged);
	for (int k = 0; k < CFG_KEY_COUNT; k++) {
		if (!merged.set[k] || !config_key_is_path((enum config_key)k))
			continue;
		if (config_resolve_path(CONFIG_DEFAULT_PATH, merged.value[k], path, sizeof(path))) {
			FUZZ_ASSERT(strlen(path) < sizeof(path) && !strchr(path, '/') && path[0] == '\\');
		}
	}
	return 0;
}
