/* SPDX-License-Identifier: MIT */
/*
 * The boot log's console (boot/log.h's console_write) for a host test program: everything the
 * log wrote since the last log_capture_reset(), prefix included, in logbuf. Define PREFIX (the
 * log_prefix the program's lines carry) before including it, in one file per program.
 */
#ifndef LUGATE_TEST_LOG_CAPTURE_H
#define LUGATE_TEST_LOG_CAPTURE_H

#include <string.h>

const char log_prefix[] = PREFIX;
static char logbuf[1 << 16];
static size_t loglen;

void console_write(const char *s, size_t n)
{
	assert_true(loglen + n < sizeof(logbuf));
	assert_null(memchr(s, '\0', n));
	memcpy(logbuf + loglen, s, n);
	loglen += n;
	logbuf[loglen] = '\0';
}

static inline void log_capture_reset(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

#endif
