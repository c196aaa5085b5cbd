// SPDX-License-Identifier: MIT
/* Heapsort over an index array: the builders sort devices and schemas with it. */
#include "sort.h"

static void sift_down(uint32_t *idx, size_t root, size_t end, lugate_index_cmp cmp, const void *ctx)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= end)
			return;
		if (child + 1 < end && cmp(ctx, idx[child], idx[child + 1]) < 0)
			child++;
		if (cmp(ctx, idx[root], idx[child]) >= 0)
			return;
		uint32_t tmp = idx[root];
		idx[root] = idx[child];
		idx[child] = tmp;
		root = child;
	}
}

void lugate_sort_indices(uint32_t *idx, size_t n, lugate_index_cmp cmp, const void *ctx)
{
	if (n < 2)
		return;
	for (size_t start = n / 2; start-- > 0;)
		sift_down(idx, start, n, cmp, ctx);
	for (size_t end = n - 1; end > 0; end--) {
		uint32_t tmp = idx[0];
		idx[0] = idx[end];
		idx[end] = tmp;
		sift_down(idx, 0, end, cmp, ctx);
	}
}
