# IA·T — the two commands: `make run` and `make test`.
# Everything else (cmake, ctest, the database) is driven from here.

PORT    ?= 8080
HOST    ?= 127.0.0.1
LISTEN  ?= $(HOST):$(PORT)
DB      ?= var/iat.db
BUILD   ?= build
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
DEMO    := data/demo/interconnectes.csv
# the registers abroad, imported as international references (doc/imports.md)
REGISTERS := nl-algoritmeregister:data/demo/registers/algoritmes.json \
             nl-algoritmeregister:data/demo/registers/pub_data.json \
             uk-atrs:data/demo/registers/atrs_records.json \
             eu-pstw:data/demo/registers/pstw_dataset.csv
ORGS    := node_modules/@etalab/decoupage-administratif/data

.PHONY: all deps build run test db clean bench-core

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory >/dev/null || cmake --build $(BUILD) -j 1

# Create the database if absent: migrations, every French organisation, the
# demo library and the registers abroad. Built under a temporary name and renamed at the end, so an
# interrupted run never leaves a half-made database behind.
db: build
	@if [ ! -f $(DB) ]; then \
	  mkdir -p $(dir $(DB)) && rm -f $(DB).new* && \
	  $(BUILD)/iat init --db $(DB).new && \
	  $(BUILD)/iat orgs load --db $(DB).new $(ORGS) && \
	  { $(BUILD)/iat import interconnectes --db $(DB).new $(DEMO) 2>$(dir $(DB))demo-import.log \
	    || { cat $(dir $(DB))demo-import.log; false; }; } && \
	  for r in $(REGISTERS); do \
	    $(BUILD)/iat import $${r%%:*} --db $(DB).new $${r#*:} 2>>$(dir $(DB))demo-import.log \
	      || { cat $(dir $(DB))demo-import.log; exit 1; }; \
	  done && \
	  mv $(DB).new $(DB) && rm -f $(DB).new-wal $(DB).new-shm; \
	fi

run: db
	@exec $(BUILD)/iat serve --db $(DB) --listen $(LISTEN)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)

# Measurements of the core issue (record by id, search, RSS, org load).
bench-core: build
	@bench/run-core.sh

# Crash safety, long run: 100 kill -9 trials of the server and an import,
# 20 of `iat backup` (tests/crash/crash.mjs; a few run in `make test`).
# Prints a summary line and the seeds of failed trials; exit 1 on a failure.
CRASH_TRIALS ?= 100
CRASH_BACKUP_TRIALS ?= 20
.PHONY: crashtest
crashtest: build
	@IAT_BIN=$(abspath $(BUILD))/iat IAT_SOURCE_DIR=$(CURDIR) \
	  node tests/crash/crash.mjs --trials $(CRASH_TRIALS) --backup-trials $(CRASH_BACKUP_TRIALS)

# `make bench`: IA·T side by side with nginx (static ceiling) and Directus
# (the peers are installed into bench/peers/ by bench/run.sh only, never by
# `make test`); appends a dated table to bench/RESULTS.md.
# `make soak`: 60 s of mixed reads and writes at saturation (bench/soak.sh).
.PHONY: bench soak
bench: build
	@bench/run.sh

soak: build
	@bench/soak.sh

# Fuzzing (tests/fuzz, doc/hacking.md): every libFuzzer target for
# FUZZ_TIME seconds (FUZZ_TARGETS="url csv" for some), starting from the
# corpus in the tree; new inputs go to $(FUZZ_NEW)/NAME (under the build
# directory, not in git), crashes to $(BUILD)/fuzz-artifacts. Stops at the
# first target that finds something. `make fuzz-merge` then adds the new
# inputs that bring new coverage to tests/fuzz/corpus (libFuzzer -merge=1).
FUZZ_TIME    ?= 60
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NEW     ?= $(BUILD)/fuzz-new

.PHONY: fuzz fuzz-merge
fuzz: build
	@mkdir -p $(FUZZ_NEW); for t in $(FUZZ_TARGETS); do \
	  test -x $(BUILD)/fuzz/fuzz_$$t || { echo "fuzz: $(BUILD)/fuzz/fuzz_$$t not built (clang with libFuzzer missing? see cmake's output)"; exit 1; }; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  IAT_SOURCE_DIR=$(CURDIR) tests/fuzz/run.sh $(BUILD)/fuzz/fuzz_$$t $(FUZZ_TIME) tests/fuzz/corpus/$$t \
	    $(FUZZ_NEW)/$$t $(BUILD)/fuzz-artifacts 2>$(FUZZ_NEW)/$$t.log \
	    || { tail -n 60 $(FUZZ_NEW)/$$t.log; echo "fuzz: $$t found a problem (log: $(FUZZ_NEW)/$$t.log)"; exit 1; }; \
	  tail -n 1 $(FUZZ_NEW)/$$t.log; \
	done

fuzz-merge: build
	@for t in $(FUZZ_TARGETS); do \
	  test -d $(FUZZ_NEW)/$$t || continue; \
	  before=$$(ls tests/fuzz/corpus/$$t | wc -l); \
	  IAT_SOURCE_DIR=$(CURDIR) $(BUILD)/fuzz/fuzz_$$t -merge=1 tests/fuzz/corpus/$$t $(FUZZ_NEW)/$$t 2>/dev/null; \
	  echo "fuzz-merge: $$t: $$before -> $$(ls tests/fuzz/corpus/$$t | wc -l) inputs"; \
	done

# `make bench-issue5`: only the scenarios of issue 5 (record page with 10
# indicators and 50 reuses, "territoires comme le mien" API and page) on
# var/bench.db, in about two minutes; prints a Markdown table.
.PHONY: bench-issue5
bench-issue5: build
	@bench/run-issue5.sh

# `make bench-survey` (issue 7): the survey statistics engine alone — a
# campaign of 50 questions answered by 36,000 synthetic authorities
# (bench/survey_stats_bench.c): conversion, full computation, rendering,
# cache; prints a Markdown table (also part of `make bench`).
.PHONY: bench-survey
bench-survey: build
	@$(BUILD)/survey_stats_bench 20

# `make bench-survey-serve` (issue 7 §4): a campaign answered by every French
# authority, its results computed once then served from the cache, beside
# nginx serving the same bytes (bench/survey_serve.sh).
.PHONY: bench-survey-serve
bench-survey-serve: build
	@bench/survey_serve.sh
