# KHO/LUO end to end (docs/live-update.md): what the KHO suites boot and run.
# build/e2e/luo-memfd: the static guest helper that preserves a memfd through /dev/liveupdate
# before a kexec and verifies it after (tests/e2e/luo/luo-memfd.c).
# `make kho-kernel` builds (once, cached in build/kho-kernel/) the KHO+LUO test kernel from Debian's
# linux-source-7.3; the e2e suites call scripts/kho-kernel.sh themselves, so `make check` does not
# depend on it here (a kernel that cannot be built must show up as a failing test, not a make error).
LUO_MEMFD := $(BUILD)/e2e/luo-memfd

$(LUO_MEMFD): tests/e2e/luo/luo-memfd.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -static -MMD -MP $< -o $@

.PHONY: kho-kernel kho-family
kho-kernel:
	@scripts/kho-kernel.sh

# `make kho-kernel-arm64`: the same kernel cross-built for arm64 (QEMU virt), cached in
# build/kho-kernel-arm64/. `make check-arm64-kho` boots it: loader.arm64 in its kexec_file path
# with upstream's live-update selftests on both sides (tests/e2e-arm64/kho-arm64.sh). It is not
# part of `make check`, whose 45 minutes cannot hold the arm64 kernel's build (about 9 minutes).
.PHONY: kho-kernel-arm64 check-arm64-kho
kho-kernel-arm64:
	@KHO_ARCH=arm64 scripts/kho-kernel.sh

check-arm64-kho:
	@scripts/deps.sh all
	@$(MAKE) --no-print-directory $(BUILD)/lugate $(BUILD)/loader.arm64
	@tests/e2e-arm64/kho-arm64.sh

# `make kho-family`: the base kernel and its variants, each bumping one ABI string or the release
# (scripts/kho-family.sh, cached in build/kho-kernel/family/); tests/e2e/suite-skew.sh calls it.
kho-family:
	@scripts/kho-family.sh

ALL_TARGETS += $(LUO_MEMFD)
CHECK_DEPS  += $(LUO_MEMFD)
CLEAN_FILES += $(LUO_MEMFD)
-include $(LUO_MEMFD).d
LINT_UNITS  += tests/e2e/luo|-std=c11
