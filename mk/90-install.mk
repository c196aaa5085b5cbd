# `make install` (PREFIX, DESTDIR): the CLI, the loader images, the man page, bash completion.
# The loader is looked up by `lugate load` at $(PREFIX)/lib/lugate/ (see docs/live-update.md).
INSTALL_BINDIR  = $(DESTDIR)$(PREFIX)/sbin
INSTALL_LIBDIR  = $(DESTDIR)$(PREFIX)/lib/lugate
INSTALL_MANDIR  = $(DESTDIR)$(PREFIX)/share/man/man8
INSTALL_COMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INSTALL_LOADERS = $(wildcard $(BUILD)/loader.elf $(BUILD)/loader.bzImage $(BUILD)/lugate.efi)

install: all
	install -d $(INSTALL_BINDIR) $(INSTALL_LIBDIR) $(INSTALL_MANDIR) $(INSTALL_COMPDIR)
	install -m 0755 $(BUILD)/lugate $(INSTALL_BINDIR)/lugate
	$(if $(INSTALL_LOADERS),install -m 0644 $(INSTALL_LOADERS) $(INSTALL_LIBDIR)/)
	install -m 0644 docs/man/lugate.8 $(INSTALL_MANDIR)/lugate.8
	install -m 0644 tools/completion/lugate.bash $(INSTALL_COMPDIR)/lugate

uninstall:
	rm -f $(INSTALL_BINDIR)/lugate $(INSTALL_MANDIR)/lugate.8 $(INSTALL_COMPDIR)/lugate
	rm -rf $(INSTALL_LIBDIR)
.PHONY: install uninstall
