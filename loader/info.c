// SPDX-License-Identifier: MIT
/*
 * Filling struct loader_boot_info (loader.h): what every entry adds to it the same way. Free of
 * hardware, so the host harness of the bzImage64 entry links it as it is.
 */
#include <string.h>
#include "loader.h"

/* One entry runs, once: the stop path (loader_stop.c) finds its information here. */
static const struct loader_boot_info *current;

void loader_info_init(struct loader_boot_info *info)
{
	memset(info, 0, sizeof(*info));
	current = info;
}

const struct loader_boot_info *loader_info_current(void)
{
	return current;
}

bool loader_info_reserve(struct loader_boot_info *info, uint64_t start, uint64_t end)
{
	if (info->reserved_count >= LOADER_MAX_RESERVED)
		return false;
	info->reserved[info->reserved_count].start = start;
	info->reserved[info->reserved_count].end = end;
	info->reserved_count++;
	return true;
}

void loader_info_add_mem(struct loader_boot_info *info, uint64_t addr, uint64_t size, uint32_t type)
{
	if (size == 0)
		return;
	if (info->mem_count >= LOADER_MAX_MEM) {
		info->mem_dropped = true;
		return;
	}
	info->mem[info->mem_count].addr = addr;
	info->mem[info->mem_count].size = size;
	info->mem[info->mem_count].type = type;
	info->mem_count++;
}
