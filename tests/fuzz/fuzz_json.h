/* SPDX-License-Identifier: MIT */
/*
 * The JSON harnesses' shared property: an accepted input has no duplicate key at any level.
 * Checked independently of tools/json_input.c's key scan: in valid JSON every ':' outside a
 * string separates one object member, so their count is the number of members the text
 * holds; json-c, which keeps only the last of two equal keys, must hold as many in its tree.
 */
#ifndef LUGATE_FUZZ_JSON_H
#define LUGATE_FUZZ_JSON_H

#include <json-c/json.h>
#include "fuzz.h"

static inline size_t fuzz_json_tree_members(struct json_object *o)
{
	size_t n = 0;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			(void)key;
			n += 1 + fuzz_json_tree_members(val);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += fuzz_json_tree_members(json_object_array_get_idx(o, i));
	}
	return n;
}

static inline void fuzz_json_assert_unique_keys(const char *text, size_t size)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *root;
	size_t colons = 0;
	int in_string = 0;

	FUZZ_ASSERT(tok);
	for (size_t i = 0; i < size; i++) {
		if (in_string && text[i] == '\\')
			i++;
		else if (text[i] == '"')
			in_string = !in_string;
		else if (!in_string && text[i] == ':')
			colons++;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)size);
	FUZZ_ASSERT(root); /* accepted input is JSON */
	FUZZ_ASSERT(fuzz_json_tree_members(root) == colons); /* no member was dropped as a duplicate */
	json_object_put(root);
	json_tokener_free(tok);
}

#endif
