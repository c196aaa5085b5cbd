# Freestanding builds of the core (handoff/*.c) and of libfdt, for bare-metal front ends.
#
#   $(call lugate_core_variant,VARIANT,CFLAGS)
#       compiles handoff/*.c and libfdt's sources with CFLAGS into
#       $(BUILD)/VARIANT/liblugate-core.a (VARIANT_CORE_LIB), and the small libc the core and
#       libfdt call (handoff/freestanding/*.c, one function per file) into
#       $(BUILD)/VARIANT/liblugate-libc.a (VARIANT_LIBC) and, without memcpy and memset,
#       $(BUILD)/VARIANT/liblugate-libc-nomem.a (VARIANT_LIBC_NOMEM). The libc is deliberately
#       NOT part of the core archive: gnu-efi's libefi.a already defines memcpy and memset, so
#       the EFI app links the -nomem archive next to libefi.a.
#       Variants: "freestanding" (the check below), "loader" (mk/40-loader.mk), later "efi"
#       (e.g. with -fpic -fshort-wchar -maccumulate-outgoing-args added to the base flags).
#   $(call lugate_core_variant,VARIANT,CFLAGS,CC,AR)
#       the same with another compiler and archiver, for a cross build ("arm64",
#       mk/42-loader-arm64.mk); without them, $(CC) and ar.
#
# libfdt's sources are extracted at build time from Debian's linux-source-6.1 package
# (scripts/libfdt-src.sh, cached in $(BUILD)/libfdt-src/); its libfdt_env.h is ours
# (handoff/freestanding/libfdt_env.h). fdt_overlay.c is left out: the core does not apply
# overlays, and it is the only libfdt file that needs strtoul.
# The symbols a core archive may leave undefined are listed in LUGATE_LIBC_SYMBOLS and checked
# by tests/freestanding/suite-freestanding.sh.

GCC_INCLUDE_DIR   := $(shell $(CC) -print-file-name=include)
LIBFDT_SRC_DIR    := $(BUILD)/libfdt-src
LIBFDT_STAMP      := $(LIBFDT_SRC_DIR)/.extracted-from
LIBFDT_FILES      := fdt.c fdt_ro.c fdt_rw.c fdt_sw.c fdt_wip.c fdt_strerror.c fdt_empty_tree.c \
                     fdt_addresses.c
LUGATE_LIBC_SYMBOLS := memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strchr strrchr

# Flags shared by every bare-metal variant: no hosted headers, no stack protector (no TLS
# canary at %fs:0x28 exists there), no red zone (interrupt/exception frames may land below
# %rsp), position-independent code without PLT so the same objects run at the multiboot link
# address and, for the bzImage64 entry, wherever the kernel's kexec_file loader puts them.
FREESTANDING_BASE_CFLAGS := $(CSTD) $(WARN) -O2 -g -ffreestanding -fno-stack-protector \
	-fno-stack-check -fno-stack-clash-protection -fcf-protection=none -mno-red-zone \
	-fpie -fno-plt -fno-asynchronous-unwind-tables -fno-unwind-tables -nostdinc \
	-isystem $(GCC_INCLUDE_DIR) -Ihandoff/freestanding -Iinclude -I$(LIBFDT_SRC_DIR)
# libfdt is third-party code: compile it with its own upstream warning level, not -Werror.
LIBFDT_WARN_RELAX := -Wno-sign-compare -Wno-missing-prototypes -Wno-strict-prototypes -Wno-shadow \
	-Wno-unused-parameter

$(LIBFDT_STAMP): scripts/libfdt-src.sh
	@scripts/libfdt-src.sh $(LIBFDT_SRC_DIR)
	@touch $@

# $(1) = variant name, $(2) = CFLAGS
define lugate_core_variant
$(1)_CORE_OBJS := $$(CORE_SRCS:%.c=$(BUILD)/$(1)/%.o) $$(LIBFDT_FILES:%.c=$(BUILD)/$(1)/libfdt/%.o)
$(1)_CORE_LIB  := $(BUILD)/$(1)/liblugate-core.a
$(1)_CFLAGS    := $(2)
$(1)_CC        := $(if $(3),$(3),$$(CC))
$(1)_AR        := $(if $(4),$(4),ar)

$(BUILD)/$(1)/handoff/%.o: handoff/%.c | $(LIBFDT_STAMP)
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_CFLAGS) -MMD -MP -c $$< -o $$@

$$(filter $(BUILD)/$(1)/libfdt/%.o,$$($(1)_CORE_OBJS)): $(BUILD)/$(1)/libfdt/%.o: $(LIBFDT_STAMP) handoff/freestanding/libfdt_env.h
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_CFLAGS) $(LIBFDT_WARN_RELAX) -MMD -MP -c $(LIBFDT_SRC_DIR)/$$*.c -o $$@

$$($(1)_CORE_LIB): $$($(1)_CORE_OBJS)
	@rm -f $$@
	$$($(1)_AR) rcs $$@ $$^

$(1)_LIBC_OBJS  := $$(LUGATE_LIBC_SRCS:handoff/freestanding/%.c=$(BUILD)/$(1)/libc/%.o)
$(1)_LIBC       := $(BUILD)/$(1)/liblugate-libc.a
$(1)_LIBC_NOMEM := $(BUILD)/$(1)/liblugate-libc-nomem.a

# -fno-tree-loop-distribute-patterns: gcc must not turn memset's own loop into a call to memset.
$(BUILD)/$(1)/libc/%.o: handoff/freestanding/%.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_CFLAGS) -fno-tree-loop-distribute-patterns -MMD -MP -c $$< -o $$@

$$($(1)_LIBC): $$($(1)_LIBC_OBJS)
	@rm -f $$@
	$$($(1)_AR) rcs $$@ $$^

$$($(1)_LIBC_NOMEM): $$(filter-out %/memcpy.o %/memset.o,$$($(1)_LIBC_OBJS))
	@rm -f $$@
	$$($(1)_AR) rcs $$@ $$^

-include $$($(1)_CORE_OBJS:.o=.d) $$($(1)_LIBC_OBJS:.o=.d)
endef

LUGATE_LIBC_SRCS := $(sort $(wildcard handoff/freestanding/*.c))

# $(call static_pie_check,ELF,RELATIVE-TYPE,READELF): a recipe that refuses a static PIE
# whose self-relocating entry would meet any relocation but RELATIVE-TYPE (the only kind it
# applies) or any dynamic symbol left to resolve: the loader.bzImage and loader.arm64 links.
define static_pie_check
	@if $(3) -rW $(1) | awk '/^ *[0-9a-f]+ +[0-9a-f]+ +R_/ && $$3 != "$(2)"' | grep -q .; then \
		echo "$(1): relocations other than $(2):" >&2; $(3) -rW $(1) >&2; exit 1; fi
	@if [ "$$($(3) -sW --dyn-syms $(1) | awk '/Symbol table .\.dynsym/{d=1;next} /Symbol table/{d=0} d && $$7 == "UND" && $$8 != ""' | wc -l)" != 0 ]; then \
		echo "$(1): undefined dynamic symbols" >&2; exit 1; fi
endef

$(eval $(call lugate_core_variant,freestanding,$(FREESTANDING_BASE_CFLAGS)))
LUGATE_LIBC := $(freestanding_LIBC)

freestanding: $(freestanding_CORE_LIB) $(LUGATE_LIBC) $(freestanding_LIBC_NOMEM)

ALL_TARGETS += $(freestanding_CORE_LIB) $(LUGATE_LIBC) $(freestanding_LIBC_NOMEM)
CHECK_DEPS  += $(freestanding_CORE_LIB) $(LUGATE_LIBC) $(freestanding_LIBC_NOMEM)

# The freestanding smoke test: core + libc as the loader links them, run as a bare process.
# Linked non-PIE: a static PIE would need a self-relocator to fix its pointer tables, which only
# the bzImage64 entry of the loader has a reason to carry.
FREESTANDING_SMOKE := $(BUILD)/freestanding/smoke
$(FREESTANDING_SMOKE): tests/freestanding/smoke.c tests/freestanding/smoke_start.S \
		$(freestanding_CORE_LIB) $(LUGATE_LIBC)
	$(CC) $(FREESTANDING_BASE_CFLAGS) -static -no-pie -nostdlib -Wl,-z,noexecstack \
		-o $@ tests/freestanding/smoke_start.S tests/freestanding/smoke.c \
		$(freestanding_CORE_LIB) $(LUGATE_LIBC)

CHECK_DEPS += $(FREESTANDING_SMOKE)

LINT_UNITS += handoff/freestanding|-std=c11,-Ihandoff/freestanding,-ffreestanding
LINT_UNITS += tests/freestanding|-std=c11,-Iinclude,-Iloader,-Iboot,-Ihandoff/freestanding,-I$(LIBFDT_SRC_DIR),-ffreestanding
