# handoff/: the portable core. Host build: build/liblugate.a (linked with Debian's libfdt).
# Freestanding builds of the same sources (loader, EFI) are in mk/20-freestanding.mk.
CORE_SRCS      := $(sort $(wildcard handoff/*.c))
CORE_HOST_OBJS := $(CORE_SRCS:%.c=$(BUILD)/host/%.o)
LIBLUGATE      := $(BUILD)/liblugate.a
HOST_LIBS      := -lfdt

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(LIBLUGATE): $(CORE_HOST_OBJS)
	@rm -f $@
	ar rcs $@ $^

ALL_TARGETS += $(LIBLUGATE)
-include $(CORE_HOST_OBJS:.o=.d)
