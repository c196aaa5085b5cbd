// SPDX-License-Identifier: MIT
/* Placing what the arm64 loader writes; see place.h. */
#include <string.h>
#include "place.h"

void a64_place_init(struct a64_place *p, const struct a64_range *mem, uint32_t count)
{
	memset(p, 0, sizeof(*p));
	if (count > A64_MAX_MEM)
		count = A64_MAX_MEM;
	memcpy(p->mem, mem, count * sizeof(*mem));
	p->mem_count = count;
}

void a64_place_only(struct a64_place *p, const struct a64_range *areas, uint32_t count)
{
	if (count > A64_MAX_MEM)
		count = A64_MAX_MEM;
	memcpy(p->mem, areas, count * sizeof(*areas));
	p->mem_count = count;
}

bool a64_place_busy(struct a64_place *p, uint64_t addr, uint64_t size)
{
	if (size == 0)
		return true;
	if (p->busy_count >= A64_MAX_BUSY)
		return false;
	p->busy[p->busy_count].addr = addr;
	p->busy[p->busy_count++].size = size;
	return true;
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

bool a64_place_in_memory(const struct a64_place *p, uint64_t addr, uint64_t size)
{
	if (addr + size < addr)
		return false;
	for (uint32_t i = 0; i < p->mem_count; i++) {
		const struct a64_range *m = &p->mem[i];

		if (addr >= m->addr && addr + size <= m->addr + m->size)
			return true;
	}
	return false;
}

static bool fits(const struct a64_place *p, uint64_t addr, uint64_t size)
{
	if (!a64_place_in_memory(p, addr, size))
		return false;
	for (uint32_t i = 0; i < p->busy_count; i++)
		if (overlaps(addr, size, p->busy[i].addr, p->busy[i].size))
			return false;
	return true;
}

/* The first k * align + offset at or above from; false if that wraps. */
static bool aligned_from(uint64_t from, uint64_t align, uint64_t offset, uint64_t *out)
{
	uint64_t base = from > offset ? from - offset : 0;
	uint64_t up = (base + align - 1) & ~(align - 1);

	if (up < base || up + offset < up)
		return false;
	*out = up + offset;
	return true;
}

/* A candidate: the first aligned address at or above from that fits, if lower than *best. */
static void consider(const struct a64_place *p, uint64_t from, uint64_t size, uint64_t align, uint64_t offset,
		     bool *found, uint64_t *best)
{
	uint64_t a;

	if (aligned_from(from, align, offset, &a) && fits(p, a, size) && (!*found || a < *best)) {
		*best = a;
		*found = true;
	}
}

bool a64_place(struct a64_place *p, uint64_t size, uint64_t align, uint64_t offset, uint64_t *addr)
{
	bool found = false;
	uint64_t best = 0;

	if (size == 0 || align == 0 || (align & (align - 1)) || offset >= align)
		return false;
	/* the lowest fit starts at a memory range's start or right after a busy range */
	for (uint32_t i = 0; i < p->mem_count; i++)
		consider(p, p->mem[i].addr, size, align, offset, &found, &best);
	for (uint32_t i = 0; i < p->busy_count; i++)
		consider(p, p->busy[i].addr + p->busy[i].size, size, align, offset, &found, &best);
	if (!found || !a64_place_busy(p, best, size))
		return false;
	*addr = best;
	return true;
}
