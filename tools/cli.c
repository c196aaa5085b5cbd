// SPDX-License-Identifier: MIT
/* Shared CLI plumbing: errors, files, JSON output. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "cli.h"

/* Set only by the fuzzers (tests/fuzz/), which feed the parsers millions of bad inputs. */
static bool errors_quiet;

void cli_quiet_errors(bool quiet)
{
	errors_quiet = quiet;
}

static void verror(const char *fmt, va_list ap)
{
	if (errors_quiet)
		return;
	fputs("lugate: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return EXIT_INPUT;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return code;
}

bool cli_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	if (!max_size)
		max_size = (size_t)1 << 30;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cli_error("%s: not a regular file", path);
		close(fd);
		return false;
	}
	if ((uint64_t)st.st_size > max_size) {
		cli_error("%s: too large (%lld bytes; limit %zu)", path, (long long)st.st_size, max_size);
		close(fd);
		return false;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		cli_error("%s: out of memory", path);
		close(fd);
		return false;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error("%s: read failed: %s", path, n < 0 ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return false;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0;
	*data = buf;
	*size = got;
	return true;
}

bool cli_write_file(const char *path, const void *data, size_t size)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 16);
	const uint8_t *p = data;
	int fd;

	if (!tmp)
		return cli_error("%s: out of memory", path), false;
	snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("%s: cannot create: %s", path, strerror(errno));
		free(tmp);
		return false;
	}
	while (size) {
		ssize_t n = write(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error("%s: write failed: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			free(tmp);
			return false;
		}
		p += n;
		size -= (size_t)n;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		cli_error("%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return false;
	}
	free(tmp);
	return true;
}

void cli_print_json(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

bool cli_running_release(char *buf, size_t size)
{
	struct utsname u;
	if (uname(&u) != 0 || strlen(u.release) >= size)
		return false;
	strcpy(buf, u.release);
	return true;
}

int cli_table_load(const char *path, uint8_t **blob, size_t *size, struct lugate_table *t)
{
	int err;

	if (!cli_read_file(path, LUGATE_FRAME_HEADER_SIZE + LUGATE_FRAME_PAYLOAD_MAX, blob, size))
		return LUGATE_ERR_INVAL;
	err = lugate_table_open(*blob, *size, t);
	if (err)
		cli_error("%s: not a valid handoff table: %s", path, lugate_strerror(err));
	return err;
}

bool cli_table_build(const struct lugate_table_spec *spec, uint8_t **blob, size_t *size, const char *what)
{
	uint32_t *scratch = NULL;
	size_t needed = 0;
	uint8_t *buf;
	long n;

	n = lugate_table_build(NULL, 0, spec, NULL, 0, &needed);
	if (n != LUGATE_ERR_NOSPACE) {
		cli_error("%s: cannot build the table: %s", what, lugate_strerror((int)n));
		return false;
	}
	buf = malloc(needed);
	scratch = calloc(spec->device_count ? spec->device_count : 1, sizeof(*scratch));
	if (!buf || !scratch) {
		free(buf);
		free(scratch);
		cli_error("%s: out of memory", what);
		return false;
	}
	n = lugate_table_build(buf, needed, spec, scratch, spec->device_count, NULL);
	free(scratch);
	if (n < 0) {
		free(buf);
		cli_error("%s: cannot build the table: %s", what, lugate_strerror((int)n));
		return false;
	}
	*blob = buf;
	*size = (size_t)n;
	return true;
}

bool cli_policy_load(const char *path, struct lugate_policy *out)
{
	uint8_t *text;
	size_t size;
	uint32_t line = 0;
	int err;

	if (!cli_read_file(path, 1 << 20, &text, &size))
		return false;
	err = lugate_policy_parse((const char *)text, size, out, &line);
	free(text);
	if (err) {
		if (line)
			cli_error("%s:%u: %s", path, line, lugate_strerror(err));
		else
			cli_error("%s: %s", path, lugate_strerror(err));
		return false;
	}
	return true;
}
