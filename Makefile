# exportctl: the two set-up commands are `make run` and `make test`.
# Both install missing Debian packages (scripts/deps.sh), then build with
# CMake + Ninja.  `make test` runs the suite twice: a normal build and an
# AddressSanitizer + UndefinedBehaviorSanitizer build.

BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= exportctl.db
EXPORTCTL  := $(BUILD)/exportctl

.PHONY: all deps build run demo test test-fast test-asan bench clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)

# The main job: create the database with the bundled data if it is missing,
# print the URL, an admin token and sample curl commands, and run the HTTP
# API server on 127.0.0.1:8080 in the foreground.
run: build
	@sh scripts/run.sh $(EXPORTCTL) $(DB)

# A walk-through on the command line: the 2021-11-25 change to Israel's list,
# two checks, the licensing demo and the audit log with an outsider's proof.
demo: build
	@sh scripts/demo.sh $(EXPORTCTL) $(DB)

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
