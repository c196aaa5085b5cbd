# loader/: the bare-metal loader (docs/loader.md).
#   build/loader.elf   multiboot v1 + v2 image: an ELF32 (EM_386) container holding x86-64 code,
#                      because QEMU's -kernel refuses EM_X86_64 multiboot images and kexec-tools'
#                      multiboot probes accept only EM_386; the entry switches to long mode itself.
#   build/loader/loader64.elf  the same link as ELF64 with debug info (for gdb and objdump).
# The C code and the core are compiled position-independent (the freestanding flags), so the
# bzImage64 entry (docs/loader.md, "The bzImage64 entry") can reuse the same objects; only loader/entry/multiboot.S is
# tied to the 1 MiB link address. The loader's own files and the boot room it shares with
# lugate.efi (boot/, mk/35-boot.mk) are compiled alike; each names the other's headers by path
# ("../boot/gate.h"), so no include directory of either room is needed.
LOADER_ENTRY_MB_SRCS := loader/entry/multiboot.c loader/entry/multiboot.S
LOADER_COMMON_SRCS   := $(sort $(wildcard loader/*.c)) $(BOOT_SRCS) loader/cpu.S
LOADER_CFLAGS        := $(FREESTANDING_BASE_CFLAGS) -ffunction-sections -fdata-sections

$(eval $(call lugate_core_variant,loader,$(LOADER_CFLAGS)))

LOADER_OBJDIR := $(BUILD)/loader/obj
LOADER_MB_OBJS := $(patsubst %,$(LOADER_OBJDIR)/%.o,$(LOADER_COMMON_SRCS) $(LOADER_ENTRY_MB_SRCS))
LOADER_ELF64  := $(BUILD)/loader/loader64.elf
LOADER_ELF    := $(BUILD)/loader.elf

$(LOADER_OBJDIR)/%.c.o: %.c | $(LIBFDT_STAMP)
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -MMD -MP -c $< -o $@

$(LOADER_OBJDIR)/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -MMD -MP -c $< -o $@

$(LOADER_ELF64): $(LOADER_MB_OBJS) $(loader_CORE_LIB) $(loader_LIBC) loader/loader.lds
	$(CC) -nostdlib -static -no-pie -Wl,-T,loader/loader.lds -Wl,--gc-sections -Wl,--build-id=none \
		-Wl,-z,noexecstack -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments -o $@ $(LOADER_MB_OBJS) $(loader_CORE_LIB) $(loader_LIBC)

$(LOADER_ELF): $(LOADER_ELF64)
	objcopy -O elf32-i386 --strip-debug $< $@

.PHONY: loader
loader: $(LOADER_ELF)

ALL_TARGETS += $(LOADER_ELF)
CHECK_DEPS  += $(LOADER_ELF)
-include $(LOADER_MB_OBJS:.o=.d)

# Test-only table maker for the loader's e2e suite (host build, linked with the host core).
LOADER_MKTABLE := $(BUILD)/tests/loader-mktable
$(LOADER_MKTABLE): tests/e2e/loader/mktable.c $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP $< -o $@ $(LIBLUGATE) $(HOST_LIBS) $(HOST_LDFLAGS)

CHECK_DEPS += $(LOADER_MKTABLE)
-include $(LOADER_MKTABLE).d

LOADER_LINT_FLAGS := -std=c11,-Iinclude,-Iloader,-Ihandoff/freestanding,-I$(LIBFDT_SRC_DIR),-ffreestanding
LINT_UNITS += loader|$(LOADER_LINT_FLAGS) loader/entry|$(LOADER_LINT_FLAGS)
LINT_UNITS += tests/e2e/loader|-std=c11,-Iinclude,-D_DEFAULT_SOURCE

# tests/unit/test_loader: the loader's pure parts on the host (e820, allocator, options, ACPI,
# reset, the gate), the very sources the loader links, under AddressSanitizer/UBSan; the bzImage
# header is the core's parse, from the host core. This explicit rule replaces mk/50-unit.mk's
# pattern rule for this one program, which links a single source with the host core.
LOADER_UNIT_SRCS := loader/e820.c loader/memory.c loader/options.c boot/gate.c loader/acpi.c loader/reset.c
$(BUILD)/tests/unit/test_loader: tests/unit/test_loader.c $(LOADER_UNIT_SRCS) $(wildcard loader/*.h) $(BOOT_HDRS) $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude \
		-D_DEFAULT_SOURCE -Wno-missing-prototypes -o $@ tests/unit/test_loader.c $(LOADER_UNIT_SRCS) \
		$(UNIT_LIBS)
