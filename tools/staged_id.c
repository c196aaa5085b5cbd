// SPDX-License-Identifier: MIT
/* The identity of what `lugate load` staged (staged_id.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lugate/sha256.h>
#include "cli.h"
#include "staged_id.h"

/* Each part is length-prefixed, so no two different inputs hash the same byte stream. */
static void add_part(struct lugate_sha256 *s, const void *data, size_t size)
{
	uint64_t len = size;

	lugate_sha256_update(s, &len, sizeof(len));
	if (size)
		lugate_sha256_update(s, data, size);
}

static bool add_file(struct lugate_sha256 *s, const char *path)
{
	struct lugate_sha256 file;
	uint8_t buf[65536], sum[LUGATE_SHA256_SIZE];
	ssize_t n;
	int fd;

	if (!path || !path[0]) {
		add_part(s, NULL, 0);
		return true;
	}
	fd = cli_open_input(path);
	if (fd < 0)
		return false;
	lugate_sha256_init(&file);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_fail(EXIT_SYSTEM, "%s: cannot read: %s", path, strerror(errno));
			close(fd);
			return false;
		}
		lugate_sha256_update(&file, buf, (size_t)n);
	}
	close(fd);
	lugate_sha256_final(&file, sum);
	add_part(s, sum, sizeof(sum));
	return true;
}

bool cli_staged_id(const struct cli_staged_inputs *in, char out[CLI_STAGED_ID_HEX + 2])
{
	static const char hex[] = "0123456789abcdef";
	struct lugate_sha256 s;
	uint8_t sum[LUGATE_SHA256_SIZE];

	lugate_sha256_init(&s);
	add_part(&s, "lugate-staged-v1", 16);
	for (size_t i = 0; i < in->cmd->n; i++)
		add_part(&s, in->cmd->v[i], strlen(in->cmd->v[i]));
	add_part(&s, in->sealed, in->sealed_size);
	add_part(&s, in->bundle, in->bundle ? in->bundle_size : 0);
	if (!add_file(&s, in->initrd) || !add_file(&s, in->fallback_initrd))
		return false;
	lugate_sha256_final(&s, sum);
	for (size_t i = 0; i < sizeof(sum); i++) {
		out[2 * i] = hex[sum[i] >> 4];
		out[2 * i + 1] = hex[sum[i] & 15];
	}
	out[CLI_STAGED_ID_HEX] = '\n';
	out[CLI_STAGED_ID_HEX + 1] = '\0';
	return true;
}

bool cli_staged_id_current(int dir_fd, const char *id)
{
	char buf[CLI_STAGED_ID_HEX + 4];
	struct stat st;
	size_t want = strlen(id);
	ssize_t n;
	int fd;

	if (!cli_kexec_is_loaded())
		return false;
	fd = openat(dir_fd, CLI_STAGED_ID_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (size_t)st.st_size != want) {
		close(fd);
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n >= 0 && (size_t)n == want && memcmp(buf, id, want) == 0;
}
