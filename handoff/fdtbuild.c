// SPDX-License-Identifier: MIT
/* The builder skeleton the handoff table and the manifest share (fdtbuild.h). */
#include <string.h>
#include <libfdt.h>
#include <lugate/error.h>
#include <lugate/frame.h>
#include "fdtbuild.h"

/* scratch[0..count) becomes the items' indices sorted by cmp; equal neighbours are refused. */
static int order_items(uint32_t *scratch, const struct fdtb_job *job)
{
	for (size_t i = 0; i < job->count; i++)
		scratch[i] = (uint32_t)i;
	lugate_sort_indices(scratch, job->count, job->cmp, job->items);
	for (size_t i = 1; i < job->count; i++)
		if (job->cmp(job->items, scratch[i - 1], scratch[i]) == 0)
			return LUGATE_ERR_DUPLICATE;
	return 0;
}

static int write_tree(void *fdt, size_t size, const struct fdtb_job *job, const uint32_t *order)
{
	int err = fdt_create(fdt, (int)size);
	if (!err)
		err = fdt_finish_reservemap(fdt);
	if (!err)
		err = fdt_begin_node(fdt, "");
	if (!err)
		err = fdt_property_string(fdt, "compatible", job->compatible);
	if (!err)
		err = fdt_property_string(fdt, "release", job->release);
	if (!err)
		err = job->write_root(fdt, job->spec, order);
	if (!err)
		err = fdt_end_node(fdt);
	if (!err)
		err = fdt_finish(fdt);
	return err;
}

long fdtb_build(void *buf, size_t buf_size, uint32_t *scratch, size_t scratch_count, size_t *needed,
		const struct fdtb_job *job)
{
	uint8_t *fdt;
	size_t room;
	uint32_t fdt_size;
	int err;

	if (needed)
		*needed = job->bound;
	if (!buf || buf_size < LUGATE_FRAME_HEADER_SIZE + sizeof(struct fdt_header))
		return LUGATE_ERR_NOSPACE;
	if (job->count && (!scratch || scratch_count < job->count))
		return LUGATE_ERR_INVAL;
	err = order_items(scratch, job);
	if (err)
		return err;
	fdt = (uint8_t *)buf + LUGATE_FRAME_HEADER_SIZE;
	room = buf_size - LUGATE_FRAME_HEADER_SIZE;
	err = write_tree(fdt, room > LUGATE_FRAME_PAYLOAD_MAX ? LUGATE_FRAME_PAYLOAD_MAX : room, job, scratch);
	if (err == -FDT_ERR_NOSPACE)
		return LUGATE_ERR_NOSPACE;
	if (err)
		return LUGATE_ERR_BADFDT;
	fdt_size = fdt_totalsize(fdt);
	err = lugate_frame_seal(buf, buf_size, job->magic, fdt_size);
	if (err)
		return err;
	return (long)(LUGATE_FRAME_HEADER_SIZE + fdt_size);
}

int fdtb_stringlist(void *fdt, const char *name, const char *const *list, size_t count)
{
	size_t total = 0;
	char *val;
	int err;

	for (size_t i = 0; i < count; i++)
		total += strlen(list[i]) + 1;
	err = fdt_property_placeholder(fdt, name, (int)total, (void **)&val);
	if (err)
		return err;
	for (size_t i = 0; i < count; i++) {
		size_t n = strlen(list[i]) + 1;
		memcpy(val, list[i], n);
		val += n;
	}
	return 0;
}
