# lugate — top-level Makefile.
# Each room (handoff/, tools/, loader/, efi/, tests/, bench/) has its own fragment in mk/*.mk;
# fragments add to ALL_TARGETS (what `make` builds) and CHECK_DEPS (what `make check` needs).
# `make` builds everything into build/; `make check` runs every suite and ends with
# "N passed, N failed"; `make demo` runs the main job on examples/.

SHELL      := /bin/bash
BUILD      ?= build
CC         ?= cc
PREFIX     ?= /usr/local
DESTDIR    ?=
CSTD       := -std=c11
WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
OPT        ?= -O2 -g
# Host flags: the CLI, unit tests and benches.
HOST_CFLAGS := $(CSTD) $(WARN) $(OPT) -Iinclude -D_DEFAULT_SOURCE $(EXTRA_CFLAGS)
HOST_LDFLAGS := $(EXTRA_LDFLAGS)

ALL_TARGETS :=
CHECK_DEPS  :=
CLEAN_FILES :=

.PHONY: all check demo deps deps-test clean install freestanding lint fuzz bench
all: deps-build-stamp

# Dependency installation (idempotent; Debian packages only). Only `make deps`, `make demo` and
# `make check` install; every other target checks and names what is missing.
deps:
	@scripts/deps.sh all
.PHONY: deps-build-stamp
deps-build-stamp:
	@scripts/deps.sh --check build

include $(sort $(wildcard mk/*.mk))

all: $(ALL_TARGETS)

check:
	@scripts/deps.sh all
	@$(MAKE) --no-print-directory all $(CHECK_DEPS)
	@tests/run.sh

demo:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory $(BUILD)/lugate
	@examples/demo.sh $(BUILD)/lugate

clean:
	rm -rf $(BUILD)

$(BUILD)/.dir:
	@mkdir -p $(BUILD) && touch $@
