# Robustness (docs/fuzzing.md): libFuzzer harnesses and an ASan+UBSan second build.
#
#   build/fuzz/bin/fuzz_NAME   one libFuzzer harness per parser (tests/fuzz/fuzz_NAME.c), linked
#                              with the core, libfdt (from build/libfdt-src, so it is instrumented
#                              too) and, where a harness needs them, the CLI's sources, all
#                              compiled by clang with -fsanitize=fuzzer-no-link,address,undefined
#   make fuzz                  runs every harness FUZZ_SECONDS (default 60) on its corpus
#                              (tests/fuzz/corpus/NAME) and regressions (tests/fuzz/regressions/NAME);
#                              FUZZ_JOBS harnesses at a time (default 1), FUZZ_ONLY="table policy"
#                              narrows it, FUZZ_RUNS=N stops each after N executions (FUZZ_SECONDS
#                              is then the cap); a crash's reproducer lands in tests/fuzz/regressions/NAME/
#   make fuzz-merge            folds what the last `make fuzz` found into the kept corpora,
#                              minimized (libFuzzer -merge=1), small inputs only
#   build/asan/                the core, the unit tests and the CLI built again with
#                              -fsanitize=address,undefined (a recursive make with BUILD=build/asan);
#                              tests/sanitize/suite-sanitize.sh runs the unit, CLI and vector suites
#                              against it
# `make check` builds both and runs tests/fuzz/suite-fuzz.sh (each harness a few seconds, over
# the kept corpus and every regression input), tests/sanitize/ and tests/failclosed/.

FUZZ_CC       ?= clang
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BASE     := $(CSTD) -g -O1 -D_DEFAULT_SOURCE -Iinclude -I$(LIBFDT_SRC_DIR) $(FUZZ_SAN)
FUZZ_OBJ_CFLAGS := $(FUZZ_BASE) $(WARN) -fsanitize=fuzzer-no-link
FUZZ_LIBS     := -ljson-c -lz -llzma -lzstd -llz4 -lbz2

FUZZ_CORE_OBJS  := $(CORE_SRCS:%.c=$(FUZZ_DIR)/obj/%.o) $(LIBFDT_FILES:%.c=$(FUZZ_DIR)/obj/libfdt/%.o)
FUZZ_TOOLS_OBJS := $(filter-out $(FUZZ_DIR)/obj/tools/main.o,$(TOOLS_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)) \
		   $(FUZZ_DIR)/obj/efi/config.o
FUZZ_CORE_LIB   := $(FUZZ_DIR)/liblugate-core.a
FUZZ_TOOLS_LIB  := $(FUZZ_DIR)/liblugate-tools.a

# One harness per source, plus one per image parser from fuzz_image_parser.c.
FUZZ_IMAGE_PARSERS := bzimage pe elf arm64 zboot
FUZZ_NAMES := $(filter-out image_parser,$(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))) \
	      $(FUZZ_IMAGE_PARSERS:%=image_%) image_trailer
FUZZ_BINS  := $(FUZZ_NAMES:%=$(FUZZ_DIR)/bin/fuzz_%)
FUZZ_HEADERS := $(wildcard tests/fuzz/*.h)

$(FUZZ_DIR)/obj/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -MMD -MP -c $< -o $@

# libfdt is third-party code: its own warning level, but the same instrumentation.
$(FUZZ_DIR)/obj/libfdt/%.o: $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_BASE) -w -fsanitize=fuzzer-no-link -c $(LIBFDT_SRC_DIR)/$*.c -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_TOOLS_LIB): $(FUZZ_TOOLS_OBJS)
	@rm -f $@
	ar rcs $@ $^

FUZZ_LINK = $(FUZZ_CC) $(FUZZ_BASE) $(WARN) -fsanitize=fuzzer -MMD -MP

$(FUZZ_DIR)/bin/fuzz_image_trailer: tests/fuzz/fuzz_image_parser.c $(FUZZ_HEADERS) $(FUZZ_TOOLS_LIB) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_LINK) -DFUZZ_TRAILER -o $@ $< $(FUZZ_TOOLS_LIB) $(FUZZ_CORE_LIB) $(FUZZ_LIBS)

$(FUZZ_IMAGE_PARSERS:%=$(FUZZ_DIR)/bin/fuzz_image_%): $(FUZZ_DIR)/bin/fuzz_image_%: tests/fuzz/fuzz_image_parser.c \
		$(FUZZ_HEADERS) $(FUZZ_TOOLS_LIB) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_LINK) -DFUZZ_PARSER=image_parse_$* -o $@ $< $(FUZZ_TOOLS_LIB) $(FUZZ_CORE_LIB) $(FUZZ_LIBS)

$(FUZZ_DIR)/bin/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HEADERS) $(FUZZ_TOOLS_LIB) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_LINK) -o $@ $< $(FUZZ_TOOLS_LIB) $(FUZZ_CORE_LIB) $(FUZZ_LIBS)

-include $(filter-out $(FUZZ_DIR)/obj/libfdt/%,$(FUZZ_CORE_OBJS:.o=.d)) $(FUZZ_TOOLS_OBJS:.o=.d) $(FUZZ_BINS:=.d)

# The arm64 loader's reading of its entry DTB: loader-arm64/dtb_read.c is portable C, compiled
# for the host as the unit test does.
$(FUZZ_DIR)/bin/fuzz_arm64_dtb: tests/fuzz/fuzz_arm64_dtb.c $(FUZZ_HEADERS) $(FUZZ_DIR)/obj/loader-arm64/dtb_read.o \
		$(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_LINK) -o $@ $< $(filter %.o,$^) $(FUZZ_CORE_LIB)

# The loader entries' harnesses: fuzz_boot_params (the bzImage64 entry) and fuzz_multiboot
# (the Multiboot entry), each with the loader files it needs, compiled for the host with the
# physical-memory sandbox of loader/entry/phys.h, so every address an entry follows lands in
# memory the harness controls.
FUZZ_SANDBOX_COMMON := loader/info.c loader/options.c boot/log.c boot/luo_outgoing.c boot/zeropage.c
FUZZ_SANDBOX_SRCS   := loader/entry/bzimage64.c loader/entry/multiboot.c $(FUZZ_SANDBOX_COMMON)
FUZZ_SANDBOX_OBJS   := $(FUZZ_SANDBOX_SRCS:%.c=$(FUZZ_DIR)/obj/sandbox/%.o)
FUZZ_SANDBOX_COMMON_OBJS := $(FUZZ_SANDBOX_COMMON:%.c=$(FUZZ_DIR)/obj/sandbox/%.o)
$(FUZZ_DIR)/obj/sandbox/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -DLUGATE_PHYS_SANDBOX -MMD -MP -c $< -o $@
$(FUZZ_DIR)/bin/fuzz_boot_params: tests/fuzz/fuzz_boot_params.c $(FUZZ_HEADERS) $(FUZZ_DIR)/obj/sandbox/loader/entry/bzimage64.o \
		$(FUZZ_SANDBOX_COMMON_OBJS) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_LINK) -DLUGATE_PHYS_SANDBOX -o $@ $< $(filter %.o,$^) $(FUZZ_CORE_LIB)
$(FUZZ_DIR)/bin/fuzz_multiboot: tests/fuzz/fuzz_multiboot.c $(FUZZ_HEADERS) $(FUZZ_DIR)/obj/sandbox/loader/entry/multiboot.o \
		$(FUZZ_SANDBOX_COMMON_OBJS) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_LINK) -DLUGATE_PHYS_SANDBOX -o $@ $< $(filter %.o,$^) $(FUZZ_CORE_LIB)
-include $(FUZZ_SANDBOX_OBJS:.o=.d)

# MemorySanitizer builds of the harnesses that need nothing but the core (MSan wants every
# line instrumented, and Debian's json-c and compression libraries are not): uninitialized
# reads, which ASan does not see. make check replays their corpora and regressions.
FUZZ_MSAN_NAMES := table manifest delivery release policy image $(FUZZ_IMAGE_PARSERS:%=image_%) image_trailer \
		   bundle efi_config boot_params kho luo
FUZZ_MSAN_BASE  := $(CSTD) -g -O1 -D_DEFAULT_SOURCE -Iinclude -I$(LIBFDT_SRC_DIR) -fsanitize=memory \
		   -fsanitize-memory-track-origins -fno-omit-frame-pointer
FUZZ_MSAN_OBJS  := $(CORE_SRCS:%.c=$(FUZZ_DIR)/msan/obj/%.o) $(LIBFDT_FILES:%.c=$(FUZZ_DIR)/msan/obj/libfdt/%.o) \
		   $(FUZZ_DIR)/msan/obj/efi/config.o
FUZZ_MSAN_LIB   := $(FUZZ_DIR)/msan/liblugate-core.a
FUZZ_MSAN_BINS  := $(FUZZ_MSAN_NAMES:%=$(FUZZ_DIR)/msan/fuzz_%)

$(FUZZ_DIR)/msan/obj/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_MSAN_BASE) $(WARN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_DIR)/msan/obj/libfdt/%.o: $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_MSAN_BASE) -w -fsanitize=fuzzer-no-link -c $(LIBFDT_SRC_DIR)/$*.c -o $@
$(FUZZ_MSAN_LIB): $(FUZZ_MSAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

FUZZ_MSAN_LINK = $(FUZZ_CC) $(FUZZ_MSAN_BASE) $(WARN) -fsanitize=fuzzer -MMD -MP
$(FUZZ_DIR)/msan/fuzz_image_trailer: tests/fuzz/fuzz_image_parser.c $(FUZZ_HEADERS) $(FUZZ_MSAN_LIB)
	$(FUZZ_MSAN_LINK) -DFUZZ_TRAILER -o $@ $< $(FUZZ_MSAN_LIB)
$(FUZZ_IMAGE_PARSERS:%=$(FUZZ_DIR)/msan/fuzz_image_%): $(FUZZ_DIR)/msan/fuzz_image_%: tests/fuzz/fuzz_image_parser.c \
		$(FUZZ_HEADERS) $(FUZZ_MSAN_LIB)
	$(FUZZ_MSAN_LINK) -DFUZZ_PARSER=image_parse_$* -o $@ $< $(FUZZ_MSAN_LIB)
$(FUZZ_DIR)/msan/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HEADERS) $(FUZZ_MSAN_LIB)
	$(FUZZ_MSAN_LINK) -o $@ $< $(FUZZ_MSAN_LIB)
FUZZ_MSAN_SANDBOX_OBJS := $(FUZZ_SANDBOX_SRCS:%.c=$(FUZZ_DIR)/msan/obj/sandbox/%.o)
$(FUZZ_DIR)/msan/obj/sandbox/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_MSAN_BASE) $(WARN) -fsanitize=fuzzer-no-link -DLUGATE_PHYS_SANDBOX -MMD -MP -c $< -o $@
$(FUZZ_DIR)/msan/fuzz_boot_params: tests/fuzz/fuzz_boot_params.c $(FUZZ_HEADERS) $(FUZZ_DIR)/msan/obj/sandbox/loader/entry/bzimage64.o \
		$(FUZZ_SANDBOX_COMMON:%.c=$(FUZZ_DIR)/msan/obj/sandbox/%.o) $(FUZZ_MSAN_LIB)
	$(FUZZ_MSAN_LINK) -DLUGATE_PHYS_SANDBOX -o $@ $< $(filter %.o,$^) $(FUZZ_MSAN_LIB)
-include $(FUZZ_MSAN_SANDBOX_OBJS:.o=.d)

-include $(filter-out $(FUZZ_DIR)/msan/obj/libfdt/%,$(FUZZ_MSAN_OBJS:.o=.d)) $(FUZZ_MSAN_BINS:=.d)
CHECK_DEPS += $(FUZZ_MSAN_BINS)

FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_ONLY    ?=
FUZZ_RUNS    ?=
.PHONY: fuzz fuzz-build fuzz-merge
fuzz-build: $(FUZZ_BINS) $(FUZZ_MSAN_BINS)
fuzz:
	@scripts/deps.sh --check test
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=$(BUILD) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/fuzz.sh long $(FUZZ_SECONDS) $(FUZZ_ONLY)
fuzz-merge:
	@BUILD=$(BUILD) tests/fuzz/fuzz.sh merge $(FUZZ_ONLY)

CHECK_DEPS += $(FUZZ_BINS)

# ---- ASan+UBSan second build of the core, the unit tests and the CLI ---------------------
ASAN_BUILD := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_TARGETS := $(ASAN_BUILD)/lugate $(UNIT_BINS:$(BUILD)/%=$(ASAN_BUILD)/%)
.PHONY: asan
asan:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) EXTRA_CFLAGS='$(ASAN_FLAGS)' \
		EXTRA_LDFLAGS='$(ASAN_FLAGS)' $(ASAN_TARGETS)

CHECK_DEPS += asan

# ---- fail-closed property tests (tests/failclosed/) ----------------------------------------
FAILCLOSED_BIN := $(BUILD)/tests/failclosed/failclosed
$(FAILCLOSED_BIN): tests/failclosed/failclosed.c $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP $< -o $@ $(LIBLUGATE) $(HOST_LIBS) $(HOST_LDFLAGS)

CHECK_DEPS += $(FAILCLOSED_BIN)
-include $(FAILCLOSED_BIN).d

LINT_UNITS += tests/fuzz|-std=c11,-Iinclude,-D_DEFAULT_SOURCE
LINT_UNITS += tests/failclosed|-std=c11,-Iinclude,-D_DEFAULT_SOURCE
