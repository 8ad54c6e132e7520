# exportctl: the two set-up commands are `make run` and `make test`.
# Both install missing Debian packages (scripts/deps.sh), then build with
# CMake + Ninja.  `make test` runs the suite twice: a normal build and an
# AddressSanitizer + UndefinedBehaviorSanitizer build.

BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= exportctl.db
EXPORTCTL  := $(BUILD)/exportctl

.PHONY: all deps build run test test-fast test-asan bench clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)

# The main job (for now): create the database with the bundled data if it is
# missing, and show what changed in Israel's offensive-cyber list on 2021-11-25.
run: build
	@sh scripts/run.sh $(EXPORTCTL) $(DB)

test: test-fast test-asan

test-fast: build
	@ctest --test-dir $(BUILD) --output-on-failure

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DXC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir $(ASAN_BUILD) --output-on-failure

bench: build
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
