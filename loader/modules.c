// SPDX-License-Identifier: MIT
/* Module roles; see modules.h. */
#include <string.h>
#include "../boot/log.h"
#include "modules.h"

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_KERNEL] = "kernel",
	[ROLE_TABLE] = "table",
	[ROLE_INITRD] = "initrd",
	[ROLE_FALLBACK] = "fallback",
	[ROLE_FALLBACK_INITRD] = "fallback-initrd",
};

const char *module_role_name(enum module_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

/* The value of "role=" in a module command line: its start and length, or NULL. */
static const char *find_role(const char *cmdline, size_t *len)
{
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (w != cmdline && p - w > 5 && memcmp(w, "role=", 5) == 0) {
			*len = (size_t)(p - w) - 5;
			return w + 5;
		}
	}
	return NULL;
}

static int role_of(const char *v, size_t n)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (strlen(role_names[r]) == n && memcmp(role_names[r], v, n) == 0)
			return r;
	return -1;
}

static void log_module(uint32_t i, const struct loader_module *m, const char *what)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "module ");
	lugate_fmt_udec(&l.f, i);
	lugate_fmt_str(&l.f, " [0x");
	lugate_fmt_hex(&l.f, m->start, 0);
	lugate_fmt_str(&l.f, "-0x");
	lugate_fmt_hex(&l.f, m->start + m->size, 0);
	lugate_fmt_str(&l.f, ") ");
	lugate_fmt_udec(&l.f, m->size);
	lugate_fmt_str(&l.f, " bytes \"");
	lugate_fmt_str(&l.f, m->cmdline);
	lugate_fmt_str(&l.f, "\": ");
	lugate_fmt_str(&l.f, what);
	log_emit(&l);
}

void modules_assign(const struct loader_boot_info *info, struct module_set *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < info->module_count; i++) {
		const struct loader_module *m = &info->modules[i];
		size_t n = 0;
		const char *v = find_role(m->cmdline, &n);
		int r = v ? role_of(v, n) : -1;

		if (!v) {
			log_module(i, m, "ERROR: no role=<role> (kernel, table, initrd, fallback, fallback-initrd)");
			out->errors++;
		} else if (r < 0) {
			log_module(i, m, "ERROR: unknown role");
			out->errors++;
		} else if (out->role[r]) {
			log_module(i, m, "ERROR: role given twice");
			out->repeated[r] = true;
			out->errors++;
		} else {
			out->role[r] = m;
			log_module(i, m, role_names[r]);
		}
	}
	for (int r = 0; r < ROLE_COUNT; r++)
		if (out->repeated[r])
			out->role[r] = NULL;
	if (info->modules_dropped) {
		log_str("ERROR: modules were dropped: more than the loader keeps (16), or a module list past 4 GiB");
		out->errors++;
	}
}
