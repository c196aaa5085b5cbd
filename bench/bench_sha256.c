// SPDX-License-Identifier: MIT
/*
 * SHA-256 throughput on one buffer (16 MiB by default): lugate's portable and SHA-NI
 * compression functions against OpenSSL's EVP SHA-256, and the buffer's read bandwidth
 * (a summing loop) as the physical limit. The variants run interleaved, one sample of each
 * per round, so drift on a shared machine hits them alike; every figure is the median of
 * the rounds, and the ratios are ratios of those medians.
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

enum variant { V_MEMREAD, V_PORTABLE, V_SHANI, V_OPENSSL, V_COUNT };

static const char *const variant_names[V_COUNT] = {
	"memory read (sum)", "lugate portable", "lugate SHA-NI", "OpenSSL EVP",
};

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
	case V_PORTABLE:
		hash_lugate(LUGATE_SHA256_PORTABLE, buf, len, digest);
		break;
	case V_SHANI:
		hash_lugate(LUGATE_SHA256_SHANI, buf, len, digest);
		break;
	default:
		hash_openssl(ctx, md, buf, len, digest);
		break;
	}
	return (double)(bench_now_ns() - t0) / 1e9;
}

static void json_rate(FILE *f, const char *key, bool have, double mbps, const char *sep)
{
	if (have)
		fprintf(f, "  \"%s\": %.1f%s\n", key, mbps, sep);
	else
		fprintf(f, "  \"%s\": null%s\n", key, sep);
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

	const bool have_shani = lugate_sha256_have_shani();
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

	/* Correctness first (and a warm-up): every lugate path must agree with OpenSSL. */
	hash_openssl(ctx, md, buf, len, want);
	hash_lugate(LUGATE_SHA256_PORTABLE, buf, len, got);
	if (memcmp(got, want, 32) != 0)
		bench_die("lugate portable SHA-256 disagrees with OpenSSL");
	if (have_shani) {
		hash_lugate(LUGATE_SHA256_SHANI, buf, len, got);
		if (memcmp(got, want, 32) != 0)
			bench_die("lugate SHA-NI SHA-256 disagrees with OpenSSL");
	}
	bench_keep(sum_buffer(buf, len));

	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned v = 0; v < V_COUNT; v++) {
			if (v == V_SHANI && !have_shani)
				continue;
			samples[v][r] = run_variant((enum variant)v, buf, len, ctx, md, got);
			if (v != V_MEMREAD && memcmp(got, want, 32) != 0)
				bench_die("%s digest changed between runs", variant_names[v]);
		}
	}
	for (unsigned v = 0; v < V_COUNT; v++) {
		bool have = v != V_SHANI || have_shani;
		median_s[v] = have ? bench_median(samples[v], rounds) : 0.0;
		mbps[v] = have && median_s[v] > 0 ? (double)len / median_s[v] / 1e6 : 0.0;
	}

	const double vs_portable = mbps[V_PORTABLE] / mbps[V_OPENSSL];
	const double vs_shani = have_shani ? mbps[V_SHANI] / mbps[V_OPENSSL] : 0.0;
	/* What the gate uses: lugate_sha256_init picks SHA-NI when present. */
	const double vs_auto = have_shani ? vs_shani : vs_portable;

	printf("SHA-256 over %zu MiB, median of %u rounds (%s)\n", len >> 20, rounds,
	       OpenSSL_version(OPENSSL_VERSION));
	for (unsigned v = 0; v < V_COUNT; v++) {
		if (v == V_SHANI && !have_shani) {
			printf("  %-20s  not available on this CPU (no SHA extensions)\n", variant_names[v]);
			continue;
		}
		printf("  %-20s %9.1f MB/s  %8.2f ms\n", variant_names[v], mbps[v], median_s[v] * 1e3);
	}
	printf("  sha256_vs_openssl    %.3f (portable %.3f, SHA-NI %s)\n", vs_auto, vs_portable,
	       have_shani ? "measured" : "n/a");
	if (have_shani)
		printf("                       SHA-NI %.3f\n", vs_shani);
	printf("  hash / memory read   %.1f%% of read bandwidth (portable)\n",
	       100.0 * mbps[V_PORTABLE] / mbps[V_MEMREAD]);

	if (json_path) {
		FILE *f = fopen(json_path, "w");
		if (!f)
			bench_die("cannot write %s", json_path);
		fprintf(f, "{\n  \"buffer_bytes\": %zu,\n  \"rounds\": %u,\n", len, rounds);
		fprintf(f, "  \"openssl_version\": \"%s\",\n", OpenSSL_version(OPENSSL_VERSION));
		fprintf(f, "  \"openssl_ia32cap\": \"%s\",\n", getenv("OPENSSL_ia32cap") ? getenv("OPENSSL_ia32cap") : "");
		fprintf(f, "  \"shani_available\": %s,\n", have_shani ? "true" : "false");
		fprintf(f, "  \"memread_mbps\": %.1f,\n", mbps[V_MEMREAD]);
		json_rate(f, "portable_mbps", true, mbps[V_PORTABLE], ",");
		json_rate(f, "shani_mbps", have_shani, mbps[V_SHANI], ",");
		json_rate(f, "openssl_mbps", true, mbps[V_OPENSSL], ",");
		fprintf(f, "  \"sha256_vs_openssl\": %.4f,\n", vs_auto);
		fprintf(f, "  \"sha256_vs_openssl_portable\": %.4f,\n", vs_portable);
		if (have_shani)
			fprintf(f, "  \"sha256_vs_openssl_shani\": %.4f,\n", vs_shani);
		else
			fprintf(f, "  \"sha256_vs_openssl_shani\": null,\n");
		fprintf(f, "  \"portable_over_memread\": %.4f\n}\n", mbps[V_PORTABLE] / mbps[V_MEMREAD]);
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
