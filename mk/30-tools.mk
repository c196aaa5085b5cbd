# tools/: the `lugate` CLI (host only: libc, json-c, OpenSSL may be used here).
TOOLS_SRCS  := $(sort $(wildcard tools/*.c))
TOOLS_OBJS  := $(TOOLS_SRCS:%.c=$(BUILD)/host/%.o)
TOOLS_LIBS  ?=
TOOLS_LIBS  += -ljson-c -lz -llzma -lzstd -llz4 -lbz2
LUGATE_BIN  := $(BUILD)/lugate

$(LUGATE_BIN): $(TOOLS_OBJS) $(LIBLUGATE)
	$(CC) $(HOST_LDFLAGS) -o $@ $(TOOLS_OBJS) $(LIBLUGATE) $(HOST_LIBS) $(TOOLS_LIBS)

ALL_TARGETS += $(LUGATE_BIN)
-include $(TOOLS_OBJS:.o=.d)
