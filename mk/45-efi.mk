# efi/: lugate.efi, the GNU-EFI front end (docs/test-rig.md, "lugate.efi on a test rig").
#   build/lugate.efi   PE32+ EFI application (x86-64), from Debian's gnu-efi 3.0.x: its crt0
#                      (self-relocating, calls efi_main with the SysV ABI), linker script,
#                      libefi.a/libgnuefi.a and headers; objcopy turns the ELF .so into PE32+.
# The core and libfdt are compiled again with the EFI flags (variant "efi": -fpic instead of
# -fpie, -fshort-wchar for CHAR16 literals, -maccumulate-outgoing-args for the ms_abi calls into
# firmware), and so is the boot room the app shares with the bare-metal loader (boot/,
# mk/35-boot.mk; one rule, one place): bzImage header, target inspection, the gate's decision
# and delivery record, the zero page and setup_data, the log. Nothing of loader/ is compiled
# in. The small libc comes without memcpy/memset (liblugate-libc-nomem.a): gnu-efi's libefi.a
# defines them.
GNU_EFI_INC   ?= /usr/include/efi
GNU_EFI_LIB   ?= /usr/lib
GNU_EFI_CRT0  ?= $(GNU_EFI_LIB)/crt0-efi-x86_64.o
GNU_EFI_LDS   ?= $(GNU_EFI_LIB)/elf_x86_64_efi.lds

EFI_CORE_CFLAGS := $(filter-out -fpie -fno-plt,$(FREESTANDING_BASE_CFLAGS)) -fpic -fshort-wchar \
	-maccumulate-outgoing-args
EFI_CFLAGS := $(EFI_CORE_CFLAGS) -Iefi -isystem $(GNU_EFI_INC) -isystem $(GNU_EFI_INC)/x86_64 \
	-isystem $(GNU_EFI_INC)/protocol -DGNU_EFI_USE_MS_ABI

$(eval $(call lugate_core_variant,efi,$(EFI_CORE_CFLAGS)))

# efi/x86_*.c and efi/aa64_*.c are the per-architecture halves (efi/linux_boot.h); the rest is
# shared with the aarch64 build (mk/46-efi-aa64.mk).
EFI_COMMON_SRCS := $(filter-out efi/x86_% efi/aa64_%,$(sort $(wildcard efi/*.c)))
EFI_SRCS        := $(EFI_COMMON_SRCS) $(sort $(wildcard efi/x86_*.c))
EFI_OBJDIR      := $(BUILD)/efi/obj
EFI_OBJS        := $(patsubst %.c,$(EFI_OBJDIR)/%.o,$(EFI_SRCS) $(BOOT_SRCS))
EFI_SO          := $(BUILD)/efi/lugate.so
EFI_APP         := $(BUILD)/lugate.efi

$(EFI_OBJDIR)/%.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -MMD -MP -c $< -o $@

# Link order: our objects, the core, the libc without memcpy/memset, then gnu-efi (which
# supplies those two). -Bsymbolic keeps every relocation R_X86_64_RELATIVE, the only kind
# crt0's self-relocation (and the PE .reloc stub) handles.
$(EFI_SO): $(EFI_OBJS) $(efi_CORE_LIB) $(efi_LIBC_NOMEM) $(GNU_EFI_CRT0) $(GNU_EFI_LDS)
	ld -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -T $(GNU_EFI_LDS) -o $@ \
		$(GNU_EFI_CRT0) $(EFI_OBJS) $(efi_CORE_LIB) $(efi_LIBC_NOMEM) \
		-L$(GNU_EFI_LIB) -lefi -lgnuefi

$(EFI_APP): $(EFI_SO)
	objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .rel.* -j .rela.* \
		-j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

.PHONY: efi
efi: $(EFI_APP)

ALL_TARGETS += $(EFI_APP)
CHECK_DEPS  += $(EFI_APP)
-include $(EFI_OBJS:.o=.d)

EFI_LINT_FLAGS := -std=c11,-Iinclude,-Iefi,-Ihandoff/freestanding,-I$(LIBFDT_SRC_DIR),-ffreestanding,-fshort-wchar,-isystem,$(GNU_EFI_INC),-isystem,$(GNU_EFI_INC)/x86_64,-isystem,$(GNU_EFI_INC)/protocol,-DGNU_EFI_USE_MS_ABI
LINT_UNITS += efi|$(EFI_LINT_FLAGS)

# tests/unit/test_efi_config: the app's configuration parser on the host (the very source the
# app links), under AddressSanitizer/UBSan, with the other cmocka unit tests.
$(BUILD)/tests/unit/test_efi_config: tests/unit/test_efi_config.c efi/config.c efi/config.h $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Iefi \
		-D_DEFAULT_SOURCE -Wno-missing-prototypes -o $@ tests/unit/test_efi_config.c efi/config.c \
		$(UNIT_LIBS)
