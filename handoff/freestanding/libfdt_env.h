/* SPDX-License-Identifier: MIT */
/*
 * libfdt's environment header for lugate's freestanding builds (loader, EFI app, the
 * freestanding check). libfdt's own libfdt_env.h pulls in the hosted <stdlib.h>,
 * <string.h> and <limits.h>; under -nostdinc those do not exist, so this one supplies
 * exactly what libfdt uses: fixed-width types, byte-order conversion (FDT is big-endian,
 * x86-64 and arm64 run little-endian), INT_MAX/UINT_MAX/INT32_MAX, and the mem and str
 * functions, which come from lugate's small libc (the .c files next to this header).
 * scripts/libfdt-src.sh never extracts the upstream file, so this one is always used.
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* gcc's <limits.h> does #include_next <limits.h> under -nostdinc and fails: define them here. */
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
#ifndef UINT_MAX
#define UINT_MAX (__INT_MAX__ * 2U + 1U)
#endif
#ifndef INT32_MAX
#define INT32_MAX __INT32_MAX__
#endif

/* Big-endian on-wire integers; plain typedefs (the upstream sparse annotations buy nothing here). */
typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LUGATE_FDT_SWAP16(x) (x)
#define LUGATE_FDT_SWAP32(x) (x)
#define LUGATE_FDT_SWAP64(x) (x)
#else
#define LUGATE_FDT_SWAP16(x) __builtin_bswap16(x)
#define LUGATE_FDT_SWAP32(x) __builtin_bswap32(x)
#define LUGATE_FDT_SWAP64(x) __builtin_bswap64(x)
#endif

static inline uint16_t fdt16_to_cpu(fdt16_t x) { return LUGATE_FDT_SWAP16(x); }
static inline uint32_t fdt32_to_cpu(fdt32_t x) { return LUGATE_FDT_SWAP32(x); }
static inline uint64_t fdt64_to_cpu(fdt64_t x) { return LUGATE_FDT_SWAP64(x); }
static inline fdt16_t cpu_to_fdt16(uint16_t x) { return LUGATE_FDT_SWAP16(x); }
static inline fdt32_t cpu_to_fdt32(uint32_t x) { return LUGATE_FDT_SWAP32(x); }
static inline fdt64_t cpu_to_fdt64(uint64_t x) { return LUGATE_FDT_SWAP64(x); }

#endif
