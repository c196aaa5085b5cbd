/* SPDX-License-Identifier: MIT */
/*
 * "Every accepted table or manifest is the one lugate would build from its parse": open a
 * blob, build a new one from what was read (lugate_table_build / lugate_manifest_build) and
 * compare the two byte for byte. Shared by the unit tests and the fuzz harnesses (no cmocka).
 */
#ifndef LUGATE_TEST_REBUILD_H
#define LUGATE_TEST_REBUILD_H

#include <stdlib.h>
#include <string.h>
#include <lugate/lugate.h>

enum rebuild_result {
	REBUILD_SAME = 0,      /* accepted, and the rebuild is byte-identical */
	REBUILD_DIFFERS = 1,   /* accepted, and the rebuild differs: a canonical-check hole */
	REBUILD_UNBUILDABLE = 2, /* accepted content the builder refuses (a release that does not parse) */
	REBUILD_FAILED = 3,    /* the builder failed on content it should take (a bug) */
};

/* The rebuild of an opened table; REBUILD_* (never an open error: the caller opened it). */
static inline int rebuild_table_same(const struct lugate_table *t)
{
	const char *compat[LUGATE_TABLE_MAX_COMPAT];
	struct lugate_table_spec spec = { 0 };
	struct lugate_release rel;
	struct lugate_device *devs;
	uint32_t *scratch;
	uint8_t *buf;
	size_t needed = 0;
	int cursor = 0, result;
	uint32_t n = 0;
	long len;

	if (lugate_release_parse(t->release, strlen(t->release), &rel) != 0 ||
	    (t->target_release && lugate_release_parse(t->target_release, strlen(t->target_release), &rel) != 0))
		return REBUILD_UNBUILDABLE;
	devs = calloc(t->device_count + 1, sizeof(*devs));
	scratch = calloc(t->device_count + 1, sizeof(*scratch));
	if (!devs || !scratch) {
		free(devs);
		free(scratch);
		return REBUILD_FAILED;
	}
	while (n <= t->device_count && lugate_table_next_device(t, &cursor, &devs[n]) == 1)
		n++;
	for (uint32_t i = 0; i < t->compat_count; i++)
		compat[i] = lugate_table_compat(t, i);
	spec.release = t->release;
	spec.compat = compat;
	spec.compat_count = t->compat_count;
	spec.devices = devs;
	spec.device_count = n;
	spec.target_sha256 = t->target_sha256;
	spec.target_release = t->target_release;
	spec.fallback_sha256 = t->fallback_sha256;
	spec.policy_text = t->policy_text;
	spec.page_size = t->page_size;
	buf = NULL;
	result = REBUILD_FAILED;
	if (n == t->device_count && lugate_table_build(NULL, 0, &spec, NULL, 0, &needed) == LUGATE_ERR_NOSPACE &&
	    (buf = malloc(needed)) != NULL) {
		len = lugate_table_build(buf, needed, &spec, scratch, n, NULL);
		if (len > 0)
			result = (size_t)len == t->blob_size && memcmp(buf, t->blob, (size_t)len) == 0 ? REBUILD_SAME
													: REBUILD_DIFFERS;
	}
	free(buf);
	free(scratch);
	free(devs);
	return result;
}

static inline int rebuild_manifest_same(const void *blob, size_t size, const struct lugate_manifest *m)
{
	const char *compat[LUGATE_MANIFEST_MAX_COMPAT];
	struct lugate_manifest_spec spec = { 0 };
	struct lugate_release rel;
	struct lugate_schema *schemas;
	uint32_t *scratch;
	uint8_t *buf = NULL;
	size_t needed = 0;
	int result = REBUILD_FAILED;
	long len;

	if (lugate_release_parse(m->release, strlen(m->release), &rel) != 0)
		return REBUILD_UNBUILDABLE;
	schemas = calloc(m->schema_count + 1, sizeof(*schemas));
	scratch = calloc(m->schema_count + 1, sizeof(*scratch));
	if (!schemas || !scratch) {
		free(schemas);
		free(scratch);
		return REBUILD_FAILED;
	}
	for (uint32_t i = 0; i < m->schema_count; i++)
		lugate_manifest_schema(m, i, &schemas[i]);
	for (uint32_t i = 0; i < m->compat_count; i++)
		compat[i] = lugate_manifest_compat(m, i);
	spec.release = m->release;
	spec.schemas = schemas;
	spec.schema_count = m->schema_count;
	spec.compat = compat;
	spec.compat_count = m->compat_count;
	if (lugate_manifest_build(NULL, 0, &spec, NULL, 0, &needed) == LUGATE_ERR_NOSPACE &&
	    (buf = malloc(needed)) != NULL) {
		len = lugate_manifest_build(buf, needed, &spec, scratch, m->schema_count, NULL);
		if (len > 0)
			result = (size_t)len == size && memcmp(buf, blob, (size_t)len) == 0 ? REBUILD_SAME : REBUILD_DIFFERS;
	}
	free(buf);
	free(scratch);
	free(schemas);
	return result;
}

#endif
