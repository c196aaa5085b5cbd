// SPDX-License-Identifier: MIT
/*
 * The gate as the loader runs it (loader/loader_run.c: hash the target image, then lugate_check,
 * which opens and validates the table and the manifest and checks every device), for
 * tables of 16 .. 100,000 devices, split into its parts:
 *
 *   hash      lugate_sha256 of the 16 MiB image alone (the implementation the gate uses)
 *   gate      hash + lugate_check: the whole gate
 *   check     lugate_check alone (image hash given)
 *   open      lugate_table_open alone: frame digest + one validation pass
 *   tdigest   the table's frame digest alone (SHA-256 of the FDT payload), part of open
 *   mopen     lugate_manifest_open alone
 *   devices   after open: the check's per-device loop, lugate_check_devices (handoff/check.c:
 *             lugate_table_next_device, lugate_manifest_find_indexed, the version range).
 *             Timed on its own because "check - open" differs by less than the noise in open.
 *   naive     after open: each device looked up by path with libfdt (fdt_path_offset on
 *             "/devices/dev@XXXXXXXX", then fdt_getprop by name), then the same schema
 *             look-up. O(N) per look-up, so above --naive-full devices it is timed on an
 *             evenly spread sample of --naive-sample devices and scaled to N.
 *
 * check_ns_per_device = devices / N; validate_ns_per_device = (open - tdigest) / N, paired
 * per round; naive_ratio = naive / devices; gate_over_hash = gate / hash, paired per round.
 * Every timed sample repeats its operation until it lasts at least ~2 ms of CPU time; the
 * variants run interleaved, one sample each per round; figures are medians over the rounds.
 * Devices get their schema pseudo-randomly (the search's worst case), or with
 * --clustered in runs of consecutive devices, as the functions of one card are.
 *
 * Usage: bench_gate [--sizes N,N,...] [--schemas N] [--rounds N] [--image-mib N] [--clustered]
 *                   [--naive-full N] [--naive-sample N] [--no-naive] [--json FILE] [--smoke]
 *                   [--dump DIR [--dump-devices N]]
 * --dump writes the N-device fixture (default 4,096) as DIR/table-N.bin and DIR/manifest.bin.
 */
#include <getopt.h>
#include <libfdt.h>
#include <lugate/lugate.h>
#include "bench.h"

#define MAX_SIZES 16
#define REASON_CAPACITY 16
#define SAMPLE_MIN_NS 2000000.0
#define OUTGOING "6.1.0-55-amd64"
#define TARGET "6.1.0-56-amd64"

static const char *const compat[] = { "kho-v1", "luo-v1" };
static const char *const drivers[] = { "mlx5_core", "nvme", "ixgbevf", "vfio-pci", "idpf", "" };

struct config {
	size_t sizes[MAX_SIZES];
	size_t size_count;
	size_t schemas;
	unsigned rounds;
	unsigned naive_rounds;
	size_t image_bytes;
	size_t naive_full;       /* up to this many devices the naive pass covers every device */
	size_t naive_sample;     /* above it: this many evenly spread devices */
	const char *json_path;
	bool clustered;          /* schemas in runs of consecutive devices, not at random */
	bool no_naive;           /* skip the naive reader (sensitivity runs) */
	const char *dump_dir;    /* write the dump_devices fixture's table and manifest here */
	size_t dump_devices;
};

struct fixture {
	size_t n;
	struct lugate_device *devices;
	uint8_t *table, *manifest;
	size_t table_size, manifest_size;
	const uint8_t *image;
	size_t image_size;
	uint8_t image_sha[LUGATE_SHA256_SIZE];
	struct lugate_table opened;
	struct lugate_manifest mopened;
	struct lugate_reason reasons[REASON_CAPACITY];
	size_t naive_from, naive_count, naive_stride; /* which devices the naive pass visits */
};

struct result {
	size_t n;
	size_t table_bytes;
	double hash, gate, check, open, tdigest, mopen, devices, naive_per_lookup;
	double gate_over_hash;   /* median over rounds of (gate sample / hash sample), same round */
	double validate;         /* median over rounds of (open - tdigest), same round */
	bool naive_sampled;
	size_t naive_count;
};

/* ---- fixtures ---------------------------------------------------------------------- */

static struct lugate_schema *make_schemas(size_t count)
{
	struct lugate_schema *s = bench_xmalloc(sizeof(*s) * count);
	uint64_t seed = 0x5c4e3a;

	for (size_t i = 0; i < count; i++) {
		bench_fill(s[i].guid.b, LUGATE_GUID_SIZE, bench_rand(&seed) | 1);
		s[i].guid.b[6] = (uint8_t)((s[i].guid.b[6] & 0x0f) | 0x40); /* a v4 GUID */
		s[i].guid.b[8] = (uint8_t)((s[i].guid.b[8] & 0x3f) | 0x80);
		s[i].min_version = 1;
		s[i].max_version = 3;
	}
	return s;
}

/* N devices at consecutive PCI addresses (segment 0 and up), each preserved with a schema
 * picked pseudo-randomly: consecutive look-ups do not share a search path. */
static void make_fixture(struct fixture *f, size_t n, const struct lugate_schema *schemas,
			 size_t schema_count, bool clustered, const uint8_t *image, size_t image_size)
{
	size_t run_left = 0, run_schema = 0;
	uint64_t seed = 0x1a2b3c4d5e6full ^ n;
	uint32_t *scratch;
	size_t needed = 0;
	long len;

	memset(f, 0, sizeof(*f));
	f->n = n;
	f->image = image;
	f->image_size = image_size;
	lugate_sha256(image, image_size, f->image_sha);
	f->devices = bench_xmalloc(sizeof(*f->devices) * n);
	for (size_t i = 0; i < n; i++) {
		struct lugate_device *d = &f->devices[i];
		uint64_t r = bench_rand(&seed);
		d->addr = (lugate_pci_addr)i;
		d->vendor_id = 0x15b3;
		d->device_id = (uint16_t)(0x1000 + (r & 0xff));
		d->class_code = 0x020000;
		if (!clustered) {
			d->schema = schemas[(r >> 8) % schema_count].guid;
		} else {
			if (run_left == 0) { /* a card: 1 to 64 functions sharing one schema */
				run_left = 1 + (r >> 8) % 64;
				run_schema = (r >> 20) % schema_count;
			}
			run_left--;
			d->schema = schemas[run_schema].guid;
		}
		d->schema_version = 1 + (uint32_t)((r >> 40) % 3);
		d->driver = drivers[(r >> 48) % (sizeof(drivers) / sizeof(drivers[0]))];
	}
	struct lugate_table_spec ts = {
		.release = OUTGOING, .compat = compat, .compat_count = 2,
		.devices = f->devices, .device_count = n,
		.target_sha256 = f->image_sha, .target_release = TARGET,
	};
	if (lugate_table_build(NULL, 0, &ts, NULL, 0, &needed) != LUGATE_ERR_NOSPACE)
		bench_die("table size query failed");
	f->table = bench_xmalloc(needed);
	scratch = bench_xmalloc(sizeof(uint32_t) * (n + 1));
	len = lugate_table_build(f->table, needed, &ts, scratch, n, NULL);
	if (len < 0)
		bench_die("table build (%zu devices): %s", n, lugate_strerror((int)len));
	f->table_size = (size_t)len;

	struct lugate_manifest_spec ms = {
		.release = TARGET, .schemas = schemas, .schema_count = schema_count,
		.compat = compat, .compat_count = 2,
	};
	needed = 0;
	if (lugate_manifest_build(NULL, 0, &ms, NULL, 0, &needed) != LUGATE_ERR_NOSPACE)
		bench_die("manifest size query failed");
	f->manifest = bench_xmalloc(needed);
	scratch = realloc(scratch, sizeof(uint32_t) * (schema_count + 1));
	if (!scratch)
		bench_die("out of memory");
	len = lugate_manifest_build(f->manifest, needed, &ms, scratch, schema_count, NULL);
	if (len < 0)
		bench_die("manifest build: %s", lugate_strerror((int)len));
	f->manifest_size = (size_t)len;
	free(scratch);

	int err = lugate_table_open(f->table, f->table_size, &f->opened);
	if (err)
		bench_die("table open: %s", lugate_strerror(err));
	err = lugate_manifest_open(f->manifest, f->manifest_size, &f->mopened);
	if (err)
		bench_die("manifest open: %s", lugate_strerror(err));
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		bench_die("cannot write %s", path);
}

/* The fixture as files, for timing the CLI on the same inputs. */
static void dump_fixture(const struct config *cfg, const struct fixture *f)
{
	char name[64];

	snprintf(name, sizeof(name), "table-%zu.bin", f->n);
	write_file(cfg->dump_dir, name, f->table, f->table_size);
	write_file(cfg->dump_dir, "manifest.bin", f->manifest, f->manifest_size);
}

static void free_fixture(struct fixture *f)
{
	free(f->devices);
	free(f->table);
	free(f->manifest);
}

/* ---- the timed operations ----------------------------------------------------------- */

static void op_hash(struct fixture *f)
{
	uint8_t out[LUGATE_SHA256_SIZE];
	lugate_sha256(f->image, f->image_size, out);
	bench_keep(out[0]);
}

static void run_check(struct fixture *f, const uint8_t *image_sha)
{
	struct lugate_check_input in = {
		.table = f->table, .table_size = f->table_size,
		.manifest = f->manifest, .manifest_size = f->manifest_size,
		.target_sha256 = image_sha,
	};
	struct lugate_verdict v;

	if (lugate_check(&in, f->reasons, REASON_CAPACITY, &v) != 0 || v.decision != LUGATE_ALLOW ||
	    v.device_count != f->n)
		bench_die("lugate_check did not allow the %zu-device fixture", f->n);
}

static void op_gate(struct fixture *f)
{
	uint8_t sha[LUGATE_SHA256_SIZE];
	lugate_sha256(f->image, f->image_size, sha);
	run_check(f, sha);
}

static void op_check(struct fixture *f)
{
	run_check(f, f->image_sha);
}

static void op_open(struct fixture *f)
{
	struct lugate_table t;
	if (lugate_table_open(f->table, f->table_size, &t) != 0 || t.device_count != f->n)
		bench_die("lugate_table_open failed");
}

static void op_tdigest(struct fixture *f)
{
	uint8_t out[LUGATE_SHA256_SIZE];
	lugate_sha256(f->opened.fdt, f->opened.fdt_size, out);
	bench_keep(out[0]);
}

static void op_mopen(struct fixture *f)
{
	struct lugate_manifest m;
	if (lugate_manifest_open(f->manifest, f->manifest_size, &m) != 0)
		bench_die("lugate_manifest_open failed");
}

static bool schema_ok(const struct lugate_manifest *m, const struct lugate_guid *g, uint32_t version)
{
	struct lugate_schema s;
	long idx = lugate_manifest_find(m, g);

	if (idx < 0)
		return false;
	lugate_manifest_schema(m, (uint32_t)idx, &s);
	return version >= s.min_version && version <= s.max_version;
}

/* handoff/check.c's per-device loop itself (lugate_check_devices) on the opened table: the
 * verdict set up as lugate_check sets it, every device supported. */
static void op_devices(struct fixture *f)
{
	struct lugate_reason reasons[REASON_CAPACITY];
	struct lugate_verdict v;

	memset(&v, 0, sizeof(v));
	v.table = f->opened;
	v.reasons = reasons;
	v.reason_capacity = REASON_CAPACITY;
	lugate_check_devices(&f->mopened, &v);
	if (v.reason_total != 0)
		bench_die("device loop: %zu of %zu devices refused", v.reason_total, f->n);
}

/* The naive pass: what a straightforward libfdt reader does for each device it knows of. */
static void op_naive(struct fixture *f)
{
	const void *fdt = f->opened.fdt;
	size_t ok = 0;

	for (size_t k = 0; k < f->naive_count; k++) {
		const struct lugate_device *d = &f->devices[f->naive_from + k * f->naive_stride];
		char path[40];
		const void *guid, *ver;
		struct lugate_guid g;
		uint32_t v;
		int node, glen, vlen;

		snprintf(path, sizeof(path), "/devices/dev@%08x", (unsigned)d->addr);
		node = fdt_path_offset(fdt, path);
		if (node < 0)
			bench_die("naive: %s not found", path);
		guid = fdt_getprop(fdt, node, "schema-guid", &glen);
		ver = fdt_getprop(fdt, node, "schema-version", &vlen);
		if (!guid || glen != LUGATE_GUID_SIZE || !ver || vlen != 4)
			bench_die("naive: %s lacks its schema", path);
		memcpy(g.b, guid, LUGATE_GUID_SIZE);
		memcpy(&v, ver, 4); /* little-endian, as lugate writes it (x86 host) */
		ok += schema_ok(&f->mopened, &g, v);
	}
	if (ok != f->naive_count)
		bench_die("naive: %zu of %zu devices supported", ok, f->naive_count);
}

typedef void (*op_fn)(struct fixture *);

/* How many back-to-back calls make one sample last at least SAMPLE_MIN_NS. */
static unsigned calibrate(op_fn op, struct fixture *f)
{
	uint64_t t0 = bench_now_ns();
	op(f);
	double once = (double)(bench_now_ns() - t0);
	if (once >= SAMPLE_MIN_NS)
		return 1;
	double reps = SAMPLE_MIN_NS / (once > 1.0 ? once : 1.0);
	return reps > 100000.0 ? 100000u : (unsigned)reps + 1;
}

/* One sample: seconds per call. */
static double sample(op_fn op, struct fixture *f, unsigned reps)
{
	uint64_t t0 = bench_now_ns();
	for (unsigned i = 0; i < reps; i++)
		op(f);
	return (double)(bench_now_ns() - t0) / 1e9 / reps;
}

enum op_id { OP_HASH, OP_GATE, OP_CHECK, OP_OPEN, OP_TDIGEST, OP_MOPEN, OP_DEVICES, OP_NAIVE, OP_COUNT };

static const op_fn ops[OP_COUNT] = {
	op_hash, op_gate, op_check, op_open, op_tdigest, op_mopen, op_devices, op_naive,
};

static void measure(const struct config *cfg, struct fixture *f, struct result *res)
{
	double *samples[OP_COUNT], med[OP_COUNT];
	unsigned reps[OP_COUNT];
	const unsigned rounds = cfg->rounds;

	if (f->n <= cfg->naive_full) {
		f->naive_from = 0;
		f->naive_count = f->n;
		f->naive_stride = 1;
	} else {
		f->naive_count = cfg->naive_sample;
		f->naive_stride = f->n / cfg->naive_sample;
		f->naive_from = f->naive_stride / 2;
	}
	for (unsigned o = 0; o < OP_COUNT; o++) {
		samples[o] = bench_xmalloc(sizeof(double) * rounds);
		reps[o] = o == OP_NAIVE && cfg->no_naive ? 0 : calibrate(ops[o], f);
	}
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned o = 0; o < OP_COUNT; o++) {
			if (o == OP_NAIVE && r >= cfg->naive_rounds)
				continue;
			samples[o][r] = sample(ops[o], f, reps[o]);
		}
	/* gate and hash run back to back in each round: their per-round ratio cancels drift */
	double *paired = bench_xmalloc(sizeof(double) * rounds);
	for (unsigned r = 0; r < rounds; r++)
		paired[r] = samples[OP_GATE][r] / samples[OP_HASH][r];
	res->gate_over_hash = bench_median(paired, rounds);
	for (unsigned r = 0; r < rounds; r++)
		paired[r] = samples[OP_OPEN][r] - samples[OP_TDIGEST][r];
	res->validate = bench_median(paired, rounds);
	free(paired);
	for (unsigned o = 0; o < OP_COUNT; o++) {
		med[o] = bench_median(samples[o], o == OP_NAIVE ? cfg->naive_rounds : rounds);
		free(samples[o]);
	}
	if (cfg->no_naive)
		med[OP_NAIVE] = 0;
	res->n = f->n;
	res->table_bytes = f->table_size;
	res->hash = med[OP_HASH];
	res->gate = med[OP_GATE];
	res->check = med[OP_CHECK];
	res->open = med[OP_OPEN];
	res->tdigest = med[OP_TDIGEST];
	res->mopen = med[OP_MOPEN];
	res->devices = med[OP_DEVICES];
	res->naive_per_lookup = med[OP_NAIVE] / (double)f->naive_count;
	res->naive_sampled = f->naive_count != f->n;
	res->naive_count = f->naive_count;
}

/* ---- derived figures and output ----------------------------------------------------- */

/* The SHA-256 path lugate_sha256 takes on this CPU. */
static const char *sha256_path(void)
{
	struct lugate_sha256 s;

	lugate_sha256_init(&s);
	return s.impl == LUGATE_SHA256_SHANI ? "SHA-NI" : s.impl == LUGATE_SHA256_SIMD ? "SIMD (SSSE3+BMI2)" : "portable";
}

static double naive_total(const struct result *r)
{
	return r->naive_per_lookup * (double)r->n;
}

/*
 * The core clock while the bench ran, from a chain of dependent adds (one cycle each on
 * every x86-64 core): turns ns into cycles, so a figure from this shared vCPU can be
 * compared with another machine's. 0 where it cannot be measured.
 */
static double clock_ghz_estimate(void)
{
#if defined(__x86_64__)
	double best = 0;
	for (int k = 0; k < 5; k++) {
		uint64_t x = 0, t0 = bench_now_ns();
		for (unsigned i = 0; i < 2000000; i++)
			__asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
					 "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
		double ghz = 16e6 / (double)(bench_now_ns() - t0);
		best = ghz > best ? ghz : best;
		bench_keep(x);
	}
	return best;
#else
	return 0;
#endif
}

static void print_results(const struct config *cfg, const struct result *res, size_t count, double ghz)
{
	printf("Gate (hash %zu MiB image + lugate_check), %zu schemas %s, median of %u rounds; %s SHA-256\n",
	       cfg->image_bytes >> 20, cfg->schemas, cfg->clustered ? "in runs" : "at random", cfg->rounds,
	       sha256_path());
	printf("  %7s %8s %8s %8s %6s | %8s %8s %8s | %8s %8s %11s %9s\n", "devices", "table", "gate", "hash",
	       "gate/", "open", "(digest)", "validate", "check", "(cycles)", "naive", "naive");
	printf("  %7s %8s %8s %8s %6s | %8s %8s %8s | %8s %8s %11s %9s\n", "", "KiB", "ms", "ms", "hash",
	       "ns/dev", "ns/dev", "ns/dev", "ns/dev", "", "ns/dev", "ratio");
	for (size_t i = 0; i < count; i++) {
		const struct result *r = &res[i];
		double n = (double)r->n;
		printf("  %7zu %8.1f %8.2f %8.2f %6.3f | %8.1f %8.1f %8.1f | %8.1f %8.0f", r->n,
		       (double)r->table_bytes / 1024.0, r->gate * 1e3, r->hash * 1e3, r->gate_over_hash,
		       r->open / n * 1e9, r->tdigest / n * 1e9, r->validate / n * 1e9,
		       r->devices / n * 1e9, r->devices / n * 1e9 * ghz);
		if (cfg->no_naive)
			printf(" %11s %9s\n", "-", "-");
		else
			printf(" %10.0f%s %9.0f\n", naive_total(r) / n * 1e9, r->naive_sampled ? "*" : " ",
			       naive_total(r) / r->devices);
	}
	printf("  check = the check's per-device loop after validation; cycles at the %.2f GHz measured\n"
	       "  (* naive timed on an evenly spread sample of %zu devices and scaled to N)\n",
	       ghz, cfg->naive_sample);
}

static void write_json(const struct config *cfg, const struct result *res, size_t count, double ghz)
{
	FILE *f = fopen(cfg->json_path, "w");

	if (!f)
		bench_die("cannot write %s", cfg->json_path);
	fprintf(f, "{\n  \"image_bytes\": %zu,\n  \"schemas\": %zu,\n  \"schema_assignment\": \"%s\",\n"
		"  \"rounds\": %u,\n", cfg->image_bytes, cfg->schemas, cfg->clustered ? "runs" : "random",
		cfg->rounds);
	fprintf(f, "  \"naive_rounds\": %u,\n  \"naive_sample\": %zu,\n", cfg->naive_rounds, cfg->naive_sample);
	fprintf(f, "  \"clock_ghz_estimate\": %.3f,\n", ghz);
	fprintf(f, "  \"sha256_impl\": \"%s\",\n", sha256_path());
	fprintf(f, "  \"sizes\": [\n");
	for (size_t i = 0; i < count; i++) {
		const struct result *r = &res[i];
		double n = (double)r->n;
		char naive[200];
		if (cfg->no_naive)
			snprintf(naive, sizeof(naive), "\"naive_ns_per_device\": null, \"naive_ms\": null, "
				 "\"naive_ratio\": null");
		else
			snprintf(naive, sizeof(naive), "\"naive_ns_per_device\": %.1f, \"naive_ms\": %.3f, "
				 "\"naive_ratio\": %.1f, \"naive_sampled\": %s, \"naive_devices_timed\": %zu",
				 naive_total(r) / n * 1e9, naive_total(r) * 1e3, naive_total(r) / r->devices,
				 r->naive_sampled ? "true" : "false", r->naive_count);
		fprintf(f, "    {\"devices\": %zu, \"table_bytes\": %zu, \"gate_ms\": %.4f, \"hash_ms\": %.4f, "
			"\"gate_over_hash\": %.4f, \"check_ms\": %.5f, \"open_ms\": %.5f, "
			"\"table_digest_ms\": %.5f, \"manifest_open_ms\": %.5f, "
			"\"open_ns_per_device\": %.2f, \"validate_ns_per_device\": %.2f, "
			"\"check_ns_per_device\": %.2f, \"check_cycles_per_device\": %.0f, %s}%s\n",
			r->n, r->table_bytes, r->gate * 1e3, r->hash * 1e3, r->gate_over_hash,
			r->check * 1e3, r->open * 1e3, r->tdigest * 1e3, r->mopen * 1e3,
			r->open / n * 1e9, r->validate / n * 1e9, r->devices / n * 1e9,
			r->devices / n * 1e9 * ghz, naive, i + 1 < count ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f) != 0)
		bench_die("cannot write %s", cfg->json_path);
}

static size_t parse_sizes(const char *text, size_t *out)
{
	size_t count = 0;
	char *end;

	while (*text && count < MAX_SIZES) {
		unsigned long v = strtoul(text, &end, 10);
		if (end == text || v == 0 || v > LUGATE_TABLE_MAX_DEVICES)
			return 0;
		out[count++] = v;
		text = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return 0;
	}
	return *text ? 0 : count;
}

static void usage(void)
{
	fputs("usage: bench_gate [--sizes N,N,...] [--schemas N] [--rounds N] [--image-mib N] [--clustered]\n"
	      "                  [--naive-full N] [--naive-sample N] [--no-naive] [--json FILE] [--smoke]\n"
	      "                  [--dump DIR [--dump-devices N]]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 'n' }, { "schemas", required_argument, NULL, 'S' },
		{ "rounds", required_argument, NULL, 'r' }, { "image-mib", required_argument, NULL, 'i' },
		{ "naive-full", required_argument, NULL, 'F' }, { "naive-sample", required_argument, NULL, 'N' },
		{ "json", required_argument, NULL, 'j' }, { "smoke", no_argument, NULL, 's' },
		{ "dump", required_argument, NULL, 'd' }, { "dump-devices", required_argument, NULL, 'D' },
		{ "clustered", no_argument, NULL, 'c' }, { "no-naive", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg = {
		.sizes = { 16, 256, 4096, 65536, 100000 }, .size_count = 5, .schemas = 64,
		.rounds = 7, .naive_rounds = 3, .image_bytes = (size_t)16 << 20,
		.naive_full = 4096, .naive_sample = 64, .dump_devices = 4096,
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': cfg.size_count = parse_sizes(optarg, cfg.sizes); break;
		case 'S': cfg.schemas = strtoul(optarg, NULL, 10); break;
		case 'r': cfg.rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': cfg.image_bytes = (size_t)strtoul(optarg, NULL, 10) << 20; break;
		case 'F': cfg.naive_full = strtoul(optarg, NULL, 10); break;
		case 'N': cfg.naive_sample = strtoul(optarg, NULL, 10); break;
		case 'j': cfg.json_path = optarg; break;
		case 'd': cfg.dump_dir = optarg; break;
		case 'c': cfg.clustered = true; break;
		case 'x': cfg.no_naive = true; cfg.naive_rounds = 0; break;
		case 'D': cfg.dump_devices = strtoul(optarg, NULL, 10); break;
		case 's':
			cfg.sizes[0] = 16; cfg.sizes[1] = 300; cfg.size_count = 2;
			cfg.rounds = 1; cfg.image_bytes = (size_t)1 << 20;
			cfg.naive_full = 100; cfg.naive_sample = 10;
			break;
		default: usage();
		}
	}
	if (optind != argc || cfg.size_count == 0 || cfg.schemas == 0 ||
	    cfg.schemas > LUGATE_MANIFEST_MAX_SCHEMAS || cfg.rounds == 0 || cfg.rounds > 1000 ||
	    cfg.image_bytes == 0 || cfg.naive_sample == 0)
		usage();
	if (cfg.naive_rounds > cfg.rounds)
		cfg.naive_rounds = cfg.rounds;
	if (cfg.no_naive)
		cfg.naive_rounds = 0;
	for (size_t i = 0; i < cfg.size_count; i++)
		if (cfg.sizes[i] > cfg.naive_full && cfg.sizes[i] / cfg.naive_sample == 0)
			usage();

	uint8_t *image = bench_xmalloc(cfg.image_bytes);
	struct lugate_schema *schemas = make_schemas(cfg.schemas);
	struct result res[MAX_SIZES];

	bench_fill(image, cfg.image_bytes, 0x696d616765u);
	for (size_t i = 0; i < cfg.size_count; i++) {
		struct fixture f;
		make_fixture(&f, cfg.sizes[i], schemas, cfg.schemas, cfg.clustered, image, cfg.image_bytes);
		if (cfg.dump_dir && f.n == cfg.dump_devices)
			dump_fixture(&cfg, &f);
		measure(&cfg, &f, &res[i]);
		free_fixture(&f);
	}
	const double ghz = clock_ghz_estimate();
	print_results(&cfg, res, cfg.size_count, ghz);
	if (cfg.json_path)
		write_json(&cfg, res, cfg.size_count, ghz);
	free(schemas);
	free(image);
	return 0;
}
