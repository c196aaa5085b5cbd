# bench/: `make bench` builds the bench programs, runs bench/run-benches.sh, prints a table and writes
# bench/out/results.json (git-ignored). Never part of `make check`; the bench suite
# (tests/bench/) only runs each program once on tiny inputs and checks what it reports.
# OpenSSL (libssl-dev, in the build set) is the reference SHA-256; libfdt the naive reader.
BENCH_SRCS := $(sort $(wildcard bench/bench_*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
BENCH_LIBS := $(LIBLUGATE) $(HOST_LIBS) -lcrypto

$(BUILD)/bench/%: bench/%.c bench/bench.h $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP $< -o $@ $(BENCH_LIBS) $(HOST_LDFLAGS)

bench:
	@scripts/deps.sh --check build
	@$(MAKE) --no-print-directory $(BENCH_BINS) $(LUGATE_BIN)
	@BUILD=$(BUILD) bench/run-benches.sh

ALL_TARGETS += $(BENCH_BINS)
CHECK_DEPS  += $(BENCH_BINS)
LINT_UNITS  += bench|-std=c11,-Iinclude,-D_DEFAULT_SOURCE
-include $(BENCH_BINS:=.d)
