/* SPDX-License-Identifier: MIT */
/* Internal: in-place heapsort of an index array (no allocation, no recursion, O(n log n)). */
#ifndef LUGATE_SORT_H
#define LUGATE_SORT_H

#include <stddef.h>
#include <stdint.h>

typedef int (*lugate_index_cmp)(const void *ctx, uint32_t a, uint32_t b);

void lugate_sort_indices(uint32_t *idx, size_t n, lugate_index_cmp cmp, const void *ctx);

#endif
