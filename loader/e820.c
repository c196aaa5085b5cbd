// SPDX-License-Identifier: MIT
/* Building the e820 map; see e820.h. */
#include "e820.h"

#define MAX_EDGES (2u * (LOADER_MAX_MEM + E820_MAX_CARVE))

/* Which type wins where entries overlap: anything is more restrictive than RAM. */
static unsigned rank(uint32_t type)
{
	switch (type) {
	case LOADER_MEM_RAM: return 0;
	case LOADER_MEM_ACPI: return 1;
	case LOADER_MEM_NVS: return 2;
	case LOADER_MEM_UNUSABLE: return 3;
	default: return 4;   /* reserved, and every type e820 does not know */
	}
}

static uint32_t e820_type(uint32_t type)
{
	return type >= LOADER_MEM_RAM && type <= LOADER_MEM_UNUSABLE ? type : LOADER_MEM_RESERVED;
}

static uint64_t end_of(uint64_t addr, uint64_t size)
{
	return addr + size < addr ? UINT64_MAX : addr + size;
}

static void insert_sorted(uint64_t *v, uint32_t *n, uint64_t x)
{
	uint32_t i = *n;

	for (uint32_t k = 0; k < *n; k++)
		if (v[k] == x)
			return;
	while (i > 0 && v[i - 1] > x) {
		v[i] = v[i - 1];
		i--;
	}
	v[i] = x;
	(*n)++;
}

int e820_build(const struct loader_mem_region *mem, uint32_t mem_count, const struct loader_range *carve,
	       uint32_t carve_count, struct e820_entry *out, uint32_t max)
{
	uint64_t edges[MAX_EDGES];
	uint32_t n_edges = 0, count = 0;

	if (mem_count > LOADER_MAX_MEM || carve_count > E820_MAX_CARVE)
		return -1;
	for (uint32_t i = 0; i < mem_count; i++) {
		if (mem[i].size == 0)
			continue;
		insert_sorted(edges, &n_edges, mem[i].addr);
		insert_sorted(edges, &n_edges, end_of(mem[i].addr, mem[i].size));
	}
	for (uint32_t i = 0; i < carve_count; i++) {
		if (carve[i].end <= carve[i].start)
			continue;
		insert_sorted(edges, &n_edges, carve[i].start);
		insert_sorted(edges, &n_edges, carve[i].end);
	}
	for (uint32_t e = 0; e + 1 < n_edges; e++) {
		uint64_t s = edges[e], t = edges[e + 1];
		bool covered = false;
		uint32_t type = LOADER_MEM_RAM;

		for (uint32_t i = 0; i < mem_count; i++) {
			if (mem[i].size == 0 || mem[i].addr > s || end_of(mem[i].addr, mem[i].size) < t)
				continue;
			if (!covered || rank(e820_type(mem[i].type)) > rank(type))
				type = e820_type(mem[i].type);
			covered = true;
		}
		for (uint32_t i = 0; i < carve_count; i++) {
			if (carve[i].start <= s && carve[i].end >= t && carve[i].end > carve[i].start) {
				type = LOADER_MEM_RESERVED;
				covered = true;
			}
		}
		if (!covered)
			continue;   /* a hole in the map stays a hole */
		if (count > 0 && out[count - 1].type == type && out[count - 1].addr + out[count - 1].size == s) {
			out[count - 1].size += t - s;
			continue;
		}
		if (count >= max)
			return -1;
		out[count].addr = s;
		out[count].size = t - s;
		out[count].type = type;
		count++;
	}
	return (int)count;
}
