// SPDX-License-Identifier: MIT
/*
 * The delivery record on a device-tree machine (arm64): lugate's arm64 loader names it in the
 * DTB it hands over, /chosen "lugate,handoff" = <address size> (two 64-bit cells) and a
 * /reserved-memory node "lugate,handoff-v1" covering it (docs/loader.md, "The arm64 loader").
 * The kernel shows that DTB as /sys/firmware/fdt. The range is no-map, out of the kernel's
 * linear map: read() of /dev/mem faults there, so it is read through an mmap of /dev/mem, one
 * aligned 64-bit load at a time (the mapping is Device memory, where unaligned loads fault).
 * What the record says is verified by the core, as on x86 (status_cmd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lugate/delivery.h>
#include "../handoff/bytes.h"
#include "cli.h"
#include "kexec.h"
#include "status_fdt.h"

#define FDT_MAX ((size_t)2 << 20)         /* booting.rst's limit for a DTB */
#define RECORD_HEADER 200u                /* docs/loader.md, "Delivery record" */
#define RECORD_TABLE_SIZE_AT 28u          /* the header's table_size field */

/* /sys/firmware/fdt, whole: 1 read, 0 absent (not a device-tree machine), -1 error (printed). */
static int read_fdt(uint8_t **fdt, size_t *size)
{
	char path[1024];
	int fd;

	cli_sys_path(path, sizeof(path), "/sys/firmware/fdt");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd >= 0)
		close(fd);
	if (!cli_read_file(path, FDT_MAX, fdt, size))
		return -1;
	return 1;
}

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

/* A lugate,handoff-v1 child of /reserved-memory whose reg covers [addr, addr + size). */
static bool reserved_covers(const void *fdt, uint64_t addr, uint64_t size)
{
	int rm = fdt_path_offset(fdt, "/reserved-memory"), node;
	int ac = rm >= 0 ? fdt_address_cells(fdt, rm) : -1, sc = rm >= 0 ? fdt_size_cells(fdt, rm) : -1;

	if (rm < 0 || ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return false;
	fdt_for_each_subnode(node, fdt, rm) {
		int len;
		const fdt32_t *reg;

		if (fdt_node_check_compatible(fdt, node, "lugate,handoff-v1") != 0)
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		for (int at = 0; reg && len >= (ac + sc) * 4 && at + (ac + sc) * 4 <= len; at += (ac + sc) * 4) {
			uint64_t base = cells(reg + at / 4, ac), span = cells(reg + at / 4 + ac, sc);
			if (base <= addr && span >= size && addr - base <= span - size)
				return true;
		}
	}
	return false;
}

/* The range's bytes through an mmap of /dev/mem (a regular file stands in for it in tests). */
static int read_phys(uint64_t addr, uint64_t size, uint8_t *out, char *where, size_t where_size)
{
	char path[1024];
	long page = sysconf(_SC_PAGESIZE);
	uint64_t base = addr & ~(uint64_t)(page - 1), len = addr - base + size;
	struct stat st;
	void *map;
	int fd;

	cli_sys_path(path, sizeof(path), "/dev/mem");
	snprintf(where, where_size, "%s at 0x%" PRIx64 " (/chosen lugate,handoff)", path, addr);
	fd = open(path, O_RDONLY | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(EXIT_SYSTEM, "%s: %s", path, strerror(errno)), -1;
	if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && (uint64_t)st.st_size < addr + size)) {
		close(fd);
		return cli_fail(EXIT_SYSTEM, "%s: the record's range [0x%" PRIx64 "-0x%" PRIx64 ") lies past its end",
				path, addr, addr + size), -1;
	}
	map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, (off_t)base);
	close(fd);
	if (map == MAP_FAILED)
		return cli_fail(EXIT_SYSTEM, "%s: cannot map [0x%" PRIx64 "-0x%" PRIx64 "): %s", path, addr,
				addr + size, strerror(errno)), -1;
	const volatile uint64_t *src = (const volatile uint64_t *)((uint8_t *)map + (addr - base));
	for (uint64_t i = 0; i < size / 8; i++) {
		uint64_t w = src[i];
		memcpy(out + 8 * i, &w, 8);
	}
	munmap(map, (size_t)len);
	return 1;
}

int cli_status_fdt_record(uint8_t **data, size_t *size, char *where, size_t where_size)
{
	const size_t bound = RECORD_HEADER + LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX + 65536;
	uint8_t *fdt = NULL, *rec = NULL;
	size_t fdt_size = 0;
	const fdt64_t *pair;
	uint64_t addr, span, length;
	int len, r = read_fdt(&fdt, &fdt_size), chosen;

	if (r <= 0)
		return r;
	if (fdt_size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > fdt_size) {
		free(fdt);
		return cli_error("/sys/firmware/fdt: not a valid device tree"), -3;
	}
	chosen = fdt_path_offset(fdt, "/chosen");
	pair = chosen >= 0 ? fdt_getprop(fdt, chosen, "lugate,handoff", &len) : NULL;
	if (!pair) {
		free(fdt);
		return 0;
	}
	r = -3;
	if (len != 16) {
		cli_error("/chosen lugate,handoff is %d bytes, not an <address size> pair of 64-bit cells", len);
		goto out;
	}
	addr = fdt64_to_cpu(pair[0]);
	span = fdt64_to_cpu(pair[1]);
	if (addr % 8 || span % 8 || span < RECORD_HEADER || span > bound || addr + span < addr) {
		cli_error("/chosen lugate,handoff [0x%" PRIx64 ", +0x%" PRIx64 "): not an 8-byte aligned range of %u to %zu bytes",
			  addr, span, RECORD_HEADER, bound);
		goto out;
	}
	if (!reserved_covers(fdt, addr, span)) {
		cli_error("/chosen lugate,handoff [0x%" PRIx64 "-0x%" PRIx64 ") is not covered by a /reserved-memory "
			  "lugate,handoff-v1 node: the kernel may have reused that memory", addr, addr + span);
		goto out;
	}
	rec = calloc(1, (size_t)span);
	if (!rec) {
		cli_fail(EXIT_SYSTEM, "out of memory");
		r = -1;
		goto out;
	}
	r = read_phys(addr, span, rec, where, where_size);
	if (r < 0)
		goto out;
	/* The range is page-rounded: the record is its header and the table_size it states; every
	 * other rule of the record is the core's (lugate_delivery_read). */
	length = RECORD_HEADER + (uint64_t)le32_load(rec + RECORD_TABLE_SIZE_AT);
	*data = rec;
	*size = length <= span ? (size_t)length : (size_t)span;
	rec = NULL;
	r = 1;
out:
	free(rec);
	free(fdt);
	return r;
}
