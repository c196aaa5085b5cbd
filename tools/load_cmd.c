// SPDX-License-Identifier: MIT
/*
 * `lugate load`: check, seal and stage a live update with kexec-tools, while the old kernel
 * still runs. A refusal stages nothing; `kexec -e` afterwards jumps into lugate's loader,
 * which checks once more and boots the approved kernel (or the sealed fallback).
 *
 * Order: every input is validated first (files, images the loader boots, the command line
 * against both kernels' cmdline_size, the check, kexec, the loader); only then is the runtime
 * folder opened (the caller's, private, not a symlink) and written by descriptor. Any failure
 * after the first write puts the folder back as it was: a failed verb leaves nothing behind.
 *
 * Two paths (docs/live-update.md). Without KHO: kexec_load (`kexec -l`) of the Multiboot2
 * loader.elf with one module per file. With KHO (the running kernel has it, or the table lists a
 * KHO/LUO format): preserved memory reaches the next kernel only through kexec_file_load, so
 * `kexec -s` of loader.bzImage with everything in one bundle as its initrd; the loader forwards
 * the KHO data. --no-kho forces the first path (and loses the preserved memory), --kho the second.
 * A host booted by UEFI takes the second path too when loader.bzImage is installed: the target
 * then gets the EFI memory map, system table and runtime services the way kexec_file_load hands
 * them on, which the Multiboot2 path cannot (docs/live-update.md, "After the jump under UEFI").
 * An arm64 host stages loader.arm64 on both paths, always with the bundle as its initrd and the
 * running DTB (kexec-tools reads it): `kexec -l` without KHO, `kexec -s` with it (docs/loader.md,
 * "The arm64 loader"). Its DTB carries EFI's tables on either path, so UEFI changes nothing there.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lugate/stop.h>
#include <lugate/cmdline.h>
#include "cli.h"
#include "kexec.h"
#include "outgoing.h"
#include "seal.h"
#include "stage.h"
#include "staged_id.h"
#include "verbs.h"
#include "verdict.h"

static const char usage[] =
	"Usage: lugate load --kernel IMAGE [--initrd I] [--append ARGS | --reuse-cmdline]\n"
	"                   (--handoff TABLE | --devices FILE.json [--from-running] [--sysfs DIR])\n"
	"                   [--fallback IMAGE2 [--fallback-initrd I2]] [--policy P] [--loader PATH]\n"
	"                   [--kexec PATH] [--runtime-dir DIR] [--kho | --no-kho] [--outgoing-image IMAGE0]\n"
	"                   [--dry-run] [--json] [-q]\n"
	"                   [--on-stop reboot[:SECONDS]|halt]\n"
	"Check the handoff table against IMAGE; on allow seal it into the runtime folder and stage\n"
	"lugate's loader with kexec-tools: `kexec -l --type multiboot2-x86 loader.elf` with the image,\n"
	"the sealed table, the initrd and the fallback as modules; or, when the running kernel has KHO,\n"
	"`kexec -s -l loader.bzImage --initrd=BUNDLE` (all of them in one bundle), which keeps the\n"
	"preserved memory; on a host booted by UEFI the latter too, so that the target keeps EFI.\n"
	"On an arm64 host (uname -m aarch64): `kexec [-s] -l loader.arm64 --initrd=BUNDLE`, -s with KHO;\n"
	"there the images must be arm64 Images.\n"
	"`kexec -e` then jumps. On refuse nothing is staged (exit 1).\n"
	"  --append ARGS      the new kernel's command line; --reuse-cmdline: the running one's\n"
	"  --handoff TABLE    the outgoing kernel's table (sealed or not; `lugate handoff build`)\n"
	"  --devices FILE     build the table here from a device list (see `lugate handoff build`)\n"
	"  --fallback IMAGE2  booted by the loader if its own check refuses (sealed into the table)\n"
	"  --loader PATH      the loader (default: PREFIX/lib/lugate/loader.elf, or loader.bzImage\n"
	"                     on the KHO path; loader.arm64 on an arm64 host)\n"
	"  --runtime-dir DIR  where the sealed table is kept until the jump (default /run/lugate):\n"
	"                     a directory, not a symbolic link, owned by the caller and writable by\n"
	"                     no group or other user (else exit 3); made 0700 if it is missing\n"
	"  --kho              take the KHO path (kexec -s) even if no KHO state is seen\n"
	"  --no-kho           take the kexec -l path even though KHO state would be lost (and, on a\n"
	"                     UEFI host, the target boots without EFI)\n"
	"  --outgoing-image IMAGE0  the running kernel's image (default /boot/vmlinuz-$(uname -r)): on\n"
	"                     the KHO path the file handlers and FLBs compiled into it must be revived\n"
	"                     by the target too, unless the policy says `may-lack` (docs/policy.md)\n"
	"  --dry-run          seal, then print the kexec command instead of running it\n"
	"  --on-stop WHAT     if the loader boots nothing: reboot after SECONDS (0-3600; default\n"
	"                     reboot:10) or halt; passed to it as lugate.stop=WHAT\n"
	"Every input is checked first (the images must be 64-bit bzImages lugate's loader boots, the\n"
	"command line printable ASCII within both kernels' cmdline_size); a verb that fails writes\n"
	"nothing, and a failed kexec puts back the runtime folder's previous files. A load of what the\n"
	"kernel holds staged already (staged.id in the runtime folder) runs no kexec: \"already staged\".\n"
	"Exit: 0 staged (or printed), 1 refused, 2 bad input, 3 the system refused (kexec, the\n"
	"runtime folder).\n";

struct load_args {
	const char *kernel, *initrd, *append, *fallback, *fallback_initrd, *policy;
	const char *handoff, *devices, *sysfs, *loader, *kexec, *runtime_dir, *outgoing_image;
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
	enum cli_host_arch arch;     /* the machine staged for: it picks the loader file */
	char machine[64];
	enum load_path path;
	char kho_why[700];           /* why the KHO path was taken ("" if it was not) */
	bool uefi;                   /* the host booted by UEFI (/sys/firmware/efi) */
	bool uefi_path;              /* kexec_file_load taken for EFI alone, no KHO state to keep */
	/* the running kernel's KHO/LUO versions and its image's file handlers and FLBs, for the check */
	struct lugate_outgoing_format outgoing[2 + CLI_SCAN_MAX];
	size_t outgoing_count;
	struct cli_outgoing_image image; /* the outgoing kernel's image, if it was scanned */
	struct cli_kho_state kho;
	char sealed[PATH_MAX];       /* the sealed table's path ("" before it was written) */
	char bundle[PATH_MAX];       /* the bundle's (KHO path) */
	char loader[PATH_MAX];
	struct cli_argv cmd;         /* the kexec command */
	char staged_id[CLI_STAGED_ID_HEX + 2]; /* what this run stages, "" before it is known */
	bool staged, already_staged;
};

/* --on-stop (NULL: the loader's default) -> "lugate.stop=halt" or "lugate.stop=reboot:N", the
 * values the loader accepts (loader/options.c); false if it would not. */
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
		{ "outgoing-image", required_argument, NULL, 'O' },
		{ "json", no_argument, NULL, 'j' },              { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },              { NULL, 0, NULL, 0 },
	};
	static char default_dir[PATH_MAX];
	int c;

	memset(a, 0, sizeof(*a));
	/* /run/lugate; under LUGATE_SYSROOT (tests) the fake system's */
	cli_sys_path(default_dir, sizeof(default_dir), "/run/lugate");
	a->runtime_dir = default_dir;
	while ((c = cli_getopt(argc, argv, "k:i:a:t:d:f:p:njqh", opts)) != -1) {
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
		case 'O': a->outgoing_image = optarg; break;
		case 'h': fputs(usage, stdout); return -1;
		default: fputs(usage, stderr); return EXIT_INPUT;
		}
	}
	if (optind != argc)
		return cli_error("load: unexpected argument '%s'", CLI_Q(argv[optind]));
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
		return cli_error("load: --on-stop %s: want reboot, reboot:SECONDS (0-%u) or halt", CLI_Q(a->on_stop),
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
		return cli_error("%s %s: %s", what, CLI_QPATH(path), strerror(errno)), false;
	if (stat(out, &st) != 0 || !S_ISREG(st.st_mode))
		return cli_error("%s %s: not a regular file", what, CLI_QPATH(path)), false;
	if (access(out, R_OK) != 0)
		return cli_error("%s %s: not readable: %s", what, CLI_QPATH(path), strerror(errno)), false;
	if (strpbrk(out, " \t\n\"'\\"))
		return cli_error("%s %s: kexec-tools cannot pass a path containing white space or quotes; "
				 "copy or link the file elsewhere", what, CLI_QPATH(out)), false;
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

/*
 * The loader file for a path: on an arm64 host loader.arm64 serves both (kexec -l and -s take
 * the same Image), elsewhere the Multiboot2 loader or the bzImage64 one. An arm64 host always
 * hands the loader a bundle as its initrd.
 */
static const char *loader_name(const struct load_report *r, enum load_path path)
{
	return r->arch == CLI_HOST_ARM64 ? "loader.arm64" : loader_file[path];
}

static bool uses_bundle(const struct load_report *r)
{
	return r->arch == CLI_HOST_ARM64 || r->path == LOAD_KEXEC_FILE;
}

/* The machine to stage for; lugate has loaders for x86-64 and arm64 only. */
static int choose_arch(struct load_report *r)
{
	r->arch = cli_host_arch(r->machine, sizeof(r->machine));
	if (r->arch == CLI_HOST_OTHER)
		return cli_error("load: lugate has no loader for this machine (%s); it stages on x86_64 and aarch64",
				 CLI_Q(r->machine));
	return EXIT_ALLOW;
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
 * On the KHO path: the file handlers and FLBs compiled into the running kernel, from its image.
 * The sessions' files are serialized only when the reboot freezes them, after this pre-flight;
 * what the kernel can serialize them in is known now only from its image. Without one (a kernel
 * booted from elsewhere, and no --outgoing-image) the load goes on with a warning: the loader
 * still judges the serialized state at the jump.
 */
static bool outgoing_image(const struct load_args *a, const uint8_t *table, size_t table_size, struct load_report *r)
{
	struct lugate_table t;
	int got = cli_outgoing_image_open(a->outgoing_image,
					  lugate_table_open(table, table_size, &t) == 0 ? t.release : NULL, &r->image);

	if (got < 0)
		return false;
	if (got > 0) {
		fprintf(stderr, "lugate: warning: the running kernel's image %s is not there: the file handlers and FLBs "
				"it can serialize are not checked before the jump; pass --outgoing-image IMAGE0\n",
			r->image.path[0] ? r->image.path : "/boot/vmlinuz-$(uname -r)");
		return true;
	}
	for (size_t k = 0; k < r->image.count; k++)
		r->outgoing[r->outgoing_count++] = r->image.formats[k];
	return true;
}

/*
 * KHO hands over only through kexec_file_load: `kexec -l` would boot the next kernel without it
 * and every preserved page would be gone. Take the kexec_file path when the running kernel has
 * KHO state, or when the table says state was preserved in a KHO/LUO format (debugfs may simply
 * not be mounted); the admin can force either way. The running kernel's KHO/LUO versions join
 * the check: the target must revive them like the table's own list.
 */
/* Whether the running kernel was booted by UEFI: the kernel makes /sys/firmware/efi only then. */
static bool host_boots_by_uefi(void)
{
	char efi[PATH_MAX];
	struct stat st;

	cli_sys_path(efi, sizeof(efi), "/sys/firmware/efi");
	return lstat(efi, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Without KHO state, a UEFI host still wants kexec_file_load: kexec -l of the Multiboot2 loader
 * boots the target with no EFI memory map, system table or runtime services (no EFI variables,
 * no efivarfs, ACPI found only by scanning). The EFI path needs loader.bzImage; when it is not
 * installed (and no --loader names one) the load goes on the Multiboot2 path with a warning.
 */
static void choose_uefi_path(const struct load_args *a, struct load_report *r)
{
	char found[PATH_MAX];
	bool given_bad;

	r->uefi = host_boots_by_uefi();
	if (!r->uefi || r->path == LOAD_KEXEC_FILE || r->arch == CLI_HOST_ARM64)
		return;
	if (a->no_kho) {
		fprintf(stderr, "lugate: warning: the host boots by UEFI, but --no-kho takes the kexec -l path: the target "
				"boots without the EFI memory map and runtime services\n");
		return;
	}
	if (a->loader || !find_loader(NULL, loader_file[LOAD_KEXEC_FILE], found, &given_bad)) {
		fprintf(stderr, "lugate: warning: the host boots by UEFI, but %s: the target boots without the EFI memory "
				"map and runtime services\n",
			a->loader ? "--loader names the kexec -l loader" : "loader.bzImage is not installed");
		return;
	}
	r->path = LOAD_KEXEC_FILE;
	r->uefi_path = true;
}

/* False (printed) when the KHO evidence itself is unreadable (e.g. a FIFO in debugfs): the path
 * cannot be chosen on a guess. */
static bool choose_path(const struct load_args *a, const uint8_t *table, size_t table_size, struct load_report *r)
{
	char debugfs[PATH_MAX], dev[PATH_MAX];
	struct lugate_table t;

	cli_sys_path(debugfs, sizeof(debugfs), "/sys/kernel/debug");
	cli_sys_path(dev, sizeof(dev), "/dev");
	cli_kho_probe(debugfs, dev, &r->kho);
	if (r->kho.bad[0])
		return cli_error("%s", r->kho.bad), false;
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
	choose_uefi_path(a, r);
	if (r->path == LOAD_KEXEC_FILE && r->kho.root_compat[0])
		r->outgoing[r->outgoing_count++] = (struct lugate_outgoing_format){
			.compatible = r->kho.root_compat, .layer = LUGATE_LAYER_KHO };
	if (r->path == LOAD_KEXEC_FILE && r->kho.luo_compat[0])
		r->outgoing[r->outgoing_count++] = (struct lugate_outgoing_format){
			.compatible = r->kho.luo_compat, .layer = LUGATE_LAYER_LUO };
	/* no KHO state, nothing the outgoing kernel's handlers could serialize: no scan */
	return r->path != LOAD_KEXEC_FILE || r->uefi_path || outgoing_image(a, table, table_size, r);
}

/* A kexec-tools argument cannot hold white space or quotes (see staged_path). */
static bool passable(const char *what, const char *path)
{
	if (strpbrk(path, " \t\n\"'\\"))
		return cli_error("%s %s: kexec-tools cannot pass a path containing white space or quotes", what, CLI_QPATH(path)),
		       false;
	return true;
}

/*
 * The runtime folder: the sealed table (and bundle) live there until kexec reads them, so no
 * one but the caller may be able to change them. Opened without following a symbolic link;
 * it must be a directory owned by the caller with no group or other write permission. Every
 * file is then written relative to this descriptor, so a path component swapped later cannot
 * redirect a write; `path` is its canonical name, for the kexec command.
 */
struct runtime_dir {
	int fd;
	bool created;
	dev_t dev;
	ino_t ino;
	char path[PATH_MAX];
};

static int open_runtime_dir(const char *dir, struct runtime_dir *rd)
{
	struct stat st, named;

	rd->fd = -1;
	rd->created = false;
	if (lstat(dir, &st) != 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) != 0)
			return cli_fail(EXIT_SYSTEM, "cannot create the runtime folder %s: %s (pass --runtime-dir DIR)", dir,
					strerror(errno));
		rd->created = true;
	}
	rd->fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rd->fd < 0) {
		if (errno == ELOOP || (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)))
			return cli_fail(EXIT_SYSTEM, "the runtime folder %s is a symbolic link; lugate does not follow it "
					"(pass the real directory as --runtime-dir)", dir);
		return cli_fail(EXIT_SYSTEM, "cannot open the runtime folder %s: %s", dir, strerror(errno));
	}
	if (fstat(rd->fd, &st) != 0)
		return cli_fail(EXIT_SYSTEM, "cannot stat the runtime folder %s: %s", dir, strerror(errno));
	if (st.st_uid != geteuid())
		return cli_fail(EXIT_SYSTEM, "the runtime folder %s is owned by uid %u, not by the caller (uid %u): "
				"another user could replace the sealed table before the jump", dir, (unsigned)st.st_uid,
				(unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return cli_fail(EXIT_SYSTEM, "the runtime folder %s is writable by its group or others (mode %04o): "
				"another user could replace the sealed table before the jump; chmod go-w it",
				dir, (unsigned)(st.st_mode & 07777));
	rd->dev = st.st_dev;
	rd->ino = st.st_ino;
	/* the name kexec will resolve must lead to this very directory */
	if (!realpath(dir, rd->path) || stat(rd->path, &named) != 0 || named.st_dev != st.st_dev ||
	    named.st_ino != st.st_ino)
		return cli_fail(EXIT_SYSTEM, "the runtime folder %s changed while lugate opened it", dir);
	if (!passable("--runtime-dir", rd->path))
		return EXIT_INPUT;
	return EXIT_ALLOW;
}

/* A file written into the runtime folder: first under a temporary name, then renamed over the
 * old one, which is kept (hard link) until the verb has succeeded, and put back otherwise. */
struct staged_file {
	const char *name;
	char tmp[64], old[64];
	char path[PATH_MAX];
	bool written, committed, has_old;
	dev_t dev;
	ino_t ino;
};

static bool staged_init(struct staged_file *f, const char *name, const struct runtime_dir *rd)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	snprintf(f->tmp, sizeof(f->tmp), ".%s.new.%ld", name, (long)getpid());
	snprintf(f->old, sizeof(f->old), ".%s.old.%ld", name, (long)getpid());
	if (snprintf(f->path, sizeof(f->path), "%s/%s", rd->path, name) >= (int)sizeof(f->path))
		return cli_error("--runtime-dir %s: path too long", rd->path), false;
	return true;
}

static bool staged_write(const struct runtime_dir *rd, struct staged_file *f, const void *data, size_t size)
{
	const uint8_t *p = data;
	struct stat st;
	size_t done = 0;
	int fd;

	unlinkat(rd->fd, f->tmp, 0); /* a leftover of a run that died with this pid */
	fd = openat(rd->fd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_fail(EXIT_SYSTEM, "%s: cannot create: %s", f->path, strerror(errno)), false;
	f->written = true;
	while (done < size) {
		ssize_t n = write(fd, p + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_fail(EXIT_SYSTEM, "%s: cannot write: %s", f->path, n < 0 ? strerror(errno) : "short write");
			close(fd);
			return false;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || fstat(fd, &st) != 0) {
		cli_fail(EXIT_SYSTEM, "%s: cannot write: %s", f->path, strerror(errno));
		close(fd);
		return false;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (close(fd) != 0)
		return cli_fail(EXIT_SYSTEM, "%s: cannot write: %s", f->path, strerror(errno)), false;
	return true;
}

static bool staged_commit(const struct runtime_dir *rd, struct staged_file *f)
{
	unlinkat(rd->fd, f->old, 0);
	if (linkat(rd->fd, f->name, rd->fd, f->old, 0) == 0)
		f->has_old = true;
	else if (errno != ENOENT)
		return cli_fail(EXIT_SYSTEM, "%s: cannot keep the previous file: %s", f->path, strerror(errno)), false;
	if (renameat(rd->fd, f->tmp, rd->fd, f->name) != 0)
		return cli_fail(EXIT_SYSTEM, "%s: cannot replace: %s", f->path, strerror(errno)), false;
	f->committed = true;
	return true;
}

/* The path on the kexec command line names the file written, and it is a regular file. */
static bool staged_verify(const struct staged_file *f)
{
	struct stat st;

	if (lstat(f->path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != f->dev || st.st_ino != f->ino)
		return cli_fail(EXIT_SYSTEM, "%s is not the file lugate wrote (it changed under lugate)", f->path), false;
	return true;
}

/* Failure: put the previous file back (its bytes and times), or remove the new one. */
static void staged_undo(const struct runtime_dir *rd, struct staged_file *f)
{
	if (f->committed && f->has_old)
		renameat(rd->fd, f->old, rd->fd, f->name);
	else if (f->committed)
		unlinkat(rd->fd, f->name, 0);
	else if (f->written)
		unlinkat(rd->fd, f->tmp, 0);
	if (!f->committed && f->has_old)
		unlinkat(rd->fd, f->old, 0);
}

static void staged_done(const struct runtime_dir *rd, struct staged_file *f)
{
	if (f->has_old)
		unlinkat(rd->fd, f->old, 0);
}

/* Everything `load` checks before it writes anything. */
struct load_inputs {
	char kernel[PATH_MAX], initrd[PATH_MAX], fallback[PATH_MAX], fallback_initrd[PATH_MAX];
	uint8_t *kernel_data, *fallback_data;
	size_t kernel_size, fallback_size;
	uint32_t kernel_cmdline_size, fallback_cmdline_size;
	char *cmdline;               /* the new kernel's command line (malloc'd), NULL for none */
	size_t cmdline_len;
	const char *cmdline_what;    /* "--append" or "--reuse-cmdline" */
};

static void inputs_free(struct load_inputs *in)
{
	free(in->kernel_data);
	free(in->fallback_data);
	free(in->cmdline);
}

/* The files (readable regular files kexec-tools can name), the images (what the loader can
 * boot) and the command line (the rule, against the target's cmdline_size and the fallback's:
 * on both paths the fallback boots with the same line). */
static int check_inputs(const struct load_args *a, bool arm64, struct load_inputs *in)
{
	int rc;

	if (!staged_path("kernel", a->kernel, in->kernel) || (a->initrd && !staged_path("initrd", a->initrd, in->initrd)) ||
	    (a->fallback && !staged_path("fallback", a->fallback, in->fallback)) ||
	    (a->fallback_initrd && !staged_path("fallback initrd", a->fallback_initrd, in->fallback_initrd)))
		return EXIT_INPUT;
	if (!cli_stage_image_file("kernel", a->kernel, arm64, &in->kernel_data, &in->kernel_size,
				  &in->kernel_cmdline_size))
		return EXIT_INPUT;
	if (a->fallback && !cli_stage_image_file("fallback", a->fallback, arm64, &in->fallback_data, &in->fallback_size,
						 &in->fallback_cmdline_size))
		return EXIT_INPUT;
	if (a->reuse_cmdline) {
		in->cmdline_what = "--reuse-cmdline";
		rc = cli_running_cmdline(&in->cmdline, &in->cmdline_len);
		if (rc != EXIT_ALLOW)
			return rc;
	} else if (a->append) {
		in->cmdline_what = "--append";
		in->cmdline = strdup(a->append);
		if (!in->cmdline)
			return cli_fail(EXIT_SYSTEM, "out of memory");
		in->cmdline_len = strlen(a->append);
	}
	if (in->cmdline && !cli_stage_cmdline(in->cmdline_what, in->cmdline, in->cmdline_len, a->kernel,
					      in->kernel_cmdline_size))
		return EXIT_INPUT;
	if (in->cmdline && a->fallback &&
	    !cli_stage_cmdline(in->cmdline_what, in->cmdline, in->cmdline_len, a->fallback, in->fallback_cmdline_size))
		return EXIT_INPUT;
	return EXIT_ALLOW;
}

/* The sealed table names the images by hash: they must be the bytes checked here (a file
 * changed between the reads would be refused by the loader; say so now). */
static int check_sealed_hashes(const struct load_args *a, const struct load_inputs *in, const uint8_t *sealed,
			       size_t sealed_size)
{
	uint8_t sha[LUGATE_SHA256_SIZE];
	struct lugate_table t;

	if (lugate_table_open(sealed, sealed_size, &t) != 0 || !t.sealed)
		return cli_fail(EXIT_INPUT, "the sealed table does not open");
	lugate_sha256(in->kernel_data, in->kernel_size, sha);
	if (memcmp(sha, t.target_sha256, sizeof(sha)) != 0)
		return cli_error("kernel %s changed while lugate read it; run load again", a->kernel);
	if (!a->fallback)
		return EXIT_ALLOW;
	lugate_sha256(in->fallback_data, in->fallback_size, sha);
	if (lugate_check_fallback(&t, sha) != 0)
		return cli_error("fallback %s changed while lugate read it; run load again", a->fallback);
	return EXIT_ALLOW;
}

/*
 * One --module=PATH role=ROLE argument for kexec -l --type multiboot2-x86. kexec-tools (2.0.25,
 * Debian 12) sizes the Multiboot2 information as if module tags needed no padding, but pads each
 * to 8 bytes: the last tags then lie past the total_size it writes, where the loader stops
 * reading, and the last module (the fallback's initrd) is lost. Trailing spaces, which the
 * loader's word split ignores, make every tag (16 bytes, the string, its NUL) a multiple of 8.
 */
static bool add_module(struct cli_argv *c, const char *path, const char *role)
{
	size_t len = strlen(path) + strlen(" role=") + strlen(role) + 1;
	int pad = (int)((8 - len % 8) % 8);

	return cli_argv_add(c, "--module=%s role=%s%*s", path, role, pad, "");
}

/* The exact kexec-tools command: loader as a Multiboot2 image, one module per file; or the
 * bzImage64 loader (kexec -s) or loader.arm64 (kexec -l or -s) with the bundle as its initrd. */
static int build_command(const struct load_args *a, const struct cli_kexec_env *env, const struct load_inputs *in,
			 struct load_report *r)
{
	struct cli_argv *c = &r->cmd;
	const char *cmdline = in->cmdline;
	bool ok;

	if (uses_bundle(r)) {
		/* everything travels in the bundle; the loader's own command line holds its options */
		ok = cli_argv_add(c, "%s", env->kexec) && (r->path != LOAD_KEXEC_FILE || cli_argv_add(c, "-s")) &&
		     cli_argv_add(c, "-l") &&
		     cli_argv_add(c, "%s", r->loader) && cli_argv_add(c, "--initrd=%s", r->bundle) &&
		     cli_argv_add(c, "--command-line=%s", a->stop_word);
		return ok ? EXIT_ALLOW : cli_fail(EXIT_SYSTEM, "out of memory");
	}
	/* the kernel's command line, then the loader's own option (it takes the last one, drops it) */
	ok = cli_argv_add(c, "%s", env->kexec) && cli_argv_add(c, "-l") && cli_argv_add(c, "--type") &&
	     cli_argv_add(c, "multiboot2-x86") && cli_argv_add(c, "%s", r->loader) &&
	     cli_argv_add(c, "--command-line=%s%s%s", cmdline ? cmdline : "", cmdline && cmdline[0] ? " " : "",
			  a->stop_word);
	ok = ok && add_module(c, in->kernel, "kernel") && add_module(c, r->sealed, "table");
	if (a->initrd)
		ok = ok && add_module(c, in->initrd, "initrd");
	if (a->fallback)
		ok = ok && add_module(c, in->fallback, "fallback");
	if (a->fallback_initrd)
		ok = ok && add_module(c, in->fallback_initrd, "fallback-initrd");
	return ok ? EXIT_ALLOW : cli_fail(EXIT_SYSTEM, "out of memory");
}

/* On the kexec -l path the loader receives its own path, a space, the command line, a space
 * and its lugate.stop= word, and keeps LUGATE_CMDLINE_MAX bytes of it with the NUL: a longer
 * one would stop it. */
static int check_loader_line(const struct load_args *a, const struct load_report *r, const struct load_inputs *in)
{
	size_t total;

	if (uses_bundle(r) || !in->cmdline || !in->cmdline[0])
		return EXIT_ALLOW;
	total = strlen(r->loader) + 1 + in->cmdline_len + 1 + strlen(a->stop_word);
	if (total + 1 > LUGATE_CMDLINE_MAX)
		return cli_error("%s: the loader's command line (its path %s and this line) would be %zu characters, "
				 "more than the %u it keeps", in->cmdline_what, r->loader, total, LUGATE_CMDLINE_MAX - 1);
	return EXIT_ALLOW;
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

/* What this run stages (staged_id.h), and whether the kernel holds exactly that already. */
static int staged_identity(const struct load_inputs *in, const uint8_t *sealed, size_t sealed_size,
			   const uint8_t *bundle, size_t bundle_size, const struct runtime_dir *rd, struct load_report *r)
{
	struct cli_staged_inputs s = { 0 };

	s.cmd = &r->cmd;
	s.sealed = sealed;
	s.sealed_size = sealed_size;
	s.bundle = bundle;
	s.bundle_size = bundle_size;
	s.initrd = in->initrd;
	s.fallback_initrd = in->fallback_initrd;
	if (!cli_staged_id(&s, r->staged_id))
		return EXIT_SYSTEM;
	r->already_staged = cli_staged_id_current(rd->fd, r->staged_id);
	return EXIT_ALLOW;
}

/*
 * Write the sealed table (and the bundle), check that the paths on the command line name
 * them, and run kexec unless this is a dry run. Any failure puts the folder back as it was.
 */
static int write_and_stage(const struct load_args *a, const struct cli_kexec_env *env, const struct load_inputs *in,
			   const uint8_t *sealed, size_t sealed_size, const uint8_t *bundle, size_t bundle_size,
			   struct load_report *r)
{
	struct runtime_dir rd;
	struct staged_file files[3];
	/* the sealed table, the bundle (KHO path), and staged.id once kexec is to run */
	const void *data[3] = { sealed, bundle, r->staged_id };
	size_t size[3] = { sealed_size, bundle_size, CLI_STAGED_ID_HEX + 1 };
	bool want[3] = { true, bundle != NULL, !a->dry_run };
	int rc = open_runtime_dir(a->runtime_dir, &rd);

	if (rc != EXIT_ALLOW)
		goto out;
	rc = EXIT_INPUT;
	for (size_t i = 0; i < 3; i++)
		if (!staged_init(&files[i], i == 0 ? "table.sealed" : i == 1 ? "bundle.bin" : CLI_STAGED_ID_FILE, &rd))
			goto out;
	snprintf(r->sealed, sizeof(r->sealed), "%s", files[0].path);
	if (bundle)
		snprintf(r->bundle, sizeof(r->bundle), "%s", files[1].path);
	rc = build_command(a, env, in, r);
	if (rc != EXIT_ALLOW)
		goto out;
	rc = staged_identity(in, sealed, sealed_size, bundle, bundle_size, &rd, r);
	if (rc != EXIT_ALLOW)
		goto out;
	if (r->already_staged && !a->dry_run) {
		r->staged = true; /* the kernel holds this very staging already: nothing new to write */
		goto out;
	}
	rc = EXIT_SYSTEM;
	for (size_t i = 0; i < 3; i++)
		if (want[i] && !staged_write(&rd, &files[i], data[i], size[i]))
			goto undo;
	for (size_t i = 0; i < 3; i++)
		if (want[i] && !staged_commit(&rd, &files[i]))
			goto undo;
	for (size_t i = 0; i < 3; i++)
		if (want[i] && !staged_verify(&files[i]))
			goto undo;
	rc = EXIT_ALLOW;
	if (!a->dry_run) {
		rc = stage(env, r);
		r->staged = rc == EXIT_ALLOW;
	}
	if (rc == EXIT_ALLOW) {
		for (size_t i = 0; i < 3; i++)
			if (want[i])
				staged_done(&rd, &files[i]);
		goto out;
	}
undo:
	for (size_t i = 3; i-- > 0;)
		if (want[i])
			staged_undo(&rd, &files[i]);
	r->sealed[0] = r->bundle[0] = '\0';
out:
	if (rc != EXIT_ALLOW && rd.created && rd.fd >= 0)
		rmdir(a->runtime_dir); /* made for this run, and empty again */
	if (rd.fd >= 0)
		close(rd.fd);
	return rc;
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
		json_object_object_add(o, "already_staged", json_object_new_boolean(r->already_staged));
		json_object_object_add(o, "staged_id", r->staged_id[0] ? json_object_new_string_len(r->staged_id, CLI_STAGED_ID_HEX)
								       : NULL);
		json_object_object_add(o, "dry_run", json_object_new_boolean(a->dry_run));
		json_object_object_add(o, "kexec_path", json_object_new_string(r->path == LOAD_KEXEC_FILE ? "kexec_file_load"
														: "kexec_load"));
		json_object_object_add(o, "kho", r->kho_why[0] ? json_object_new_string(r->kho_why) : NULL);
		json_object_object_add(o, "uefi", json_object_new_boolean(r->uefi));
		json_object_object_add(o, "outgoing_image", cli_outgoing_image_json(&r->image));
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
	if (r->already_staged && !a->quiet && !a->dry_run)
		printf("already staged: %s with the sealed table %s (staged.id matches); nothing new staged\n", r->loader,
		       r->sealed);
	else if (r->staged && !a->quiet && r->path == LOAD_KEXEC_FILE)
		printf("staged (kexec_file_load, %s kept): %s with the bundle %s; run `kexec -e` to jump\n",
		       r->uefi_path ? "EFI" : "KHO", r->loader, r->bundle);
	else if (r->staged && !a->quiet && r->bundle[0])
		printf("staged: %s with the bundle %s; run `kexec -e` to jump\n", r->loader, r->bundle);
	else if (r->staged && !a->quiet)
		printf("staged: %s with the sealed table %s; run `kexec -e` to jump\n", r->loader, r->sealed);
}

int cmd_load(int argc, char **argv)
{
	struct load_args a;
	struct load_report r = { 0 };
	struct load_inputs in = { 0 };
	struct cli_kexec_env env;
	struct cli_seal_args s = { 0 };
	uint8_t *table = NULL, *sealed = NULL, *bundle = NULL;
	size_t table_size = 0, sealed_size = 0, bundle_size = 0;
	const char *blocker;
	bool given_bad;
	int rc = parse_args(argc, argv, &a);

	if (rc != EXIT_ALLOW)
		return rc < 0 ? EXIT_ALLOW : rc;
	/* 1. the inputs: files, images the loader boots, the command line; nothing written yet */
	rc = choose_arch(&r);
	if (rc == EXIT_ALLOW)
		rc = check_inputs(&a, r.arch == CLI_HOST_ARM64, &in);
	if (rc != EXIT_ALLOW)
		goto out;
	rc = EXIT_INPUT;
	if (!table_bytes(&a, &table, &table_size))
		goto out;
	/* 2. which path (kexec -l, or kexec -s keeping KHO): it decides what the check must see */
	if (!choose_path(&a, table, table_size, &r))
		goto out;
	/* 3. the check, and the sealed table, in memory: a refusal touches nothing */
	s.table_path = a.devices ? a.devices : a.handoff;
	s.table = table;
	s.table_size = table_size;
	s.kernel_path = a.kernel;
	s.fallback_path = a.fallback;
	s.policy_path = a.policy;
	s.outgoing = r.outgoing;
	s.outgoing_count = r.outgoing_count;
	/* the loader will see only the manifest: so must the check that seals for it */
	s.manifest_only = r.path == LOAD_KEXEC_FILE;
	s.quiet = a.quiet || a.json;
	s.verdict_json = a.json ? &r.json : NULL;
	rc = cli_seal(&s, &sealed, &sealed_size);
	if (rc == EXIT_ALLOW)
		rc = check_sealed_hashes(&a, &in, sealed, sealed_size);
	if (rc != EXIT_ALLOW)
		goto out;
	/* 4. can this system kexec this way at all; is the loader there */
	cli_kexec_probe(a.kexec, &env);
	blocker = cli_kexec_blocker(&env, r.path == LOAD_KEXEC_FILE, a.dry_run);
	if (blocker) {
		rc = cli_fail(EXIT_SYSTEM, "%s", blocker);
		goto out;
	}
	if (!find_loader(a.loader, loader_name(&r, r.path), r.loader, &given_bad)) {
		if (!given_bad && r.path == LOAD_KEXEC_FILE && r.arch != CLI_HOST_ARM64)
			cli_error("%s: its memory survives only kexec_file_load (kexec -s) of %s, which is not installed "
				  "(%s); install it, or pass --no-kho to stage %s with kexec -l and lose the preserved memory",
				  r.kho_why, loader_file[LOAD_KEXEC_FILE], libdir_hint(), loader_file[LOAD_KEXEC_LOAD]);
		else if (!given_bad)
			cli_error("the loader (%s) is not installed (%s); run `make install` or pass --loader PATH",
				  loader_name(&r, r.path), libdir_hint());
		rc = EXIT_INPUT;
		goto out;
	}
	rc = check_loader_line(&a, &r, &in);
	if (rc != EXIT_ALLOW)
		goto out;
	/* 5. the bundle, in memory (KHO path, arm64): the sealed table and the very bytes checked */
	if (uses_bundle(&r)) {
		struct cli_bundle_parts p = { 0 };
		p.table_name = "the sealed table";
		p.table = sealed;
		p.table_size = sealed_size;
		p.kernel_name = a.kernel;
		p.kernel = in.kernel_data;
		p.kernel_size = in.kernel_size;
		if (a.fallback) {
			p.fallback_name = a.fallback;
			p.fallback = in.fallback_data;
			p.fallback_size = in.fallback_size;
		}
		p.initrd = a.initrd ? in.initrd : NULL;
		p.fallback_initrd = a.fallback_initrd ? in.fallback_initrd : NULL;
		p.append = in.cmdline;
		if (!cli_bundle_pack(&p, "bundle.bin", &bundle, &bundle_size)) {
			rc = EXIT_INPUT;
			goto out;
		}
	}
	/* 6. only now: the runtime folder, the files, and kexec (or the printed command) */
	rc = write_and_stage(&a, &env, &in, sealed, sealed_size, bundle, bundle_size, &r);
out:
	if (a.json || rc == EXIT_ALLOW)
		report(&a, &r, rc);
	json_object_put(r.json);
	cli_outgoing_image_free(&r.image);
	cli_argv_free(&r.cmd);
	inputs_free(&in);
	free(table);
	free(sealed);
	free(bundle);
	return rc;
}
