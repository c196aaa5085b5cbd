/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for lugate's benches: a CPU-time clock, medians, a deterministic
 * pseudo-random fill, and a tiny JSON writer. Benches are never timed tests: they report
 * medians over repeated runs and ratios of figures measured in the same process.
 */
#ifndef LUGATE_BENCH_H
#define LUGATE_BENCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The bench thread's CPU time, not wall time: on a shared machine (other jobs, two vCPUs)
 * the time the scheduler gives to others would otherwise land in whichever sample it hit.
 * Everything timed here is CPU-bound and single-threaded, as the loader's gate is.
 * (Time the hypervisor steals from the vCPU is still counted: nothing in the guest sees it.)
 */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of n samples (sorts them in place). */
static inline double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0.0;
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* xorshift64*: deterministic, so every run hashes and checks the same bytes. */
static inline uint64_t bench_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static inline void bench_fill(void *buf, size_t len, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t s = seed ? seed : 1;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t r = bench_rand(&s);
		memcpy(p + i, &r, 8);
	}
	for (; i < len; i++)
		p[i] = (uint8_t)bench_rand(&s);
}

static inline void *bench_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "bench: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

__attribute__((format(printf, 1, 2), noreturn))
static inline void bench_die(const char *fmt, ...)
{
	va_list ap;
	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Keeps a computed value alive so the compiler cannot drop the work behind it. */
static inline void bench_keep(uint64_t v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

#endif
