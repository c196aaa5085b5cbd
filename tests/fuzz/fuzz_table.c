// SPDX-License-Identifier: MIT
/*
 * Fuzz the handoff table reader and the check behind it.
 *
 * The input is opened as it is (the frame reader), and again re-framed with a correct
 * digest (the FDT validation behind the frame). Every table lugate_table_open accepts must:
 *  - iterate exactly device_count devices, in strictly ascending address order, with values
 *    in range, and the same values libfdt's generic look-ups read (the fast path agrees);
 *  - be refused once its FDT is marked version 16 (a header field lugate never writes);
 *  - rebuild through lugate_table_build into a table with the same content, and the very
 *    same bytes: an accepted table is the one lugate builds from its parse (canonical bytes);
 * and lugate_check against a fixed manifest may only allow what an independent re-check
 * of every rule allows. The direct structure walk must agree with libfdt's walk.
 */
#include <libfdt.h>
#include "fuzz.h"
#include "fuzz_fdt.h"

#define MAX_REASONS 64

static const char *const target_release = "6.1.0-56-amd64";
static const char *const revives[] = { "kho-v1", "luo-v1" };
static uint8_t *manifest_blob;
static size_t manifest_size;
static struct lugate_manifest manifest;

static const char *const schema_guids[] = {
	"5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "2c3e8a4b-9d71-4f0e-a6b2-1d5c7e9f0a3b",
	"8e41f6a2-0b3c-4d5e-9f10-a2b3c4d5e6f7", "00000000-0000-0000-0000-000000000000",
	"ffffffff-ffff-ffff-ffff-ffffffffffff",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct lugate_schema schemas[5];
	struct lugate_manifest_spec spec = { 0 };
	uint32_t scratch[5];
	size_t needed = 0;
	long n;

	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < 5; i++) {
		FUZZ_ASSERT(lugate_guid_parse(schema_guids[i], strlen(schema_guids[i]), &schemas[i].guid) == 0);
		schemas[i].min_version = i == 2 ? 2 : 1;
		schemas[i].max_version = i == 2 ? 4 : 3;
	}
	spec.release = target_release;
	spec.schemas = schemas;
	spec.schema_count = 5;
	spec.compat = revives;
	spec.compat_count = 2;
	FUZZ_ASSERT(lugate_manifest_build(NULL, 0, &spec, NULL, 0, &needed) == LUGATE_ERR_NOSPACE);
	manifest_blob = malloc(needed);
	FUZZ_ASSERT(manifest_blob);
	n = lugate_manifest_build(manifest_blob, needed, &spec, scratch, 5, NULL);
	FUZZ_ASSERT(n > 0);
	manifest_size = (size_t)n;
	FUZZ_ASSERT(lugate_manifest_open(manifest_blob, manifest_size, &manifest) == 0);
	return 0;
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, name, &len);
	FUZZ_ASSERT(p && len == 4);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A device read with libfdt's generic look-ups, by name, no fixed offsets. */
static void generic_device(const void *fdt, int node, struct lugate_device *d)
{
	uint32_t seg = prop_u32(fdt, node, "segment"), bus = prop_u32(fdt, node, "bus");
	uint32_t dev = prop_u32(fdt, node, "device"), fn = prop_u32(fdt, node, "function");
	const void *guid;
	int len;

	FUZZ_ASSERT(seg <= 0xffff && bus <= 0xff && dev <= 0x1f && fn <= 7);
	d->addr = lugate_pci_make((uint16_t)seg, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);
	d->vendor_id = (uint16_t)prop_u32(fdt, node, "vendor-id");
	d->device_id = (uint16_t)prop_u32(fdt, node, "device-id");
	d->class_code = prop_u32(fdt, node, "class");
	guid = fdt_getprop(fdt, node, "schema-guid", &len);
	FUZZ_ASSERT(guid && len == LUGATE_GUID_SIZE);
	memcpy(d->schema.b, guid, LUGATE_GUID_SIZE);
	d->schema_version = prop_u32(fdt, node, "schema-version");
	d->driver = fdt_getprop(fdt, node, "driver", &len);
	FUZZ_ASSERT(d->driver && len >= 1 && d->driver[len - 1] == '\0' && strlen(d->driver) == (size_t)len - 1);
}

static bool same_device(const struct lugate_device *a, const struct lugate_device *b)
{
	return a->addr == b->addr && a->vendor_id == b->vendor_id && a->device_id == b->device_id &&
	       a->class_code == b->class_code && memcmp(a->schema.b, b->schema.b, LUGATE_GUID_SIZE) == 0 &&
	       a->schema_version == b->schema_version && strcmp(a->driver, b->driver) == 0;
}

/* Everything an accepted table promises; returns its devices (malloc'ed) for later checks. */
static struct lugate_device *accepted_table_properties(const struct lugate_table *t)
{
	struct lugate_device *devs = calloc(t->device_count + 1, sizeof(*devs));
	struct lugate_device d;
	int cursor = 0, node, devices, rc;
	uint32_t n = 0;

	FUZZ_ASSERT(devs);
	FUZZ_ASSERT(t->device_count <= LUGATE_TABLE_MAX_DEVICES);
	FUZZ_ASSERT(fuzz_inside(t->blob, t->blob_size, t->fdt, t->fdt_size));
	FUZZ_ASSERT(fuzz_inside(t->blob, t->blob_size, t->release, strlen(t->release) + 1));
	FUZZ_ASSERT(fdtu_printable_text(t->release, LUGATE_RELEASE_MAX, false));
	FUZZ_ASSERT(t->compat_count <= LUGATE_TABLE_MAX_COMPAT);
	for (uint32_t i = 0; i < t->compat_count; i++) {
		const char *c = lugate_table_compat(t, i);
		FUZZ_ASSERT(c && fuzz_inside(t->blob, t->blob_size, c, strlen(c) + 1));
		FUZZ_ASSERT(fdtu_compat_text(c));
	}
	FUZZ_ASSERT(lugate_table_compat(t, t->compat_count) == NULL);
	if (t->sealed) {
		FUZZ_ASSERT(t->target_sha256 && fuzz_inside(t->blob, t->blob_size, t->target_sha256, 32));
		if (t->target_release)
			FUZZ_ASSERT(fdtu_printable_text(t->target_release, LUGATE_RELEASE_MAX, false));
		if (t->fallback_sha256)
			FUZZ_ASSERT(fuzz_inside(t->blob, t->blob_size, t->fallback_sha256, 32));
		if (t->policy_text)
			FUZZ_ASSERT(fuzz_inside(t->blob, t->blob_size, t->policy_text, strlen(t->policy_text) + 1) &&
				    strlen(t->policy_text) <= LUGATE_POLICY_TEXT_MAX);
	} else {
		FUZZ_ASSERT(!t->target_sha256 && !t->target_release && !t->fallback_sha256 && !t->policy_text);
	}

	/* the core's iteration (fast path where the layout is canonical) */
	while ((rc = lugate_table_next_device(t, &cursor, &d)) == 1) {
		FUZZ_ASSERT(n < t->device_count);
		FUZZ_ASSERT(n == 0 || d.addr > devs[n - 1].addr);
		FUZZ_ASSERT(d.class_code <= 0xffffff);
		FUZZ_ASSERT(fuzz_inside(t->blob, t->blob_size, d.driver, strlen(d.driver) + 1));
		FUZZ_ASSERT(fdtu_printable_text(d.driver, LUGATE_DRIVER_MAX, true));
		devs[n++] = d;
	}
	FUZZ_ASSERT(rc == 0 && n == t->device_count);
	FUZZ_ASSERT(lugate_table_next_device(t, &cursor, &d) == 0); /* stays at the end */

	/* libfdt's generic reading must see the same devices */
	devices = fdt_subnode_offset(t->fdt, 0, "devices");
	FUZZ_ASSERT(devices >= 0);
	n = 0;
	fdt_for_each_subnode(node, t->fdt, devices) {
		char name[16];
		int len;
		const char *got = fdt_get_name(t->fdt, node, &len);
		FUZZ_ASSERT(n < t->device_count);
		generic_device(t->fdt, node, &d);
		FUZZ_ASSERT(same_device(&d, &devs[n]));
		snprintf(name, sizeof(name), "dev@%08x", d.addr);
		FUZZ_ASSERT(got && len == 12 && memcmp(got, name, 12) == 0);
		n++;
	}
	FUZZ_ASSERT(n == t->device_count);
	return devs;
}

/* The same tree marked FDT version 16: sound, but not what lugate writes. */
static void version16_refused(const struct lugate_table *t)
{
	uint8_t *blob = malloc(LUGATE_FRAME_HEADER_SIZE + t->fdt_size), *fdt = blob + LUGATE_FRAME_HEADER_SIZE;
	struct lugate_table t16;

	FUZZ_ASSERT(blob);
	memcpy(fdt, t->fdt, t->fdt_size);
	fdt_set_version(fdt, 16);
	/* a v17 tree may say it breaks v16 readers (last_comp_version 17, which libfdt accepts):
	 * marked v16 it must say v16, or it is no longer a valid tree (a campaign's find) */
	fdt_set_last_comp_version(fdt, 16);
	FUZZ_ASSERT(lugate_frame_seal(blob, LUGATE_FRAME_HEADER_SIZE + t->fdt_size, LUGATE_TABLE_MAGIC, t->fdt_size) == 0);
	FUZZ_ASSERT(lugate_table_open(blob, LUGATE_FRAME_HEADER_SIZE + t->fdt_size, &t16) == LUGATE_ERR_NONCANONICAL);
	free(blob);
}

/* Built again from what was read: the same content (a table has one meaning). */
static void rebuild_agrees(const struct lugate_table *t, const struct lugate_device *devs)
{
	const char *compat[LUGATE_TABLE_MAX_COMPAT];
	struct lugate_table_spec spec;
	struct lugate_device *spec_devs;
	struct lugate_release rel;
	struct lugate_table t2;
	struct lugate_device d;
	uint32_t *scratch;
	uint8_t *buf;
	size_t needed = 0;
	int cursor = 0;
	uint32_t n = 0;
	long len;

	/* the builder insists on parseable releases, the reader only on printable text */
	if (lugate_release_parse(t->release, strlen(t->release), &rel) != 0 ||
	    (t->target_release && lugate_release_parse(t->target_release, strlen(t->target_release), &rel) != 0))
		return;
	/* the spec read back from t holds the devices the iteration read */
	spec_devs = calloc(t->device_count + 1, sizeof(*spec_devs));
	FUZZ_ASSERT(spec_devs && lugate_table_spec_of(t, spec_devs, compat, &spec) == 0);
	FUZZ_ASSERT(spec.device_count == t->device_count && spec.compat_count == t->compat_count);
	for (uint32_t i = 0; i < t->device_count; i++)
		FUZZ_ASSERT(same_device(&spec_devs[i], &devs[i]));
	len = lugate_table_build(NULL, 0, &spec, NULL, 0, &needed);
	if (len == LUGATE_ERR_DUPLICATE && fuzz_has_duplicate(compat, t->compat_count))
		goto out; /* the reader takes a string twice, the builder does not */
	FUZZ_ASSERT(len == LUGATE_ERR_NOSPACE);
	buf = malloc(needed);
	scratch = calloc(t->device_count + 1, sizeof(*scratch));
	FUZZ_ASSERT(buf && scratch);
	len = lugate_table_build(buf, needed, &spec, scratch, t->device_count, NULL);
	FUZZ_ASSERT(len > 0);
	/* canonical bytes: what was accepted is exactly what lugate builds from it */
	FUZZ_ASSERT((size_t)len == t->blob_size && memcmp(buf, t->blob, (size_t)len) == 0);
	FUZZ_ASSERT(lugate_table_open(buf, (size_t)len, &t2) == 0);
	FUZZ_ASSERT(strcmp(t2.release, t->release) == 0 && t2.device_count == t->device_count &&
		    t2.compat_count == t->compat_count && t2.sealed == t->sealed);
	for (uint32_t i = 0; i < t->compat_count; i++)
		FUZZ_ASSERT(strcmp(lugate_table_compat(&t2, i), compat[i]) == 0);
	if (t->sealed) {
		FUZZ_ASSERT(memcmp(t2.target_sha256, t->target_sha256, 32) == 0);
		FUZZ_ASSERT(!t2.fallback_sha256 == !t->fallback_sha256);
		FUZZ_ASSERT(!t2.policy_text == !t->policy_text);
		if (t->policy_text)
			FUZZ_ASSERT(strcmp(t2.policy_text, t->policy_text) == 0);
	}
	while (lugate_table_next_device(&t2, &cursor, &d) == 1) {
		FUZZ_ASSERT(n < t->device_count && same_device(&d, &devs[n]));
		n++;
	}
	FUZZ_ASSERT(n == t->device_count);
	free(scratch);
	free(buf);
out:
	free(spec_devs);
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* An allow re-derived from the rules, independently of lugate_check's own bookkeeping. */
static void allow_is_justified(const struct lugate_table *t, const struct lugate_manifest *m,
			       const char *target, const char *const *scanned, size_t scanned_count)
{
	struct lugate_policy policy;
	struct lugate_device d;
	int cursor = 0, why = -1;

	if (t->policy_text)
		FUZZ_ASSERT(lugate_policy_parse(t->policy_text, strlen(t->policy_text), &policy, NULL) == 0);
	else
		lugate_policy_default(&policy);
	FUZZ_ASSERT(lugate_policy_classify(&policy, t->release, target, &why) != LUGATE_PATH_NONE && why == 0);
	for (uint32_t i = 0; i < t->compat_count; i++) {
		const char *c = lugate_table_compat(t, i);
		bool revived = in_list(scanned, scanned_count, c);
		for (uint32_t k = 0; m && k < m->compat_count; k++)
			revived = revived || strcmp(lugate_manifest_compat(m, k), c) == 0;
		FUZZ_ASSERT(revived);
	}
	FUZZ_ASSERT(m || t->device_count == 0);
	while (lugate_table_next_device(t, &cursor, &d) == 1) {
		bool supported = false;
		for (uint32_t k = 0; m && k < m->schema_count && !supported; k++) {
			struct lugate_schema s;
			lugate_manifest_schema(m, k, &s);
			supported = memcmp(s.guid.b, d.schema.b, LUGATE_GUID_SIZE) == 0 &&
				    d.schema_version >= s.min_version && d.schema_version <= s.max_version;
		}
		FUZZ_ASSERT(supported);
	}
}

static void run_check(const uint8_t *blob, size_t size, int open_err, const struct lugate_table *t)
{
	struct lugate_reason reasons[MAX_REASONS], few[2];
	struct lugate_check_input in = { 0 };
	struct lugate_verdict v, v2;
	bool mismatch = false, corrupt;

	in.table = blob;
	in.table_size = size;
	in.manifest = manifest_blob;
	in.manifest_size = manifest_size;
	in.target_sha256 = open_err == 0 && t->sealed ? t->target_sha256 : NULL;
	FUZZ_ASSERT(lugate_check(&in, reasons, MAX_REASONS, &v) == 0);
	FUZZ_ASSERT(v.reason_count <= MAX_REASONS && v.reason_count <= v.reason_total);
	FUZZ_ASSERT((v.decision == LUGATE_ALLOW) == (v.reason_total == 0));
	if (open_err) {
		FUZZ_ASSERT(v.decision == LUGATE_REFUSE && v.reason_count == 1 &&
			    reasons[0].code == LUGATE_REASON_TABLE_CORRUPT && reasons[0].error == open_err);
		return;
	}
	for (size_t i = 0; i < v.reason_count; i++) {
		char msg[512];
		FUZZ_ASSERT(reasons[i].code > LUGATE_REASON_NONE && reasons[i].code < LUGATE_REASON_COUNT);
		FUZZ_ASSERT(lugate_reason_format(&reasons[i], msg, sizeof(msg)) < sizeof(msg));
	}
	if (v.decision == LUGATE_ALLOW)
		allow_is_justified(t, &manifest, target_release, NULL, 0);
	/* an accepted table whose sealed policy does not parse is still corrupt */
	corrupt = v.reason_count > 0 && reasons[0].code == LUGATE_REASON_TABLE_CORRUPT;
	FUZZ_ASSERT(!corrupt || (t->policy_text && v.reason_total == 1));

	/* a tiny reason array: the same decision, the same count, only fewer details kept */
	FUZZ_ASSERT(lugate_check(&in, few, 2, &v2) == 0);
	FUZZ_ASSERT(v2.decision == v.decision && v2.reason_total == v.reason_total &&
		    v2.reason_count == (v.reason_total < 2 ? v.reason_total : 2));

	/* a sealed table and another image: always refused, for that reason among others */
	if (t->sealed && !corrupt) {
		/* another image: one bit off the sealed hash (a fixed "wrong" hash is not wrong for a
		 * table sealed to it, which a campaign made) */
		uint8_t wrong_sha[LUGATE_SHA256_SIZE];
		memcpy(wrong_sha, t->target_sha256, sizeof(wrong_sha));
		wrong_sha[0] ^= 0x01;
		in.target_sha256 = wrong_sha;
		FUZZ_ASSERT(lugate_check(&in, reasons, MAX_REASONS, &v2) == 0);
		FUZZ_ASSERT(v2.decision == LUGATE_REFUSE);
		for (size_t i = 0; i < v2.reason_count; i++)
			mismatch = mismatch || reasons[i].code == LUGATE_REASON_IMAGE_MISMATCH;
		FUZZ_ASSERT(mismatch);
	}

	/* no manifest, only a release and strings found in the image */
	memset(&in, 0, sizeof(in));
	in.table = blob;
	in.table_size = size;
	in.target_release = target_release;
	in.scanned_compat = revives;
	in.scanned_compat_count = 2;
	FUZZ_ASSERT(lugate_check(&in, reasons, MAX_REASONS, &v2) == 0);
	if (v2.decision == LUGATE_ALLOW)
		allow_is_justified(t, NULL, target_release, revives, 2);
}

static void one_blob(const uint8_t *blob, size_t size)
{
	struct lugate_table t;
	struct lugate_device *devs = NULL;
	int err = lugate_table_open(blob, size, &t);

	if (err == 0) {
		devs = accepted_table_properties(&t);
		version16_refused(&t);
		rebuild_agrees(&t, devs);
	} else {
		FUZZ_ASSERT(err < 0 && err >= -LUGATE_ERR_MAX);
	}
	run_check(blob, size, err, &t);
	free(devs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_dup(data, size, 0), *framed;
	size_t framed_size;

	one_blob(copy, size);
	free(copy);
	framed = fuzz_reframe(data, size, LUGATE_TABLE_MAGIC, &framed_size);
	if (framed) {
		fuzz_walks_agree(framed + LUGATE_FRAME_HEADER_SIZE, framed_size - LUGATE_FRAME_HEADER_SIZE);
		one_blob(framed, framed_size);
		free(framed);
	}
	return 0;
}
