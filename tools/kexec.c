// SPDX-License-Identifier: MIT
/* kexec-tools for `lugate load`; see kexec.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

bool cli_running_cmdline(char *buf, size_t size)
{
	char line[4096], *save = NULL;
	size_t len = 0;

	if (!read_line("/proc/cmdline", line, sizeof(line)))
		return false;
	buf[0] = '\0';
	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (strncmp(w, "BOOT_IMAGE=", 11) == 0 || strncmp(w, "initrd=", 7) == 0)
			continue;
		size_t n = strlen(w);
		if (len + n + 2 > size)
			return false;
		if (len)
			buf[len++] = ' ';
		memcpy(buf + len, w, n + 1);
		len += n;
	}
	return true;
}
