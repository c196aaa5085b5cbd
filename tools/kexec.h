/* SPDX-License-Identifier: MIT */
/*
 * Driving kexec-tools for `lugate load`: what the running system allows, the exact command,
 * running it, and proving the kernel staged something.
 */
#ifndef LUGATE_TOOLS_KEXEC_H
#define LUGATE_TOOLS_KEXEC_H

#include <stdbool.h>
#include <stdio.h>

/* A system path with LUGATE_SYSROOT (tests: a fake /proc, /sys, /dev) prepended when set. */
void cli_sys_path(char *buf, size_t size, const char *path);

/*
 * The machine `lugate load` stages for, which picks the loader: uname's machine ("x86_64",
 * "aarch64"), or, under LUGATE_SYSROOT (tests), the fake system's /proc/sys/kernel/arch when it
 * has that file. `machine` gets the name, for messages.
 */
enum cli_host_arch { CLI_HOST_X86_64, CLI_HOST_ARM64, CLI_HOST_OTHER };
enum cli_host_arch cli_host_arch(char *machine, size_t size);

/* Paths of the system files read; LUGATE_SYSROOT (tests) is prepended when set. */
struct cli_kexec_env {
	char kexec[512];          /* kexec-tools binary ("" if not found) */
	bool root;                /* effective uid 0 */
	bool load_disabled;       /* /proc/sys/kernel/kexec_load_disabled = 1 */
	char lockdown[32];        /* active lockdown mode: "none", "integrity", "confidentiality", "" */
	bool loaded;              /* /sys/kernel/kexec_loaded = 1 (something is staged already) */
};

void cli_kexec_probe(const char *kexec_override, struct cli_kexec_env *env);
/* Why kexec cannot be used here, or NULL; file_load: kexec_file_load (-s) vs kexec_load (-l). */
const char *cli_kexec_blocker(const struct cli_kexec_env *env, bool file_load, bool dry_run);

/* An argv under construction (owned strings). */
struct cli_argv {
	char **v;
	size_t n, cap;
};
bool cli_argv_add(struct cli_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_argv_free(struct cli_argv *a);
/* Shell-quoted, one line, for --dry-run and messages. */
void cli_argv_print(const struct cli_argv *a, FILE *out);

/* Run argv; returns its exit status, or -1 if it could not be started. Its output goes to
 * stderr (kexec-tools speaks to the admin). */
int cli_argv_run(const struct cli_argv *a);

/* Read /sys/kernel/kexec_loaded (under LUGATE_SYSROOT). */
bool cli_kexec_is_loaded(void);

/* /proc/cmdline (under LUGATE_SYSROOT) read whole, minus BOOT_IMAGE= and initrd= words: what
 * --reuse-cmdline passes on, malloc'd into *out (NUL-terminated, *len bytes: a NUL or control
 * byte inside is kept for the command-line rule to refuse). Returns EXIT_ALLOW, EXIT_SYSTEM
 * (unreadable) or EXIT_INPUT (longer than CLI_RUNNING_CMDLINE_MAX); prints the error. */
#define CLI_RUNNING_CMDLINE_MAX 65536u
int cli_running_cmdline(char **out, size_t *len);

#endif
