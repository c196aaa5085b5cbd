# boot/: what every boot front end shares (docs/architecture.md; docs/loader.md, "The boot
# room"): the gate, target inspection, the bzImage header, the zero page and setup_data, the
# log. It is not a program of its own: the bare-metal loader (mk/40-loader.mk) and lugate.efi
# (mk/45-efi.mk) each compile BOOT_SRCS with their own flags, and the host unit test of the
# gate (tests/unit/test_gate.c) compiles them for the host. Listed by wildcard: a file added
# here is built into both front ends and the test at once.
BOOT_SRCS := $(sort $(wildcard boot/*.c))
BOOT_HDRS := $(sort $(wildcard boot/*.h))

# The rooms' own flags: the core's headers and the freestanding libc's, nothing of loader/ or efi/.
LINT_UNITS += boot|-std=c11,-Iinclude,-Ihandoff/freestanding,-I$(LIBFDT_SRC_DIR),-ffreestanding

# tests/unit/test_gate: the gate on the host, with the very sources both front ends link (the
# test supplies the console the log writes to). This explicit rule replaces mk/50-unit.mk's
# pattern rule for this one program, which links a single source with the host core.
$(BUILD)/tests/unit/test_gate: tests/unit/test_gate.c $(BOOT_SRCS) $(BOOT_HDRS) $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Wno-missing-prototypes -o $@ tests/unit/test_gate.c $(BOOT_SRCS) \
		$(UNIT_LIBS) $(HOST_LDFLAGS)

# tests/unit/test_zeropage: the zero page's firmware facts, with boot/zeropage.c itself.
$(BUILD)/tests/unit/test_zeropage: tests/unit/test_zeropage.c boot/zeropage.c boot/zeropage.h $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Wno-missing-prototypes -o $@ tests/unit/test_zeropage.c boot/zeropage.c \
		$(UNIT_LIBS) $(HOST_LDFLAGS)

# tests/unit/test_luo_outgoing: the LUO reading both kernel-entered loaders share
# (boot/luo_outgoing.c), with the boot/ sources it logs and decides through, on captured states.
$(BUILD)/tests/unit/test_luo_outgoing: tests/unit/test_luo_outgoing.c tests/unit/luo_vector.h $(BOOT_SRCS) \
		$(BOOT_HDRS) $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Wno-missing-prototypes -o $@ tests/unit/test_luo_outgoing.c $(BOOT_SRCS) \
		$(UNIT_LIBS) $(HOST_LDFLAGS)
