# Vessel build.
#
#   make            WebAssembly engine, SIMD128 and scalar builds, in wasm/
#   make demo       the browser demo on http://127.0.0.1:8080/demo/
#   make test       everything the README promises: deps, C unit tests under
#                   ASan+UBSan, the wasm builds, JS tests
#   make test-scale a store past 2 GiB, up to the 4 GiB limit (CI runs it too)
#   make test-long  the SIGKILL loops and the fuzzers at length (CI runs it too)
#   make bench      benchmarks (bench/): hset, flat, hnsw (vs peers), persist,
#                   langchain (vs LangChain's MemoryVectorStore), expiry, multi,
#                   text (full-text search vs MiniSearch, FlexSearch, Orama),
#                   rdb (RDB export/import vs redis-server's SAVE and load)
#   make bench-scale 1,000,000 x 128 vectors against usearch (not in make bench:
#                   20-40 minutes)
#   make fuzz       libFuzzer targets for FUZZ_SECONDS each (make test: 10 s, make test-long: 60 s)
#   make clean
#
# Build outputs (wasm/*.wasm, build/) are git-ignored.

SHELL := /bin/bash
CC ?= gcc
EMCC ?= emcc
NODE ?= node
export NODE_PATH := /usr/share/nodejs

SRC := $(sort $(wildcard src/*/*.c))
HDR := $(sort $(wildcard src/*/*.h))
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Werror
CSTD := -std=gnu11 -Isrc

# ---- WebAssembly ------------------------------------------------------------
EXPORTS := $(shell paste -sd, wasm/exports.txt)
EMFLAGS := $(CSTD) -O3 $(WARN) -Wno-error=unused-command-line-argument \
	--no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB \
	-sINITIAL_MEMORY=16MB -sPRINTF_LONG_DOUBLE=1 \
	-sEXPORTED_FUNCTIONS=$(EXPORTS)

WASM := wasm/vessel.simd.wasm wasm/vessel.scalar.wasm
DEMO_DATA := demo/data/digits.bin demo/data/docs.f32 demo/data/docs.json
EDGE_DIST := examples/edge/dist/worker/index.js examples/edge/dist/digits.vsnap.gz examples/edge/dist/vessel.simd.wasm

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

# C unit tests, natively under AddressSanitizer + UndefinedBehaviorSanitizer.
# Each run is its own goal, so `make -j2 -Otarget unit` runs two at once
# and prints each one's lines together.
unit: $(addprefix build/asan/,$(UNIT_TESTS)) $(addprefix unit-run-,$(UNIT_TESTS))
unit-run-%: build/asan/%
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/$*

# The same C unit tests compiled to WebAssembly (SIMD128 and scalar) and
# run under Node's WASI: the engine's tests on the code that ships.
WASM_TEST_FLAGS := $(CSTD) -O2 $(WARN) -Wno-error=unused-command-line-argument -sSTANDALONE_WASM \
	-sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=32MB -sPRINTF_LONG_DOUBLE=1 -sTOTAL_STACK=4MB
# The engine is compiled once per build into objects, and each test links them.
WASM_SIMD_OBJ := $(patsubst src/%.c,build/wasm-simd/obj/%.o,$(SRC))
WASM_SCALAR_OBJ := $(patsubst src/%.c,build/wasm-scalar/obj/%.o,$(SRC))
build/wasm-simd/obj/%.o: src/%.c $(HDR) | deps-emcc
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_TEST_FLAGS) -msimd128 -c $< -o $@
build/wasm-scalar/obj/%.o: src/%.c $(HDR) | deps-emcc
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_TEST_FLAGS) -c $< -o $@
build/wasm-simd/%.wasm: tests/unit/%.c $(WASM_SIMD_OBJ) $(TEST_HDR) | deps-emcc
	$(EMCC) $(WASM_TEST_FLAGS) -msimd128 $< $(WASM_SIMD_OBJ) -o $@
build/wasm-scalar/%.wasm: tests/unit/%.c $(WASM_SCALAR_OBJ) $(TEST_HDR) | deps-emcc
	$(EMCC) $(WASM_TEST_FLAGS) $< $(WASM_SCALAR_OBJ) -o $@

unit-wasm: $(foreach t,$(UNIT_TESTS),build/wasm-simd/$(t).wasm build/wasm-scalar/$(t).wasm unit-simd-$(t) unit-scalar-$(t))
unit-simd-%: build/wasm-simd/%.wasm
	@$(NODE) --no-warnings tests/wasm/run-wasi.mjs $<
unit-scalar-%: build/wasm-scalar/%.wasm
	@$(NODE) --no-warnings tests/wasm/run-wasi.mjs $<

# ---- fuzzing -------------------------------------------------------------------
# libFuzzer targets (clang, Debian libclang-rt-14-dev + libfuzzer-14-dev)
# under ASan+UBSan: the command parsers, the snapshot loader/journal
# replay, the server pipeline and its framing (requests split at random
# points must give the same replies and keyspace as when sent whole).
# `make fuzz` runs each for FUZZ_SECONDS, starting from the seed corpora
# in tests/fuzz/corpus/ (new inputs go to build/fuzz/, not the repo).
FUZZ_CC ?= clang
COMMA := ,
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := fuzz_command fuzz_snapshot fuzz_pipeline fuzz_framing fuzz_tokenize fuzz_query fuzz_rdb fuzz_expr
FUZZ_FLAGS := $(CSTD) -O1 -g $(WARN) -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# The engine is compiled once for all targets (instrumented for coverage,
# libFuzzer's main linked only into each target).
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(SRC))

build/fuzz/obj/%.o: src/%.c $(HDR) | deps-fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(subst -fsanitize=fuzzer$(COMMA),-fsanitize=fuzzer-no-link$(COMMA),$(FUZZ_FLAGS)) -c $< -o $@

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ) $(HDR) | deps-fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_OBJ) -lm -o $@

# Each target is its own make goal, so `make -j2 fuzz` runs two at once;
# a run's lines are printed together when it ends.
fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-run-%: build/fuzz/%
	@t=$*; c=$${t#fuzz_}; mkdir -p build/fuzz/corpus-$$c; \
		out=$$(ASAN_OPTIONS=detect_leaks=1 build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crash-$$c- build/fuzz/corpus-$$c tests/fuzz/corpus/$$c 2>&1); rc=$$?; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		echo "$$out" | grep -E '^(stat::number_of_executed_units|stat::peak_rss|INFO: seed corpus|==[0-9]+==|SUMMARY|.*Test unit written)' || true; \
		test $$rc = 0 || { echo "fuzz: $$t failed; see build/fuzz/crash-$$c-*"; exit 1; }

# Regenerate the snapshot/journal seed corpus from the wasm build.
fuzz-corpus: $(WASM)
	$(NODE) tests/fuzz/make-corpus.mjs

# ---- dependencies -------------------------------------------------------------
deps:
	@scripts/deps.sh

deps-emcc:
	@command -v $(EMCC) >/dev/null || scripts/deps.sh emcc

deps-fuzz:
	@scripts/deps.sh fuzz

# ---- tests --------------------------------------------------------------------
# The layers of src/ hold: no upward include, no include cycle.
layers:
	$(NODE) scripts/check-layers.mjs

test: deps layers
	$(MAKE) -j2 -Otarget --no-print-directory unit
	$(MAKE) -j2 all
	$(MAKE) -j2 -Otarget --no-print-directory unit-wasm
	$(MAKE) test-js
	$(MAKE) -j2 fuzz FUZZ_SECONDS=10

# The JS suites: the engine's (tests/js) beside the server's, the crash
# loops, the edge worker and the package (two Node processes, one per core),
# then the browser ones alone (tab failover waits on timers, so they get
# the machine to themselves).  Each group's lines print when it ends.
test-js: $(WASM) $(DEMO_DATA) $(EDGE_DIST)
	$(MAKE) -j2 -Otarget --no-print-directory test-js-engine test-js-system
	$(NODE) --test --test-concurrency=1 tests/browser/ tests/e2e/
	npx --no-install tsc -p tests/types/tsconfig.json

test-js-engine: $(WASM) $(DEMO_DATA)
	$(NODE) --test --test-concurrency=1 tests/js/

test-js-system: $(WASM) $(EDGE_DIST)
	$(NODE) --test --test-concurrency=1 tests/server/ tests/crash/ tests/edge/ tests/package/

# A store past 2 GiB of engine memory and up to the 4 GiB wasm32 limit
# (about two minutes, 9 GB of RAM), and 1,000,000 x 128 vectors built,
# queried, saved and reopened (about 15 minutes): its own target; CI runs it.
test-scale: deps $(WASM)
	$(NODE) --test --test-concurrency=1 tests/scale/

# The suites at the length CI gives them after `make test`: the SIGKILL
# loops with 90 kills per target instead of 28, and each fuzzer for 60 s
# instead of 20 (about 8 minutes).
test-long: deps $(WASM)
	CRASH_ROUNDS=90 $(NODE) --test --test-concurrency=1 tests/crash/crash.test.js
	$(MAKE) -j2 fuzz FUZZ_SECONDS=60

# ---- benchmarks ---------------------------------------------------------------
bench: deps $(WASM) $(DEMO_DATA) $(EDGE_DIST) bench-hnsw bench-persist bench-langchain bench-text bench-rdb bench-browser bench-aggregate
	$(NODE) bench/hset.js
	$(NODE) bench/flat.js
	$(NODE) bench/demo.js
	$(NODE) bench/edge.js
	$(NODE) bench/ingest.js
	$(NODE) bench/expiry.js
	$(NODE) bench/multi.js

# Snapshot save/load: in memory, files, IndexedDB in Chromium.
bench-persist: deps $(WASM)
	$(NODE) bench/persist.js

# The peers the benchmarks compare with, installed only for them in
# bench/node_modules (bench/package.json).  Packages are installed without
# their scripts, then the two native addons are built: hnswlib-node compiles
# with node-gyp against Debian's Node.js headers (nodedir=/usr), usearch
# loads the prebuilt N-API binary its package ships (or compiles the same
# way), so nothing but the npm registry is needed.
bench-peers: deps
	@[ -f bench/node_modules/.package-lock.json ] && [ bench/node_modules/.package-lock.json -nt bench/package-lock.json ] \
		&& [ -f bench/node_modules/hnswlib-node/build/Release/addon.node ] \
		|| (cd bench && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
			&& npm_config_nodedir=/usr npm rebuild usearch hnswlib-node --no-audit --no-fund --loglevel=error \
			&& touch node_modules/.package-lock.json)

# HNSW against the peers.
bench-hnsw: deps $(WASM) bench-peers
	$(NODE) bench/hnsw.js

# A million vectors (1,000,000 x 128) against usearch: build, recall and QPS
# per EF_RUNTIME, save and reload, memory (about 20-40 minutes).
bench-scale: deps $(WASM) bench-peers
	$(NODE) bench/scale.js

# Full-text search against MiniSearch, FlexSearch and Orama, with a BM25
# reference (corpus: npm nlp-corpus, a bench-only dependency).
bench-text: deps $(WASM) bench-peers
	$(NODE) bench/text.js

# RDB export and import against redis-server's SAVE and load (100,000 x 128).
bench-rdb: deps $(WASM)
	$(NODE) bench/rdb.js

# FT.AGGREGATE against the same work in JavaScript over db.search() (100,000 documents).
bench-aggregate: deps $(WASM)
	$(NODE) bench/aggregate.js

# Browser storage (OPFS against IndexedDB) and many tabs, in Chromium.
bench-browser: deps $(WASM)
	$(NODE) bench/browser.js

# vessel/langchain against LangChain's MemoryVectorStore (@langchain/classic).
bench-langchain: deps $(WASM) bench-peers
	$(NODE) bench/langchain.js

# ---- the main job: the browser demo --------------------------------------------
DEMO_PORT ?= 8080

$(DEMO_DATA) &: demo/prepare.js bench/datasets.js | deps
	$(NODE) demo/prepare.js

demo-data: $(DEMO_DATA)

# Builds what is missing, prepares the data, serves the repository on
# 127.0.0.1 and prints the demo's URL (Ctrl-C stops it).
demo: deps $(WASM) $(DEMO_DATA)
	@echo "Vessel demo: open http://127.0.0.1:$(DEMO_PORT)/demo/ in a browser (Ctrl-C to stop)"
	$(NODE) scripts/serve.js --port $(DEMO_PORT) --root .

example: deps $(WASM)
	$(NODE) examples/node/hashes.js

# ---- the edge example (examples/edge/) -------------------------------------------
EDGE_PORT ?= 8787
$(EDGE_DIST) &: examples/edge/build.js examples/edge/worker.js $(wildcard js/*.js js/storage/*.js) wasm/vessel.simd.wasm | deps
	$(NODE) examples/edge/build.js

edge: deps $(EDGE_DIST)

# Serves the example with workerd on 127.0.0.1:$(EDGE_PORT); writes persist in build/edge-kv/.
edge-serve: edge
	@mkdir -p build/edge-kv
	@echo "Vessel edge example: http://127.0.0.1:$(EDGE_PORT)/search?key=digit:7&k=5 (Ctrl-C to stop)"
	npx --no-install workerd serve examples/edge/workerd.capnp --socket-addr=http=127.0.0.1:$(EDGE_PORT) \
		--directory-path=kv-files=$(CURDIR)/build/edge-kv

clean:
	rm -rf build wasm/*.wasm

.SECONDARY:
.PHONY: layers demo demo-data edge edge-serve all unit unit-wasm test-js-engine test-js-system bench-peers bench-hnsw bench-scale bench-persist bench-langchain bench-text bench-rdb bench-browser bench-aggregate deps deps-emcc deps-fuzz fuzz fuzz-corpus test test-js test-scale test-long bench example clean
