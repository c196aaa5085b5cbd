// SPDX-License-Identifier: MIT
/*
 * `lugate load`: check, seal and stage a live update with kexec-tools, while the old kernel
 * still runs. A refusal stages nothing; `kexec -e` afterwards jumps into lugate's loader,
 * which checks once more and boots the approved kernel (or the sealed fallback).
 *
 * Two paths (docs/live-update.md). Without KHO: kexec_load (`kexec -l`) of the Multiboot2
 * loader.elf with one module per file. With KHO (the running kernel has it, or the table lists a
 * KHO/LUO format): preserved memory reaches the next kernel only through kexec_file_load, so
 * `kexec -s` of loader.bzImage with everything in one bundle as its initrd; the loader forwards
 * the KHO data. --no-kho forces the first path (and loses the preserved memory), --kho the second.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "kexec.h"
#include "../loader/stop.h"   /* the loader's lugate.stop default and maximum */
#include "seal.h"
#include "verbs.h"
#include "verdict.h"

static const char usage[] =
	"Usage: lugate load --kernel IMAGE [--initrd I] [--append ARGS | --reuse-cmdline]\n"
	"                   (--handoff TABLE | --devices FILE.json [--from-running] [--sysfs DIR])\n"
	"                   [--fallback IMAGE2 [--fallback-initrd I2]] [--policy P] [--loader PATH]\n"
	"                   [--kexec PATH] [--runtime-dir DIR] [--kho | --no-kho] [--dry-run] [--json] [-q]\n"
	"                   [--on-stop reboot[:SECONDS]|halt]\n"
	"Check the handoff table against IMAGE; on allow seal it into the runtime folder and stage\n"
	"lugate's loader with kexec-tools: `kexec -l --type multiboot2-x86 loader.elf` with the image,\n"
	"the sealed table, the initrd and the fallback as modules; or, when the running kernel has KHO,\n"
	"`kexec -s -l loader.bzImage --initrd=BUNDLE` (all of them in one bundle), which keeps the\n"
	"preserved memory. `kexec -e` then jumps. On refuse nothing is staged (exit 1).\n"
	"  --append ARGS      the new kernel's command line; --reuse-cmdline: the running one's\n"
	"  --handoff TABLE    the outgoing kernel's table (sealed or not; `lugate handoff build`)\n"
	"  --devices FILE     build the table here from a device list (see `lugate handoff build`)\n"
	"  --fallback IMAGE2  booted by the loader if its own check refuses (sealed into the table)\n"
	"  --loader PATH      the loader (default: PREFIX/lib/lugate/loader.elf, or loader.bzImage\n"
	"                     on the KHO path)\n"
	"  --runtime-dir DIR  where the sealed table is kept until the jump (default /run/lugate)\n"
	"  --kho              take the KHO path (kexec -s) even if no KHO state is seen\n"
	"  --no-kho           take the kexec -l path even though KHO state would be lost\n"
	"  --dry-run          seal, then print the kexec command instead of running it\n"
	"  --on-stop WHAT     if the loader boots nothing: reboot after SECONDS (0-3600; default\n"
	"                     reboot:10) or halt; passed to it as lugate.stop=WHAT\n"
	"Exit: 0 staged (or printed), 1 refused, 2 bad input, 3 the system refused (kexec).\n";

struct load_args {
	const char *kernel, *initrd, *append, *fallback, *fallback_initrd, *policy;
	const char *handoff, *devices, *sysfs, *loader, *kexec, *runtime_dir;
	bool reuse_cmdline, from_running, kho, no_kho, dry_run, json, quiet;
	const char *on_stop;
	char stop_word[32];          /* "lugate.stop=...", for the loader's own command line */
};

/* kexec_load of the Multiboot2 loader, or kexec_file_load of the bzImage64 loader with KHO. */
enum load_path { LOAD_KEXEC_LOAD, LOAD_KEXEC_FILE };

static const char *const loader_file[] = { "loader.elf", "loader.bzImage" };

/* What the run did, for the final report (text or JSON). */
struct load_report {
	struct json_object *json;    /* the verdict's JSON, extended here */
	enum load_path path;
	char kho_why[700];           /* why the KHO path was taken ("" if it was not) */
	const char *outgoing_compat[2]; /* the running kernel's KHO/LUO versions, for the check */
	size_t outgoing_compat_count;
	struct cli_kho_state kho;
	char sealed[PATH_MAX];       /* the sealed table's path ("" before it was written) */
	char bundle[PATH_MAX];       /* the bundle's (KHO path) */
	char loader[PATH_MAX];
	struct cli_argv cmd;         /* the kexec command */
	bool staged;
};

/* --on-stop (NULL: the loader's default) -> "lugate.stop=halt" or "lugate.stop=reboot:N", the
 * values the loader accepts (loader/cmdline.c); false if it would not. */
static bool stop_word(const char *v, char *out, size_t size)
{
	unsigned long seconds = STOP_DEFAULT_SECONDS;

	if (v && strcmp(v, "halt") == 0)
		return snprintf(out, size, "lugate.stop=halt") < (int)size;
	if (v && strcmp(v, "reboot") != 0) {
		const char *d = v + 7;

		if (strncmp(v, "reboot:", 7) != 0 || !*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 6)
			return false;
		seconds = strtoul(d, NULL, 10);
		if (seconds > STOP_MAX_SECONDS)
			return false;
	}
	return snprintf(out, size, "lugate.stop=reboot:%lu", seconds) < (int)size;
}

static int parse_args(int argc, char **argv, struct load_args *a)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },      { "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },      { "reuse-cmdline", no_argument, NULL, 'R' },
		{ "handoff", required_argument, NULL, 't' },     { "devices", required_argument, NULL, 'd' },
		{ "from-running", no_argument, NULL, 'F' },      { "sysfs", required_argument, NULL, 's' },
		{ "fallback", required_argument, NULL, 'f' },    { "fallback-initrd", required_argument, NULL, 'I' },
		{ "policy", required_argument, NULL, 'p' },      { "loader", required_argument, NULL, 'L' },
		{ "kexec", required_argument, NULL, 'K' },       { "runtime-dir", required_argument, NULL, 'r' },
		{ "no-kho", no_argument, NULL, 'N' },            { "dry-run", no_argument, NULL, 'n' },
		{ "kho", no_argument, NULL, 'H' },              { "on-stop", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },              { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },              { NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->runtime_dir = "/run/lugate";
	while ((c = getopt_long(argc, argv, "k:i:a:t:d:f:p:njqh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': a->kernel = optarg; break;
		case 'i': a->initrd = optarg; break;
		case 'a': a->append = optarg; break;
		case 'R': a->reuse_cmdline = true; break;
		case 't': a->handoff = optarg; break;
		case 'd': a->devices = optarg; break;
		case 'F': a->from_running = true; break;
		case 's': a->sysfs = optarg; break;
		case 'f': a->fallback = optarg; break;
		case 'I': a->fallback_initrd = optarg; break;
		case 'p': a->policy = optarg; break;
		case 'L': a->loader = optarg; break;
		case 'K': a->kexec = optarg; break;
		case 'r': a->runtime_dir = optarg; break;
		case 'N': a->no_kho = true; break;
		case 'H': a->kho = true; break;
		case 'n': a->dry_run = true; break;
		case 'j': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'S': a->on_stop = optarg; break;
		case 'h': fputs(usage, stdout); return -1;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (optind != argc)
		return cli_error("load: unexpected argument '%s'", argv[optind]);
	if (!a->kernel)
		return cli_error("load: --kernel is required");
	if (!a->handoff == !a->devices)
		return cli_error("load: give exactly one of --handoff TABLE and --devices FILE");
	if ((a->from_running || a->sysfs) && !a->devices)
		return cli_error("load: --from-running and --sysfs go with --devices");
	if (a->append && a->reuse_cmdline)
		return cli_error("load: --append and --reuse-cmdline exclude each other");
	if (a->fallback_initrd && !a->fallback)
		return cli_error("load: --fallback-initrd needs --fallback");
	if (a->kho && a->no_kho)
		return cli_error("load: --kho and --no-kho exclude each other");
	if (!a->runtime_dir[0])
		return cli_error("load: --runtime-dir is empty");
	if (!stop_word(a->on_stop, a->stop_word, sizeof(a->stop_word)))
		return cli_error("load: --on-stop %s: want reboot, reboot:SECONDS (0-%u) or halt", a->on_stop,
				 STOP_MAX_SECONDS);
	return EXIT_ALLOW;
}

/*
 * A file kexec-tools will read, as an absolute path. kexec-tools splits a module's argument at
 * the first space (the rest is the module's command line), so a path with white space cannot
 * be passed at all: say so rather than stage the wrong file.
 */
static bool staged_path(const char *what, const char *path, char out[PATH_MAX])
{
	struct stat st;

	if (!realpath(path, out))
		return cli_error("%s %s: %s", what, path, strerror(errno)), false;
	if (stat(out, &st) != 0 || !S_ISREG(st.st_mode))
		return cli_error("%s %s: not a regular file", what, path), false;
	if (access(out, R_OK) != 0)
		return cli_error("%s %s: not readable: %s", what, path, strerror(errno)), false;
	if (strpbrk(out, " \t\n\"'\\"))
		return cli_error("%s %s: kexec-tools cannot pass a path containing white space or quotes; "
				 "copy or link the file elsewhere", what, out), false;
	return true;
}

/* The loader: --loader, else $LUGATE_LIBDIR, else where `make install` puts it next to this
 * program (PREFIX/sbin/lugate -> PREFIX/lib/lugate/), else beside it (the build tree). Prints
 * an error only for a --loader that cannot be used; "not installed" is the caller's to say. */
static bool find_loader(const char *given, const char *name, char out[PATH_MAX], bool *given_bad)
{
	char exe[PATH_MAX], cand[3][PATH_MAX + 32];
	const char *libdir = getenv("LUGATE_LIBDIR");
	size_t n = 0;
	ssize_t len;

	*given_bad = false;
	if (given) {
		*given_bad = !staged_path("loader", given, out);
		return !*given_bad;
	}
	if (libdir && libdir[0]) {
		snprintf(cand[n++], sizeof(cand[0]), "%s/%s", libdir, name);
	} else if ((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(cand[n++], sizeof(cand[0]), "%s/../lib/lugate/%s", exe, name);
			snprintf(cand[n++], sizeof(cand[0]), "%s/%s", exe, name);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (access(cand[i], R_OK) == 0)
			return staged_path("loader", cand[i], out);
	return false;
}

static const char *libdir_hint(void)
{
	const char *libdir = getenv("LUGATE_LIBDIR");
	return libdir && libdir[0] ? "looked in $LUGATE_LIBDIR" : "looked in PREFIX/lib/lugate/ and beside lugate";
}

/* The table to seal: the given file, or one built from the device list. */
static bool table_bytes(const struct load_args *a, uint8_t **blob, size_t *size)
{
	struct lugate_table t;

	if (a->devices) {
		struct cli_handoff_source src = { 0 };
		src.devices_path = a->devices;
		src.sysfs = a->sysfs;
		src.from_running = a->from_running;
		return cli_handoff_from_devices(&src, blob, size);
	}
	*blob = NULL;
	if (cli_table_load(a->handoff, blob, size, &t) == 0)
		return true;
	free(*blob); /* cli_table_load keeps what it read, even a table that does not open */
	*blob = NULL;
	return false;
}

/*
 * KHO hands over only through kexec_file_load: `kexec -l` would boot the next kernel without it
 * and every preserved page would be gone. Take the kexec_file path when the running kernel has
 * KHO state, or when the table says state was preserved in a KHO/LUO format (debugfs may simply
 * not be mounted); the admin can force either way. The running kernel's KHO/LUO versions join
 * the check: the target must revive them like the table's own list.
 */
static void choose_path(const struct load_args *a, const uint8_t *table, size_t table_size, struct load_report *r)
{
	char debugfs[PATH_MAX], dev[PATH_MAX];
	struct lugate_table t;

	cli_sys_path(debugfs, sizeof(debugfs), "/sys/kernel/debug");
	cli_sys_path(dev, sizeof(dev), "/dev");
	cli_kho_probe(debugfs, dev, &r->kho);
	if (r->kho.active)
		snprintf(r->kho_why, sizeof(r->kho_why), "KHO is active in the running kernel (%s)", r->kho.how);
	else if (lugate_table_open(table, table_size, &t) == 0 && t.compat_count)
		snprintf(r->kho_why, sizeof(r->kho_why), "the table says state was preserved in %s",
			 lugate_table_compat(&t, 0));
	else if (a->kho)
		snprintf(r->kho_why, sizeof(r->kho_why), "--kho was given");
	r->path = r->kho_why[0] && !a->no_kho ? LOAD_KEXEC_FILE : LOAD_KEXEC_LOAD;
	if (r->path == LOAD_KEXEC_LOAD && r->kho_why[0])
		fprintf(stderr, "lugate: warning: %s, but --no-kho takes the kexec -l path: the preserved "
				"memory will not survive\n", r->kho_why);
	if (r->path == LOAD_KEXEC_FILE && r->kho.root_compat[0])
		r->outgoing_compat[r->outgoing_compat_count++] = r->kho.root_compat;
	if (r->path == LOAD_KEXEC_FILE && r->kho.luo_compat[0])
		r->outgoing_compat[r->outgoing_compat_count++] = r->kho.luo_compat;
}

/* The bundle (docs/bundle-format.md) beside the sealed table: the kexec_file loader's one input. */
static int write_bundle(const struct load_args *a, const struct cli_bundle_spec *b, struct load_report *r)
{
	char path[PATH_MAX];
	int rc;

	if (snprintf(path, sizeof(path), "%s/bundle.bin", a->runtime_dir) >= (int)sizeof(path))
		return cli_error("--runtime-dir %s: path too long", a->runtime_dir);
	rc = cli_bundle_write(b, path);
	if (rc != EXIT_ALLOW)
		return rc;
	return staged_path("bundle", path, r->bundle) ? EXIT_ALLOW : EXIT_INPUT;
}

/* The exact kexec-tools command: loader as a Multiboot2 image, one module per file. */
static int build_command(const struct load_args *a, const struct cli_kexec_env *env, struct load_report *r)
{
	char kernel[PATH_MAX], initrd[PATH_MAX], fallback[PATH_MAX], fallback_initrd[PATH_MAX];
	char running[4096], with_stop[8192];
	const char *cmdline = a->append;
	struct cli_argv *c = &r->cmd;
	bool ok;

	if (!staged_path("kernel", a->kernel, kernel) || (a->initrd && !staged_path("initrd", a->initrd, initrd)) ||
	    (a->fallback && !staged_path("fallback", a->fallback, fallback)) ||
	    (a->fallback_initrd && !staged_path("fallback initrd", a->fallback_initrd, fallback_initrd)))
		return EXIT_INPUT;
	if (a->reuse_cmdline) {
		if (!cli_running_cmdline(running, sizeof(running)))
			return cli_fail(EXIT_SYSTEM, "cannot read the running kernel's command line (/proc/cmdline)");
		cmdline = running;
	}
	if (r->path == LOAD_KEXEC_FILE) {
		/* everything travels in the bundle; the loader's own command line stays empty */
		struct cli_bundle_spec b = { r->sealed, kernel, a->initrd ? initrd : NULL, cmdline,
					     a->fallback ? fallback : NULL,
					     a->fallback_initrd ? fallback_initrd : NULL, NULL };
		int rc = write_bundle(a, &b, r);
		if (rc != EXIT_ALLOW)
			return rc;
		ok = cli_argv_add(c, "%s", env->kexec) && cli_argv_add(c, "-s") && cli_argv_add(c, "-l") &&
		     cli_argv_add(c, "%s", r->loader) && cli_argv_add(c, "--initrd=%s", r->bundle) &&
		     cli_argv_add(c, "--command-line=%s", a->stop_word);   /* the loader's own options */
		return ok ? EXIT_ALLOW : cli_fail(EXIT_SYSTEM, "out of memory");
	}
	/* the kernel's command line, then the loader's own option (it takes the last one, drops it) */
	if (snprintf(with_stop, sizeof(with_stop), "%s%s%s", cmdline ? cmdline : "", cmdline && cmdline[0] ? " " : "",
		     a->stop_word) >= (int)sizeof(with_stop))
		return cli_error("load: the command line is too long for the loader");
	ok = cli_argv_add(c, "%s", env->kexec) && cli_argv_add(c, "-l") && cli_argv_add(c, "--type") &&
	     cli_argv_add(c, "multiboot2-x86") && cli_argv_add(c, "%s", r->loader) &&
	     cli_argv_add(c, "--command-line=%s", with_stop);
	ok = ok && cli_argv_add(c, "--module=%s role=kernel", kernel) &&
	     cli_argv_add(c, "--module=%s role=table", r->sealed);
	if (a->initrd)
		ok = ok && cli_argv_add(c, "--module=%s role=initrd", initrd);
	if (a->fallback)
		ok = ok && cli_argv_add(c, "--module=%s role=fallback", fallback);
	if (a->fallback_initrd)
		ok = ok && cli_argv_add(c, "--module=%s role=fallback-initrd", fallback_initrd);
	return ok ? EXIT_ALLOW : cli_fail(EXIT_SYSTEM, "out of memory");
}

/* Keep the sealed table where the staged command reads it until the jump. */
static int write_sealed(const struct load_args *a, const uint8_t *sealed, size_t size, struct load_report *r)
{
	char path[PATH_MAX];

	if (mkdir(a->runtime_dir, 0700) != 0 && errno != EEXIST)
		return cli_fail(EXIT_SYSTEM, "cannot create the runtime folder %s: %s (pass --runtime-dir DIR)",
				a->runtime_dir, strerror(errno));
	if (snprintf(path, sizeof(path), "%s/table.sealed", a->runtime_dir) >= (int)sizeof(path))
		return cli_error("--runtime-dir %s: path too long", a->runtime_dir);
	if (!cli_write_file(path, sealed, size))
		return EXIT_SYSTEM;
	return staged_path("sealed table", path, r->sealed) ? EXIT_ALLOW : EXIT_INPUT;
}

static int stage(const struct cli_kexec_env *env, const struct load_report *r)
{
	int status = cli_argv_run(&r->cmd);

	if (status != 0)
		return cli_fail(EXIT_SYSTEM, "kexec %s failed (%s %d); nothing new is staged%s",
				r->path == LOAD_KEXEC_FILE ? "-s -l" : "-l", status < 0 ? "could not start," : "exit status",
				status,
				env->loaded ? " (an image staged earlier may still be)" : "");
	if (!cli_kexec_is_loaded())
		return cli_fail(EXIT_SYSTEM, "kexec reported success but /sys/kernel/kexec_loaded is not 1");
	return EXIT_ALLOW;
}

static struct json_object *argv_json(const struct cli_argv *c)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < c->n; i++)
		json_object_array_add(arr, json_object_new_string(c->v[i]));
	return arr;
}

static void report(const struct load_args *a, struct load_report *r, int rc)
{
	if (a->json) {
		struct json_object *o = r->json ? r->json : json_object_new_object();
		json_object_object_add(o, "staged", json_object_new_boolean(r->staged));
		json_object_object_add(o, "dry_run", json_object_new_boolean(a->dry_run));
		json_object_object_add(o, "kexec_path", json_object_new_string(r->path == LOAD_KEXEC_FILE ? "kexec_file_load"
														: "kexec_load"));
		json_object_object_add(o, "kho", r->kho_why[0] ? json_object_new_string(r->kho_why) : NULL);
		json_object_object_add(o, "sealed_table", r->sealed[0] ? json_object_new_string(r->sealed) : NULL);
		json_object_object_add(o, "bundle", r->bundle[0] ? json_object_new_string(r->bundle) : NULL);
		json_object_object_add(o, "loader", r->loader[0] ? json_object_new_string(r->loader) : NULL);
		json_object_object_add(o, "kexec_command", r->cmd.n ? argv_json(&r->cmd) : NULL);
		json_object_object_add(o, "exit", json_object_new_int(rc));
		r->json = NULL;
		cli_print_json(o);
		return;
	}
	if (a->dry_run && r->cmd.n && rc == EXIT_ALLOW) {
		cli_argv_print(&r->cmd, stdout); /* the exact command, ready to paste */
		return;
	}
	if (r->staged && !a->quiet && r->path == LOAD_KEXEC_FILE)
		printf("staged (kexec_file_load, KHO kept): %s with the bundle %s; run `kexec -e` to jump\n",
		       r->loader, r->bundle);
	else if (r->staged && !a->quiet)
		printf("staged: %s with the sealed table %s; run `kexec -e` to jump\n", r->loader, r->sealed);
}

int cmd_load(int argc, char **argv)
{
	struct load_args a;
	struct load_report r = { 0 };
	struct cli_kexec_env env;
	struct cli_seal_args s = { 0 };
	uint8_t *table = NULL, *sealed = NULL;
	size_t table_size = 0, sealed_size = 0;
	const char *blocker;
	bool given_bad;
	int rc = parse_args(argc, argv, &a);

	if (rc != EXIT_ALLOW)
		return rc < 0 ? EXIT_ALLOW : rc;
	if (!table_bytes(&a, &table, &table_size))
		return EXIT_INPUT;
	/* 1. which path (kexec -l, or kexec -s keeping KHO): it decides what the check must see */
	choose_path(&a, table, table_size, &r);
	/* 2. the check, and the sealed table, in memory: a refusal touches nothing */
	s.table_path = a.devices ? a.devices : a.handoff;
	s.table = table;
	s.table_size = table_size;
	s.kernel_path = a.kernel;
	s.fallback_path = a.fallback;
	s.policy_path = a.policy;
	s.outgoing_compat = r.outgoing_compat;
	s.outgoing_compat_count = r.outgoing_compat_count;
	/* the loader will see only the manifest: so must the check that seals for it */
	s.manifest_only = r.path == LOAD_KEXEC_FILE;
	s.quiet = a.quiet || a.json;
	s.verdict_json = a.json ? &r.json : NULL;
	rc = cli_seal(&s, &sealed, &sealed_size);
	if (rc != EXIT_ALLOW)
		goto out;
	/* can this system kexec this way at all; is the loader there */
	cli_kexec_probe(a.kexec, &env);
	blocker = cli_kexec_blocker(&env, r.path == LOAD_KEXEC_FILE, a.dry_run);
	if (blocker) {
		rc = cli_fail(EXIT_SYSTEM, "%s", blocker);
		goto out;
	}
	if (!find_loader(a.loader, loader_file[r.path], r.loader, &given_bad)) {
		if (!given_bad && r.path == LOAD_KEXEC_FILE)
			cli_error("%s: its memory survives only kexec_file_load (kexec -s) of %s, which is not installed "
				  "(%s); install it, or pass --no-kho to stage %s with kexec -l and lose the preserved memory",
				  r.kho_why, loader_file[LOAD_KEXEC_FILE], libdir_hint(), loader_file[LOAD_KEXEC_LOAD]);
		else if (!given_bad)
			cli_error("the loader (%s) is not installed (%s); run `make install` or pass --loader PATH",
				  loader_file[r.path], libdir_hint());
		rc = EXIT_INPUT;
		goto out;
	}
	/* 3. the sealed table (and bundle) to the runtime folder; stage (or print) the command */
	rc = write_sealed(&a, sealed, sealed_size, &r);
	if (rc == EXIT_ALLOW)
		rc = build_command(&a, &env, &r);
	if (rc == EXIT_ALLOW && !a.dry_run) {
		rc = stage(&env, &r);
		r.staged = rc == EXIT_ALLOW;
	}
out:
	if (a.json || rc == EXIT_ALLOW)
		report(&a, &r, rc);
	json_object_put(r.json);
	cli_argv_free(&r.cmd);
	free(table);
	free(sealed);
	return rc;
}
