# tests/unit/test_*.c: one cmocka program per module, linked with the host core.
# OpenSSL is linked as the test oracle (SHA-256).
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_LIBS := $(LIBLUGATE) $(HOST_LIBS) -lcmocka -lcrypto

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBLUGATE)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Wno-missing-prototypes -MMD -MP $< -o $@ $(UNIT_LIBS) $(HOST_LDFLAGS)

CHECK_DEPS += $(UNIT_BINS)
-include $(UNIT_BINS:=.d)
