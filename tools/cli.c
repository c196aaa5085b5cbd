// SPDX-License-Identifier: MIT
/* Shared CLI plumbing: errors, files, JSON output. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

/* How quote_into treats '"' and '\\': escaped (a value), or kept (text already escaped, JSON's). */
enum quote_mode { QUOTE_PLAIN, QUOTE_VALUE, QUOTE_ESCAPED_TEXT };

/* One byte as it may appear in an error line: printable ASCII as itself, else a C escape. */
static size_t escape_byte(char *out, unsigned char c, enum quote_mode mode)
{
	static const char hex[] = "0123456789abcdef";

	if ((c == '\\' && mode != QUOTE_ESCAPED_TEXT) || (mode == QUOTE_VALUE && c == '"'))
		return out[0] = '\\', out[1] = (char)c, 2;
	if (c >= 0x20 && c <= 0x7e)
		return out[0] = (char)c, 1;
	out[0] = '\\';
	switch (c) {
	case '\n': out[1] = 'n'; return 2;
	case '\r': out[1] = 'r'; return 2;
	case '\t': out[1] = 't'; return 2;
	default:
		out[1] = 'x', out[2] = hex[c >> 4], out[3] = hex[c & 15];
		return 4;
	}
}

/* s[0..len) escaped into buf: the first `head` bytes, then "...", then the last `tail` bytes
 * when the whole does not fit in head + tail. buf holds 4 * (head + tail) + 4 bytes. */
static const char *quote_into(char *buf, const char *s, size_t len, size_t head, size_t tail,
			      enum quote_mode quote)
{
	size_t o = 0;

	if (!s)
		s = "(null)", len = 6;
	if (len <= head + tail)
		head = len, tail = 0;
	for (size_t i = 0; i < head; i++)
		o += escape_byte(buf + o, (unsigned char)s[i], quote);
	for (int dot = 0; head < len && dot < 3; dot++)
		buf[o++] = '.';
	for (size_t i = len - tail; i < len && tail; i++)
		o += escape_byte(buf + o, (unsigned char)s[i], quote);
	buf[o] = '\0';
	return buf;
}

const char *cli_quote_n(char buf[CLI_QUOTE_SIZE], const char *s, size_t len)
{
	return quote_into(buf, s, len, CLI_QUOTE_MAX, 0, QUOTE_VALUE);
}

const char *cli_quote_json_text(char buf[CLI_QUOTE_SIZE], const char *s, size_t len)
{
	return quote_into(buf, s, len, CLI_QUOTE_MAX, 0, QUOTE_ESCAPED_TEXT);
}

const char *cli_quote(char buf[CLI_QUOTE_SIZE], const char *s)
{
	/* strnlen: a 100 MB value is not walked to its end to print 64 bytes of it */
	return cli_quote_n(buf, s, s ? strnlen(s, CLI_QUOTE_MAX + 1) : 0);
}

const char *cli_quote_path(char buf[CLI_QUOTE_SIZE], const char *path)
{
	/* the end of a path (the file's name) says the most: keep it, elide the middle */
	return quote_into(buf, path, path ? strlen(path) : 0, CLI_PATH_SHOWN / 4, CLI_PATH_SHOWN * 3 / 4, QUOTE_PLAIN);
}

/*
 * The last line of defence: whatever a call site passed unquoted, the line stays one bounded
 * line of printable ASCII. Control bytes (a newline that would start a second "error", an ESC
 * that would drive the terminal) are escaped; a line over ERROR_LINE_MAX is cut with "...".
 */
#define ERROR_LINE_MAX 2048
static void verror(const char *fmt, va_list ap)
{
	char line[ERROR_LINE_MAX + 1], out[4 * ERROR_LINE_MAX + 16];
	size_t o = 0;
	int n;

	if (errors_quiet)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		snprintf(line, sizeof(line), "(an error message could not be formatted)");
	for (const char *p = line; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c <= 0x7e)
			out[o++] = (char)c; /* a backslash here is already an escape's, from cli_quote */
		else
			o += escape_byte(out + o, c, QUOTE_PLAIN);
	}
	for (int dot = 0; n >= (int)sizeof(line) && dot < 3; dot++)
		out[o++] = '.';
	out[o++] = '\n';
	fputs("lugate: ", stderr);
	fwrite(out, 1, o, stderr);
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

/* What a path is when it is not a regular file, for "not a regular file (...)". */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "of an unknown type";
}

int cli_open_regular(const char *path, const char **kind)
{
	struct stat st;
	int fd, flags;

	*kind = NULL;
	/* stat first: opening a FIFO blocks for a writer, opening a device may act on it */
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		*kind = file_kind(st.st_mode);
		return -2;
	}
	/* O_NONBLOCK: if the path was swapped for a FIFO since the stat, the open still returns */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*kind = file_kind(st.st_mode);
		close(fd);
		return -2;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int cli_open_input(const char *path)
{
	const char *kind;
	int fd = cli_open_regular(path, &kind);

	if (fd == -2)
		cli_error("%s: not a regular file (%s)", CLI_QPATH(path), kind);
	else if (fd < 0)
		cli_error("%s: cannot open: %s", CLI_QPATH(path), strerror(errno));
	return fd < 0 ? -1 : fd;
}

bool cli_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	if (!max_size)
		max_size = (size_t)1 << 30;
	fd = cli_open_input(path);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0) {
		cli_error("%s: cannot open: %s", CLI_QPATH(path), strerror(errno));
		close(fd);
		return false;
	}
	if ((uint64_t)st.st_size > max_size) {
		cli_error("%s: too large (%lld bytes; limit %zu)", CLI_QPATH(path), (long long)st.st_size, max_size);
		close(fd);
		return false;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		cli_error("%s: out of memory", CLI_QPATH(path));
		close(fd);
		return false;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error("%s: read failed: %s", CLI_QPATH(path), n < 0 ? strerror(errno) : "file shrank");
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

/*
 * What may be at an output path: nothing, or a regular file the caller owns. lstat, not stat:
 * a symbolic link is refused, never followed (as root, a link to /etc/shadow must not be
 * written through). A device, FIFO, socket or directory is refused: rename would replace the
 * node itself (`-o /dev/null` as root would leave the system a regular file there).
 */
static bool output_replaceable(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		return cli_error("%s: cannot create: %s", CLI_QPATH(path), strerror(errno)), false;
	}
	if (S_ISLNK(st.st_mode))
		return cli_error("%s: refusing to write: it is a symbolic link (lugate writes only a regular file, "
				 "never through a link)", CLI_QPATH(path)), false;
	if (!S_ISREG(st.st_mode))
		return cli_error("%s: refusing to write: it exists and is not a regular file (%s)", CLI_QPATH(path),
				 file_kind(st.st_mode)), false;
	if (st.st_uid != geteuid())
		return cli_error("%s: refusing to write: it is owned by another user (uid %u; lugate replaces only "
				 "a file it owns)", CLI_QPATH(path), (unsigned)st.st_uid), false;
	return true;
}

/* After the rename: the folder's entry itself reaches the disk too (best effort). */
static void sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

bool cli_write_file(const char *path, const void *data, size_t size)
{
	size_t len = strlen(path);
	char *tmp;
	const uint8_t *p = data;
	int fd;

	if (!len)
		return cli_error("-o: the output path is empty"), false;
	if (!output_replaceable(path))
		return false;
	tmp = malloc(len + 16);
	if (!tmp)
		return cli_error("%s: out of memory", CLI_QPATH(path)), false;
	/* beside the destination (rename stays in one file system); mkstemp opens O_CREAT|O_EXCL */
	snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd >= 0)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fd < 0) {
		cli_error("%s: cannot create: %s", CLI_QPATH(path), strerror(errno));
		free(tmp);
		return false;
	}
	while (size) {
		ssize_t n = write(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_error("%s: write failed: %s", CLI_QPATH(path), n < 0 ? strerror(errno) : "no progress");
			close(fd);
			unlink(tmp);
			free(tmp);
			return false;
		}
		p += n;
		size -= (size_t)n;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		cli_error("%s: cannot write: %s", CLI_QPATH(path), strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return false;
	}
	if (close(fd) != 0) {
		cli_error("%s: cannot write: %s", CLI_QPATH(path), strerror(errno));
		unlink(tmp);
		free(tmp);
		return false;
	}
	/* once more just before the rename: what appeared meanwhile is refused the same way */
	if (!output_replaceable(path)) {
		unlink(tmp);
		free(tmp);
		return false;
	}
	if (rename(tmp, path) != 0) {
		cli_error("%s: cannot write: %s", CLI_QPATH(path), strerror(errno));
		unlink(tmp);
		free(tmp);
		return false;
	}
	free(tmp);
	sync_parent(path);
	return true;
}

void cli_print_json(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int saved = opterr, c;

	opterr = 0;
	optopt = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	opterr = saved;
	if (c != '?')
		return c;
	/* the element getopt stopped at; a short option inside a cluster ("-jx") is named alone */
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
	char shortname[3] = { '-', (char)optopt, '\0' };
	bool known = optopt && optopt != '?' && optopt != ':' && strchr(shortopts, optopt);
	if (!arg || arg[0] != '-' || (arg[1] != '-' && optopt))
		arg = shortname;
	if (known)
		cli_error("%s: option '%s' needs a value", argv[0], CLI_Q(arg));
	else
		cli_error("%s: unknown option '%s'", argv[0], CLI_Q(arg));
	return c;
}

bool cli_json_file_args(int argc, char **argv, const char *usage, bool *json, const char **path, int *rc)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	*json = false;
	while ((c = cli_getopt(argc, argv, "jh", opts)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 'h': fputs(usage, stdout); *rc = EXIT_ALLOW; return false;
		default: fputs(usage, stderr); *rc = EXIT_INPUT; return false;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		*rc = EXIT_INPUT;
		return false;
	}
	*path = argv[optind];
	return true;
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
		cli_error("%s: not a valid handoff table: %s", CLI_QPATH(path), lugate_strerror(err));
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
		cli_error("%s: cannot build the table: %s", CLI_QPATH(what), lugate_strerror((int)n));
		return false;
	}
	buf = malloc(needed);
	scratch = calloc(spec->device_count ? spec->device_count : 1, sizeof(*scratch));
	if (!buf || !scratch) {
		free(buf);
		free(scratch);
		cli_error("%s: out of memory", CLI_QPATH(what));
		return false;
	}
	n = lugate_table_build(buf, needed, spec, scratch, spec->device_count, NULL);
	free(scratch);
	if (n < 0) {
		free(buf);
		cli_error("%s: cannot build the table: %s", CLI_QPATH(what), lugate_strerror((int)n));
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
			cli_error("%s:%u: %s", CLI_QPATH(path), line, lugate_strerror(err));
		else
			cli_error("%s: %s", CLI_QPATH(path), lugate_strerror(err));
		return false;
	}
	return true;
}
