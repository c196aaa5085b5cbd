// SPDX-License-Identifier: MIT
/* Reading the entry DTB; see dtb_read.h. */
#include <string.h>
#include <libfdt.h>
#include <lugate/fdt_check.h>
#include "dtb_read.h"

/* A cell count a reg property can use: 1 or 2 (a 64-bit address or size at most). */
static int cells_of(const void *fdt, int node, const char *name, int dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return dflt;
	if (len != 4)
		return -1;
	return (int)fdt32_to_cpu(*p);
}

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* An integer property of 4 or 8 bytes (linux,initrd-start/end may be either). */
static bool prop_u64(const void *fdt, int node, const char *name, uint64_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || (len != 4 && len != 8))
		return false;
	*v = read_cells(p, len / 4);
	return true;
}

/*
 * The reg entries of node (cells from its parent) appended to out[*count], at most max; an
 * entry that wraps is an error, one past max sets *dropped. Returns NULL or why.
 */
static const char *read_reg(const void *fdt, int node, struct a64_range *out, uint32_t *count, uint32_t max,
			    bool *dropped)
{
	int parent = fdt_parent_offset(fdt, node), len;
	int ac = cells_of(fdt, parent, "#address-cells", 2), sc = cells_of(fdt, parent, "#size-cells", 1);
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);

	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return "a reg property's #address-cells or #size-cells is not 1 or 2";
	if (!p)
		return NULL;
	if (len < 0 || len % (4 * (ac + sc)) != 0)
		return "a reg property's length is not a whole number of entries";
	for (int i = 0; i < len / (4 * (ac + sc)); i++, p += ac + sc) {
		uint64_t a = read_cells(p, ac), s = sc ? read_cells(p + ac, sc) : 0;

		if (s == 0)
			continue;
		if (a + s < a)
			return "a reg entry wraps past the end of the address space";
		if (*count >= max) {
			*dropped = true;
			continue;
		}
		out[*count].addr = a;
		out[*count].size = s;
		(*count)++;
	}
	return NULL;
}

static const char *read_memory(const void *fdt, struct a64_dtb_info *out)
{
	const char *why;

	for (int n = fdt_next_node(fdt, -1, NULL); n >= 0; n = fdt_next_node(fdt, n, NULL)) {
		int len;
		const char *type = fdt_getprop(fdt, n, "device_type", &len);

		if (!type || len != 7 || memcmp(type, "memory", 7) != 0)
			continue;
		why = read_reg(fdt, n, out->mem, &out->mem_count, A64_MAX_MEM, &out->mem_dropped);
		if (why)
			return why;
	}
	if (out->mem_count == 0)
		return "the DTB describes no memory (no device_type = \"memory\" node with a reg)";
	return NULL;
}

static const char *read_reserved(const void *fdt, struct a64_dtb_info *out)
{
	int rm = fdt_path_offset(fdt, "/reserved-memory"), child;
	const char *why;

	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t a, s;

		if (fdt_get_mem_rsv(fdt, i, &a, &s) < 0)
			return "the /memreserve/ block cannot be read";
		if (s == 0)
			continue;
		if (a + s < a)
			return "a /memreserve/ entry wraps past the end of the address space";
		if (out->reserved_count >= A64_MAX_RESERVED) {
			out->reserved_dropped = true;
			continue;
		}
		out->reserved[out->reserved_count].addr = a;
		out->reserved[out->reserved_count++].size = s;
	}
	if (rm < 0)
		return NULL;
	fdt_for_each_subnode(child, fdt, rm) {
		why = read_reg(fdt, child, out->reserved, &out->reserved_count, A64_MAX_RESERVED,
			       &out->reserved_dropped);
		if (why)
			return why;
	}
	return NULL;
}

/*
 * A /chosen property holding <address size> pairs in the root's cells, as the kernel's
 * drivers/of/fdt.c reads linux,kho-fdt, linux,kho-scratch, linux,elfcorehdr (one pair each) and
 * linux,usable-memory-range (one or more). Up to max pairs into r[]; *count gets how many (0
 * when the property is absent). A pair that is empty or wraps, or a length that is not whole
 * pairs (or more than max), is an error: bad, the property's own reason.
 */
static const char *read_pairs(const void *fdt, int chosen, const char *name, struct a64_range *r, uint32_t max,
			      uint32_t *count, const char *bad)
{
	int ac = cells_of(fdt, 0, "#address-cells", 2), sc = cells_of(fdt, 0, "#size-cells", 1), len;
	const fdt32_t *p = fdt_getprop(fdt, chosen, name, &len);
	uint32_t n;

	*count = 0;
	if (!p)
		return NULL;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || len <= 0 || len % (4 * (ac + sc)) != 0)
		return bad;
	n = (uint32_t)len / (4u * (uint32_t)(ac + sc));
	if (n > max)
		return bad;
	for (uint32_t i = 0; i < n; i++, p += ac + sc) {
		r[i].addr = read_cells(p, ac);
		r[i].size = read_cells(p + ac, sc);
		if (r[i].size == 0 || r[i].addr + r[i].size < r[i].addr)
			return bad;
	}
	*count = n;
	return NULL;
}

static const char *read_pair(const void *fdt, int chosen, const char *name, bool *has, struct a64_range *r,
			     const char *bad)
{
	uint32_t n;
	const char *why = read_pairs(fdt, chosen, name, r, 1, &n, bad);

	*has = n == 1;
	return why;
}

/*
 * A crash kernel's DTB (kdump): linux,elfcorehdr is the ELF core header of the kernel that
 * crashed, which must survive, so it joins the reserved ranges; linux,usable-memory-range is the
 * only memory the crash kernel may use (the kernel caps memblock to it), so the memory the
 * loader places into becomes its intersection with the memory nodes. rng-seed is left for the
 * kernel that boots: the loader forwards the DTB and never consumes the seed.
 */
static const char *read_crash(const void *fdt, int chosen, struct a64_dtb_info *out)
{
	struct a64_range usable[A64_MAX_MEM], clipped[A64_MAX_MEM];
	uint32_t n_usable, n = 0;
	const char *why;

	why = read_pair(fdt, chosen, "linux,elfcorehdr", &out->has_elfcorehdr, &out->elfcorehdr,
			"/chosen linux,elfcorehdr is not one non-empty <address size> pair in the root's cells");
	if (why)
		return why;
	if (out->has_elfcorehdr) {
		if (out->reserved_count < A64_MAX_RESERVED)
			out->reserved[out->reserved_count++] = out->elfcorehdr;
		else
			out->reserved_dropped = true;
	}
	why = read_pairs(fdt, chosen, "linux,usable-memory-range", usable, A64_MAX_MEM, &n_usable,
			 "/chosen linux,usable-memory-range is not non-empty <address size> pairs in the root's cells");
	if (why || n_usable == 0)
		return why;
	for (uint32_t u = 0; u < n_usable; u++) {
		for (uint32_t m = 0; m < out->mem_count; m++) {
			uint64_t lo = usable[u].addr > out->mem[m].addr ? usable[u].addr : out->mem[m].addr;
			uint64_t u_end = usable[u].addr + usable[u].size, m_end = out->mem[m].addr + out->mem[m].size;
			uint64_t hi = u_end < m_end ? u_end : m_end;

			if (lo >= hi)
				continue;
			if (n == A64_MAX_MEM) {
				out->mem_dropped = true;
				continue;
			}
			clipped[n].addr = lo;
			clipped[n++].size = hi - lo;
		}
	}
	if (n == 0)
		return "/chosen linux,usable-memory-range lies outside the memory the DTB describes";
	memcpy(out->mem, clipped, n * sizeof(clipped[0]));
	out->mem_count = n;
	out->has_usable_range = true;
	return NULL;
}

static const char *read_chosen(const void *fdt, struct a64_dtb_info *out)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *why, *args;
	bool has_start, has_end;

	if (chosen < 0)
		return NULL;
	args = fdt_getprop(fdt, chosen, "bootargs", &len);
	if (args) {
		/* the string up to its first NUL; kexec-tools pads the property with NULs */
		if (len < 1 || args[len - 1] != '\0')
			return "/chosen bootargs does not end in a NUL";
		out->bootargs = args;
	}
	has_start = prop_u64(fdt, chosen, "linux,initrd-start", &out->initrd.addr);
	has_end = prop_u64(fdt, chosen, "linux,initrd-end", &out->initrd.size);
	if (has_start != has_end)
		return "/chosen has only one of linux,initrd-start and linux,initrd-end";
	if (has_start) {
		if (out->initrd.size < out->initrd.addr)
			return "/chosen linux,initrd-end lies before linux,initrd-start";
		out->initrd.size -= out->initrd.addr;
		out->has_initrd = out->initrd.size != 0;
	}
	why = read_pair(fdt, chosen, "linux,kho-fdt", &out->has_kho_fdt, &out->kho_fdt,
			"/chosen linux,kho-fdt is not one non-empty <address size> pair in the root's cells");
	if (!why)
		why = read_pair(fdt, chosen, "linux,kho-scratch", &out->has_kho_scratch, &out->kho_scratch,
				"/chosen linux,kho-scratch is not one non-empty <address size> pair in the root's cells");
	if (!why)
		why = read_crash(fdt, chosen, out);
	return why;
}

/* The first reg address of node, in its parent's cells; 0 if none. */
static uint64_t first_reg(const void *fdt, int node)
{
	struct a64_range r[1];
	uint32_t n = 0;
	bool dropped = false;

	if (read_reg(fdt, node, r, &n, 1, &dropped) || n == 0)
		return 0;
	return r[0].addr;
}

uint64_t a64_dtb_uart(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len, node = -1;
	const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;

	if (path && len > 0 && memchr(path, '\0', (size_t)len)) {
		const char *colon = memchr(path, ':', strlen(path));
		int plen = colon ? (int)(colon - path) : (int)strlen(path);

		/* a path or an alias, up to the ":<options>" */
		node = fdt_path_offset_namelen(fdt, path, plen);
		if (node >= 0 && fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
			node = -1;
	}
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	return node >= 0 ? first_reg(fdt, node) : 0;
}

static enum a64_psci read_psci(const void *fdt)
{
	int node = fdt_path_offset(fdt, "/psci"), len;
	const char *m = node >= 0 ? fdt_getprop(fdt, node, "method", &len) : NULL;

	if (!m || len < 4)
		return A64_PSCI_NONE;
	if (len == 4 && memcmp(m, "hvc", 4) == 0)
		return A64_PSCI_HVC;
	if (len == 4 && memcmp(m, "smc", 4) == 0)
		return A64_PSCI_SMC;
	return A64_PSCI_NONE;
}

const char *a64_dtb_read(const void *fdt, size_t limit, struct a64_dtb_info *out)
{
	const char *why;

	memset(out, 0, sizeof(*out));
	if (limit < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0)
		return "x0 does not point at a device tree (fdt_check_header failed)";
	out->fdt_size = fdt_totalsize(fdt);
	if (out->fdt_size > A64_DTB_MAX || out->fdt_size > limit)
		return "the device tree is larger than 2 MiB (booting.rst's limit)";
	/* before any libfdt read past the header, the console's included: on a tree that fails,
	 * the loader stays silent rather than read it */
	if (lugate_fdt_check(fdt, out->fdt_size) != 0)
		return "the device tree's blocks are misaligned or its structure is malformed";
	out->uart = a64_dtb_uart(fdt);
	out->psci = read_psci(fdt);
	why = read_memory(fdt, out);
	if (!why)
		why = read_reserved(fdt, out);
	if (!why)
		why = read_chosen(fdt, out);
	return why;
}
