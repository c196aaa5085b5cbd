/* SPDX-License-Identifier: MIT */
/*
 * What a host test of boot/ stands in for, as a boot front end would give it: the log's
 * console (boot/log.h's console_write), capturing everything the log wrote since the last
 * log_capture_reset(), prefix included, in logbuf; and the gate's wording for the outcomes a
 * front end names itself. Define PREFIX (the log_prefix the program's lines carry) before
 * including it, in one file per program.
 */
#ifndef LUGATE_TEST_BOOT_HARNESS_H
#define LUGATE_TEST_BOOT_HARNESS_H

#include <string.h>
#include "../../boot/gate.h"

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

static const struct gate_wording wording = {
	.bad_inputs_name = "bad-inputs",
	.bad_inputs = "the test said its inputs were malformed",
	.no_target = "the test gave no target",
	.no_table = "the test gave no table",
	.fallback_unbootable = "refused, and the test's fallback cannot be booted",
};

static inline void log_capture_reset(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

#endif
