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
