// SPDX-License-Identifier: MIT
/* The history of jumps and `lugate history`; see history.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "history.h"
#include "verbs.h"

#define HISTORY_FILE "history"
#define HISTORY_LOCK "history.lock"
#define HISTORY_TMP "history.tmp"
#define SUM_HEX 16

const char *cli_state_dir(const char *option)
{
	const char *env = getenv("LUGATE_STATE_DIR");

	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return CLI_STATE_DIR_DEFAULT;
}

static void line_sum(const char *text, size_t len, char out[SUM_HEX + 1])
{
	uint8_t d[LUGATE_SHA256_SIZE];

	lugate_sha256(text, len, d);
	for (int i = 0; i < SUM_HEX / 2; i++)
		snprintf(out + (size_t)2 * (size_t)i, 3, "%02x", d[i]);
}

/* The state directory, created (0755) if missing; never through a symlink. */
static int open_state_dir(const char *dir, bool create)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd;
}

static int lock_history(int dirfd, const char *dir)
{
	int fd = openat(dirfd, HISTORY_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		cli_fail(EXIT_SYSTEM, "%s/%s: %s", dir, HISTORY_LOCK, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			cli_fail(EXIT_SYSTEM, "%s/%s: cannot lock: %s", dir, HISTORY_LOCK, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Read the whole history file at dirfd (NUL-terminated); *data NULL if there is none. */
static bool read_history(int dirfd, const char *dir, char **data, size_t *size)
{
	int fd = openat(dirfd, HISTORY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	*data = NULL;
	*size = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return true;
		return cli_fail(EXIT_SYSTEM, "%s/%s: %s", dir, HISTORY_FILE, strerror(errno)), false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)(CLI_HISTORY_LINE_MAX * (CLI_HISTORY_MAX + 64))) {
		close(fd);
		return cli_fail(EXIT_SYSTEM, "%s/%s: not a regular file of a sane size", dir, HISTORY_FILE), false;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return cli_fail(EXIT_SYSTEM, "out of memory"), false;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_fail(EXIT_SYSTEM, "%s/%s: %s", dir, HISTORY_FILE, strerror(errno));
			free(buf);
			close(fd);
			return false;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*size = got;
	return true;
}

/* Each intact line's JSON object into `records`; torn or corrupt lines counted (and told). */
static void parse_history(const char *dir, const char *data, size_t size, struct json_object *records,
			  size_t *skipped, bool quiet)
{
	size_t pos = 0, lineno = 0;

	*skipped = 0;
	while (pos < size) {
		const char *line = data + pos, *nl = memchr(line, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - line) : size - pos;
		char sum[SUM_HEX + 1];
		struct json_object *o = NULL;
		const char *why = NULL;

		lineno++;
		pos += len + (nl ? 1 : 0);
		if (nl == line)
			continue; /* the line break a recovery after a torn tail adds */
		if (!nl)
			why = "torn (no end of line): an interrupted write";
		else if (len < SUM_HEX + 2 || line[SUM_HEX] != ' ')
			why = "not a record";
		else {
			line_sum(line + SUM_HEX + 1, len - SUM_HEX - 1, sum);
			if (memcmp(sum, line, SUM_HEX) != 0)
				why = "checksum mismatch: torn or damaged";
			else {
				struct json_tokener *tok = json_tokener_new();
				if (tok) {
					o = json_tokener_parse_ex(tok, line + SUM_HEX + 1, (int)(len - SUM_HEX - 1));
					json_tokener_free(tok);
				}
				if (!o || !json_object_is_type(o, json_type_object)) {
					json_object_put(o);
					o = NULL;
					why = "not a JSON object";
				}
			}
		}
		if (why) {
			(*skipped)++;
			if (!quiet)
				fprintf(stderr, "lugate: %s/%s: line %zu skipped: %s\n", dir, HISTORY_FILE, lineno, why);
			continue;
		}
		json_object_array_add(records, o);
	}
}

bool cli_history_load(const char *state_dir, struct json_object **records, size_t *skipped, bool quiet)
{
	int dirfd = open_state_dir(state_dir, false);
	char *data;
	size_t size;

	*records = json_object_new_array();
	*skipped = 0;
	if (dirfd < 0) {
		if (errno == ENOENT)
			return true;
		return cli_fail(EXIT_SYSTEM, "%s: %s", state_dir, strerror(errno)), false;
	}
	if (!read_history(dirfd, state_dir, &data, &size)) {
		close(dirfd);
		return false;
	}
	close(dirfd);
	if (data)
		parse_history(state_dir, data, size, *records, skipped, quiet);
	free(data);
	return true;
}

static bool format_line(struct json_object *rec, char *out, size_t size, size_t *len)
{
	const char *text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(text);
	char sum[SUM_HEX + 1];

	if (n + SUM_HEX + 2 >= size || memchr(text, '\n', n))
		return false;
	line_sum(text, n, sum);
	*len = (size_t)snprintf(out, size, "%s %s\n", sum, text);
	return true;
}

/* Offset of the start of line `index` (0-based), counting whole lines only. */
static size_t line_offset(const char *data, size_t size, size_t index)
{
	size_t pos = 0;

	while (index-- > 0) {
		const char *nl = memchr(data + pos, '\n', size - pos);
		if (!nl)
			return size;
		pos = (size_t)(nl - data) + 1;
	}
	return pos;
}

/* At CLI_HISTORY_MAX lines, keep the newest CLI_HISTORY_MAX - 1 (room for the one being
 * added): temp file, fsync, rename, fsync the directory. A torn tail is dropped too. */
static bool compact(int dirfd, const char *dir, const char *data, size_t size)
{
	size_t total = 0, from, end = size;
	int fd;
	bool ok;

	for (const char *p = data; (p = memchr(p, '\n', size - (size_t)(p - data))) != NULL; p++)
		total++;
	if (total < CLI_HISTORY_MAX)
		return true;
	from = line_offset(data, size, total - (CLI_HISTORY_MAX - 1));
	while (end > from && data[end - 1] != '\n')
		end--;
	fd = openat(dirfd, HISTORY_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_fail(EXIT_SYSTEM, "%s/%s: %s", dir, HISTORY_TMP, strerror(errno)), false;
	ok = write_all(fd, data + from, end - from) && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	if (!ok || renameat(dirfd, HISTORY_TMP, dirfd, HISTORY_FILE) != 0) {
		cli_fail(EXIT_SYSTEM, "%s/%s: cannot rewrite: %s", dir, HISTORY_FILE, strerror(errno));
		unlinkat(dirfd, HISTORY_TMP, 0);
		return false;
	}
	fsync(dirfd);
	return true;
}

bool cli_history_append(const char *state_dir, struct json_object *rec)
{
	char line[CLI_HISTORY_LINE_MAX], when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t len, size;
	char *data = NULL;
	int dirfd, lockfd = -1, fd = -1;
	struct stat st;
	bool ok = false;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(rec, "time", json_object_new_string(when));
	if (!format_line(rec, line, sizeof(line), &len))
		return cli_fail(EXIT_SYSTEM, "history record too long"), false;
	dirfd = open_state_dir(state_dir, true);
	if (dirfd < 0)
		return cli_fail(EXIT_SYSTEM, "%s: %s", state_dir, strerror(errno)), false;
	lockfd = lock_history(dirfd, state_dir);
	if (lockfd < 0)
		goto out;
	if (!read_history(dirfd, state_dir, &data, &size))
		goto out;
	if (data && !compact(dirfd, state_dir, data, size))
		goto out;
	fd = openat(dirfd, HISTORY_FILE, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cli_fail(EXIT_SYSTEM, "%s/%s: %s", state_dir, HISTORY_FILE, fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	/* a torn tail left by a crash: start this record on its own line */
	if (st.st_size > 0 && data && size == (size_t)st.st_size && data[size - 1] != '\n' &&
	    !write_all(fd, "\n", 1)) {
		cli_fail(EXIT_SYSTEM, "%s/%s: write failed: %s", state_dir, HISTORY_FILE, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0)
		goto out;
	if (!write_all(fd, line, len) || fsync(fd) != 0) {
		int e = errno;
		/* nothing half-written stays behind */
		if (ftruncate(fd, st.st_size) != 0 || (st.st_size == 0 && !data))
			unlinkat(dirfd, HISTORY_FILE, 0); /* it was created just now: leave none */
		cli_fail(EXIT_SYSTEM, "%s/%s: write failed: %s", state_dir, HISTORY_FILE, strerror(e));
		goto out;
	}
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	if (lockfd >= 0)
		close(lockfd);
	close(dirfd);
	free(data);
	return ok;
}

static const char *str_field(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool hash_matches(struct json_object *o, const char *key, const uint8_t *sha)
{
	const char *hex = str_field(o, key);
	char want[2 * LUGATE_SHA256_SIZE + 1];

	if (!hex || !sha)
		return true; /* unknown on either side: the releases decide */
	for (unsigned i = 0; i < LUGATE_SHA256_SIZE; i++)
		snprintf(want + (size_t)2 * i, 3, "%02x", sha[i]);
	return strcmp(hex, want) == 0;
}

int cli_history_known_bad(const char *state_dir, const char *outgoing, const uint8_t *outgoing_sha256,
			  const char *target, const uint8_t *target_sha256, char *buf, size_t size)
{
	struct json_object *records;
	size_t skipped, n;
	int found = 0;

	if (!outgoing || !target)
		return 0;
	if (!cli_history_load(state_dir, &records, &skipped, true))
		return -1;
	n = json_object_array_length(records);
	/* the latest record of the pair decides: a later good jump clears an old failure */
	for (size_t i = n; i-- > 0;) {
		struct json_object *o = json_object_array_get_idx(records, i);
		const char *out = str_field(o, "outgoing_release"), *tgt = str_field(o, "target_release");
		const char *outcome = str_field(o, "outcome"), *when = str_field(o, "time");

		if (!out || !tgt || !outcome || strcmp(out, outgoing) != 0 || strcmp(tgt, target) != 0 ||
		    !hash_matches(o, "outgoing_sha256", outgoing_sha256) ||
		    !hash_matches(o, "target_sha256", target_sha256))
			continue;
		if (strcmp(outcome, "bad") == 0) {
			snprintf(buf, size, "%s", when ? when : "an unknown date");
			found = 1;
		}
		break;
	}
	json_object_put(records);
	return found;
}

static const char history_usage[] =
	"Usage: lugate history [--json] [--state-dir DIR]\n"
	"The outcomes `lugate status --record` kept, oldest first: which kernel booted after each\n"
	"jump, good or bad, keyed by the outgoing and target releases and image hashes.\n"
	"  --json             machine-readable list\n"
	"  --state-dir DIR    where the history lives (default $LUGATE_STATE_DIR, else /var/lib/lugate)\n"
	"Exit: 0 listed (torn or corrupt records are skipped and named on stderr), 2 usage,\n"
	"3 the history cannot be read.\n";

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *dir_opt = NULL, *dir;
	struct json_object *records;
	size_t skipped, n;
	bool json = false;
	int c;

	while ((c = cli_getopt(argc, argv, "js:h", opts)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 's': dir_opt = optarg; break;
		case 'h': fputs(history_usage, stdout); return EXIT_ALLOW;
		default: fputs(history_usage, stderr); return EXIT_INPUT;
		}
	}
	if (optind != argc) {
		return cli_error("history: unexpected argument '%s'", argv[optind]);
	}
	dir = cli_state_dir(dir_opt);
	if (!cli_history_load(dir, &records, &skipped, false))
		return EXIT_SYSTEM;
	n = json_object_array_length(records);
	if (json) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "state_dir", json_object_new_string(dir));
		json_object_object_add(o, "records", records);
		json_object_object_add(o, "skipped", json_object_new_int64((int64_t)skipped));
		cli_print_json(o);
		return EXIT_ALLOW;
	}
	if (n == 0)
		printf("no jumps recorded in %s/%s\n", dir, HISTORY_FILE);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(records, i);
		const char *tsha = str_field(o, "target_sha256");
		printf("%s  %-4s  %s -> %s  booted %s%s%.12s\n", str_field(o, "time") ? str_field(o, "time") : "?",
		       str_field(o, "outcome") ? str_field(o, "outcome") : "?",
		       str_field(o, "outgoing_release") ? str_field(o, "outgoing_release") : "?",
		       str_field(o, "target_release") ? str_field(o, "target_release") : "?",
		       str_field(o, "booted") ? str_field(o, "booted") : "?", tsha ? "  target " : "", tsha ? tsha : "");
	}
	if (skipped)
		printf("%zu torn or corrupt record%s skipped\n", skipped, skipped == 1 ? "" : "s");
	json_object_put(records);
	return EXIT_ALLOW;
}
