# The `lugate` CLI for an arm64 host (the arm64 guests run it after the jump): the same sources
# as $(BUILD)/lugate, made again by a recursive make with the cross compiler and linked
# statically against the static libraries of Debian's arm64 -dev packages. Those are unpacked
# under build/ by scripts/debian-arm64.sh sysroot (another architecture's packages, never
# installed), so this target fetches on first use and plain `make` does not build it.
LUGATE_ARM64_BUILD := $(BUILD)/arm64-cli
LUGATE_ARM64       := $(LUGATE_ARM64_BUILD)/lugate

.PHONY: lugate-arm64
lugate-arm64:
	@scripts/deps.sh --check arm64
	@sysroot=$$(scripts/debian-arm64.sh sysroot) && \
	$(MAKE) --no-print-directory BUILD=$(LUGATE_ARM64_BUILD) CC=$(ARM64_CC) \
		EXTRA_CFLAGS="-isystem $$sysroot/usr/include" \
		EXTRA_LDFLAGS="-static -L$$sysroot/usr/lib/aarch64-linux-gnu" $(LUGATE_ARM64)
