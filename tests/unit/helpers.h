/* SPDX-License-Identifier: MIT */
/* Shared fixtures for the unit tests: build tables and manifests into static buffers. */
#ifndef LUGATE_TEST_HELPERS_H
#define LUGATE_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lugate/lugate.h>

#define GUID_A "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
#define GUID_B "00112233-4455-6677-8899-aabbccddeeff"
#define GUID_C "ffffffff-0000-4000-8000-000000000001"

static inline struct lugate_guid guid_of(const char *text)
{
	struct lugate_guid g;
	assert_int_equal(lugate_guid_parse(text, strlen(text), &g), 0);
	return g;
}

static inline struct lugate_device make_device(const char *addr, const char *guid, uint32_t version,
					       const char *driver)
{
	struct lugate_device d = { 0 };
	assert_int_equal(lugate_pci_parse(addr, strlen(addr), &d.addr), 0);
	d.vendor_id = 0x15b3;
	d.device_id = 0x101d;
	d.class_code = 0x020000;
	d.schema = guid_of(guid);
	d.schema_version = version;
	d.driver = driver;
	return d;
}

/* Build a table into a malloc'd buffer; returns its size (asserts success). */
static inline size_t build_table(const struct lugate_table_spec *spec, uint8_t **out)
{
	size_t needed = 0;
	long n = lugate_table_build(NULL, 0, spec, NULL, 0, &needed);
	assert_int_equal(n, LUGATE_ERR_NOSPACE);
	uint8_t *buf = malloc(needed);
	uint32_t *scratch = calloc(spec->device_count + 1, sizeof(uint32_t));
	assert_non_null(buf);
	n = lugate_table_build(buf, needed, spec, scratch, spec->device_count, NULL);
	free(scratch);
	assert_true(n > 0);
	*out = buf;
	return (size_t)n;
}

static inline size_t build_manifest(const struct lugate_manifest_spec *spec, uint8_t **out)
{
	size_t needed = 0;
	long n = lugate_manifest_build(NULL, 0, spec, NULL, 0, &needed);
	assert_int_equal(n, LUGATE_ERR_NOSPACE);
	uint8_t *buf = malloc(needed);
	uint32_t *scratch = calloc(spec->schema_count + 1, sizeof(uint32_t));
	assert_non_null(buf);
	n = lugate_manifest_build(buf, needed, spec, scratch, spec->schema_count, NULL);
	free(scratch);
	assert_true(n > 0);
	*out = buf;
	return (size_t)n;
}

/* Recompute a frame's digest after a test edited the payload on purpose. */
static inline void reseal(uint8_t *blob, size_t size, const char *magic)
{
	assert_int_equal(lugate_frame_seal(blob, size, magic, (uint32_t)(size - LUGATE_FRAME_HEADER_SIZE)), 0);
}

#endif
