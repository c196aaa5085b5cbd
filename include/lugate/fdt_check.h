/* SPDX-License-Identifier: MIT */
/*
 * A device tree from outside lugate (the DTB a loader is entered with, KHO's FDT), checked
 * before libfdt reads it. libfdt's readers trust what fdt_check_header() does not look at:
 * they read reservation entries and tags through pointers of their types, and add a
 * property's length to an int offset before bounding it.
 */
#ifndef LUGATE_FDT_CHECK_H
#define LUGATE_FDT_CHECK_H

#include <stddef.h>

/*
 * 0 if the tree at fdt, of which size bytes may be read, is one libfdt can read safely: a valid
 * header, totalsize within size, the reservation block 8-byte and the structure block 4-byte
 * aligned (devicetree spec 5.1), and one walk of the structure block (one root, nesting at most
 * 32 deep, every tag, name and property inside its block). Else LUGATE_ERR_BADFDT.
 */
int lugate_fdt_check(const void *fdt, size_t size);

#endif
