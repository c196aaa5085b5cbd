// SPDX-License-Identifier: MIT
/* The loader's allocator; see memory.h. */
#include "memory.h"

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

bool mem_add_busy(struct mem_allocator *a, uint64_t start, uint64_t end)
{
	if (end <= start)
		return true;
	if (a->busy_count >= MEM_MAX_BUSY)
		return false;
	a->busy[a->busy_count].start = start;
	a->busy[a->busy_count].end = end;
	a->busy_count++;
	return true;
}

bool mem_overlaps_busy(const struct mem_allocator *a, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < a->busy_count; i++)
		if (overlaps(start, end, a->busy[i].start, a->busy[i].end))
			return true;
	return false;
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool mem_init(struct mem_allocator *a, const struct loader_boot_info *info)
{
	bool ok = true;

	a->free_count = 0;
	a->busy_count = 0;
	for (uint32_t i = 0; i < info->mem_count; i++) {
		const struct loader_mem_region *r = &info->mem[i];
		uint64_t end = r->addr + r->size < r->addr ? UINT64_MAX : r->addr + r->size;
		uint64_t s = clamp(r->addr, MEM_FLOOR, MEM_CEILING), e = clamp(end, MEM_FLOOR, MEM_CEILING);

		if (e <= s)
			continue;
		if (r->type == LOADER_MEM_RAM && info->scratch_count == 0) {
			a->free[a->free_count].start = s;
			a->free[a->free_count].end = e;
			a->free_count++;
		} else if (r->type == LOADER_MEM_RAM) {
			/* KHO: memory outside the scratch areas may hold preserved pages; write only inside. */
			for (uint32_t k = 0; k < info->scratch_count; k++) {
				uint64_t ks = info->scratch[k].start > s ? info->scratch[k].start : s;
				uint64_t ke = info->scratch[k].end < e ? info->scratch[k].end : e;

				if (ke <= ks)
					continue;
				if (a->free_count >= LOADER_MAX_MEM) {
					ok = false;
					break;
				}
				a->free[a->free_count].start = ks;
				a->free[a->free_count].end = ke;
				a->free_count++;
			}
		} else {
			/* Not RAM: even if a RAM entry claims the same bytes, never write here. */
			ok = mem_add_busy(a, s, e) && ok;
		}
	}
	ok = mem_add_busy(a, (uint64_t)(uintptr_t)__image_start, (uint64_t)(uintptr_t)__image_end) && ok;
	for (uint32_t i = 0; i < info->reserved_count; i++)
		ok = mem_add_busy(a, info->reserved[i].start, info->reserved[i].end) && ok;
	for (uint32_t i = 0; i < info->module_count; i++)
		ok = mem_add_busy(a, info->modules[i].start, info->modules[i].start + info->modules[i].size) && ok;
	return ok && a->free_count > 0;
}

/* Is [addr, addr + size) inside one free range and clear of the busy ones? */
static bool fits(const struct mem_allocator *a, uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;

	if (end < addr)
		return false;
	for (uint32_t i = 0; i < a->free_count; i++)
		if (addr >= a->free[i].start && end <= a->free[i].end)
			return !mem_overlaps_busy(a, addr, end);
	return false;
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
	uint64_t r = (v + align - 1) & ~(align - 1);

	return r < v ? UINT64_MAX : r;
}

static uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/*
 * Consider one candidate start address: keep it if it is valid and better than *best.
 * The optimum always starts at a free range's edge or right next to a busy range, so those
 * edges are the only candidates tried.
 */
static void try_candidate(const struct mem_allocator *a, uint64_t addr, uint64_t size, uint64_t min,
			  uint64_t max, bool top_down, bool *found, uint64_t *best)
{
	if (addr < min || addr > max || max - addr < size || !fits(a, addr, size))
		return;
	if (!*found || (top_down ? addr > *best : addr < *best)) {
		*best = addr;
		*found = true;
	}
}

bool mem_alloc(struct mem_allocator *a, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
	       bool top_down, uint64_t *out)
{
	bool found = false;
	uint64_t best = 0;

	if (size == 0 || align == 0 || (align & (align - 1)) != 0 || max <= min)
		return false;
	for (uint32_t i = 0; i < a->free_count; i++) {
		const struct loader_range *f = &a->free[i];

		if (top_down) {
			uint64_t hi = f->end < max ? f->end : max;
			if (hi >= size)
				try_candidate(a, align_down(hi - size, align), size, min, max, true, &found, &best);
		} else {
			try_candidate(a, align_up(f->start > min ? f->start : min, align), size, min, max, false,
				      &found, &best);
		}
	}
	for (uint32_t i = 0; i < a->busy_count; i++) {
		const struct loader_range *b = &a->busy[i];

		if (top_down) {
			if (b->start >= size)
				try_candidate(a, align_down(b->start - size, align), size, min, max, true, &found,
					      &best);
		} else {
			try_candidate(a, align_up(b->end, align), size, min, max, false, &found, &best);
		}
	}
	if (!found || !mem_add_busy(a, best, best + size))
		return false;
	*out = best;
	return true;
}
