// SPDX-License-Identifier: MIT
/*
 * Test-only: build a (sealed) handoff table with the host core, for the loader's e2e suite.
 * The CLI's `lugate handoff build` + `lugate seal` are the product path; this tool exists
 * so the suite can make exactly the tables it needs (and, with --no-seal, unsealed ones).
 *
 *   mktable -o OUT --release R [--device SSSS:BB:DD.F,GUID,VERSION[,DRIVER]]...
 *           [--target FILE --target-release R] [--fallback FILE] [--policy TEXT] [--compat S]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/lugate.h>

#define MAX_ITEMS 64

static int die(const char *msg, const char *arg)
{
	fprintf(stderr, "mktable: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int hash_file(const char *path, uint8_t out[LUGATE_SHA256_SIZE])
{
	FILE *f = fopen(path, "rb");
	struct lugate_sha256 s;
	static uint8_t buf[1 << 16];
	size_t n;

	if (!f)
		return -1;
	lugate_sha256_init(&s);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		lugate_sha256_update(&s, buf, n);
	lugate_sha256_final(&s, out);
	fclose(f);
	return 0;
}

static int parse_device(char *spec, struct lugate_device *d)
{
	char *addr = strtok(spec, ","), *guid = strtok(NULL, ","), *ver = strtok(NULL, ","), *drv = strtok(NULL, ",");

	memset(d, 0, sizeof(*d));
	if (!addr || !guid || !ver || lugate_pci_parse(addr, strlen(addr), &d->addr) != 0 ||
	    lugate_guid_parse(guid, strlen(guid), &d->schema) != 0)
		return -1;
	d->schema_version = (uint32_t)strtoul(ver, NULL, 0);
	d->vendor_id = 0x15b3;
	d->device_id = 0x101d;
	d->class_code = 0x020000;
	d->driver = drv ? drv : "";
	return 0;
}

static int write_table(const char *out, const struct lugate_table_spec *spec, uint32_t *scratch, size_t needed)
{
	uint8_t *buf = malloc(needed);
	FILE *f;
	long n;
	int rc = 0;

	if (!buf)
		return die("out of memory", NULL);
	n = lugate_table_build(buf, needed, spec, scratch, MAX_ITEMS, NULL);
	if (n < 0) {
		rc = die("table build failed", lugate_strerror((int)n));
	} else {
		f = fopen(out, "wb");
		if (!f) {
			rc = die("cannot write", out);
		} else {
			bool written = fwrite(buf, 1, (size_t)n, f) == (size_t)n;

			if (fclose(f) != 0 || !written)
				rc = die("cannot write", out);
		}
	}
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	struct lugate_device devices[MAX_ITEMS];
	const char *compat[MAX_ITEMS];
	uint8_t target_sha[LUGATE_SHA256_SIZE], fallback_sha[LUGATE_SHA256_SIZE];
	struct lugate_table_spec spec = { 0 };
	uint32_t scratch[MAX_ITEMS];
	const char *out = NULL;
	size_t needed = 0;
	long n;

	spec.devices = devices;
	spec.compat = compat;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return die("missing value for", opt);
		i++;
		if (!strcmp(opt, "-o")) {
			out = val;
		} else if (!strcmp(opt, "--release")) {
			spec.release = val;
		} else if (!strcmp(opt, "--target-release")) {
			spec.target_release = val;
		} else if (!strcmp(opt, "--policy")) {
			spec.policy_text = val;
		} else if (!strcmp(opt, "--compat") && spec.compat_count < MAX_ITEMS) {
			compat[spec.compat_count++] = val;
		} else if (!strcmp(opt, "--device") && spec.device_count < MAX_ITEMS) {
			static char specs[MAX_ITEMS][256];
			char *copy = specs[spec.device_count];

			snprintf(copy, sizeof(specs[0]), "%s", val);
			if (parse_device(copy, &devices[spec.device_count++]) != 0)
				return die("bad --device (SSSS:BB:DD.F,GUID,VERSION[,DRIVER])", val);
		} else if (!strcmp(opt, "--target")) {
			if (hash_file(val, target_sha) != 0)
				return die("cannot read", val);
			spec.target_sha256 = target_sha;
		} else if (!strcmp(opt, "--fallback")) {
			if (hash_file(val, fallback_sha) != 0)
				return die("cannot read", val);
			spec.fallback_sha256 = fallback_sha;
		} else {
			return die("unknown option", opt);
		}
	}
	if (!out || !spec.release)
		return die("usage: mktable -o OUT --release R [--device ...] [--target FILE --target-release R] "
			   "[--fallback FILE] [--policy TEXT] [--compat S]", NULL);
	n = lugate_table_build(NULL, 0, &spec, scratch, MAX_ITEMS, &needed);
	if (n != LUGATE_ERR_NOSPACE)
		return die("table build failed", lugate_strerror((int)n));
	return write_table(out, &spec, scratch, needed);
}
