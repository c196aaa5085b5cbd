// SPDX-License-Identifier: MIT
/* kexec-tools for `lugate load`; see kexec.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "kexec.h"

void cli_sys_path(char *buf, size_t size, const char *path)
{
	const char *root = getenv("LUGATE_SYSROOT");
	snprintf(buf, size, "%s%s", root ? root : "", path);
}

static bool read_line(const char *path, char *buf, size_t size)
{
	char full[600];
	FILE *f;

	cli_sys_path(full, sizeof(full), path);
	/* a FIFO (in a fake LUGATE_SYSROOT) reads as absent instead of blocking the verb */
	int fd = cli_open_regular(full, &(const char *){ NULL });
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	bool ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

enum cli_host_arch cli_host_arch(char *machine, size_t size)
{
	struct utsname u;

	if (!getenv("LUGATE_SYSROOT") || !read_line("/proc/sys/kernel/arch", machine, size))
		snprintf(machine, size, "%s", uname(&u) == 0 ? u.machine : "unknown");
	if (strcmp(machine, "x86_64") == 0)
		return CLI_HOST_X86_64;
	if (strcmp(machine, "aarch64") == 0)
		return CLI_HOST_ARM64;
	return CLI_HOST_OTHER;
}

static bool find_kexec(char *out, size_t size)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin" };
	const char *path = getenv("PATH");
	char cand[600];

	if (path) {
		char *copy = strdup(path), *save = NULL;
		for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir; dir = strtok_r(NULL, ":", &save)) {
			snprintf(cand, sizeof(cand), "%s/kexec", dir);
			if (access(cand, X_OK) == 0 && strlen(cand) < size) {
				memcpy(out, cand, strlen(cand) + 1);
				free(copy);
				return true;
			}
		}
		free(copy);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/kexec", dirs[i]);
		if (access(cand, X_OK) == 0 && strlen(cand) < size) {
			memcpy(out, cand, strlen(cand) + 1);
			return true;
		}
	}
	return false;
}

void cli_kexec_probe(const char *kexec_override, struct cli_kexec_env *env)
{
	char line[256];

	memset(env, 0, sizeof(*env));
	if (kexec_override) {
		if (access(kexec_override, X_OK) == 0)
			snprintf(env->kexec, sizeof(env->kexec), "%s", kexec_override);
	} else {
		find_kexec(env->kexec, sizeof(env->kexec));
	}
	env->root = geteuid() == 0;
	env->load_disabled = read_line("/proc/sys/kernel/kexec_load_disabled", line, sizeof(line)) &&
			     strcmp(line, "1") == 0;
	/* "none [integrity] confidentiality": the active mode is bracketed */
	if (read_line("/sys/kernel/security/lockdown", line, sizeof(line))) {
		char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
		if (open && close && (size_t)(close - open - 1) < sizeof(env->lockdown)) {
			memcpy(env->lockdown, open + 1, (size_t)(close - open - 1));
			env->lockdown[close - open - 1] = '\0';
		}
	}
	env->loaded = cli_kexec_is_loaded();
}

const char *cli_kexec_blocker(const struct cli_kexec_env *env, bool file_load, bool dry_run)
{
	if (!env->kexec[0])
		return "kexec-tools' `kexec` was not found (install the kexec-tools package, or pass --kexec PATH)";
	if (dry_run)
		return NULL;
	if (!env->root)
		return "staging a kernel needs root (CAP_SYS_BOOT); run lugate load as root, or use --dry-run";
	if (env->load_disabled)
		return "kexec is disabled on this system (kernel.kexec_load_disabled = 1, which cannot be undone until reboot)";
	if (!file_load && env->lockdown[0] && strcmp(env->lockdown, "none") != 0)
		return "the kernel is locked down, which forbids kexec_load (kexec -l); only signed images through "
		       "kexec_file_load (kexec -s) are allowed";
	return NULL;
}

bool cli_argv_add(struct cli_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return false;
		a->v = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return false;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return true;
}

void cli_argv_free(struct cli_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *s))
			return true;
	return false;
}

void cli_argv_print(const struct cli_argv *a, FILE *out)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *s = a->v[i];
		if (i)
			fputc(' ', out);
		if (!needs_quotes(s)) {
			fputs(s, out);
			continue;
		}
		fputc('\'', out);
		for (; *s; s++) {
			if (*s == '\'')
				fputs("'\\''", out);
			else
				fputc(*s, out);
		}
		fputc('\'', out);
	}
	fputc('\n', out);
}

int cli_argv_run(const struct cli_argv *a)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(a->v[0], a->v);
		fprintf(stderr, "lugate: cannot run %s: %s\n", CLI_QPATH(a->v[0]), strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

bool cli_kexec_is_loaded(void)
{
	char line[16];
	return read_line("/sys/kernel/kexec_loaded", line, sizeof(line)) && strcmp(line, "1") == 0;
}

int cli_running_cmdline(char **out, size_t *out_len)
{
	char path[600];
	char *text = NULL, *line = NULL;
	size_t n = 0, len = 0;
	ssize_t got;
	int fd, rc = EXIT_SYSTEM;

	*out = NULL;
	*out_len = 0;
	cli_sys_path(path, sizeof(path), "/proc/cmdline");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return cli_fail(EXIT_SYSTEM, "cannot read the running kernel's command line (%s): %s", path,
				strerror(errno));
	text = malloc(CLI_RUNNING_CMDLINE_MAX + 1);
	line = malloc(CLI_RUNNING_CMDLINE_MAX + 1);
	if (!text || !line) {
		cli_fail(EXIT_SYSTEM, "out of memory");
		goto out;
	}
	/* the whole file, never a silent cut: one byte more than the cap says it is longer */
	while (n <= CLI_RUNNING_CMDLINE_MAX && (got = read(fd, text + n, CLI_RUNNING_CMDLINE_MAX + 1 - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			cli_fail(EXIT_SYSTEM, "cannot read the running kernel's command line (%s): %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)got;
	}
	if (n > CLI_RUNNING_CMDLINE_MAX) {
		rc = cli_error("--reuse-cmdline: the running kernel's command line (%s) is longer than %u bytes", path,
			       CLI_RUNNING_CMDLINE_MAX);
		goto out;
	}
	if (n && text[n - 1] == '\n')
		n--;
	/* words split at spaces and tabs, joined by one space, without BOOT_IMAGE= and initrd=
	 * (the boot loader's, not the kernel's); any other byte is kept for the rule to judge */
	for (size_t i = 0; i < n;) {
		size_t w;
		while (i < n && (text[i] == ' ' || text[i] == '\t'))
			i++;
		for (w = i; w < n && text[w] != ' ' && text[w] != '\t'; w++)
			;
		if (w > i && !(w - i >= 11 && memcmp(text + i, "BOOT_IMAGE=", 11) == 0) &&
		    !(w - i >= 7 && memcmp(text + i, "initrd=", 7) == 0)) {
			if (len)
				line[len++] = ' ';
			memcpy(line + len, text + i, w - i);
			len += w - i;
		}
		i = w;
	}
	line[len] = '\0';
	*out = line;
	*out_len = len;
	line = NULL;
	rc = EXIT_ALLOW;
out:
	close(fd);
	free(text);
	free(line);
	return rc;
}
