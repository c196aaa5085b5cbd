// SPDX-License-Identifier: MIT
/*
 * The JSON source forms (device list, manifest) -> the core's structures. Strict: unknown
 * keys, wrong types and out-of-range numbers are errors naming the file and the field.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define JSON_MAX_SIZE (256u << 20)

/* Parse JSON text (not NUL-terminated; `path` only names it in errors). Strict: one
 * top-level object, nothing after it, no NUL byte. */
static struct json_object *json_parse_text(const char *text, size_t size, const char *path)
{
	struct json_tokener *tok;
	struct json_object *root;

	if (memchr(text, 0, size)) {
		cli_error("%s: not JSON text (contains a NUL byte)", path);
		return NULL;
	}
	if (size > JSON_MAX_SIZE) {
		cli_error("%s: too large (%zu bytes; limit %u)", path, size, JSON_MAX_SIZE);
		return NULL;
	}
	tok = json_tokener_new_ex(64);
	if (!tok) {
		cli_error("%s: out of memory", path);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)size);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < size) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t at = json_tokener_get_parse_end(tok);
		if (root && e == json_tokener_success)
			cli_error("%s: not valid JSON: trailing data at byte %zu", path, at);
		else
			cli_error("%s: not valid JSON: %s at byte %zu", path,
				  e == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(e), at);
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	if (root && !json_object_is_type(root, json_type_object)) {
		cli_error("%s: expected a JSON object at the top level", path);
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* Every key of obj must be in allowed[]. */
static bool keys_known(struct json_object *obj, const char *const *allowed, const char *path, const char *where)
{
	json_object_object_foreach(obj, key, val) {
		bool ok = false;
		(void)val;
		for (const char *const *a = allowed; *a; a++)
			ok = ok || strcmp(key, *a) == 0;
		if (!ok) {
			cli_error("%s: %s: unknown key \"%s\"", path, where, CLI_Q(key));
			return false;
		}
	}
	return true;
}

/* A JSON string as a C string, or NULL if it holds a NUL character ("\u0000"): the C string
 * would silently end there ("0000:3b:00.0\u0000junk" read as "0000:3b:00.0"). */
static const char *c_string(struct json_object *v)
{
	const char *s = json_object_get_string(v);
	return s && strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

static const char *get_string(struct json_object *obj, const char *key, bool required,
			      const char *path, const char *where, bool *ok)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required) {
			cli_error("%s: %s: missing \"%s\"", path, where, key);
			*ok = false;
		}
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		cli_error("%s: %s: \"%s\" must be a string", path, where, key);
		*ok = false;
		return NULL;
	}
	if (!c_string(v)) {
		cli_error("%s: %s: \"%s\" contains a NUL character", path, where, key);
		*ok = false;
	}
	return c_string(v);
}

/* A number given as a JSON integer or as a "0x..."/decimal string, within [0, max]. */
static bool get_number(struct json_object *obj, const char *key, uint64_t max, uint64_t *out,
		       const char *path, const char *where)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v)) {
		cli_error("%s: %s: missing \"%s\"", path, where, key);
		return false;
	}
	if (json_object_is_type(v, json_type_int)) {
		errno = 0;
		int64_t n = json_object_get_int64(v);
		if (errno == 0 && n >= 0 && (uint64_t)n <= max) {
			*out = (uint64_t)n;
			return true;
		}
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = c_string(v);
		char *end;
		errno = 0;
		unsigned long long n = s ? strtoull(s, &end, 0) : 0;
		if (s && *s && *s != '-' && *s != '+' && *s != ' ' && *end == 0 && errno == 0 && n <= max) {
			*out = n;
			return true;
		}
	}
	cli_error("%s: %s: \"%s\" must be an integer 0..0x%llx (a number or a \"0x...\" string)",
		  path, where, key, (unsigned long long)max);
	return false;
}

static bool get_string_array(struct json_object *obj, const char *key, char ***out, size_t *count,
			     size_t max_count, const char *path)
{
	struct json_object *arr;
	*out = NULL;
	*count = 0;
	if (!json_object_object_get_ex(obj, key, &arr) || json_object_is_type(arr, json_type_null))
		return true;
	if (!json_object_is_type(arr, json_type_array)) {
		cli_error("%s: \"%s\" must be an array of strings", path, key);
		return false;
	}
	size_t n = json_object_array_length(arr);
	if (n > max_count) {
		cli_error("%s: \"%s\" has %zu entries; at most %zu", path, key, n, max_count);
		return false;
	}
	*out = calloc(n ? n : 1, sizeof(char *));
	if (!*out)
		return cli_error("%s: out of memory", path), false;
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(s, json_type_string) || !c_string(s)) {
			cli_error("%s: \"%s\"[%zu] must be a string without NUL characters", path, key, i);
			return false;
		}
		(*out)[i] = (char *)c_string(s);
		(*count)++;
	}
	return true;
}

/* With ids_from_sysfs, vendor/device/class may be left out: they are marked
 * CLI_ID_UNKNOWN for cli_devices_fill_from_sysfs to fill. */
static bool get_id(struct json_object *d, const char *key, uint64_t max, uint64_t *out, bool optional,
		   const char *path, const char *where)
{
	if (optional && !json_object_object_get_ex(d, key, NULL)) {
		*out = CLI_ID_UNKNOWN;
		return true;
	}
	return get_number(d, key, max, out, path, where);
}

static bool parse_device(struct json_object *d, size_t i, struct lugate_device *out, const char *path,
			 bool ids_from_sysfs)
{
	static const char *const keys[] = { "address", "vendor", "device", "class", "schema",
					    "schema_version", "driver", NULL };
	char where[48];
	uint64_t vendor, device, cls, version;
	const char *addr, *schema, *driver;
	bool ok = true;
	int err;

	snprintf(where, sizeof(where), "devices[%zu]", i);
	if (!json_object_is_type(d, json_type_object))
		return cli_error("%s: %s must be an object", path, where), false;
	if (!keys_known(d, keys, path, where))
		return false;
	addr = get_string(d, "address", true, path, where, &ok);
	schema = ok ? get_string(d, "schema", true, path, where, &ok) : NULL;
	driver = ok ? get_string(d, "driver", false, path, where, &ok) : NULL;
	if (!ok || !get_id(d, "vendor", 0xffff, &vendor, ids_from_sysfs, path, where) ||
	    !get_id(d, "device", 0xffff, &device, ids_from_sysfs, path, where) ||
	    !get_id(d, "class", 0xffffff, &cls, ids_from_sysfs, path, where) ||
	    !get_number(d, "schema_version", UINT32_MAX, &version, path, where))
		return false;
	err = lugate_pci_parse(addr, strlen(addr), &out->addr);
	if (err)
		return cli_error("%s: %s: address \"%s\": %s", path, where, CLI_Q(addr), lugate_strerror(err)), false;
	snprintf(where, sizeof(where), "devices[%zu] (%s)", i, addr);
	err = lugate_guid_parse(schema, strlen(schema), &out->schema);
	if (err)
		return cli_error("%s: %s: schema \"%s\": %s", path, where, CLI_Q(schema), lugate_strerror(err)), false;
	if (driver && strlen(driver) > LUGATE_DRIVER_MAX)
		return cli_error("%s: %s: driver name longer than %u characters", path, where, LUGATE_DRIVER_MAX), false;
	out->vendor_id = (uint16_t)vendor;
	out->device_id = (uint16_t)device;
	/* any unknown ID marks the whole device for filling from sysfs */
	out->class_code = (vendor == CLI_ID_UNKNOWN || device == CLI_ID_UNKNOWN) ? CLI_ID_UNKNOWN : (uint32_t)cls;
	out->schema_version = (uint32_t)version;
	out->driver = driver ? driver : "";
	return true;
}

bool cli_devices_load(const char *path, struct cli_devices *out)
{
	return cli_devices_load_ex(path, out, false);
}

bool cli_devices_load_ex(const char *path, struct cli_devices *out, bool ids_from_sysfs)
{
	uint8_t *text;
	size_t size;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!cli_read_file(path, JSON_MAX_SIZE, &text, &size))
		return false;
	ok = cli_devices_parse((const char *)text, size, CLI_QPATH(path), out, ids_from_sysfs);
	free(text);
	return ok;
}

bool cli_devices_parse(const char *text, size_t size, const char *path, struct cli_devices *out,
		       bool ids_from_sysfs)
{
	static const char *const keys[] = { "release", "compatible", "devices", NULL };
	struct json_object *root, *arr;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	root = json_parse_text(text, size, path);
	if (!root)
		return false;
	out->root = root;
	if (!keys_known(root, keys, path, "top level"))
		return false;
	const char *rel = get_string(root, "release", false, path, "top level", &ok);
	if (!ok)
		return false;
	out->release = rel ? strdup(rel) : NULL;
	if (!get_string_array(root, "compatible", &out->compat, &out->compat_count, LUGATE_TABLE_MAX_COMPAT, path))
		return false;
	if (!json_object_object_get_ex(root, "devices", &arr) || !json_object_is_type(arr, json_type_array))
		return cli_error("%s: \"devices\" must be an array", path), false;
	size_t n = json_object_array_length(arr);
	if (n > LUGATE_TABLE_MAX_DEVICES)
		return cli_error("%s: %zu devices; at most %u", path, n, LUGATE_TABLE_MAX_DEVICES), false;
	out->devices = calloc(n ? n : 1, sizeof(*out->devices));
	if (!out->devices)
		return cli_error("%s: out of memory", path), false;
	for (size_t i = 0; i < n; i++) {
		if (!parse_device(json_object_array_get_idx(arr, i), i, &out->devices[i], path, ids_from_sysfs))
			return false;
		out->device_count++;
	}
	return true;
}

void cli_devices_free(struct cli_devices *d)
{
	free(d->release);
	free(d->compat);
	free(d->devices);
	free(d->driver_buf);
	json_object_put(d->root);
	memset(d, 0, sizeof(*d));
}


/* ---- manifests --------------------------------------------------------------------- */

static bool parse_schema(struct json_object *s, size_t i, struct lugate_schema *out, const char *path)
{
	static const char *const keys[] = { "guid", "min_version", "max_version", NULL };
	char where[32];
	uint64_t lo, hi;
	bool ok = true;
	const char *guid;
	int err;

	snprintf(where, sizeof(where), "schemas[%zu]", i);
	if (!json_object_is_type(s, json_type_object))
		return cli_error("%s: %s must be an object", path, where), false;
	if (!keys_known(s, keys, path, where))
		return false;
	guid = get_string(s, "guid", true, path, where, &ok);
	if (!ok || !get_number(s, "min_version", UINT32_MAX, &lo, path, where) ||
	    !get_number(s, "max_version", UINT32_MAX, &hi, path, where))
		return false;
	err = lugate_guid_parse(guid, strlen(guid), &out->guid);
	if (err)
		return cli_error("%s: %s: guid \"%s\": %s", path, where, CLI_Q(guid), lugate_strerror(err)), false;
	if (lo > hi)
		return cli_error("%s: %s: min_version %llu is above max_version %llu", path, where,
				 (unsigned long long)lo, (unsigned long long)hi), false;
	out->min_version = (uint32_t)lo;
	out->max_version = (uint32_t)hi;
	return true;
}

bool cli_manifest_from_json(const char *text, size_t text_size, const char *path, uint8_t **blob, size_t *size)
{
	static const char *const keys[] = { "release", "schemas", "compatible", NULL };
	struct lugate_manifest_spec spec = { 0 };
	struct lugate_schema *schemas = NULL;
	struct json_object *root, *arr;
	char **compat = NULL;
	uint32_t *scratch = NULL;
	uint8_t *buf = NULL;
	size_t needed = 0, n = 0;
	bool ok = true, done = false;
	long len;

	root = json_parse_text(text, text_size, path);
	if (!root)
		return false;
	if (!keys_known(root, keys, path, "top level"))
		goto out;
	spec.release = get_string(root, "release", true, path, "top level", &ok);
	if (!ok)
		goto out;
	if (json_object_object_get_ex(root, "schemas", &arr)) {
		if (!json_object_is_type(arr, json_type_array)) {
			cli_error("%s: \"schemas\" must be an array", path);
			goto out;
		}
		n = json_object_array_length(arr);
		if (n > LUGATE_MANIFEST_MAX_SCHEMAS) {
			cli_error("%s: %zu schemas; at most %u", path, n, LUGATE_MANIFEST_MAX_SCHEMAS);
			goto out;
		}
	}
	schemas = calloc(n ? n : 1, sizeof(*schemas));
	scratch = calloc(n ? n : 1, sizeof(*scratch));
	if (!schemas || !scratch) {
		cli_error("%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!parse_schema(json_object_array_get_idx(arr, i), i, &schemas[i], path))
			goto out;
	if (!get_string_array(root, "compatible", &compat, &spec.compat_count, LUGATE_MANIFEST_MAX_COMPAT, path))
		goto out;
	spec.schemas = schemas;
	spec.schema_count = n;
	spec.compat = (const char *const *)compat;
	len = lugate_manifest_build(NULL, 0, &spec, NULL, 0, &needed);
	if (len == LUGATE_ERR_NOSPACE && (buf = malloc(needed)) != NULL)
		len = lugate_manifest_build(buf, needed, &spec, scratch, n, NULL);
	if (len < 0) {
		if (len == LUGATE_ERR_BADRELEASE)
			cli_error("%s: release \"%s\": %s", path, CLI_Q(spec.release), lugate_strerror((int)len));
		else if (len == LUGATE_ERR_DUPLICATE)
			cli_error("%s: a schema GUID or compatible string appears twice", path);
		else
			cli_error("%s: cannot build the manifest: %s", path, lugate_strerror((int)len));
		free(buf);
		goto out;
	}
	*blob = buf;
	*size = (size_t)len;
	done = true;
out:
	free(schemas);
	free(scratch);
	free(compat);
	json_object_put(root);
	return done;
}

bool cli_manifest_load(const char *path, uint8_t **blob, size_t *size)
{
	struct lugate_manifest m;
	uint8_t *data;
	size_t n;
	bool ok;
	int err;

	if (!cli_read_file(path, LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX + (1u << 20), &data, &n))
		return false;
	if (n >= 8 && memcmp(data, LUGATE_MANIFEST_MAGIC, 8) == 0) {
		err = lugate_manifest_open(data, n, &m);
		if (err) {
			free(data);
			return cli_error("%s: not a valid binary manifest: %s", CLI_QPATH(path), lugate_strerror(err)), false;
		}
		*blob = data;
		*size = n;
		return true;
	}
	ok = cli_manifest_from_json((const char *)data, n, CLI_QPATH(path), blob, size);
	free(data);
	return ok;
}

struct json_object *cli_manifest_to_json(const struct lugate_manifest *m)
{
	struct json_object *o = json_object_new_object(), *schemas = json_object_new_array();
	struct json_object *compat = json_object_new_array();

	json_object_object_add(o, "release", json_object_new_string(m->release));
	for (uint32_t i = 0; i < m->schema_count; i++) {
		struct lugate_schema s;
		char guid[LUGATE_GUID_TEXT_LEN + 1];
		struct json_object *e = json_object_new_object();
		lugate_manifest_schema(m, i, &s);
		lugate_guid_format(&s.guid, guid);
		json_object_object_add(e, "guid", json_object_new_string(guid));
		json_object_object_add(e, "min_version", json_object_new_int64(s.min_version));
		json_object_object_add(e, "max_version", json_object_new_int64(s.max_version));
		json_object_array_add(schemas, e);
	}
	json_object_object_add(o, "schemas", schemas);
	for (uint32_t i = 0; i < m->compat_count; i++)
		json_object_array_add(compat, json_object_new_string(lugate_manifest_compat(m, i)));
	json_object_object_add(o, "compatible", compat);
	return o;
}
