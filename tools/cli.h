/* SPDX-License-Identifier: MIT */
/*
 * The CLI's shared layer: exit codes, one-line errors, whole-file I/O, JSON helpers,
 * and the conversions from the JSON source forms to the core's binary forms.
 * Only tools/ may use libc, json-c and OpenSSL; every rule stays in handoff/.
 */
#ifndef LUGATE_CLI_H
#define LUGATE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <lugate/lugate.h>
#include <lugate/bundle.h>
#include <lugate/image.h>

/* Exit codes (docs/errors.md). */
enum cli_exit {
	EXIT_ALLOW = 0,   /* allow / success */
	EXIT_REFUSE = 1,  /* the check refused */
	EXIT_INPUT = 2,   /* usage error, unreadable or corrupt input */
	EXIT_SYSTEM = 3,  /* the system refused an action (kexec, permissions, ...) */
};

struct cli_verb {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* "lugate: <fmt>\n" on stderr; returns EXIT_INPUT so callers can `return cli_error(...)`. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, returning the given exit code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print no errors (the fuzzers: a million bad inputs need no million lines). */
void cli_quiet_errors(bool quiet);

/*
 * Input quoted into an error line. An error is one line on a terminal, so what the user or a
 * file supplied is shown escaped (printable ASCII stays; \n, \t, \\, \" and \xNN for
 * every other byte) and cut short: a value after CLI_QUOTE_MAX bytes ("..." follows), a path
 * longer than CLI_PATH_SHOWN bytes keeps its start and its end ("start...end"). The result
 * lives in buf; CLI_Q / CLI_QPATH give each use its own buffer for the enclosing block.
 */
#define CLI_QUOTE_MAX 64u
#define CLI_PATH_SHOWN 128u
#define CLI_QUOTE_SIZE (4u * CLI_PATH_SHOWN + 8u)
const char *cli_quote(char buf[CLI_QUOTE_SIZE], const char *s);
const char *cli_quote_n(char buf[CLI_QUOTE_SIZE], const char *s, size_t len);
const char *cli_quote_path(char buf[CLI_QUOTE_SIZE], const char *path);
/* The text of a JSON string as it stands in the input, escapes included: cut and made
 * printable like cli_quote_n, but its backslashes and quotes are the input's own. */
const char *cli_quote_json_text(char buf[CLI_QUOTE_SIZE], const char *s, size_t len);
#define CLI_Q(s) cli_quote((char[CLI_QUOTE_SIZE]){ 0 }, (s))
#define CLI_QPATH(p) cli_quote_path((char[CLI_QUOTE_SIZE]){ 0 }, (p))

/* Read a whole file (max_size bounds it; 0 = 1 GiB). On failure prints an error and
 * returns false. The buffer is NUL-terminated one past size (for text inputs). */
bool cli_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size);
/*
 * Open an input for reading only if it is a regular file: never blocks on a FIFO, never opens
 * a device (the type is checked before the open, and again on the open descriptor). Returns
 * the descriptor (blocking again), or -1 with errno set (ENOENT, ...), or -2 when the path is
 * not a regular file (then *kind says what it is: "a FIFO", "a directory", ...). Prints nothing.
 */
int cli_open_regular(const char *path, const char **kind);
/* The same, printing "PATH: cannot open: ..." or "PATH: not a regular file (a FIFO)"; -1 on failure. */
int cli_open_input(const char *path);
/*
 * Write atomically: a temp file created exclusively in the destination's folder, fsync'ed,
 * then renamed over the destination. An existing destination must be a regular file owned by
 * the caller: a symbolic link (never followed), a device, a FIFO, a socket, a directory or
 * another user's file is refused (exit 2 material) and left as it was. On every failure the
 * temp file is removed and the destination untouched. Prints an error and returns false.
 */
bool cli_write_file(const char *path, const void *data, size_t size);

/* Print a JSON object to stdout (pretty, 2 spaces) and release it. */
void cli_print_json(struct json_object *obj);

/* getopt_long for the verbs: the same options, but a bad option is reported here, in one
 * quoted line (getopt's own message would echo the argument raw). Returns what getopt_long does. */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* The arguments of a verb that shows one file: [--json] [--help] FILE. True with *json and
 * *path set; false with *rc the exit (EXIT_ALLOW after --help, EXIT_INPUT after usage on
 * stderr). */
bool cli_json_file_args(int argc, char **argv, const char *usage, bool *json, const char **path, int *rc);

/* Standard option handling: true if argv has -h/--help at any position. */
bool cli_wants_help(int argc, char **argv);

/* The running kernel's release (uname -r), into buf. */
bool cli_running_release(char *buf, size_t size);

/* ---- JSON source forms -> core binary forms (tools/json_input.c) ------------------- */

/* The IDs a device list gives for one device; CLI_ID_UNKNOWN where it leaves one out. */
struct cli_listed_ids {
	uint32_t vendor, device, cls;
};

/* Parsed device list: owns its strings and arrays; free with cli_devices_free. */
struct cli_devices {
	char *release;                   /* NULL if the JSON had none */
	char **compat;
	size_t compat_count;
	struct lugate_device *devices;
	struct cli_listed_ids *listed;   /* per device: the IDs as listed (for the sysfs cross-check) */
	size_t device_count;
	struct json_object *root;        /* keeps driver strings alive */
	char *driver_buf;                /* driver names read from sysfs (owned) */
};

bool cli_devices_load(const char *path, struct cli_devices *out);
/* ids_from_sysfs: vendor/device/class may be omitted; such devices get class_code ==
 * CLI_ID_UNKNOWN until cli_devices_fill_from_sysfs fills them (and checks those given). */
#define CLI_ID_UNKNOWN 0xffffffffu
bool cli_devices_load_ex(const char *path, struct cli_devices *out, bool ids_from_sysfs);
/* The same from JSON text already in memory (not NUL-terminated); `name` names it in errors,
 * as given: a path from the user is passed quoted (CLI_QPATH).
 * On failure *out may hold a partial result: release it with cli_devices_free. */
bool cli_devices_parse(const char *text, size_t size, const char *name, struct cli_devices *out,
		       bool ids_from_sysfs);
void cli_devices_free(struct cli_devices *d);
/* --sysfs DIR cross-check: each device must exist with matching vendor/device/class. */
bool cli_devices_check_sysfs(const struct cli_devices *d, const char *sysfs_root);

/* ---- the running system (tools/running.c) -------------------------------------------- */

/* Fill the IDs and (if absent) driver names of devices marked CLI_ID_UNKNOWN from
 * SYSFS/bus/pci/devices/<addr>/{vendor,device,class,driver}. Prints errors. */
bool cli_devices_fill_from_sysfs(struct cli_devices *d, const char *sysfs_root);

/* What the running kernel says about KHO/LUO (debugfs, /dev/liveupdate). */
struct cli_kho_state {
	bool active;                /* KHO is enabled in the running kernel */
	char root_compat[LUGATE_COMPAT_MAX + 1]; /* e.g. "kho-v4", "" if unreadable */
	char luo_compat[LUGATE_COMPAT_MAX + 1];  /* e.g. "luo-v5", "" if none */
	char how[600];              /* where the evidence came from, for messages */
	char bad[CLI_QUOTE_SIZE + 64]; /* "PATH: not a regular file (...)", or "" */
};
/* debugfs_root: usually /sys/kernel/debug; dev_root: usually /dev. A debugfs entry that exists
 * but is not a regular file (a FIFO in a fake tree) is not read: it is named in out->bad, which
 * the caller reports as an input error; the probe then says nothing about KHO. */
void cli_kho_probe(const char *debugfs_root, const char *dev_root, struct cli_kho_state *out);

/* A handoff table from a device list (tools/handoff_cmd.c): what `handoff build` writes and
 * `load --devices` seals. from_running fills IDs and drivers from sysfs (root `sysfs`, default
 * /sys) and the KHO/LUO versions from debugfs (default /sys/kernel/debug); otherwise a non-NULL
 * sysfs cross-checks each device there. release: else the list's, else `uname -r`. */
struct cli_handoff_source {
	const char *devices_path, *release, *sysfs, *debugfs;
	uint32_t page_size;          /* the outgoing kernel's; 0: the running one's with --from-running, else 4096 */
	bool from_running;
};
bool cli_handoff_from_devices(const struct cli_handoff_source *src, uint8_t **blob, size_t *size);

/* Build a framed table from a spec, allocating the buffer. Prints errors. */
bool cli_table_build(const struct lugate_table_spec *spec, uint8_t **blob, size_t *size, const char *what);

/* Load a manifest: binary (framed "LUGMANIF") or JSON source form, always returning the
 * framed binary form. Prints errors (exit 2 material). */
bool cli_manifest_load(const char *path, uint8_t **blob, size_t *size);
/* A manifest's JSON source text (in memory, not NUL-terminated) -> its framed binary form
 * (malloc'ed). `name` names the text in errors, as given (quote a path: CLI_QPATH). */
bool cli_manifest_from_json(const char *text, size_t text_size, const char *name, uint8_t **blob, size_t *size);
/* The JSON form of a binary manifest (for inspect/show). */
struct json_object *cli_manifest_to_json(const struct lugate_manifest *m);

/* Load and parse a policy file; prints "file:line: ..." errors. */
bool cli_policy_load(const char *path, struct lugate_policy *out);

/* Load and verify a handoff table; prints errors. Returns the lugate_err (0 ok) and
 * keeps the blob for the caller in *blob. */
int cli_table_load(const char *path, uint8_t **blob, size_t *size, struct lugate_table *t);

#endif
