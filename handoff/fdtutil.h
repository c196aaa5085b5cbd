/* SPDX-License-Identifier: MIT */
/*
 * Internal: strict reading of lugate's FDTs. lugate's own trees have a canonical shape
 * (properties in a fixed order, exact sizes), which lets validation be one linear pass and
 * lets readers walk validated trees without name look-ups.
 */
#ifndef LUGATE_FDTUTIL_H
#define LUGATE_FDTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Open an FDT payload: header valid, totalsize == size, structure sound (else an error).
 * On success *canonical says whether the header, the reservation map and every byte of the
 * structure block but the names' strings-block offsets and the tags' order inside a node
 * are what lugate's builder writes: header fields, gaps, padding, no FDT_NOP, nothing after
 * FDT_END (see canonical_header and walk_tags in fdtutil.c). The readers check the rest and
 * refuse a tree that is not canonical with LUGATE_ERR_NONCANONICAL, after their own checks
 * (so a tree with a wrong property is named by what is wrong with it).
 */
int fdtu_open(const void *fdt, uint32_t size, bool *canonical);

/* An offset in the strings block that no name has. */
#define FDTU_ABSENT UINT32_MAX

/*
 * The strings block as lugate's builder writes it, for a tree whose property names are
 * first used in the order `names` (each optional, each at most once): libfdt's sequential
 * writer puts each new name in front of those before it, so the block is the names used, in
 * reverse order, each once. off[i] receives where names[i] is, or FDTU_ABSENT if the block
 * does not hold it. 0 if the block is exactly such a concatenation (nothing else, no
 * duplicate, no other order), else -1. The caller checks that the names present are exactly
 * those its tree uses and that every property points at its name's offset.
 */
int fdtu_strings_layout(const void *fdt, const char *const names[], unsigned count, uint32_t off[]);

/* The structure walk fdtu_open runs: one root, nesting, every tag and name in bounds.
 * 0 or -1 (canonical layout is not its question: KHO trees are read with it too). fdtu_walk_tags_libfdt is the reference walk through fdt_next_tag(), used for
 * FDT versions before 17 and by the tests that hold the two to the same answers. */
int fdtu_walk_tags(const void *fdt);
int fdtu_walk_tags_libfdt(const void *fdt);

/* A printable-ASCII string of 1..max_len characters, NUL-terminated exactly at len-1. */
bool fdtu_valid_string(const void *val, int len, size_t max_len);

/* A C string the builders accept: printable ASCII, at most max_len characters, empty only
 * if allow_empty; false for NULL. */
bool fdtu_printable_text(const char *s, size_t max_len, bool allow_empty);

/* A KHO/LUO compatible string the builders accept: printable text of 1..LUGATE_COMPAT_MAX
 * characters without a space (a string-list item). */
bool fdtu_compat_text(const char *s);

/* A builder spec's compatible list: 0, LUGATE_ERR_BADSTRING (an item is no such string) or
 * LUGATE_ERR_DUPLICATE (an item stands twice), the first item at fault deciding. */
int fdtu_check_compat_list(const char *const *compat, size_t count);

/* A list of such strings (each 1..max_item chars, no empty item), at most max_count items.
 * len 0 is an empty list. */
bool fdtu_valid_stringlist(const void *val, int len, size_t max_item, uint32_t max_count,
			   uint32_t *count);

/* Whether a validated string list names no string twice (the builders refuse duplicates). */
bool fdtu_stringlist_unique(const char *list, int len);

/* The i-th item of a validated string list. */
const char *fdtu_stringlist_item(const char *list, int len, uint32_t i);

/* The same for a list of count items (as validated): NULL for i >= count. */
const char *fdtu_stringlist_at(const char *list, int len, uint32_t count, uint32_t i);

/* out[0..count): every item of a validated list of count items, in one walk. */
void fdtu_stringlist_all(const char *list, int len, uint32_t count, const char **out);

/*
 * Canonical property walk: *prop is a property offset (from fdt_first_property_offset or a
 * previous call); if its name is `name` (and, when size >= 0, its length is `size`), return
 * its value and advance *prop (and, if nameoff is given, say where its name is in the
 * strings block). Otherwise return NULL and leave *prop unchanged, so optional properties
 * can be tried in order.
 */
const void *fdtu_take(const void *fdt, int *prop, const char *name, int size, int *len, uint32_t *nameoff);

#endif
