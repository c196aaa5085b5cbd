// SPDX-License-Identifier: MIT
/*
 * SHA-256 throughput on one buffer (16 MiB by default): lugate's compression paths
 * (portable C; SSSE3 message schedule with BMI2 rounds; SHA-NI) against OpenSSL's EVP SHA-256, and the buffer's read bandwidth
 * (a summing loop) as the physical limit. The variants run interleaved, one sample of each
 * per round, starting with a different one each round, so drift on a shared machine hits
 * them alike; throughputs are medians over the rounds, and each ratio to OpenSSL is the
 * median of the per-round ratios (both samples taken within the same round).
 *
 * Usage: bench_sha256 [--mib N] [--rounds N] [--json FILE] [--smoke]
 * Prints a table on stdout; --json writes the figures as one JSON object.
 * Exit: 0, 1 if an implementation disagrees with OpenSSL, 2 on usage error.
 */
#include <getopt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <lugate/sha256.h>
#include "bench.h"

#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
#endif

enum variant { V_MEMREAD, V_PORTABLE, V_SIMD, V_SHANI, V_OPENSSL, V_COUNT };

static const char *const variant_names[V_COUNT] = {
	"memory read (sum)", "lugate portable", "lugate SSSE3+BMI2", "lugate SHA-NI", "OpenSSL EVP",
};

/* The lugate implementation behind each lugate variant. */
static enum lugate_sha256_impl variant_impl(enum variant v)
{
	return v == V_SHANI ? LUGATE_SHA256_SHANI : v == V_SIMD ? LUGATE_SHA256_SIMD : LUGATE_SHA256_PORTABLE;
}

/* Whether this CPU runs the variant's own path (lugate_sha256_init_impl falls back). */
static bool variant_available(enum variant v)
{
	struct lugate_sha256 s;

	if (v == V_MEMREAD || v == V_OPENSSL)
		return true;
	lugate_sha256_init_impl(&s, variant_impl(v));
	return s.impl == (uint32_t)variant_impl(v);
}

/* Sum the buffer as 64-bit words with four independent accumulators: a read-bandwidth
 * probe that does far less work per byte than any hash. */
static uint64_t sum_buffer(const uint8_t *p, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	__m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
	size_t i = 0;
	uint64_t out[2];

	for (; i + 64 <= len; i += 64) {
		a0 = _mm_add_epi64(a0, _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
		a1 = _mm_add_epi64(a1, _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16)));
		a2 = _mm_add_epi64(a2, _mm_loadu_si128((const __m128i *)(const void *)(p + i + 32)));
		a3 = _mm_add_epi64(a3, _mm_loadu_si128((const __m128i *)(const void *)(p + i + 48)));
	}
	a0 = _mm_add_epi64(_mm_add_epi64(a0, a1), _mm_add_epi64(a2, a3));
	_mm_storeu_si128((__m128i *)(void *)out, a0);
	for (; i < len; i++)
		out[0] += p[i];
	return out[0] + out[1];
#else
	uint64_t s[4] = { 0, 0, 0, 0 }, w[4];
	size_t i = 0;
	for (; i + 32 <= len; i += 32) {
		memcpy(w, p + i, 32);
		for (unsigned k = 0; k < 4; k++)
			s[k] += w[k];
	}
	for (; i < len; i++)
		s[0] += p[i];
	return s[0] + s[1] + s[2] + s[3];
#endif
}

static void hash_lugate(enum lugate_sha256_impl impl, const uint8_t *p, size_t len, uint8_t out[32])
{
	struct lugate_sha256 s;
	lugate_sha256_init_impl(&s, impl);
	lugate_sha256_update(&s, p, len);
	lugate_sha256_final(&s, out);
}

static void hash_openssl(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *p, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, p, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != 32)
		bench_die("OpenSSL SHA-256 failed");
}

/* One timed sample of variant v; returns seconds. */
static double run_variant(enum variant v, const uint8_t *buf, size_t len, EVP_MD_CTX *ctx,
			  const EVP_MD *md, uint8_t digest[32])
{
	uint64_t t0 = bench_now_ns();

	switch (v) {
	case V_MEMREAD:
		bench_keep(sum_buffer(buf, len));
		break;
	case V_OPENSSL:
		hash_openssl(ctx, md, buf, len, digest);
		break;
	default:
		hash_lugate(variant_impl(v), buf, len, digest);
		break;
	}
	return (double)(bench_now_ns() - t0) / 1e9;
}

static void usage(void)
{
	fputs("usage: bench_sha256 [--mib N] [--rounds N] [--json FILE] [--smoke]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' }, { "rounds", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' }, { "smoke", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	size_t len = (size_t)16 << 20;
	unsigned rounds = 9;
	const char *json_path = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': len = (size_t)strtoul(optarg, NULL, 10) << 20; break;
		case 'r': rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'j': json_path = optarg; break;
		case 's': len = (size_t)1 << 20; rounds = 1; break;
		default: usage();
		}
	}
	if (optind != argc || len == 0 || rounds == 0 || rounds > 1000)
		usage();

	bool have[V_COUNT];
	struct lugate_sha256 probe;
	uint8_t *buf = bench_xmalloc(len);
	double *samples[V_COUNT], median_s[V_COUNT], mbps[V_COUNT];
	uint8_t want[32], got[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	if (!ctx || !md)
		bench_die("cannot set up OpenSSL SHA-256");
	bench_fill(buf, len, 0x6c7567617465u);
	for (unsigned v = 0; v < V_COUNT; v++)
		samples[v] = bench_xmalloc(sizeof(double) * rounds);

	for (unsigned v = 0; v < V_COUNT; v++)
		have[v] = variant_available((enum variant)v);
	/* What the gate uses: lugate_sha256_init's automatic choice. */
	lugate_sha256_init(&probe);
	const enum variant auto_v = probe.impl == LUGATE_SHA256_SHANI ? V_SHANI
				    : probe.impl == LUGATE_SHA256_SIMD ? V_SIMD : V_PORTABLE;

	/* Correctness first (and a warm-up): every lugate path must agree with OpenSSL. */
	hash_openssl(ctx, md, buf, len, want);
	for (unsigned v = V_PORTABLE; v < V_OPENSSL; v++) {
		if (!have[v])
			continue;
		hash_lugate(variant_impl((enum variant)v), buf, len, got);
		if (memcmp(got, want, 32) != 0)
			bench_die("%s SHA-256 disagrees with OpenSSL", variant_names[v]);
	}
	bench_keep(sum_buffer(buf, len));

	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < V_COUNT; i++) {
			unsigned v = (i + r) % V_COUNT;
			if (!have[v])
				continue;
			samples[v][r] = run_variant((enum variant)v, buf, len, ctx, md, got);
			if (v != V_MEMREAD && memcmp(got, want, 32) != 0)
				bench_die("%s digest changed between runs", variant_names[v]);
		}
	}
	/* ratios first: the medians below sort the samples in place */
	double vs[V_COUNT], *ratio = bench_xmalloc(sizeof(double) * rounds);
	for (unsigned v = 0; v < V_COUNT; v++) {
		vs[v] = 0.0;
		if (!have[v])
			continue;
		/* samples are seconds: OpenSSL's time over ours is our throughput over OpenSSL's */
		for (unsigned r = 0; r < rounds; r++)
			ratio[r] = samples[V_OPENSSL][r] / samples[v][r];
		vs[v] = bench_median(ratio, rounds);
	}
	free(ratio);

	for (unsigned v = 0; v < V_COUNT; v++) {
		median_s[v] = have[v] ? bench_median(samples[v], rounds) : 0.0;
		mbps[v] = have[v] && median_s[v] > 0 ? (double)len / median_s[v] / 1e6 : 0.0;
	}

	printf("SHA-256 over %zu MiB, median of %u rounds (%s)\n", len >> 20, rounds,
	       OpenSSL_version(OPENSSL_VERSION));
	for (unsigned v = 0; v < V_COUNT; v++) {
		if (!have[v]) {
			printf("  %-20s  not available on this CPU (no %s)\n", variant_names[v],
			       v == V_SHANI ? "SHA extensions" : "SSSE3 and BMI2");
			continue;
		}
		printf("  %-20s %9.1f MB/s  %8.2f ms", variant_names[v], mbps[v], median_s[v] * 1e3);
		if (v != V_MEMREAD && v != V_OPENSSL)
			printf("   %.3f of OpenSSL%s", vs[v], v == auto_v ? "  <- what the gate uses" : "");
		printf("\n");
	}
	printf("  sha256_vs_openssl    %.3f (%s, the automatic choice)\n", vs[auto_v], variant_names[auto_v]);
	printf("  hash / memory read   %.1f%% of the buffer's read bandwidth\n",
	       100.0 * mbps[auto_v] / mbps[V_MEMREAD]);

	if (json_path) {
		static const char *const keys[V_COUNT] = { "memread", "portable", "simd", "shani", "openssl" };
		static const char *const impl_names[] = { "auto", "portable", "shani", "simd" };
		FILE *f = fopen(json_path, "w");
		const char *cap = getenv("OPENSSL_ia32cap");

		if (!f)
			bench_die("cannot write %s", json_path);
		fprintf(f, "{\n  \"buffer_bytes\": %zu,\n  \"rounds\": %u,\n", len, rounds);
		fprintf(f, "  \"openssl_version\": \"%s\",\n", OpenSSL_version(OPENSSL_VERSION));
		fprintf(f, "  \"openssl_ia32cap\": \"%s\",\n", cap ? cap : "");
		fprintf(f, "  \"auto_impl\": \"%s\",\n", impl_names[probe.impl < 4 ? probe.impl : 1]);
		fprintf(f, "  \"shani_available\": %s,\n  \"simd_available\": %s,\n", have[V_SHANI] ? "true" : "false",
			have[V_SIMD] ? "true" : "false");
		for (unsigned v = 0; v < V_COUNT; v++) {
			if (have[v])
				fprintf(f, "  \"%s_mbps\": %.1f,\n", keys[v], mbps[v]);
			else
				fprintf(f, "  \"%s_mbps\": null,\n", keys[v]);
		}
		for (unsigned v = V_PORTABLE; v < V_OPENSSL; v++) {
			if (have[v])
				fprintf(f, "  \"sha256_vs_openssl_%s\": %.4f,\n", keys[v], vs[v]);
			else
				fprintf(f, "  \"sha256_vs_openssl_%s\": null,\n", keys[v]);
		}
		fprintf(f, "  \"sha256_vs_openssl\": %.4f,\n", vs[auto_v]);
		fprintf(f, "  \"auto_over_memread\": %.4f\n}\n", mbps[auto_v] / mbps[V_MEMREAD]);
		if (fclose(f) != 0)
			bench_die("cannot write %s", json_path);
	}
	for (unsigned v = 0; v < V_COUNT; v++)
		free(samples[v]);
	EVP_MD_free(md);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return 0;
}
