# A thin wrapper around meson; see README.md.
#   make         build into build/
#   make demo    install what is missing, build, boot a guest
#   make check   install what is missing, build, run every test
BUILD ?= build
MESON_TEST_ARGS ?= --print-errorlogs --num-processes 2

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD)

deps:
	sh scripts/install-deps

demo: deps all
	@echo "Booting SeaBIOS on an empty PC under KVM (Ctrl-A x quits)."
	$(BUILD)/pcemu -M pc -m 128 -nographic -net none -accel kvm

check: deps all
	meson test -C $(BUILD) $(MESON_TEST_ARGS); \
	status=$$?; python3 scripts/test-summary $(BUILD)/meson-logs/testlog.json; \
	exit $$status

clean:
	rm -rf $(BUILD)

.PHONY: all deps demo check clean
