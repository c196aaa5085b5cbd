// SPDX-License-Identifier: MIT
/*
 * What the running system can tell about a live update: PCI IDs and drivers from sysfs,
 * KHO/LUO format versions from debugfs. What it cannot tell — which devices are preserved,
 * and the schema GUID and version each device's state is written in — must come from the
 * admin's device list: no kernel interface exposes schema GUIDs today.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

/*
 * A sysfs ID attribute's text, exactly as the kernel prints it: "0x", lowercase hex digits,
 * one newline, nothing more ("0x%04x\n", "0x%06x\n"). No sign, no spaces, no second line,
 * nothing past max: anything else is not what the kernel wrote.
 */
static bool parse_sysfs_hex(const char *buf, size_t n, unsigned long max, uint32_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (n < 4 || buf[0] != '0' || buf[1] != 'x' || buf[n - 1] != '\n')
		return false;
	for (i = 2; i < n - 1; i++) {
		char c = buf[i];
		unsigned long d = c >= '0' && c <= '9' ? (unsigned long)(c - '0') :
				  c >= 'a' && c <= 'f' ? (unsigned long)(c - 'a' + 10) : 16;
		if (d > 15 || v > (max - d) / 16 || d > max)
			return false;
		v = v * 16 + d;
	}
	*out = (uint32_t)v;
	return true;
}

/* Reads fd to EOF, a read error or size bytes, whichever comes first, and closes it: how many
 * bytes were read. Attribute and debugfs files are read as far as they go, never by size. */
static size_t read_upto(int fd, void *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got;
}

/*
 * One hex attribute of a sysfs device folder. 1: read; 0: absent or not what the kernel prints
 * (the caller says "not present"); -1: there, but not a regular file (said here). Real sysfs
 * attributes are regular files of size 4096 whatever they hold: read to EOF, never by size.
 * A FIFO in a fake tree must not hang the verb: cli_open_regular never blocks on one.
 */
static int read_hex_attr(const char *dir, const char *attr, unsigned long max, uint32_t *out)
{
	char path[512], buf[4096 + 2];   /* a page, and one byte to see a longer file */
	const char *kind;
	size_t got, len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = cli_open_regular(path, &kind);
	if (fd == -2)
		return cli_error("%s: not a regular file (%s)", CLI_QPATH(path), kind), -1;
	if (fd < 0)
		return 0;
	got = read_upto(fd, buf, sizeof(buf) - 1);
	buf[got] = '\0';
	/* one line and nothing after it but NUL padding (an attribute is at most a page) */
	len = strlen(buf);
	for (size_t i = len; i < got; i++)
		if (buf[i])
			return 0;
	return got <= 4096 && parse_sysfs_hex(buf, len, max, out) ? 1 : 0;
}

/* vendor, device and class of one device: 1, 0 (not present; said here), -1 (said already). */
static int read_ids(const char *sysfs_root, const char *dir, const char *addr, uint32_t *vendor,
		    uint32_t *device, uint32_t *cls)
{
	int r = read_hex_attr(dir, "vendor", 0xffff, vendor);

	if (r == 1)
		r = read_hex_attr(dir, "device", 0xffff, device);
	if (r == 1)
		r = read_hex_attr(dir, "class", 0xffffff, cls);
	if (r == 0)
		cli_error("%s: device %s is not present (or unreadable) in sysfs", CLI_QPATH(sysfs_root), addr);
	return r;
}

/* --sysfs DIR without --from-running: the device list must agree with the system. */
bool cli_devices_check_sysfs(const struct cli_devices *d, const char *sysfs_root)
{
	bool all_ok = true;

	for (size_t i = 0; i < d->device_count; i++) {
		const struct lugate_device *dev = &d->devices[i];
		char addr[LUGATE_PCI_TEXT_LEN + 1], dir[512];
		uint32_t vendor, device, cls;

		lugate_pci_format(dev->addr, addr);
		snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs_root, addr);
		if (read_ids(sysfs_root, dir, addr, &vendor, &device, &cls) != 1) {
			all_ok = false;
			continue;
		}
		if (vendor != dev->vendor_id || device != dev->device_id || cls != dev->class_code) {
			cli_error("%s: device %s is %04x:%04x class %06x in sysfs, but the device list says "
				  "%04x:%04x class %06x", CLI_QPATH(sysfs_root), addr, vendor, device, cls,
				  dev->vendor_id, dev->device_id, dev->class_code);
			all_ok = false;
		}
	}
	return all_ok;
}

/*
 * --from-running: every device must be in sysfs, and the IDs the list gives must be the
 * ones sysfs reports (as --sysfs checks without --from-running); then all three come from
 * sysfs, and the driver name too when the list has none.
 */
bool cli_devices_fill_from_sysfs(struct cli_devices *d, const char *sysfs_root)
{
	bool all_ok = true;

	free(d->driver_buf);
	d->driver_buf = calloc(d->device_count ? d->device_count : 1, LUGATE_DRIVER_MAX + 1);
	if (!d->driver_buf)
		return cli_error("out of memory"), false;
	for (size_t i = 0; i < d->device_count; i++) {
		struct lugate_device *dev = &d->devices[i];
		const struct cli_listed_ids *want = d->listed ? &d->listed[i] : NULL;
		char addr[LUGATE_PCI_TEXT_LEN + 1], dir[512], link[600], target[512];
		uint32_t vendor, device, cls;
		ssize_t n;

		lugate_pci_format(dev->addr, addr);
		snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs_root, addr);
		if (read_ids(sysfs_root, dir, addr, &vendor, &device, &cls) != 1) {
			all_ok = false;
			continue;
		}
		if (want && ((want->vendor != CLI_ID_UNKNOWN && want->vendor != vendor) ||
			     (want->device != CLI_ID_UNKNOWN && want->device != device) ||
			     (want->cls != CLI_ID_UNKNOWN && want->cls != cls))) {
			char v[12] = "*", dv[12] = "*", c[12] = "*";
			if (want->vendor != CLI_ID_UNKNOWN)
				snprintf(v, sizeof(v), "%04x", want->vendor);
			if (want->device != CLI_ID_UNKNOWN)
				snprintf(dv, sizeof(dv), "%04x", want->device);
			if (want->cls != CLI_ID_UNKNOWN)
				snprintf(c, sizeof(c), "%06x", want->cls);
			cli_error("%s: device %s is %04x:%04x class %06x in sysfs, but the device list says "
				  "%s:%s class %s", CLI_QPATH(sysfs_root), addr, vendor, device, cls, v, dv, c);
			all_ok = false;
			continue;
		}
		dev->vendor_id = (uint16_t)vendor;
		dev->device_id = (uint16_t)device;
		dev->class_code = cls;
		if (dev->driver && dev->driver[0])
			continue;
		snprintf(link, sizeof(link), "%s/driver", dir);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue; /* unbound: no driver name, which is informational anyway */
		target[n] = '\0';
		char *name = d->driver_buf + i * (LUGATE_DRIVER_MAX + 1);
		snprintf(name, LUGATE_DRIVER_MAX + 1, "%.63s", basename(target));
		dev->driver = name;
	}
	return all_ok;
}

/* Read up to size bytes of a (debugfs) file; returns the count or -1. Not a regular file: -1,
 * named in *bad (a FIFO would block the verb for a writer that never comes). */
static ssize_t read_prefix(const char *path, uint8_t *buf, size_t size, char *bad, size_t bad_size)
{
	const char *kind;
	int fd = cli_open_regular(path, &kind);

	if (fd == -2 && !bad[0])
		snprintf(bad, bad_size, "%s: not a regular file (%s)", CLI_QPATH(path), kind);
	if (fd < 0)
		return -1;
	return (ssize_t)read_upto(fd, buf, size);
}

static bool printable_token(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

void cli_kho_probe(const char *debugfs_root, const char *dev_root, struct cli_kho_state *out)
{
	char path[512];
	uint8_t buf[4096];
	struct stat st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/kho/out/fdt", debugfs_root);
	n = read_prefix(path, buf, sizeof(buf), out->bad, sizeof(out->bad));
	if (n > 0) {
		out->active = true;
		snprintf(out->how, sizeof(out->how), "%s", CLI_QPATH(path));
		/* sized when KHO started, the tree grew since: a prefix (lugate/kho.h) */
		lugate_kho_root_compat(buf, (size_t)n, LUGATE_KHO_PREFIX, out->root_compat);
	}
	/* LUO's entry: a sub-FDT (luo-v1) or, later, a raw blob opening with its compatible. */
	snprintf(path, sizeof(path), "%s/kho/out/sub_fdts/LUO", debugfs_root);
	n = read_prefix(path, buf, sizeof(buf) - 1, out->bad, sizeof(out->bad));
	if (n > 0) {
		buf[n] = 0;
		if (lugate_kho_root_compat(buf, (size_t)n, LUGATE_KHO_PREFIX, out->luo_compat) < 0 &&
		    !printable_token((const char *)buf, LUGATE_COMPAT_MAX))
			out->luo_compat[0] = '\0';
		else if (!out->luo_compat[0])
			snprintf(out->luo_compat, sizeof(out->luo_compat), "%.47s", (const char *)buf);
	}
	snprintf(path, sizeof(path), "%s/liveupdate", dev_root);
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && !out->active) {
		out->active = true;
		snprintf(out->how, sizeof(out->how), "%s exists (LUO needs KHO)", CLI_QPATH(path));
	}
}
