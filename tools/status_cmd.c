// SPDX-License-Identifier: MIT
/*
 * `lugate status`, run in the kernel that was booted: the loader's delivery record (setup_data
 * type 0x4c554741 under /sys/kernel/boot_params; on arm64 the range /chosen lugate,handoff names
 * in the DTB, tools/status_fdt.c), checked by the core, then compared with what
 * this boot shows: the running release and image against the sealed target, each preserved
 * device in sysfs and its driver, KHO's incoming state and 7.3's kexec-metadata. --record keeps
 * the outcome for `check`/`load` (known-bad) and `lugate history`.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lugate/delivery_read.h>
#include "../handoff/bytes.h"
#include "cli.h"
#include "history.h"
#include "kexec.h"
#include "status_fdt.h"
#include "verbs.h"

#define RECORD_MAX (200u + LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX)
/* struct kho_kexec_metadata (include/linux/kho/abi/kexec_metadata.h, 7.3): packed
 * u32 version (1), char previous_release[65], u32 kexec_count. */
#define KMETA_RELEASE_LEN 65u
#define KMETA_SIZE (4u + KMETA_RELEASE_LEN + 4u)

static const char usage[] =
	"Usage: lugate status [--json] [--record [--state-dir DIR]] [--cold-ok]\n"
	"After a jump: how it went, from the delivery record lugate's loader hands the kernel it\n"
	"boots. Which kernel booted (the approved target, or the fallback and the refusal's\n"
	"reasons), whether this is the sealed target (release and image SHA-256), whether each\n"
	"preserved device is present and bound to a driver, and on a KHO kernel whether KHO state\n"
	"came in and what kexec-metadata says about the previous kernel.\n"
	"  --json             every field, machine-readable\n"
	"  --record           append the outcome to the history (see `lugate history`); a pair that\n"
	"                     went bad is then refused by `check` and `load` (known-bad)\n"
	"  --state-dir DIR    the history's directory (default $LUGATE_STATE_DIR, else /var/lib/lugate)\n"
	"  --cold-ok          exit 0, not 2, when there is no record at all (a cold boot)\n"
	"Exit: 0 the approved target runs and every check holds; 1 the fallback booted or a check\n"
	"failed (each named); 2 no delivery record, or a corrupt one; 3 system error.\n";

struct failure_list {
	struct json_object *arr;    /* [{ "check": name, "message": text }] */
	size_t count;
};

static void fail_check(struct failure_list *f, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_check(struct failure_list *f, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct json_object *o = json_object_new_object();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "check", json_object_new_string(name));
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_array_add(f->arr, o);
	f->count++;
}

static void hex32(const uint8_t *b, char out[2 * LUGATE_SHA256_SIZE + 1])
{
	for (unsigned i = 0; i < LUGATE_SHA256_SIZE; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", b[i]);
}

static struct json_object *hex_json(const uint8_t *b)
{
	char h[2 * LUGATE_SHA256_SIZE + 1];
	if (!b)
		return NULL;
	hex32(b, h);
	return json_object_new_string(h);
}

/* A whole small file under LUGATE_SYSROOT. 1 read, 0 absent, -1 other error (errno kept). */
static int read_sys(const char *path, size_t max, uint8_t **data, size_t *size)
{
	char full[1024];
	FILE *f;
	uint8_t *buf;
	size_t got = 0, cap = 4096;

	cli_sys_path(full, sizeof(full), path);
	f = fopen(full, "rbe");
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	buf = malloc(cap + 1);
	while (buf) {
		size_t n = fread(buf + got, 1, cap - got, f);
		got += n;
		if (got < cap || ferror(f))
			break;
		if (cap >= max) {
			got = max + 1; /* too large */
			break;
		}
		cap = cap * 2 > max ? max + 1 : cap * 2;
		uint8_t *nb = realloc(buf, cap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
		} else {
			buf = nb;
		}
	}
	if (!buf || ferror(f)) {
		int e = buf ? EIO : ENOMEM;
		fclose(f);
		free(buf);
		errno = e;
		return -1;
	}
	fclose(f);
	if (got > max) {
		free(buf);
		errno = EFBIG;
		return -1;
	}
	buf[got] = 0;
	*data = buf;
	*size = got;
	return 1;
}

/* Find the delivery record: 1 found, 0 none, -1 system error (printed), -2 two records. */
static int find_record(uint8_t **data, size_t *size, char *where, size_t where_size)
{
	char dir[1024];
	DIR *d;
	struct dirent *e;
	int found = 0;

	cli_sys_path(dir, sizeof(dir), "/sys/kernel/boot_params/setup_data");
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		cli_fail(EXIT_SYSTEM, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char path[600], *end;
		uint8_t *type_text;
		size_t type_size;
		unsigned long type;
		int r;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || strlen(e->d_name) > 16)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%s/type", e->d_name);
		r = read_sys(path, 64, &type_text, &type_size);
		if (r <= 0) {
			if (r < 0) {
				cli_fail(EXIT_SYSTEM, "%s: %s", path, strerror(errno));
				found = -1;
				break;
			}
			continue;
		}
		errno = 0;
		type = strtoul((char *)type_text, &end, 0);
		bool match = errno == 0 && end != (char *)type_text && type == LUGATE_SETUP_DATA_TYPE;
		free(type_text);
		if (!match)
			continue;
		if (found) {
			free(*data);
			found = -2;
			break;
		}
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%s/data", e->d_name);
		r = read_sys(path, RECORD_MAX, data, size);
		if (r <= 0) {
			cli_fail(EXIT_SYSTEM, "%s: %s", path, r < 0 ? strerror(errno) : "missing");
			found = -1;
			break;
		}
		snprintf(where, where_size, "%s", path);
		found = 1;
	}
	closedir(d);
	return found;
}

static bool running_release(char *buf, size_t size)
{
	uint8_t *data;
	size_t n;

	/* under a test root the fake /proc says it; else uname, as `check` does */
	if (getenv("LUGATE_SYSROOT")) {
		if (read_sys("/proc/sys/kernel/osrelease", 256, &data, &n) != 1)
			return false;
		data[strcspn((char *)data, "\n")] = '\0';
		snprintf(buf, size, "%s", (char *)data);
		free(data);
		return buf[0] != '\0';
	}
	return cli_running_release(buf, size);
}

static bool is_dir(const char *path)
{
	char full[1024];
	struct stat st;

	cli_sys_path(full, sizeof(full), path);
	return stat(full, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct json_object *devices_json(const struct lugate_table *t, struct failure_list *f)
{
	struct json_object *arr = json_object_new_array();
	struct lugate_device dev;
	int cursor = 0;

	while (lugate_table_next_device(t, &cursor, &dev) == 1) {
		char addr[LUGATE_PCI_TEXT_LEN + 1], path[256], full[1024], link[1024];
		struct json_object *o = json_object_new_object();
		const char *bound = NULL;
		bool present;
		ssize_t n;

		lugate_pci_format(dev.addr, addr);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
		present = is_dir(path);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
		cli_sys_path(full, sizeof(full), path);
		n = present ? readlink(full, link, sizeof(link) - 1) : -1;
		if (n > 0) {
			link[n] = '\0';
			bound = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		}
		json_object_object_add(o, "address", json_object_new_string(addr));
		json_object_object_add(o, "driver_preserved", json_object_new_string(dev.driver));
		json_object_object_add(o, "present", json_object_new_boolean(present));
		json_object_object_add(o, "driver", bound ? json_object_new_string(bound) : NULL);
		json_object_array_add(arr, o);
		if (!present)
			fail_check(f, "device-missing", "preserved device %s is not present in sysfs", addr);
		else if (!bound)
			fail_check(f, "device-unbound", "preserved device %s is present but bound to no driver", addr);
	}
	return arr;
}

/* KHO: debugfs kho/in (state came in) and kexec-metadata (7.3), cross-checked. */
static struct json_object *kho_json(const struct lugate_table *t, struct failure_list *f)
{
	struct json_object *o = json_object_new_object();
	bool kernel = is_dir("/sys/kernel/debug/kho");
	bool in = is_dir("/sys/kernel/debug/kho/in");
	bool preserved = t && t->compat_count > 0;
	uint8_t *meta;
	size_t size;
	int r;

	json_object_object_add(o, "kho_kernel", json_object_new_boolean(kernel));
	json_object_object_add(o, "state_in", json_object_new_boolean(in));
	if (kernel && !in && preserved)
		fail_check(f, "kho-not-received",
			   "the outgoing kernel preserved state (%s) but no KHO state came in (debugfs kho/in is absent)",
			   lugate_table_compat(t, 0));
	if (!in)
		return o;
	r = read_sys("/sys/kernel/debug/kho/in/sub_fdts/kexec-metadata", 4096, &meta, &size);
	if (r != 1) {
		json_object_object_add(o, "kexec_metadata", NULL);
		return o;
	}
	struct json_object *m = json_object_new_object();
	uint32_t version = size >= 4 ? le32_load(meta) : 0;
	json_object_object_add(m, "version", json_object_new_int64(version));
	if (version == 1 && size >= KMETA_SIZE && memchr(meta + 4, '\0', KMETA_RELEASE_LEN)) {
		const char *prev = (const char *)meta + 4;
		const uint8_t *c = meta + 4 + KMETA_RELEASE_LEN;
		uint32_t count = le32_load(c);
		json_object_object_add(m, "previous_release", json_object_new_string(prev));
		json_object_object_add(m, "kexec_count", json_object_new_int64(count));
		if (t && strcmp(prev, t->release) != 0)
			fail_check(f, "kexec-metadata-mismatch",
				   "kexec-metadata says the previous kernel was %s, the table says %s", prev, t->release);
	} else {
		json_object_object_add(m, "error", json_object_new_string(version != 1 ? "unknown version" : "malformed"));
		fail_check(f, "kexec-metadata-malformed", "kexec-metadata is version %u or malformed (%zu bytes)",
			   version, size);
	}
	json_object_object_add(o, "kexec_metadata", m);
	free(meta);
	return o;
}

static struct json_object *reasons_json(const struct lugate_delivery *d)
{
	struct json_object *arr = json_object_new_array();
	for (uint32_t i = 0; i < d->reason_count; i++)
		json_object_array_add(arr, json_object_new_string(lugate_reason_name((enum lugate_reason_code)d->reasons[i])));
	return arr;
}

static struct json_object *flags_json(uint32_t flags)
{
	struct json_object *arr = json_object_new_array();
	for (uint32_t bit = 1; bit <= LUGATE_DELIVERY_F_KNOWN; bit <<= 1)
		if (flags & bit)
			json_object_array_add(arr, json_object_new_string(lugate_delivery_flag_name(bit)));
	return arr;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void print_text(struct json_object *o, const struct lugate_delivery *d, const struct failure_list *f)
{
	struct json_object *devs, *kho, *meta;

	printf("booted: %s (loader verdict: %s)\n", lugate_delivery_booted_name(d->booted),
	       lugate_delivery_verdict_name(d->verdict));
	if (d->reason_total) {
		printf("refusal reasons:");
		for (uint32_t i = 0; i < d->reason_count; i++)
			printf(" %s", lugate_reason_name((enum lugate_reason_code)d->reasons[i]));
		if (d->reason_total > d->reason_count)
			printf(" (and %u more)", d->reason_total - d->reason_count);
		printf("\n");
	}
	if (d->flags) {
		printf("loader flags:");
		for (uint32_t bit = 1; bit <= LUGATE_DELIVERY_F_KNOWN; bit <<= 1)
			if (d->flags & bit)
				printf(" %s", lugate_delivery_flag_name(bit));
		printf("\n");
	}
	printf("outgoing: %s\n", jstr(o, "outgoing_release") ? jstr(o, "outgoing_release") : "unknown");
	printf("sealed target: %s\n", jstr(o, "sealed_target_release") ? jstr(o, "sealed_target_release") : "unknown");
	printf("running: %s\n", jstr(o, "running_release") ? jstr(o, "running_release") : "unknown");
	printf("booted image sha256: %s\n", jstr(o, "booted_sha256"));
	if (json_object_object_get_ex(o, "devices", &devs) && devs) {
		size_t n = json_object_array_length(devs);
		printf("preserved devices: %zu\n", n);
		for (size_t i = 0; i < n; i++) {
			struct json_object *dv = json_object_array_get_idx(devs, i), *p;
			json_object_object_get_ex(dv, "present", &p);
			printf("  %s %s%s%s\n", jstr(dv, "address"), json_object_get_boolean(p) ? "present" : "MISSING",
			       jstr(dv, "driver") ? ", driver " : (json_object_get_boolean(p) ? ", NO DRIVER" : ""),
			       jstr(dv, "driver") ? jstr(dv, "driver") : "");
		}
	}
	if (json_object_object_get_ex(o, "kho", &kho)) {
		struct json_object *k, *in;
		json_object_object_get_ex(kho, "kho_kernel", &k);
		json_object_object_get_ex(kho, "state_in", &in);
		if (json_object_get_boolean(k) || json_object_get_boolean(in))
			printf("KHO: %s\n", json_object_get_boolean(in) ? "state came in" : "no incoming state");
		if (json_object_object_get_ex(kho, "kexec_metadata", &meta) && meta && jstr(meta, "previous_release"))
			printf("kexec-metadata: previous %s, kexec count %s\n", jstr(meta, "previous_release"),
			       jstr(meta, "kexec_count"));
	}
	for (size_t i = 0; i < f->count; i++) {
		struct json_object *c = json_object_array_get_idx(f->arr, i);
		printf("FAILED %s: %s\n", jstr(c, "check"), jstr(c, "message"));
	}
}

/* The history record of this boot's outcome. */
static struct json_object *outcome_record(const struct lugate_delivery *d, const char *running, bool good,
					  const struct failure_list *f)
{
	struct json_object *r = json_object_new_object(), *names = json_object_new_array();
	const struct lugate_table *t = &d->table; /* the caller records only a sealed, intact table */

	json_object_object_add(r, "outcome", json_object_new_string(good ? "good" : "bad"));
	json_object_object_add(r, "booted", json_object_new_string(lugate_delivery_booted_name(d->booted)));
	json_object_object_add(r, "outgoing_release", json_object_new_string(t->release));
	json_object_object_add(r, "outgoing_sha256", NULL); /* the outgoing image is not in the record */
	json_object_object_add(r, "target_release", json_object_new_string(t->target_release));
	json_object_object_add(r, "target_sha256", hex_json(t->target_sha256));
	json_object_object_add(r, "running_release", running[0] ? json_object_new_string(running) : NULL);
	for (uint32_t i = 0; i < d->reason_count; i++)
		json_object_array_add(names, json_object_new_string(lugate_reason_name((enum lugate_reason_code)d->reasons[i])));
	for (size_t i = 0; i < f->count; i++)
		json_object_array_add(names, json_object_new_string(jstr(json_object_array_get_idx(f->arr, i), "check")));
	json_object_object_add(r, "failures", names);
	return r;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },          { "record", no_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' }, { "cold-ok", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	bool json = false, record = false, cold_ok = false;
	const char *state_opt = NULL;
	struct failure_list f = { 0 };
	struct lugate_delivery d;
	struct json_object *o = NULL;
	char where[700] = "", running[256] = "", hex[2 * LUGATE_SHA256_SIZE + 1];
	uint8_t *data = NULL;
	size_t size = 0;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "jrs:ch", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'r': record = true; break;
		case 's': state_opt = optarg; break;
		case 'c': cold_ok = true; break;
		case 'h': fputs(usage, stdout); return EXIT_ALLOW;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (optind != argc) {
		return cli_error("status: unexpected argument '%s'", argv[optind]);
	}
	if (state_opt && !record)
		return cli_error("status: --state-dir goes with --record");

	r = find_record(&data, &size, where, sizeof(where));
	if (r == 0) /* no setup_data record: a device-tree machine names it in its DTB */
		r = cli_status_fdt_record(&data, &size, where, sizeof(where));
	if (r == -1)
		return EXIT_SYSTEM;
	if (r == -3)
		return EXIT_INPUT;
	if (r == 0) {
		if (json) {
			o = json_object_new_object();
			json_object_object_add(o, "record", json_object_new_string("absent"));
			cli_print_json(o);
		}
		if (cold_ok) {
			if (!json)
				printf("no delivery record: a cold boot or a plain kexec, not a jump through lugate's loader\n");
			return EXIT_ALLOW;
		}
		return cli_error("no delivery record: a cold boot or a plain kexec, not a jump through lugate's loader");
	}
	if (r == -2)
		return cli_error("two delivery records in setup_data: which one is true cannot be told");
	r = lugate_delivery_read(data, size, &d);
	if (r) {
		if (json) {
			o = json_object_new_object();
			json_object_object_add(o, "record", json_object_new_string("corrupt"));
			json_object_object_add(o, "path", json_object_new_string(where));
			json_object_object_add(o, "error", json_object_new_string(lugate_errname(r)));
			cli_print_json(o);
		}
		free(data);
		return cli_error("%s: the delivery record is corrupt: %s", where, lugate_strerror(r));
	}

	f.arr = json_object_new_array();
	o = json_object_new_object();
	const struct lugate_table *t = d.table_size && d.table_error == 0 ? &d.table : NULL;
	bool have_running = running_release(running, sizeof(running));

	json_object_object_add(o, "record", json_object_new_string("valid"));
	json_object_object_add(o, "path", json_object_new_string(where));
	json_object_object_add(o, "version", json_object_new_int64(d.version));
	json_object_object_add(o, "verdict", json_object_new_string(lugate_delivery_verdict_name(d.verdict)));
	json_object_object_add(o, "booted", json_object_new_string(lugate_delivery_booted_name(d.booted)));
	json_object_object_add(o, "flags", flags_json(d.flags));
	json_object_object_add(o, "reasons", reasons_json(&d));
	json_object_object_add(o, "reason_total", json_object_new_int64(d.reason_total));
	hex32(d.booted_sha256, hex);
	json_object_object_add(o, "booted_sha256", json_object_new_string(hex));
	json_object_object_add(o, "table_size", json_object_new_int64(d.table_size));
	json_object_object_add(o, "table_error", d.table_error ? json_object_new_string(lugate_errname(d.table_error)) : NULL);
	json_object_object_add(o, "outgoing_release", t ? json_object_new_string(t->release) : NULL);
	json_object_object_add(o, "sealed", json_object_new_boolean(t && t->sealed));
	json_object_object_add(o, "sealed_target_release",
			       t && t->target_release ? json_object_new_string(t->target_release) : NULL);
	json_object_object_add(o, "sealed_target_sha256", hex_json(t ? t->target_sha256 : NULL));
	json_object_object_add(o, "sealed_fallback_sha256", hex_json(t ? t->fallback_sha256 : NULL));
	json_object_object_add(o, "running_release", have_running ? json_object_new_string(running) : NULL);

	if (d.booted == LUGATE_DELIVERY_BOOTED_FALLBACK) {
		char reasons[600] = "";
		for (uint32_t i = 0; i < d.reason_count; i++)
			snprintf(reasons + strlen(reasons), sizeof(reasons) - strlen(reasons), "%s%s", i ? ", " : "",
				 lugate_reason_name((enum lugate_reason_code)d.reasons[i]));
		for (uint32_t bit = 1; bit <= LUGATE_DELIVERY_F_KNOWN; bit <<= 1)
			if ((d.flags & bit) && bit != LUGATE_DELIVERY_F_FALLBACK_VERIFIED && bit != LUGATE_DELIVERY_F_REASONS_CUT)
				snprintf(reasons + strlen(reasons), sizeof(reasons) - strlen(reasons), "%s%s",
					 reasons[0] ? ", " : "", lugate_delivery_flag_name(bit));
		fail_check(&f, "fallback-booted", "the loader refused the target and booted the fallback: %s",
			   reasons[0] ? reasons : "no reason recorded");
	} else if (t) {
		/* the target booted: is it what the table was sealed to? */
		bool release_ok = !t->target_release || (have_running && strcmp(running, t->target_release) == 0);
		bool hash_ok = memcmp(d.booted_sha256, t->target_sha256, LUGATE_SHA256_SIZE) == 0;
		if (!have_running)
			fail_check(&f, "running-release-unknown", "the running kernel's release cannot be read");
		else if (!release_ok)
			fail_check(&f, "release-mismatch", "running %s, but the table was sealed to %s", running,
				   t->target_release);
		if (!hash_ok)
			fail_check(&f, "image-mismatch", "the booted image's SHA-256 is not the one sealed in the table");
		json_object_object_add(o, "release_matches", t->target_release && have_running ?
					 json_object_new_boolean(release_ok) : NULL);
		json_object_object_add(o, "image_matches", json_object_new_boolean(hash_ok));
	}
	json_object_object_add(o, "devices", t ? devices_json(t, &f) : NULL);
	json_object_object_add(o, "kho", kho_json(t, &f));
	json_object_object_add(o, "checks_failed", json_object_get(f.arr));
	rc = f.count ? EXIT_REFUSE : EXIT_ALLOW;
	json_object_object_add(o, "result", json_object_new_string(rc == EXIT_ALLOW ? "ok" : "failed"));

	if (record) {
		if (!t || !t->sealed || !t->target_release) {
			cli_error("status: nothing to record: the record holds no sealed table naming the target");
			json_object_object_add(o, "recorded", json_object_new_boolean(false));
		} else {
			struct json_object *rec = outcome_record(&d, running, rc == EXIT_ALLOW, &f);
			bool ok = cli_history_append(cli_state_dir(state_opt), rec);
			json_object_object_add(o, "recorded", json_object_new_boolean(ok));
			json_object_put(rec);
			if (!ok)
				rc = EXIT_SYSTEM;
		}
	}
	if (json)
		cli_print_json(json_object_get(o));
	else
		print_text(o, &d, &f);
	json_object_put(o);
	json_object_put(f.arr);
	free(data);
	return rc;
}
