/* SPDX-License-Identifier: MIT */
/*
 * Module roles. Each multiboot module's command line is "<path> role=<role>" (other words
 * are allowed and ignored); the roles are kernel, table, initrd, fallback, fallback-initrd.
 */
#ifndef LUGATE_LOADER_MODULES_H
#define LUGATE_LOADER_MODULES_H

#include "loader.h"

enum module_role {
	ROLE_KERNEL = 0,
	ROLE_TABLE,
	ROLE_INITRD,
	ROLE_FALLBACK,
	ROLE_FALLBACK_INITRD,
	ROLE_COUNT
};

struct module_set {
	const struct loader_module *role[ROLE_COUNT];  /* NULL: not given */
	bool repeated[ROLE_COUNT];   /* the role was given more than once: ambiguous, never used */
	unsigned errors;             /* modules without a role, unknown or repeated roles */
};

const char *module_role_name(enum module_role r);

/* Assign modules to roles, logging each module and each problem. */
void modules_assign(const struct loader_boot_info *info, struct module_set *out);

/* A module's contents as a pointer (the loader runs identity-mapped). */
static inline const void *module_bytes(const struct loader_module *m)
{
	return (const void *)(uintptr_t)m->start;
}

#endif
