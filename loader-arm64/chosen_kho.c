// SPDX-License-Identifier: MIT
/* The KHO handover in /chosen; see kho.h. */
#include <string.h>
#include <lugate/kho.h>
#include "chosen_kho.h"

#define SCRATCH_ENTRY 16u

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

const char *a64_kho_read(const struct a64_dtb_info *dtb, const struct a64_place *p, struct a64_kho *out)
{
	const struct a64_range *fdt = &dtb->kho_fdt, *sc = &dtb->kho_scratch;
	const uint8_t *array;

	memset(out, 0, sizeof(*out));
	if (!dtb->has_kho_fdt || !dtb->has_kho_scratch)
		return "/chosen has only one of linux,kho-fdt and linux,kho-scratch";
	if (fdt->size > LUGATE_KHO_FDT_MAX || (fdt->addr & 7) || !a64_place_in_memory(p, fdt->addr, fdt->size))
		return "the KHO FDT is larger than 1 MiB, misaligned or outside memory";
	if (lugate_kho_root_compat((const void *)(uintptr_t)fdt->addr, (size_t)fdt->size, LUGATE_KHO_WHOLE,
				   out->compat) != 0)
		return "the KHO FDT cannot be read (header, structure or root compatible)";
	if (sc->size % SCRATCH_ENTRY || sc->size / SCRATCH_ENTRY > A64_KHO_SCRATCH_MAX ||
	    !a64_place_in_memory(p, sc->addr, sc->size))
		return "the KHO scratch array has a bad size or lies outside memory";
	array = (const uint8_t *)(uintptr_t)sc->addr;
	for (uint64_t off = 0; off < sc->size; off += SCRATCH_ENTRY) {
		struct a64_range *r = &out->scratch[out->scratch_count];

		r->addr = le64_at(array + off);
		r->size = le64_at(array + off + 8);
		if (r->size == 0)
			continue;   /* an empty area (no lowmem scratch, say) */
		if (!a64_place_in_memory(p, r->addr, r->size))
			return "a KHO scratch area wraps or lies outside memory";
		out->scratch_count++;
	}
	if (out->scratch_count == 0)
		return "KHO handed over no scratch area: nowhere is safe to write";
	return NULL;
}

const void *a64_kho_luo_map(void *ctx, uint64_t pa, size_t len)
{
	const struct a64_dtb_info *dtb = ctx;

	for (uint32_t i = 0; i < dtb->mem_count; i++) {
		const struct a64_range *m = &dtb->mem[i];

		/* written so that nothing wraps: pa - m->addr only once pa >= m->addr */
		if (pa >= m->addr && pa - m->addr <= m->size && len <= m->size - (pa - m->addr))
			return (const void *)(uintptr_t)pa;
	}
	return NULL;
}
