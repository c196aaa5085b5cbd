# `make install` (PREFIX, DESTDIR): the CLI, the loader images (loader.arm64 too when the cross
# compiler built it), the man page, bash completion, the systemd unit lugate-status.service ($(PREFIX)/lib/systemd/system).
# The loader is looked up by `lugate load` at $(PREFIX)/lib/lugate/ (see docs/live-update.md).
INSTALL_BINDIR  = $(DESTDIR)$(PREFIX)/sbin
INSTALL_LIBDIR  = $(DESTDIR)$(PREFIX)/lib/lugate
INSTALL_MANDIR  = $(DESTDIR)$(PREFIX)/share/man/man8
INSTALL_COMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INSTALL_UNITDIR = $(DESTDIR)$(PREFIX)/lib/systemd/system
INSTALL_LOADERS = $(wildcard $(BUILD)/loader.elf $(BUILD)/loader.bzImage $(BUILD)/loader.arm64 $(BUILD)/lugate.efi)

install: all
	install -d $(INSTALL_BINDIR) $(INSTALL_LIBDIR) $(INSTALL_MANDIR) $(INSTALL_COMPDIR)
	install -m 0755 $(BUILD)/lugate $(INSTALL_BINDIR)/lugate
	$(if $(INSTALL_LOADERS),install -m 0644 $(INSTALL_LOADERS) $(INSTALL_LIBDIR)/)
	install -m 0644 docs/man/lugate.8 $(INSTALL_MANDIR)/lugate.8
	install -m 0644 tools/completion/lugate.bash $(INSTALL_COMPDIR)/lugate
	install -d $(INSTALL_UNITDIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' systemd/lugate-status.service.in >$(INSTALL_UNITDIR)/lugate-status.service
	chmod 0644 $(INSTALL_UNITDIR)/lugate-status.service

uninstall:
	rm -f $(INSTALL_BINDIR)/lugate $(INSTALL_MANDIR)/lugate.8 $(INSTALL_COMPDIR)/lugate
	rm -f $(INSTALL_UNITDIR)/lugate-status.service
	rm -rf $(INSTALL_LIBDIR)
.PHONY: install uninstall
