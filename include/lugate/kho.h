/* SPDX-License-Identifier: MIT */
/*
 * The outgoing kernel's KHO format: the root `compatible` of its KHO FDT (e.g. "kho-v4"),
 * which the next kernel must match exactly or it boots cold (docs/kernel-abi in ../shared).
 * One reader for every front end: the loader reads the tree kexec_file handed over in
 * setup_data (type 10); `lugate` reads debugfs' kho/out/fdt, and LUO's sub-FDT, of a running
 * kernel.
 */
#ifndef LUGATE_KHO_H
#define LUGATE_KHO_H

#include <stddef.h>
#include <lugate/types.h>

#define LUGATE_KHO_FDT_MAX 0x100000u   /* 1 MiB: 7.3 hands over one page */

enum lugate_kho_read {
	/* A whole tree, as handed over: a header libfdt accepts, a total size no larger than the
	 * area, blocks at the alignment libfdt reads them at, a sound structure (one root, nodes
	 * nested, property names inside the strings block), then the root's `compatible`. The
	 * tree itself must be 8-byte aligned in memory (libfdt's rule). */
	LUGATE_KHO_WHOLE,
	/* The first bytes of a tree that may still be growing (debugfs' kho/out/fdt is sized when
	 * KHO starts): the root node's first property, which KHO always writes as `compatible`;
	 * its name may lie past the bytes read, so it is not looked at. Read byte by byte: any
	 * alignment. */
	LUGATE_KHO_PREFIX,
};

/*
 * The rule every KHO/LUO compatible string shares (the KHO root's, LUO's, a file handler's,
 * an FLB's): val's len bytes are one token of 1 to LUGATE_COMPAT_MAX printable characters
 * without a space, then its NUL (val[len - 1]); the next kernel compares it byte for byte, and
 * lugate prints it. 0 and the token in out, or LUGATE_ERR_BADSTRING (out untouched).
 */
int lugate_kho_token(const char *val, size_t len, char out[LUGATE_COMPAT_MAX + 1]);

/*
 * The root compatible of a KHO (or LUO) FDT into out: one NUL-terminated token of 1 to
 * LUGATE_COMPAT_MAX printable characters, no space. 0, or LUGATE_ERR_BADSIZE (size out of
 * bounds), _TRUNCATED (a prefix too short), _BADMAGIC, _BADFDT (header or structure),
 * _BADPROP (no root compatible), _BADSTRING (not one such token); out is then "".
 */
int lugate_kho_root_compat(const void *fdt, size_t size, enum lugate_kho_read how,
			   char out[LUGATE_COMPAT_MAX + 1]);

#endif
