// SPDX-License-Identifier: MIT
/*
 * Fuzz the device list's JSON source form (tools/json_input.c, cli_devices_parse), the way
 * `lugate handoff build` reads it, then the table built from it.
 *
 * A list the parser accepts holds at most LUGATE_TABLE_MAX_DEVICES devices whose fields
 * are in range (or marked unknown, for --from-running) and whose strings are C strings no
 * longer than the format allows. When it builds into a table (as `handoff build` would),
 * the table opens and holds the same devices, sorted. No accepted list has a key twice in
 * any object (fuzz_json.h checks that on its own).
 */
#include "fuzz.h"
#include "fuzz_json.h"
#include "fuzz_cli.h"

static int by_addr(const void *a, const void *b)
{
	const struct lugate_device *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void build_agrees(const struct cli_devices *d)
{
	struct lugate_table_spec spec = { 0 };
	struct lugate_device *sorted, dev;
	struct lugate_table t;
	uint32_t *scratch;
	uint8_t *buf;
	size_t needed = 0, n = 0;
	int cursor = 0;
	long len;

	spec.release = d->release ? d->release : "6.1.0-55-amd64";
	spec.compat = (const char *const *)d->compat;
	spec.compat_count = d->compat_count;
	spec.devices = d->devices;
	spec.device_count = d->device_count;
	len = lugate_table_build(NULL, 0, &spec, NULL, 0, &needed);
	if (len != LUGATE_ERR_NOSPACE) {
		/* refusals the JSON layer leaves to the builder: it says which */
		FUZZ_ASSERT(len == LUGATE_ERR_BADRELEASE || len == LUGATE_ERR_BADSTRING ||
			    len == LUGATE_ERR_DUPLICATE || len == LUGATE_ERR_RANGE);
		return;
	}
	buf = malloc(needed);
	scratch = calloc(d->device_count + 1, sizeof(*scratch));
	FUZZ_ASSERT(buf && scratch);
	len = lugate_table_build(buf, needed, &spec, scratch, d->device_count, NULL);
	free(scratch);
	if (len == LUGATE_ERR_DUPLICATE) {
		free(buf);
		return; /* two devices at one address: found only once sorted */
	}
	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(lugate_table_open(buf, (size_t)len, &t) == 0);
	FUZZ_ASSERT(t.device_count == d->device_count && t.compat_count == d->compat_count);
	sorted = calloc(d->device_count + 1, sizeof(*sorted));
	FUZZ_ASSERT(sorted);
	if (d->device_count)
		memcpy(sorted, d->devices, d->device_count * sizeof(*sorted));
	qsort(sorted, d->device_count, sizeof(*sorted), by_addr);
	while (lugate_table_next_device(&t, &cursor, &dev) == 1) {
		const struct lugate_device *w = &sorted[n++];
		FUZZ_ASSERT(n <= d->device_count);
		FUZZ_ASSERT(dev.addr == w->addr && dev.vendor_id == w->vendor_id && dev.device_id == w->device_id &&
			    dev.class_code == w->class_code && dev.schema_version == w->schema_version &&
			    memcmp(dev.schema.b, w->schema.b, LUGATE_GUID_SIZE) == 0 && strcmp(dev.driver, w->driver) == 0);
	}
	FUZZ_ASSERT(n == d->device_count);
	free(sorted);
	free(buf);
}

static void accepted_list_properties(const struct cli_devices *d, bool ids_from_sysfs)
{
	FUZZ_ASSERT(d->device_count <= LUGATE_TABLE_MAX_DEVICES && d->compat_count <= LUGATE_TABLE_MAX_COMPAT);
	for (size_t i = 0; i < d->compat_count; i++)
		FUZZ_ASSERT(d->compat[i] != NULL);
	for (size_t i = 0; i < d->device_count; i++) {
		const struct lugate_device *dev = &d->devices[i];
		char text[LUGATE_PCI_TEXT_LEN + 1];
		lugate_pci_addr back;

		lugate_pci_format(dev->addr, text);
		FUZZ_ASSERT(lugate_pci_parse(text, strlen(text), &back) == 0 && back == dev->addr);
		FUZZ_ASSERT(dev->driver && strlen(dev->driver) <= LUGATE_DRIVER_MAX);
		FUZZ_ASSERT(dev->class_code <= 0xffffff || (ids_from_sysfs && dev->class_code == CLI_ID_UNKNOWN));
	}
	if (!ids_from_sysfs)
		build_agrees(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libFuzzer's buffer is exactly the input: a read past it is a crash */
	const char *text = (const char *)data;

	for (int from_running = 0; from_running <= 1; from_running++) {
		struct cli_devices d;
		if (cli_devices_parse(text, size, "fuzz.json", &d, from_running)) {
			fuzz_json_assert_unique_keys(text, size);
			accepted_list_properties(&d, from_running);
		}
		cli_devices_free(&d);
	}
	return 0;
}
