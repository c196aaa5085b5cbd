# contrib/ansible: the lugate.live_update collection (docs/fleet.md).
# `make ansible` builds its tarball into build/ansible/.
ANSIBLE_DIR     := contrib/ansible
ANSIBLE_VERSION := $(shell sed -n 's/^version: *//p' $(ANSIBLE_DIR)/galaxy.yml)
ANSIBLE_TARBALL := $(BUILD)/ansible/lugate-live_update-$(ANSIBLE_VERSION).tar.gz
ANSIBLE_SRCS    := $(shell find $(ANSIBLE_DIR) -type f -not -name '*.pyc')

.PHONY: ansible
ansible: $(ANSIBLE_TARBALL)
$(ANSIBLE_TARBALL): $(ANSIBLE_SRCS)
	@scripts/deps.sh --check fleet
	@mkdir -p $(@D)
	ansible-galaxy collection build $(ANSIBLE_DIR) --output-path $(@D) --force >/dev/null
	@test -s $@

# `make check-fleet`: the playbook's rollout over three Debian 12 guests at once, over SSH
# (tests/fleet/suite-fleet.sh; docs/fleet.md says what it proves and how long it takes). Not part
# of `make check`: three TCG guests booting and jumping take about 16 minutes on two cores.
.PHONY: check-fleet
check-fleet:
	@scripts/deps.sh all
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/test-logs
	@set -o pipefail; tests/fleet/suite-fleet.sh | tee $(BUILD)/test-logs/fleet_suite-fleet.log
	@! grep -q '^not ok' $(BUILD)/test-logs/fleet_suite-fleet.log
