# `make lint`: cppcheck and clang-tidy over the tree; part of `make check` (tests/lint/).
# Rooms with their own compile flags add "DIR|FLAG,FLAG,..." entries to LINT_UNITS in their fragment.
LINT_UNITS += handoff|-std=c11,-Iinclude,-D_DEFAULT_SOURCE
LINT_UNITS += tools|-std=c11,-Iinclude,-D_DEFAULT_SOURCE

.PHONY: lint
lint:
	@scripts/lint.sh $(foreach u,$(LINT_UNITS),'$(u)')
