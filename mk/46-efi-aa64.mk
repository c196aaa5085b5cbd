# build/lugate-aa64.efi: lugate.efi for aarch64 (docs/loader.md, "lugate.efi on aarch64"), the
# same app as build/lugate.efi (efi/, mk/45-efi.mk) with its aarch64 half (efi/aa64_*.c:
# LoadImage/StartImage of the arm64 Image's EFI stub) in place of the x86 one, cross-built with
# Debian's gcc-aarch64-linux-gnu against GNU-EFI for aarch64 (Debian 12's gnu-efi:arm64,
# fetched by scripts/gnu-efi-arm64.sh into build/gnu-efi-arm64/ through a private apt
# configuration). Built by `make` only when both are there: plain `make` never downloads.
# GNU-EFI's aarch64 facts: its crt0 carries a hand-made PE header (.text.head) and calls
# _relocate and efi_main; the link is a -shared -Bsymbolic object at 0 with its linker script,
# and objcopy -O binary of the sections the header describes is the PE file, padded with zeros
# to _edata (the header's last section ends there, at a 512-byte boundary the flat copy lacks).
# EFI_SUBSYSTEM (10: an EFI application) fills the header's subsystem field.
GNU_EFI_AA64     ?= $(BUILD)/gnu-efi-arm64/usr
GNU_EFI_AA64_LIB := $(GNU_EFI_AA64)/lib
GNU_EFI_AA64_INC := $(GNU_EFI_AA64)/include/efi
EFI_AA64_APP     := $(BUILD)/lugate-aa64.efi
EFI_AA64_HAVE    := $(shell [ "$(ARM64_HAVE)" = yes ] && [ -s $(GNU_EFI_AA64_LIB)/crt0-efi-aarch64.o ] && echo yes)

ifeq ($(EFI_AA64_HAVE),yes)
# The arm64 variant's flags (mk/42-loader-arm64.mk) with the EFI ABI's: position independent
# for crt0's self-relocation, and 16-bit wchar_t for CHAR16 literals; no per-symbol sections,
# because GNU-EFI's linker script gathers .bss and .sbss only (a .bss.NAME would fall outside
# the image).
EFI_AA64_CORE_CFLAGS := $(filter-out -fpie -fno-plt -ffunction-sections -fdata-sections,$(ARM64_CFLAGS)) \
	-fpic -fshort-wchar
EFI_AA64_CFLAGS := $(EFI_AA64_CORE_CFLAGS) -Iefi -isystem $(GNU_EFI_AA64_INC) \
	-isystem $(GNU_EFI_AA64_INC)/aarch64 -isystem $(GNU_EFI_AA64_INC)/protocol

$(eval $(call lugate_core_variant,efiaa64,$(EFI_AA64_CORE_CFLAGS),$(ARM64_CC),$(ARM64_AR)))

EFI_AA64_SRCS   := $(EFI_COMMON_SRCS) $(sort $(wildcard efi/aa64_*.c)) $(BOOT_SRCS)
EFI_AA64_OBJDIR := $(BUILD)/efi-aa64/obj
EFI_AA64_OBJS   := $(patsubst %.c,$(EFI_AA64_OBJDIR)/%.o,$(EFI_AA64_SRCS))
EFI_AA64_SO     := $(BUILD)/efi-aa64/lugate.so

$(EFI_AA64_OBJDIR)/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(ARM64_CC) $(EFI_AA64_CFLAGS) -MMD -MP -c $< -o $@

# Link order as for x86: our objects, the core, the libc without memcpy/memset (libefi.a has
# them), gnu-efi. Then refuse any relocation but R_AARCH64_RELATIVE: crt0's _relocate applies
# only those.
$(EFI_AA64_SO): $(EFI_AA64_OBJS) $(efiaa64_CORE_LIB) $(efiaa64_LIBC_NOMEM)
	aarch64-linux-gnu-ld -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
		--defsym=EFI_SUBSYSTEM=0xa --no-warn-rwx-segments -T $(GNU_EFI_AA64_LIB)/elf_aarch64_efi.lds -o $@.tmp \
		$(GNU_EFI_AA64_LIB)/crt0-efi-aarch64.o $(EFI_AA64_OBJS) $(efiaa64_CORE_LIB) $(efiaa64_LIBC_NOMEM) \
		-L$(GNU_EFI_AA64_LIB) -lefi -lgnuefi $$($(ARM64_CC) -print-libgcc-file-name)
	@if aarch64-linux-gnu-readelf -rW $@.tmp | awk '/^ *[0-9a-f]+ +[0-9a-f]+ +R_/ && $$3 != "R_AARCH64_RELATIVE"' | grep -q .; then \
		echo "$@: relocations other than R_AARCH64_RELATIVE" >&2; aarch64-linux-gnu-readelf -rW $@.tmp >&2; exit 1; fi
	@mv $@.tmp $@

$(EFI_AA64_APP): $(EFI_AA64_SO)
	aarch64-linux-gnu-objcopy -j .text -j .sdata -j .data -j .dynamic -j .rodata -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc -O binary $< $@.tmp
	@test "$$(head -c 2 $@.tmp)" = MZ || { echo "$@: no MZ header" >&2; exit 1; }
	@truncate -s $$((0x$$(aarch64-linux-gnu-nm $< | awk '$$3 == "_edata" {print $$1}'))) $@.tmp
	@mv $@.tmp $@

ALL_TARGETS += $(EFI_AA64_APP)
-include $(EFI_AA64_OBJS:.o=.d)
else
.PHONY: efi-aa64-missing
efi-aa64-missing:
	@echo "make: $(EFI_AA64_APP) not built: it needs $(ARM64_CC) (scripts/deps.sh arm64) and GNU-EFI for aarch64 (scripts/gnu-efi-arm64.sh)" >&2
ALL_TARGETS += efi-aa64-missing
endif

.PHONY: efi-aa64
efi-aa64: $(EFI_AA64_APP)
