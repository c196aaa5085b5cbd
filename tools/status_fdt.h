/* SPDX-License-Identifier: MIT */
/* `lugate status` on a device-tree machine: the delivery record the arm64 loader names in the
 * DTB (tools/status_fdt.c). Paths under LUGATE_SYSROOT (tests: a fake /sys/firmware/fdt and a
 * regular file as /dev/mem). */
#ifndef LUGATE_TOOLS_STATUS_FDT_H
#define LUGATE_TOOLS_STATUS_FDT_H

#include <stddef.h>
#include <stdint.h>

/* The record's bytes (malloc'd into *data, the record's own length in *size) and, in where, the
 * place it was read. 1 found, 0 none (no FDT, or no /chosen lugate,handoff), -1 system error
 * (printed, exit 3), -3 a DTB that names the record wrongly (printed, exit 2). */
int cli_status_fdt_record(uint8_t **data, size_t *size, char *where, size_t where_size);

#endif
