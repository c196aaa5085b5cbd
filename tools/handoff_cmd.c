// SPDX-License-Identifier: MIT
/* `lugate handoff build|show`: make a handoff table from a device list, or print one. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

static const char build_usage[] =
	"Usage: lugate handoff build --devices FILE.json [--from-running] [--release R] [--page-size N] [--sysfs DIR]\n"
	"                            -o TABLE\n"
	"Build a handoff table from a device list (docs/handoff-format.md).\n"
	"  --devices FILE   device list (JSON; see docs/handoff-format.md)\n"
	"  --from-running   take what the running system knows: each device's vendor/device/class\n"
	"                   and driver from sysfs, the release from `uname -r`, and the KHO/LUO\n"
	"                   versions from debugfs; the device list then needs only \"address\",\n"
	"                   \"schema\" and \"schema_version\" per device (no kernel exposes those)\n"
	"  --release R      outgoing release (default: the JSON's \"release\", then `uname -r`)\n"
	"  --page-size N    the outgoing kernel's page size: 4096, 16384 or 65536 (default: the running\n"
	"                   kernel's with --from-running, else 4096); a target with another is refused\n"
	"  --sysfs DIR      sysfs root: cross-check every device against DIR/bus/pci/devices\n"
	"                   (with --from-running: where to read them; default /sys)\n"
	"  --debugfs DIR    debugfs root for --from-running (default /sys/kernel/debug)\n"
	"  -o, --output F   where to write the table\n";

/*
 * With --from-running, the formats state was preserved in. A list without "compatible"
 * takes the running kernel's KHO/LUO versions (storage, *count). A list that names them is
 * taken as it is, except an empty list on a host where KHO is active: that would record that
 * nothing was preserved through KHO, and the check would then allow a target that cannot
 * revive what KHO holds. It is an input error; list the formats, or leave the key out.
 */
static bool compat_from_running(const char *debugfs, const char *list_path, const struct cli_devices *devs,
				const char *storage[2], size_t *count, struct cli_kho_state *kho)
{
	*count = 0;
	cli_kho_probe(debugfs, "/dev", kho);
	if (kho->bad[0])
		return cli_error("%s", kho->bad), false;
	if (devs->compat) {
		if (!devs->compat_count && kho->active)
			return cli_error("%s: \"compatible\" is empty, but KHO is active (%s): list the KHO/LUO "
					 "formats, or leave \"compatible\" out to take the running ones",
					 list_path, kho->how), false;
		return true;
	}
	if (!kho->active)
		return true; /* no KHO: nothing was preserved through it */
	if (!kho->root_compat[0])
		return cli_error("%s: KHO is active but its version could not be read; list it in "
				 "\"compatible\" in the device list (or mount debugfs)", kho->how), false;
	storage[(*count)++] = kho->root_compat;
	if (kho->luo_compat[0])
		storage[(*count)++] = kho->luo_compat;
	return true;
}

static const char show_usage[] =
	"Usage: lugate handoff show TABLE [--json]\n"
	"Verify a handoff table and print what it holds.\n";

bool cli_handoff_from_devices(const struct cli_handoff_source *src, uint8_t **blob, size_t *size)
{
	const char *release = src->release, *running_compat[2] = { NULL, NULL };
	struct cli_kho_state kho; /* running_compat points into it */
	size_t running_count = 0;
	char running[LUGATE_RELEASE_MAX + 1];
	struct lugate_table_spec spec = { 0 };
	struct lugate_release rel;
	struct cli_devices devs;
	bool ok = false;
	int err;

	if (!cli_devices_load_ex(src->devices_path, &devs, src->from_running))
		goto out;
	if (src->from_running) {
		if (!cli_devices_fill_from_sysfs(&devs, src->sysfs ? src->sysfs : "/sys"))
			goto out;
		if (!compat_from_running(src->debugfs ? src->debugfs : "/sys/kernel/debug", src->devices_path, &devs,
					 running_compat, &running_count, &kho))
			goto out;
	} else if (src->sysfs && !cli_devices_check_sysfs(&devs, src->sysfs)) {
		goto out;
	}
	if (!release)
		release = devs.release;
	if (!release && cli_running_release(running, sizeof(running)))
		release = running;
	if (!release) {
		cli_error("%s: no \"release\" and the running kernel's is unavailable; pass --release",
			  CLI_QPATH(src->devices_path));
		goto out;
	}
	err = lugate_release_parse(release, strlen(release), &rel);
	if (err) {
		cli_error("%s: release \"%s\": %s", CLI_QPATH(src->devices_path), CLI_Q(release), lugate_strerror(err));
		goto out;
	}
	spec.release = release;
	if (src->from_running && !devs.compat) {
		spec.compat = running_compat;
		spec.compat_count = running_count;
	} else {
		spec.compat = (const char *const *)devs.compat;
		spec.compat_count = devs.compat_count;
	}
	spec.devices = devs.devices;
	spec.device_count = devs.device_count;
	spec.page_size = src->page_size;
	if (!spec.page_size && src->from_running)
		spec.page_size = (uint32_t)sysconf(_SC_PAGESIZE);
	ok = cli_table_build(&spec, blob, size, src->devices_path);
out:
	cli_devices_free(&devs);
	return ok;
}

static int handoff_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "devices", required_argument, NULL, 'd' }, { "release", required_argument, NULL, 'r' },
		{ "sysfs", required_argument, NULL, 's' },   { "output", required_argument, NULL, 'o' },
		{ "from-running", no_argument, NULL, 'R' },  { "debugfs", required_argument, NULL, 'D' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct cli_handoff_source src = { 0 };
	const char *output = NULL;
	uint8_t *blob;
	size_t size;
	int c, rc = EXIT_INPUT;

	while ((c = cli_getopt(argc, argv, "d:r:s:o:h", opts)) != -1) {
		switch (c) {
		case 'd': src.devices_path = optarg; break;
		case 'r': src.release = optarg; break;
		case 's': src.sysfs = optarg; break;
		case 'o': output = optarg; break;
		case 'R': src.from_running = true; break;
		case 'D': src.debugfs = optarg; break;
		case 'P':
			if (strcmp(optarg, "4096") != 0 && strcmp(optarg, "16384") != 0 && strcmp(optarg, "65536") != 0)
				return cli_error("handoff build: --page-size %s: the page sizes are 4096, 16384 and 65536",
						 CLI_Q(optarg));
			src.page_size = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'h': fputs(build_usage, stdout); return EXIT_ALLOW;
		default: fputs(build_usage, stderr); return EXIT_INPUT;
		}
	}
	if (!src.devices_path || !output || optind != argc) {
		fputs(build_usage, stderr);
		return cli_error("handoff build: --devices and -o are required, and nothing else");
	}
	if (!cli_handoff_from_devices(&src, &blob, &size))
		return EXIT_INPUT;
	if (cli_write_file(output, blob, size))
		rc = EXIT_ALLOW;
	free(blob);
	return rc;
}

static struct json_object *device_json(const struct lugate_device *d)
{
	struct json_object *o = json_object_new_object();
	char addr[LUGATE_PCI_TEXT_LEN + 1], guid[LUGATE_GUID_TEXT_LEN + 1], hex[16];

	lugate_pci_format(d->addr, addr);
	lugate_guid_format(&d->schema, guid);
	json_object_object_add(o, "address", json_object_new_string(addr));
	snprintf(hex, sizeof(hex), "0x%04x", d->vendor_id);
	json_object_object_add(o, "vendor", json_object_new_string(hex));
	snprintf(hex, sizeof(hex), "0x%04x", d->device_id);
	json_object_object_add(o, "device", json_object_new_string(hex));
	snprintf(hex, sizeof(hex), "0x%06x", d->class_code);
	json_object_object_add(o, "class", json_object_new_string(hex));
	json_object_object_add(o, "schema", json_object_new_string(guid));
	json_object_object_add(o, "schema_version", json_object_new_int64(d->schema_version));
	json_object_object_add(o, "driver", json_object_new_string(d->driver));
	return o;
}

static struct json_object *sha_json(const uint8_t *sha)
{
	char hex[2 * LUGATE_SHA256_SIZE + 1];
	if (!sha)
		return NULL;
	lugate_hex_format(sha, LUGATE_SHA256_SIZE, hex);
	return json_object_new_string(hex);
}

static void show_json(const struct lugate_table *t)
{
	struct json_object *o = json_object_new_object(), *compat = json_object_new_array();
	struct json_object *devs = json_object_new_array();
	struct lugate_device d;
	int cursor = 0;

	json_object_object_add(o, "format", json_object_new_string(LUGATE_TABLE_COMPATIBLE));
	json_object_object_add(o, "release", json_object_new_string(t->release));
	for (uint32_t i = 0; i < t->compat_count; i++)
		json_object_array_add(compat, json_object_new_string(lugate_table_compat(t, i)));
	json_object_object_add(o, "compatible", compat);
	json_object_object_add(o, "page_size", json_object_new_int64(t->page_size));
	while (lugate_table_next_device(t, &cursor, &d) == 1)
		json_object_array_add(devs, device_json(&d));
	json_object_object_add(o, "devices", devs);
	if (t->sealed) {
		struct json_object *s = json_object_new_object();
		json_object_object_add(s, "target_sha256", sha_json(t->target_sha256));
		json_object_object_add(s, "target_release",
				       t->target_release ? json_object_new_string(t->target_release) : NULL);
		json_object_object_add(s, "fallback_sha256", sha_json(t->fallback_sha256));
		json_object_object_add(s, "policy", t->policy_text ? json_object_new_string(t->policy_text) : NULL);
		json_object_object_add(o, "sealed", s);
	} else {
		json_object_object_add(o, "sealed", NULL);
	}
	cli_print_json(o);
}

static void show_text(const struct lugate_table *t)
{
	char addr[LUGATE_PCI_TEXT_LEN + 1], guid[LUGATE_GUID_TEXT_LEN + 1], hex[2 * LUGATE_SHA256_SIZE + 1];
	struct lugate_device d;
	int cursor = 0;

	printf("release:    %s\n", t->release);
	printf("compatible:");
	for (uint32_t i = 0; i < t->compat_count; i++)
		printf(" %s", lugate_table_compat(t, i));
	printf("%s\n", t->compat_count ? "" : " (none)");
	printf("page size:  %u\n", t->page_size);
	printf("devices:    %u\n", t->device_count);
	while (lugate_table_next_device(t, &cursor, &d) == 1) {
		lugate_pci_format(d.addr, addr);
		lugate_guid_format(&d.schema, guid);
		printf("  %s %04x:%04x class %06x schema %s v%u%s%s\n", addr, d.vendor_id, d.device_id,
		       d.class_code, guid, d.schema_version, d.driver[0] ? " driver " : "", d.driver);
	}
	if (!t->sealed) {
		printf("sealed:     no\n");
		return;
	}
	lugate_hex_format(t->target_sha256, LUGATE_SHA256_SIZE, hex);
	printf("sealed:     target sha256 %s%s%s\n", hex, t->target_release ? " release " : "",
	       t->target_release ? t->target_release : "");
	if (t->fallback_sha256) {
		lugate_hex_format(t->fallback_sha256, LUGATE_SHA256_SIZE, hex);
		printf("fallback:   sha256 %s\n", hex);
	}
	if (t->policy_text)
		printf("policy:     %s", t->policy_text);
}

static int handoff_show(int argc, char **argv)
{
	struct lugate_table t;
	bool json;
	uint8_t *blob = NULL;
	size_t size;
	const char *path;
	int err, rc;

	if (!cli_json_file_args(argc, argv, show_usage, &json, &path, &rc))
		return rc;
	err = cli_table_load(path, &blob, &size, &t);
	if (!err) {
		if (json)
			show_json(&t);
		else
			show_text(&t);
	}
	free(blob);
	return err ? EXIT_INPUT : EXIT_ALLOW;
}

int cmd_handoff(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return handoff_build(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return handoff_show(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(build_usage, stdout);
		fputs(show_usage, stdout);
		return EXIT_ALLOW;
	}
	fputs(build_usage, stderr);
	fputs(show_usage, stderr);
	return cli_error("handoff: expected 'build' or 'show'");
}
