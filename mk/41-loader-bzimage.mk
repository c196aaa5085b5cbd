# build/loader.bzImage: the loader as a bzImage64 for kexec_file (`kexec -s`), docs/loader.md,
# "The bzImage64 entry". The same loader objects as build/loader.elf (position-independent)
# plus loader/entry/bzimage64.{S,c}, linked at 0 as a static PIE (loader/entry/bzimage64.lds);
# the entry applies the R_X86_64_RELATIVE relocations itself. The file is
#   [setup sectors: loader/entry/bzimage64-header.S, setup_sects = 1] [protected-mode part]
# with syssize and init_size (.bss, stack and page tables included) taken from the link.
LOADER_ENTRY_BZ_SRCS := loader/entry/bzimage64.c loader/entry/bzimage64.S
LOADER_BZ_OBJS := $(patsubst %,$(LOADER_OBJDIR)/%.o,$(LOADER_COMMON_SRCS) $(LOADER_ENTRY_BZ_SRCS))
LOADER_BZ_ELF  := $(BUILD)/loader/loader-bz64.elf
LOADER_BZ_PM   := $(BUILD)/loader/loader-bz64.bin
LOADER_BZ_HDR  := $(BUILD)/loader/loader-bz64-header.bin
LOADER_BZIMAGE := $(BUILD)/loader.bzImage

# Link, then refuse a link that left anything but relative relocations (the entry applies
# only those) or any dynamic symbol to resolve.
$(LOADER_BZ_ELF): $(LOADER_BZ_OBJS) $(loader_CORE_LIB) $(loader_LIBC) loader/entry/bzimage64.lds
	$(CC) -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-T,loader/entry/bzimage64.lds -Wl,--gc-sections \
		-Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 -Wl,-z,norelro -Wl,--hash-style=sysv \
		-Wl,--no-warn-rwx-segments -o $@.tmp $(LOADER_BZ_OBJS) $(loader_CORE_LIB) $(loader_LIBC)
	$(call static_pie_check,$@.tmp,R_X86_64_RELATIVE,readelf)
	@mv $@.tmp $@

$(LOADER_BZ_PM): $(LOADER_BZ_ELF)
	objcopy -O binary $< $@

$(LOADER_BZ_HDR): loader/entry/bzimage64-header.S $(LOADER_BZ_PM) $(LOADER_BZ_ELF)
	@end=$$(nm $(LOADER_BZ_ELF) | awk '$$3 == "__image_end" {print $$1}'); \
	$(CC) -c -DPM_SIZE=$$(stat -c %s $(LOADER_BZ_PM)) -DINIT_SIZE=0x$$end $< -o $@.o
	objcopy -O binary -j .bzheader $@.o $@
	@rm -f $@.o

$(LOADER_BZIMAGE): $(LOADER_BZ_HDR) $(LOADER_BZ_PM)
	cat $(LOADER_BZ_HDR) $(LOADER_BZ_PM) > $@.tmp
	@test "$$(stat -c %s $(LOADER_BZ_HDR))" = 1024
	@mv $@.tmp $@

.PHONY: loader-bzimage
loader-bzimage: $(LOADER_BZIMAGE)

ALL_TARGETS += $(LOADER_BZIMAGE)
CHECK_DEPS  += $(LOADER_BZIMAGE)
-include $(LOADER_BZ_OBJS:.o=.d)
