// SPDX-License-Identifier: MIT
/* The FADT's reset register; see acpi.h. Free of hardware: the host unit tests link it. */
#include <string.h>
#include "../handoff/bytes.h"
#include "acpi.h"

#define BIOS_EBDA_SEGMENT 0x40eu       /* the BIOS data area's word: the EBDA's segment */
#define EBDA_LOW 0x80000u              /* an EBDA lies in conventional memory, below 640 KiB */
#define EBDA_HIGH 0xa0000u
#define EBDA_SCAN 1024u
#define BIOS_AREA_START 0xe0000u
#define BIOS_AREA_END 0x100000u
#define RSDP_MAX_LEN 4096u             /* a version-2 RSDP is 36 bytes; more is not an RSDP */
#define ROOT_MAX_LEN 0x10000u          /* 8186 XSDT entries: far above any real table count */
#define FADT_MAX_LEN 0x1000u
#define ROOT_MAX_ENTRIES 1024u

static const uint8_t *map(const struct acpi_mem *m, uint64_t addr, uint64_t size)
{
	if (addr == 0 || size == 0 || addr + size < addr)
		return NULL;
	return m->map(m->ctx, addr, size);
}

static bool sums_to_zero(const uint8_t *p, uint32_t n)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

/* An RSDP at addr, at most max bytes readable (0: any); its root table's address, or 0. */
static bool rsdp_at(const struct acpi_mem *m, uint64_t addr, uint64_t max, uint64_t *xsdt, uint64_t *rsdt)
{
	const uint8_t *p;
	uint32_t len;

	if (max && max < ACPI_RSDP_V1_SIZE)
		return false;
	p = map(m, addr, ACPI_RSDP_V1_SIZE);
	if (!p || memcmp(p, "RSD PTR ", 8) != 0 || !sums_to_zero(p, ACPI_RSDP_V1_SIZE))
		return false;
	*rsdt = le32_load(p + 16);
	*xsdt = 0;
	if (p[15] < 2)   /* revision 0: ACPI 1.0, 20 bytes, RSDT only */
		return true;
	if (max && max < ACPI_RSDP_V2_SIZE)
		return true;   /* a version-1 copy of a later RSDP (Multiboot2's "old" tag): RSDT only */
	p = map(m, addr, ACPI_RSDP_V2_SIZE);
	if (!p)
		return true;
	len = le32_load(p + 20);
	if (len < ACPI_RSDP_V2_SIZE || len > RSDP_MAX_LEN || (max && len > max))
		return true;
	p = map(m, addr, len);
	if (p && sums_to_zero(p, len))
		*xsdt = le64_load(p + 24);
	return true;
}

static bool scan(const struct acpi_mem *m, uint64_t start, uint64_t end, uint64_t *at, uint64_t *xsdt, uint64_t *rsdt)
{
	for (uint64_t a = start; a + ACPI_RSDP_V1_SIZE <= end; a += 16)
		if (rsdp_at(m, a, end - a, xsdt, rsdt)) {
			*at = a;
			return true;
		}
	return false;
}

/* A whole system description table: signature, length within [min, max], checksum. */
static const uint8_t *table(const struct acpi_mem *m, uint64_t addr, const char *sig, uint32_t min, uint32_t max,
			    uint32_t *len)
{
	const uint8_t *p = map(m, addr, ACPI_SDT_HEADER);

	if (!p || memcmp(p, sig, 4) != 0)
		return NULL;
	*len = le32_load(p + 4);
	if (*len < min || *len > max)
		return NULL;
	p = map(m, addr, *len);
	return p && sums_to_zero(p, *len) ? p : NULL;
}

/* The FADT among a root table's entries (entry bytes each), or 0. */
static uint64_t find_fadt(const struct acpi_mem *m, const uint8_t *root, uint32_t len, uint32_t entry)
{
	uint32_t n = (len - ACPI_SDT_HEADER) / entry;

	if (n > ROOT_MAX_ENTRIES)
		n = ROOT_MAX_ENTRIES;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + ACPI_SDT_HEADER + (size_t)i * entry;
		uint64_t a = entry == 8 ? le64_load(e) : le32_load(e);
		const uint8_t *h = map(m, a, 4);

		if (h && memcmp(h, "FACP", 4) == 0)
			return a;
	}
	return 0;
}

const char *acpi_find_reset(const struct acpi_mem *m, uint64_t hint, uint64_t hint_max, struct acpi_reset *out,
			    uint64_t *rsdp)
{
	uint64_t xsdt = 0, rsdt = 0, fadt = 0, at = 0, gas_addr;
	const uint8_t *p, *root;
	uint32_t len, flags;

	if (hint && rsdp_at(m, hint, hint_max, &xsdt, &rsdt)) {
		at = hint;
	} else {
		const uint8_t *seg = map(m, BIOS_EBDA_SEGMENT, 2);
		uint64_t ebda = seg ? (uint64_t)(seg[0] | seg[1] << 8) << 4 : 0;

		if (!(ebda >= EBDA_LOW && ebda < EBDA_HIGH &&
		      scan(m, ebda, ebda + EBDA_SCAN < EBDA_HIGH ? ebda + EBDA_SCAN : EBDA_HIGH, &at, &xsdt, &rsdt)) &&
		    !scan(m, BIOS_AREA_START, BIOS_AREA_END, &at, &xsdt, &rsdt))
			return hint ? "the RSDP handed over is invalid, and none is in the BIOS area"
				    : "no RSDP (none handed over, none in the BIOS area)";
	}
	*rsdp = at;
	/* the XSDT when there is a valid one, else the RSDT */
	if (xsdt && (root = table(m, xsdt, "XSDT", ACPI_SDT_HEADER, ROOT_MAX_LEN, &len)) != NULL)
		fadt = find_fadt(m, root, len, 8);
	if (!fadt && rsdt && (root = table(m, rsdt, "RSDT", ACPI_SDT_HEADER, ROOT_MAX_LEN, &len)) != NULL)
		fadt = find_fadt(m, root, len, 4);
	if (!fadt)
		return "no valid XSDT or RSDT lists a FADT";
	p = table(m, fadt, "FACP", ACPI_SDT_HEADER, FADT_MAX_LEN, &len);
	if (!p)
		return "the FADT is unreadable or fails its checksum";
	if (len < ACPI_FADT_MIN)
		return "the FADT is too short to hold a reset register (ACPI 1.0)";
	flags = le32_load(p + 112);
	if (!(flags & ACPI_FADT_RESET_REG_SUP))
		return "the FADT does not announce a reset register";
	/* RESET_REG, a Generic Address Structure: space, bit width, bit offset, access size, address */
	gas_addr = le64_load(p + 120);
	if (p[116] != ACPI_SPACE_MEMORY && p[116] != ACPI_SPACE_IO)
		return "the reset register is neither in I/O nor in memory space";
	if (p[117] != 8 || p[118] != 0 || p[119] > 1)
		return "the reset register is not a plain 8-bit register";
	if (gas_addr == 0 || (p[116] == ACPI_SPACE_IO && gas_addr > 0xffff))
		return "the reset register's address is invalid";
	if (p[116] == ACPI_SPACE_MEMORY && !map(m, gas_addr, 1))
		return "the reset register lies beyond the identity map";
	out->space = p[116] == ACPI_SPACE_IO ? ACPI_SPACE_IO : ACPI_SPACE_MEMORY;
	out->addr = gas_addr;
	out->value = p[128];
	return NULL;
}
