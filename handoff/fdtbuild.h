/* SPDX-License-Identifier: MIT */
/*
 * Internal: the skeleton every builder of a framed FDT (the handoff table, the manifest)
 * shares. A builder checks its spec, describes the build in a struct fdtb_job and calls
 * fdtb_build, which writes the root's "compatible" and "release" and lets write_root add the
 * rest, in the items' sorted order.
 */
#ifndef LUGATE_FDTBUILD_H
#define LUGATE_FDTBUILD_H

#include <stddef.h>
#include <stdint.h>
#include "sort.h"

/* One build: what the frame and the root always hold, and what the kind adds. */
struct fdtb_job {
	const char *magic;       /* the frame's, 8 bytes */
	const char *compatible;  /* the root's first property */
	const char *release;     /* the root's second */
	size_t bound;            /* the framed size the spec can need at most, reported in *needed */
	const void *items;       /* what write_root writes in sorted order (count of them) */
	size_t count;
	lugate_index_cmp cmp;    /* orders the items; two that compare equal: LUGATE_ERR_DUPLICATE */
	/* the root's properties and nodes after "release": 0 or a libfdt error */
	int (*write_root)(void *fdt, const void *spec, const uint32_t *order);
	const void *spec;
};

/*
 * Reports job->bound in *needed (if given), then builds: buf must hold at least a frame
 * header and an FDT header (else LUGATE_ERR_NOSPACE), scratch at least job->count indices
 * (else LUGATE_ERR_INVAL). Returns the framed size or a lugate error (libfdt's NOSPACE is
 * LUGATE_ERR_NOSPACE, any other libfdt error LUGATE_ERR_BADFDT).
 */
long fdtb_build(void *buf, size_t buf_size, uint32_t *scratch, size_t scratch_count, size_t *needed,
		const struct fdtb_job *job);

/* A string-list property: each string with its NUL, one after the other. */
int fdtb_stringlist(void *fdt, const char *name, const char *const *list, size_t count);

#endif
