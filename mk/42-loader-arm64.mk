# build/loader.arm64: the loader as an arm64 Linux Image (docs/loader.md, "The arm64 loader"),
# cross-built with Debian's gcc-aarch64-linux-gnu (scripts/deps.sh, set arm64). The core and
# libfdt are compiled for it as the "arm64" freestanding variant (mk/20-freestanding.mk), the
# boot room (boot/, mk/35-boot.mk) and loader-arm64/ with the same flags. A static PIE linked at
# 0 (loader-arm64/image.lds): its entry applies the R_AARCH64_RELATIVE relocations, so the Image
# runs at whatever 2 MiB boundary QEMU or kexec_file puts it. -mstrict-align because the loader
# runs with the MMU off, where every access is a Device access and an unaligned one faults;
# -mgeneral-regs-only because nothing has enabled the FP/SIMD unit for it.
# Without the cross compiler, `make` builds everything else and `deps.sh --check arm64` names
# what is missing.
ARM64_CC   := aarch64-linux-gnu-gcc
ARM64_AR   := aarch64-linux-gnu-ar
ARM64_HAVE := $(shell command -v $(ARM64_CC) >/dev/null 2>&1 && echo yes)
LOADER_ARM64 := $(BUILD)/loader.arm64
LOADER_ARM64_SRCS := $(sort $(wildcard loader-arm64/*.c)) loader-arm64/head.S $(BOOT_SRCS)
# the DTB reading, the placements and the handed-over DTB are portable: the host unit test runs them
LOADER_ARM64_PORTABLE := loader-arm64/dtb_read.c loader-arm64/place.c loader-arm64/dtb_deliver.c loader-arm64/chosen_kho.c

ifeq ($(ARM64_HAVE),yes)
ARM64_CFLAGS := $(CSTD) $(WARN) -O2 -g -ffreestanding -fno-stack-protector -fno-stack-check \
	-fno-stack-clash-protection -fpie -fno-plt -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-mstrict-align -mgeneral-regs-only -mbranch-protection=none -ffunction-sections -fdata-sections \
	-nostdinc -isystem $(shell $(ARM64_CC) -print-file-name=include) -Ihandoff/freestanding -Iinclude \
	-I$(LIBFDT_SRC_DIR)

$(eval $(call lugate_core_variant,arm64,$(ARM64_CFLAGS),$(ARM64_CC),$(ARM64_AR)))

LOADER_ARM64_OBJDIR := $(BUILD)/loader-arm64/obj
LOADER_ARM64_OBJS := $(patsubst %,$(LOADER_ARM64_OBJDIR)/%.o,$(LOADER_ARM64_SRCS))
LOADER_ARM64_ELF  := $(BUILD)/loader-arm64/loader-arm64.elf

$(LOADER_ARM64_OBJDIR)/%.c.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(ARM64_CC) $(ARM64_CFLAGS) -MMD -MP -c $< -o $@

$(LOADER_ARM64_OBJDIR)/%.S.o: %.S
	@mkdir -p $(@D)
	$(ARM64_CC) $(ARM64_CFLAGS) -MMD -MP -c $< -o $@

# Link, then refuse a link that left any relocation but R_AARCH64_RELATIVE (the entry applies
# only those) or any dynamic symbol to resolve.
$(LOADER_ARM64_ELF): $(LOADER_ARM64_OBJS) $(arm64_CORE_LIB) $(arm64_LIBC) loader-arm64/image.lds
	$(ARM64_CC) -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-T,loader-arm64/image.lds \
		-Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
		-Wl,-z,norelro -Wl,--hash-style=sysv -Wl,--no-warn-rwx-segments -o $@.tmp \
		$(LOADER_ARM64_OBJS) $(arm64_CORE_LIB) $(arm64_LIBC) $$($(ARM64_CC) -print-libgcc-file-name)
	$(call static_pie_check,$@.tmp,R_AARCH64_RELATIVE,readelf)
	@mv $@.tmp $@

# The header's image_size (offset 16, little-endian) is __image_end of the link at 0.
$(LOADER_ARM64): $(LOADER_ARM64_ELF)
	aarch64-linux-gnu-objcopy -O binary $< $@.tmp
	@end=$$(aarch64-linux-gnu-nm $< | awk '$$3 == "__image_end" {print $$1}'); \
	printf "$$(printf '%016x' 0x$$end | sed -E 's/(..)(..)(..)(..)(..)(..)(..)(..)/\\x\8\\x\7\\x\6\\x\5\\x\4\\x\3\\x\2\\x\1/')" | \
		dd of=$@.tmp bs=1 seek=16 conv=notrunc status=none
	@test "$$(od -An -tx1 -j56 -N4 $@.tmp | tr -d ' ')" = 41524d64 || { echo "$@: no ARM\\x64 magic" >&2; exit 1; }
	@mv $@.tmp $@

ALL_TARGETS += $(LOADER_ARM64)
CHECK_DEPS  += $(LOADER_ARM64)
-include $(LOADER_ARM64_OBJS:.o=.d)
else
.PHONY: loader-arm64-missing
loader-arm64-missing:
	@scripts/deps.sh --check arm64 || true
	@echo "make: $(LOADER_ARM64) not built: no $(ARM64_CC) on PATH" >&2
ALL_TARGETS += loader-arm64-missing
endif

.PHONY: loader-arm64
loader-arm64: $(LOADER_ARM64)

LINT_UNITS += loader-arm64|-std=c11,-Iinclude,-Ihandoff/freestanding,-I$(LIBFDT_SRC_DIR),-ffreestanding

# tests/unit/test_loader_arm64: the portable parts on the host, the very sources the Image links,
# with Debian's libfdt, under AddressSanitizer/UBSan. Replaces mk/50-unit.mk's pattern rule.
$(BUILD)/tests/unit/test_loader_arm64: tests/unit/test_loader_arm64.c $(LOADER_ARM64_PORTABLE) \
		$(wildcard loader-arm64/*.h) $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude \
		-D_DEFAULT_SOURCE -Wno-missing-prototypes -o $@ tests/unit/test_loader_arm64.c \
		$(LOADER_ARM64_PORTABLE) $(LIBLUGATE) -lfdt -lcmocka
