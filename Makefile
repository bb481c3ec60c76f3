# Thin wrapper over CMake and ctest. `make demo` and `make test` work on a
# fresh Debian 12 machine: they first install the Debian packages that are
# missing (as root, or through sudo).
LLVM_VERSION ?= 14
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PACKAGES := clang-$(LLVM_VERSION) llvm-$(LLVM_VERSION) llvm-$(LLVM_VERSION)-dev \
  llvm-$(LLVM_VERSION)-tools lld-$(LLVM_VERSION) libclang-rt-$(LLVM_VERSION)-dev \
  libsqlite3-dev sqlite3 cmake make python3 pkg-config
# Only the tests need these: a browser for the HTML report, valgrind (the
# callgrind export, instruction counts), gdb (a stopped probe).
TEST_PACKAGES := chromium valgrind gdb
CMAKE_FLAGS ?=
CTEST_ARGS ?=

.PHONY: all deps test-deps build test demo bench clean

all: build

deps:
	@$(MAKE) -s install-packages PKGS="$(PACKAGES)"

test-deps:
	@$(MAKE) -s install-packages PKGS="$(PACKAGES) $(TEST_PACKAGES)"

install-packages:
	@missing=$$(for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "lineprof: installing missing packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLLVM_DIR=/usr/lib/llvm-$(LLVM_VERSION)/lib/cmake/llvm \
	  -DCMAKE_C_COMPILER=clang-$(LLVM_VERSION) \
	  -DCMAKE_CXX_COMPILER=clang++-$(LLVM_VERSION) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: build
	cmake --build $(BUILD) --target demo

bench: build
	bench/run --build-dir $(BUILD)

clean:
	rm -rf $(BUILD)
