# Vessel build.
#
#   make            WebAssembly engine, SIMD128 and scalar builds, in wasm/
#   make test       everything the README promises: deps, C unit tests under
#                   ASan+UBSan, the wasm builds, JS tests
#   make bench      benchmarks (bench/)
#   make clean
#
# Build outputs (wasm/*.wasm, build/) are git-ignored.

SHELL := /bin/bash
CC ?= gcc
EMCC ?= emcc
NODE ?= node
export NODE_PATH := /usr/share/nodejs

SRC := $(wildcard src/*.c)
HDR := $(wildcard src/*.h)
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Werror
CSTD := -std=gnu11

# ---- WebAssembly ------------------------------------------------------------
EXPORTS := $(shell paste -sd, wasm/exports.txt)
EMFLAGS := $(CSTD) -O3 $(WARN) -Wno-error=unused-command-line-argument \
	--no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB \
	-sINITIAL_MEMORY=16MB -sPRINTF_LONG_DOUBLE=1 \
	-sEXPORTED_FUNCTIONS=$(EXPORTS)

WASM := wasm/vessel.simd.wasm wasm/vessel.scalar.wasm

all: $(WASM)

wasm/vessel.simd.wasm: $(SRC) $(HDR) wasm/exports.txt | deps-emcc
	$(EMCC) $(EMFLAGS) -msimd128 $(SRC) -o $@

wasm/vessel.scalar.wasm: $(SRC) $(HDR) wasm/exports.txt | deps-emcc
	$(EMCC) $(EMFLAGS) $(SRC) -o $@

# ---- native builds ------------------------------------------------------------
ASAN_FLAGS := $(CSTD) -O1 -g $(WARN) -ffp-contract=off -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_OBJ := $(patsubst src/%.c,build/asan/obj/%.o,$(SRC))
TEST_HDR := tests/unit/vt.h tests/unit/vt_cmd.h

build/asan/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -c $< -o $@

build/asan/%: tests/unit/%.c $(ASAN_OBJ) $(TEST_HDR)
	$(CC) $(ASAN_FLAGS) $< $(ASAN_OBJ) -lm -o $@

# C unit tests, natively under AddressSanitizer + UndefinedBehaviorSanitizer
unit: $(addprefix build/asan/,$(UNIT_TESTS))
	@set -e; for t in $(UNIT_TESTS); do \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/$$t; \
	done

# The same C unit tests compiled to WebAssembly (SIMD128 and scalar) and
# run under Node's WASI: the engine's tests on the code that ships.
WASM_TEST_FLAGS := $(CSTD) -O2 $(WARN) -Wno-error=unused-command-line-argument -sSTANDALONE_WASM \
	-sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=32MB -sPRINTF_LONG_DOUBLE=1 -sTOTAL_STACK=4MB
build/wasm-simd/%.wasm: tests/unit/%.c $(SRC) $(HDR) $(TEST_HDR) | deps-emcc
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_TEST_FLAGS) -msimd128 $< $(SRC) -o $@
build/wasm-scalar/%.wasm: tests/unit/%.c $(SRC) $(HDR) $(TEST_HDR) | deps-emcc
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_TEST_FLAGS) $< $(SRC) -o $@

unit-wasm: $(foreach t,$(UNIT_TESTS),build/wasm-simd/$(t).wasm build/wasm-scalar/$(t).wasm)
	@set -e; for t in $(UNIT_TESTS); do for b in simd scalar; do \
		$(NODE) --no-warnings tests/wasm/run-wasi.mjs build/wasm-$$b/$$t.wasm; \
	done; done

# ---- dependencies -------------------------------------------------------------
deps:
	@scripts/deps.sh

deps-emcc:
	@command -v $(EMCC) >/dev/null || scripts/deps.sh emcc

# ---- tests --------------------------------------------------------------------
test: deps
	$(MAKE) unit
	$(MAKE) all
	$(MAKE) unit-wasm
	$(MAKE) test-js

test-js: $(WASM)
	$(NODE) --test --test-concurrency=1 tests/js/
	npx --no-install tsc -p tests/types/tsconfig.json

# ---- benchmarks ---------------------------------------------------------------
bench: deps $(WASM)
	$(NODE) bench/hset.js
	$(NODE) bench/flat.js

# ---- the main job ---------------------------------------------------------------
example: deps $(WASM)
	$(NODE) examples/node/hashes.js

clean:
	rm -rf build wasm/*.wasm

.SECONDARY:
.PHONY: all unit unit-wasm deps deps-emcc test test-js bench example clean
