/* SPDX-License-Identifier: MIT */
/*
 * luo-memfd: guest-side helper for the KHO/LUO end-to-end tests.
 *
 * Proves that a memfd preserved through Linux's Live Update Orchestrator (/dev/liveupdate)
 * survives a kexec_file_load handover byte for byte. It runs as a static binary in a busybox
 * initramfs, in three modes:
 *
 *   luo-memfd preserve [OPTIONS] -- CMD [ARGS...]
 *       Stage 1. Opens /dev/liveupdate, creates a session, fills a memfd with a deterministic
 *       pattern, preserves it under a token, then runs CMD in a child (typically
 *       `/bin/sh -c 'kexec -s -l ... && kexec -e'`) while this process keeps the session fd
 *       open. If CMD comes back, the kexec did not happen: prints the FAIL marker, exits 1.
 *   luo-memfd verify [OPTIONS]
 *       Stage 2. Retrieves the session by name and the memfd by token, checks size, file
 *       position and every byte, issues FINISH, prints the PASS or FAIL marker.
 *   luo-memfd selftest [OPTIONS]
 *       Host-side check of the checker: a clean copy passes, a flipped byte or a short file fails.
 *   luo-memfd kho-info [in|out]
 *       Prints the KHO FDT the running kernel received ("in", the default) or is building for
 *       the next kernel ("out"), from debugfs kho/<dir>: the root compatible, each subnode and,
 *       for raw blobs that start with a string, that string (LUO's blob starts with its ABI
 *       compatible). Caveat: in the incoming direction, subsystems may free their blobs once
 *       they have consumed them (LUO does, at early boot), so "in" blob contents can be stale;
 *       the FDT itself and the subnode names are reliable.
 *
 * OPTIONS: --session NAME (default "lugate-e2e"), --token N (default 0x6c75676174650001),
 *          --size BYTES (default 4 MiB + 4093, so the last page is partial),
 *          --files N (default 1; 0..512): N memfds in the session, tokens N, N+1, ... (more
 *          than 63 make the kernel link a second block of file records),
 *          --drop-session (preserve only: close the session fd before CMD; a negative control,
 *          stage 2 must then fail).
 * Markers (one line each, on stdout): "LUO-MEMFD: PASS ...", "LUO-MEMFD: FAIL <reason>",
 *          "KHO-INFO ...".
 * Exit codes: 0 pass, 1 fail, 2 usage error.
 *
 * The UAPI (ioctl type 0xBA, command numbers, argument layouts) is defined here from the
 * documented ABI rather than included, because the build host's kernel headers predate it.
 * The layouts were checked against include/uapi/linux/liveupdate.h of linux-source-7.3; the
 * static assertions below pin the sizes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- LUO UAPI ---------------------------------------------------------------------------- */

#define LUO_DEVICE          "/dev/liveupdate"
#define LUO_IOCTL_TYPE      0xBA
#define LUO_NAME_LEN        64u /* session name including its NUL */

/* /dev/liveupdate commands */
#define LUO_CREATE_SESSION   _IO(LUO_IOCTL_TYPE, 0x00)
#define LUO_RETRIEVE_SESSION _IO(LUO_IOCTL_TYPE, 0x01)
/* session-fd commands */
#define LUO_PRESERVE_FD      _IO(LUO_IOCTL_TYPE, 0x40)
#define LUO_RETRIEVE_FD      _IO(LUO_IOCTL_TYPE, 0x41)
#define LUO_FINISH           _IO(LUO_IOCTL_TYPE, 0x42)

/* CREATE_SESSION and RETRIEVE_SESSION: in name, out fd. */
struct luo_session_arg {
	uint32_t size; /* must be sizeof(struct): the kernel rejects other sizes */
	int32_t fd;
	uint8_t name[LUO_NAME_LEN];
};

/* PRESERVE_FD (in fd, token) and RETRIEVE_FD (in token, out fd). */
struct luo_fd_arg {
	uint32_t size;
	int32_t fd;
	uint64_t token __attribute__((aligned(8)));
};

struct luo_finish_arg {
	uint32_t size;
	uint32_t reserved; /* must be zero */
};

_Static_assert(sizeof(struct luo_session_arg) == 72, "luo_session_arg layout");
_Static_assert(sizeof(struct luo_fd_arg) == 16, "luo_fd_arg layout");
_Static_assert(sizeof(struct luo_finish_arg) == 8, "luo_finish_arg layout");

/* ---- parameters -------------------------------------------------------------------------- */

#define DEFAULT_SESSION "lugate-e2e"
#define DEFAULT_TOKEN   UINT64_C(0x6c75676174650001)
#define DEFAULT_SIZE    ((size_t)(4u << 20) + 4093u)
#define MAX_SIZE        ((size_t)1 << 30)
/* Stage 1 leaves the file position here; LUO preserves it, stage 2 checks it. */
#define FILE_POS_OF(size) ((off_t)((size) / 3u))
#define CHUNK           ((size_t)64 << 10)
#define MAX_FILES       512u

struct params {
	const char *session;
	uint64_t token;
	size_t size;
	unsigned files;
	int drop_session;
	char **cmd; /* preserve: the command to run while the session is held */
};

enum { EXIT_PASS = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* Prints the FAIL marker; err is an errno value to explain it, or 0. */
static int fail(const char *what, int err)
{
	printf("LUO-MEMFD: FAIL %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	fflush(stdout);
	return EXIT_FAILED;
}

/* ---- the pattern: byte i of the file is a pure function of i -------------------------------- */

/* MurmurHash3's 64-bit finaliser: cheap, and every input bit affects every output bit, so a
 * page landing at the wrong offset or a stale page cannot match by accident. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static uint8_t pattern_byte(uint64_t token, size_t i)
{
	uint64_t word = mix64(token ^ ((uint64_t)(i >> 3) * UINT64_C(0x9e3779b97f4a7c15)));

	return (uint8_t)(word >> ((i & 7u) * 8u));
}

static void pattern_fill(uint64_t token, size_t offset, uint8_t *buf, size_t len)
{
	for (size_t k = 0; k < len; k++)
		buf[k] = pattern_byte(token, offset + k);
}

/* ---- helpers ----------------------------------------------------------------------------- */

static int set_name(uint8_t dst[LUO_NAME_LEN], const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= LUO_NAME_LEN)
		return -1;
	memset(dst, 0, LUO_NAME_LEN);
	memcpy(dst, name, len + 1); /* len < LUO_NAME_LEN: the NUL fits */
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int memfd_fill(int fd, uint64_t token, size_t size)
{
	static uint8_t buf[CHUNK];

	for (size_t off = 0; off < size; off += CHUNK) {
		size_t len = size - off < CHUNK ? size - off : CHUNK;

		pattern_fill(token, off, buf, len);
		if (write_all(fd, buf, len) < 0)
			return -1;
	}
	return 0;
}

/* Counts bytes that differ from the pattern; *first gets the first bad offset. A short file
 * counts every missing byte as bad. */
static int memfd_check(int fd, uint64_t token, size_t size, size_t *bad, size_t *first)
{
	static uint8_t got[CHUNK];

	*bad = 0;
	*first = SIZE_MAX;
	for (size_t off = 0; off < size;) {
		size_t want = size - off < CHUNK ? size - off : CHUNK;
		ssize_t n = pread(fd, got, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (*first == SIZE_MAX)
				*first = off;
			*bad += size - off;
			break;
		}
		for (size_t k = 0; k < (size_t)n; k++) {
			if (got[k] != pattern_byte(token, off + k)) {
				if (*first == SIZE_MAX)
					*first = off + k;
				(*bad)++;
			}
		}
		off += (size_t)n;
	}
	return 0;
}

/* Runs argv in a child and returns its exit status (128+signal if killed, -1 if it could not
 * be started). The session fd is O_CLOEXEC, so the child does not inherit it; it must not: the
 * kexec -e in the child reboots while this process still holds the session open. */
static int run_child(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "luo-memfd: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- stage 1 ----------------------------------------------------------------------------- */

static int do_preserve(const struct params *p)
{
	struct luo_session_arg cs = { .size = sizeof(cs) };
	int luo, session, rc;

	if (set_name(cs.name, p->session) < 0) {
		return fail("session name must be 1..63 bytes", 0);
	}
	luo = open(LUO_DEVICE, O_RDWR | O_CLOEXEC);
	if (luo < 0)
		return fail("open " LUO_DEVICE " (kernel needs LIVEUPDATE and liveupdate=on)", errno);
	if (ioctl(luo, LUO_CREATE_SESSION, &cs) < 0)
		return fail("CREATE_SESSION", errno);
	session = cs.fd;

	for (unsigned i = 0; i < p->files; i++) {
		struct luo_fd_arg pf = { .size = sizeof(pf) };
		uint64_t token = p->token + i;
		int memfd = memfd_create("luo-memfd", MFD_CLOEXEC);

		if (memfd < 0)
			return fail("memfd_create", errno);
		/* The data must be written before PRESERVE_FD: preservation freezes the file size. */
		if (memfd_fill(memfd, token, p->size) < 0)
			return fail("write memfd", errno);
		if (lseek(memfd, FILE_POS_OF(p->size), SEEK_SET) < 0)
			return fail("lseek memfd", errno);
		pf.fd = memfd;
		pf.token = token;
		if (ioctl(session, LUO_PRESERVE_FD, &pf) < 0)
			return fail("PRESERVE_FD", errno);
		printf("LUO-MEMFD: preserved session=%s token=0x%" PRIx64 " size=%zu pos=%lld\n",
		       p->session, token, p->size, (long long)FILE_POS_OF(p->size));
	}
	if (p->files == 0)
		printf("LUO-MEMFD: preserved session=%s with no files\n", p->session);
	/* /dev/liveupdate is exclusive; the command may want to look at it (or preserve another
	 * session). The session lives on independently of this fd. */
	close(luo);

	if (p->drop_session) {
		/* Negative control: closing an outgoing session unpreserves its files. */
		close(session);
		printf("LUO-MEMFD: session closed before the command (negative control)\n");
	}
	fflush(stdout);

	rc = run_child(p->cmd);
	/* Reaching this line means no kexec happened. */
	printf("LUO-MEMFD: command '%s' returned %d\n", p->cmd[0], rc);
	return fail("command returned: no kexec happened", 0);
}

/* ---- stage 2 ----------------------------------------------------------------------------- */

/* One retrieved memfd: size, file position and every byte. */
static int verify_file(int session, const struct params *p, uint64_t token, off_t *pos_out)
{
	struct luo_fd_arg rf = { .size = sizeof(rf) };
	struct stat st;
	size_t bad, first;
	off_t pos;

	rf.token = token;
	if (ioctl(session, LUO_RETRIEVE_FD, &rf) < 0)
		return fail("RETRIEVE_FD", errno);
	if (fstat(rf.fd, &st) < 0)
		return fail("fstat retrieved memfd", errno);
	if ((uint64_t)st.st_size != (uint64_t)p->size) {
		printf("LUO-MEMFD: size %lld, expected %zu\n", (long long)st.st_size, p->size);
		return fail("size mismatch", 0);
	}
	pos = lseek(rf.fd, 0, SEEK_CUR);
	if (pos != FILE_POS_OF(p->size)) {
		printf("LUO-MEMFD: file position %lld, expected %lld\n", (long long)pos,
		       (long long)FILE_POS_OF(p->size));
		return fail("file position not preserved", 0);
	}
	if (memfd_check(rf.fd, token, p->size, &bad, &first) < 0)
		return fail("read retrieved memfd", errno);
	if (bad) {
		printf("LUO-MEMFD: %zu of %zu bytes differ, first at offset %zu (token 0x%" PRIx64 ")\n", bad, p->size,
		       first, token);
		return fail("content mismatch", 0);
	}
	close(rf.fd);
	*pos_out = pos;
	return EXIT_PASS;
}

static int do_verify(const struct params *p)
{
	struct luo_session_arg rs = { .size = sizeof(rs) };
	struct luo_finish_arg fin = { .size = sizeof(fin) };
	off_t pos = 0;
	int luo, session;

	if (set_name(rs.name, p->session) < 0) {
		return fail("session name must be 1..63 bytes", 0);
	}
	luo = open(LUO_DEVICE, O_RDWR | O_CLOEXEC);
	if (luo < 0)
		return fail("open " LUO_DEVICE " (kernel needs LIVEUPDATE and liveupdate=on)", errno);
	if (ioctl(luo, LUO_RETRIEVE_SESSION, &rs) < 0)
		return fail("RETRIEVE_SESSION", errno);
	session = rs.fd;
	for (unsigned i = 0; i < p->files; i++)
		if (verify_file(session, p, p->token + i, &pos) != EXIT_PASS)
			return EXIT_FAILED;
	/* FINISH only after everything was retrieved: it discards unretrieved files. */
	if (ioctl(session, LUO_FINISH, &fin) < 0)
		return fail("FINISH", errno);
	close(session);
	close(luo);
	if (p->files == 1)
		printf("LUO-MEMFD: PASS session=%s token=0x%" PRIx64 " size=%zu pos=%lld all bytes match\n",
		       p->session, p->token, p->size, (long long)pos);
	else
		printf("LUO-MEMFD: PASS session=%s files=%u tokens=0x%" PRIx64 "+ size=%zu all bytes match\n",
		       p->session, p->files, p->token, p->size);
	fflush(stdout);
	return EXIT_PASS;
}

/* ---- selftest: the checker on the host ---------------------------------------------------- */

/* Proves on any Linux host that the verifier sees what it must: a clean copy passes, one flipped
 * byte is found at its offset, a short file fails. Needs no LUO. */
static int do_selftest(const struct params *p)
{
	size_t bad, first, flip = p->size / 2u + 1u;
	uint8_t byte;
	int fd = memfd_create("luo-memfd-selftest", MFD_CLOEXEC);

	if (fd < 0)
		return fail("memfd_create", errno);
	if (memfd_fill(fd, p->token, p->size) < 0)
		return fail("write memfd", errno);
	if (memfd_check(fd, p->token, p->size, &bad, &first) < 0 || bad != 0)
		return fail("selftest: clean copy not accepted", 0);
	if (flip >= p->size)
		flip = 0;
	byte = (uint8_t)(pattern_byte(p->token, flip) ^ 0x01u);
	if (pwrite(fd, &byte, 1, (off_t)flip) != 1)
		return fail("pwrite", errno);
	if (memfd_check(fd, p->token, p->size, &bad, &first) < 0 || bad != 1 || first != flip)
		return fail("selftest: flipped byte not found", 0);
	if (ftruncate(fd, (off_t)(p->size - 1u)) < 0)
		return fail("ftruncate", errno);
	if (memfd_check(fd, p->token, p->size, &bad, &first) < 0 || first != flip)
		return fail("selftest: short file not rejected", 0);
	if (pattern_byte(p->token, 0) == pattern_byte(p->token ^ 1u, 0) &&
	    pattern_byte(p->token, 1) == pattern_byte(p->token ^ 1u, 1) &&
	    pattern_byte(p->token, 2) == pattern_byte(p->token ^ 1u, 2))
		return fail("selftest: pattern does not depend on the token", 0);
	close(fd);
	printf("LUO-MEMFD: PASS selftest size=%zu (clean accepted, flip at %zu found, short file rejected)\n",
	       p->size, flip);
	return EXIT_PASS;
}

/* ---- kho-info: what arrived through KHO ------------------------------------------------------ */

#define KHO_DEBUGFS "/sys/kernel/debug/kho"
#define FDT_MAGIC   0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u
#define MAX_BLOB       ((size_t)1 << 20)

static uint32_t be32_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads a whole debugfs file (at most MAX_BLOB bytes) into a fresh buffer. */
static uint8_t *read_file(const char *path, size_t *len)
{
	uint8_t *buf = malloc(MAX_BLOB);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (got < MAX_BLOB) {
		ssize_t n = read(fd, buf + got, MAX_BLOB - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/* A NUL-terminated printable string at the start of buf, or NULL. */
static const char *leading_string(const uint8_t *buf, size_t len)
{
	size_t k;

	for (k = 0; k < len && k < 64 && buf[k]; k++)
		if (buf[k] < 0x20 || buf[k] > 0x7e)
			return NULL;
	return (k > 0 && k < len && buf[k] == 0) ? (const char *)buf : NULL;
}

static void print_subnode_blob(const char *dir, const char *node)
{
	char path[256], head[3 * 16 + 1] = "";
	size_t len = 0;
	uint8_t *blob;
	const char *s;

	snprintf(path, sizeof(path), KHO_DEBUGFS "/%s/sub_fdts/%s", dir, node);
	blob = read_file(path, &len);
	if (!blob) {
		printf("KHO-INFO %s subnode=%s blob=unreadable\n", dir, node);
		return;
	}
	for (size_t k = 0; k < len && k < 16; k++)
		snprintf(head + 3 * k, sizeof(head) - 3 * k, "%02x ", blob[k]);
	if (head[0])
		head[strlen(head) - 1] = 0;
	if (len >= 4 && be32_at(blob) == FDT_MAGIC)
		printf("KHO-INFO %s subnode=%s blob=fdt size=%zu\n", dir, node, len);
	else if ((s = leading_string(blob, len)) != NULL)
		printf("KHO-INFO %s subnode=%s blob-compatible=%s size=%zu\n", dir, node, s, len);
	else
		printf("KHO-INFO %s subnode=%s blob=raw size=%zu head=%s\n", dir, node, len, head);
	free(blob);
}

/* Walks a KHO FDT: prints the root compatible and the depth-1 subnode names, and for each
 * subnode the leading string of its blob. Every offset is bounds-checked.
 * Returns 0 when complete, 1 when the view is truncated (debugfs's kho/out/fdt keeps the size
 * the tree had when the file was created, while the kernel keeps adding subnodes), -1 when
 * malformed. */
static int walk_kho_fdt(const char *dir, const uint8_t *fdt, size_t len)
{
	uint32_t total, off_struct, off_strings, size_strings;
	size_t pos, end;
	int depth = 0;

	if (len < 40 || be32_at(fdt) != FDT_MAGIC)
		return -1;
	total = be32_at(fdt + 4);
	off_struct = be32_at(fdt + 8);
	off_strings = be32_at(fdt + 12);
	size_strings = be32_at(fdt + 32);
	if (off_struct >= total || off_strings > total || size_strings > total - off_strings)
		return -1;
	if (total > len) {
		printf("KHO-INFO %s fdt truncated: debugfs shows %zu of %u bytes\n", dir, len, total);
		if (off_strings + (size_t)size_strings > len)
			size_strings = off_strings < len ? (uint32_t)(len - off_strings) : 0;
		end = len;
	} else {
		end = total;
	}
	pos = off_struct;
	while (pos + 4 <= end) {
		uint32_t tag = be32_at(fdt + pos);

		pos += 4;
		if (tag == FDT_BEGIN_NODE) {
			const char *name = (const char *)fdt + pos;
			size_t nlen = strnlen(name, end - pos);

			if (pos + nlen >= end)
				break;
			if (depth == 1)
				print_subnode_blob(dir, name);
			depth++;
			pos += (nlen + 1 + 3) & ~(size_t)3;
		} else if (tag == FDT_END_NODE) {
			if (--depth < 0)
				return -1;
		} else if (tag == FDT_PROP) {
			uint32_t plen, nameoff;
			const char *pname;

			if (pos + 8 > end)
				break;
			plen = be32_at(fdt + pos);
			nameoff = be32_at(fdt + pos + 4);
			pos += 8;
			if (plen > end - pos)
				break;
			if (nameoff >= size_strings ||
			    strnlen((const char *)fdt + off_strings + nameoff, size_strings - nameoff) ==
				    size_strings - nameoff) {
				if (end < total) /* the name lies in the part debugfs cut off */
					pname = "?";
				else
					return -1;
			} else {
				pname = (const char *)fdt + off_strings + nameoff;
			}
			if (depth == 1 && plen > 0 && fdt[pos + plen - 1] == 0 &&
			    leading_string(fdt + pos, plen)) {
				if (!strcmp(pname, "compatible"))
					printf("KHO-INFO %s fdt compatible=%s\n", dir,
					       (const char *)fdt + pos);
				else if (pname[0] == '?')
					printf("KHO-INFO %s fdt root-string-property(name cut off, nameoff %u)=%s\n",
					       dir, nameoff, (const char *)fdt + pos);
			}
			pos += ((size_t)plen + 3) & ~(size_t)3;
		} else if (tag == FDT_NOP) {
			continue;
		} else if (tag == FDT_END) {
			return depth == 0 ? 0 : -1;
		} else {
			return -1;
		}
	}
	return end < total ? 1 : -1;
}

/* Lists dir/sub_fdts: every subtree the kernel registered, even when the FDT view is cut. */
static void list_sub_fdts(const char *dir)
{
	char path[128];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), KHO_DEBUGFS "/%s/sub_fdts", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			print_subnode_blob(dir, de->d_name);
	}
	closedir(d);
}

static int do_kho_info(const char *dir)
{
	char path[128];
	size_t len = 0;
	uint8_t *fdt;
	int rc;

	snprintf(path, sizeof(path), KHO_DEBUGFS "/%s/fdt", dir);
	fdt = read_file(path, &len);
	if (!fdt) {
		printf("KHO-INFO %s none: cannot read %s (no KHO data, or debugfs not mounted)\n", dir, path);
		return EXIT_FAILED;
	}
	printf("KHO-INFO %s fdt size=%zu\n", dir, len);
	rc = walk_kho_fdt(dir, fdt, len);
	free(fdt);
	if (rc == 1)
		list_sub_fdts(dir);
	if (rc < 0) {
		printf("KHO-INFO %s malformed FDT\n", dir);
		return EXIT_FAILED;
	}
	return EXIT_PASS;
}

/* ---- command line ------------------------------------------------------------------------ */

static int usage(const char *msg)
{
	fprintf(stderr, "luo-memfd: %s\n"
		"usage: luo-memfd preserve [--session NAME] [--token N] [--size BYTES] [--files N] [--drop-session] -- CMD [ARGS...]\n"
		"       luo-memfd verify [--session NAME] [--token N] [--size BYTES] [--files N]\n"
		"       luo-memfd kho-info [in|out]\n"
		"       luo-memfd selftest [--token N] [--size BYTES]\n", msg);
	return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno || end == s || *end || s[0] == '-') ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct params *p)
{
	uint64_t v;
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			p->cmd = argv + i + 1;
			return argv[i + 1] ? 0 : -1;
		} else if (!strcmp(a, "--drop-session")) {
			p->drop_session = 1;
		} else if (i + 1 < argc && !strcmp(a, "--session")) {
			p->session = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--token")) {
			if (parse_u64(argv[++i], &p->token) < 0)
				return -1;
		} else if (i + 1 < argc && !strcmp(a, "--size")) {
			if (parse_u64(argv[++i], &v) < 0 || v == 0 || v > MAX_SIZE)
				return -1;
			p->size = (size_t)v;
		} else if (i + 1 < argc && !strcmp(a, "--files")) {
			if (parse_u64(argv[++i], &v) < 0 || v > MAX_FILES)
				return -1;
			p->files = (unsigned)v;
		} else {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct params p = { .session = DEFAULT_SESSION, .token = DEFAULT_TOKEN, .size = DEFAULT_SIZE, .files = 1 };

	if (argc < 2)
		return usage("missing mode");
	if (!strcmp(argv[1], "kho-info")) {
		if (argc == 2)
			return do_kho_info("in");
		if (argc == 3 && (!strcmp(argv[2], "in") || !strcmp(argv[2], "out")))
			return do_kho_info(argv[2]);
		return usage("kho-info takes 'in' or 'out'");
	}
	if (parse_args(argc, argv, &p) < 0)
		return usage("bad option or value");
	if (!strcmp(argv[1], "preserve"))
		return p.cmd ? do_preserve(&p) : usage("preserve needs -- CMD");
	if (!strcmp(argv[1], "selftest"))
		return (p.cmd || p.drop_session) ? usage("selftest takes no command") : do_selftest(&p);
	if (!strcmp(argv[1], "verify"))
		return (p.cmd || p.drop_session) ? usage("verify takes no command") : do_verify(&p);
	return usage("unknown mode");
}
