# CreatorScout. `make demo` and `make test` are all a fresh machine needs.
GO ?= go
PKGS := ./...

.PHONY: build test demo bench lint eval fit-accounts fit-niche test-meili fuzz chaos clean

build:
	$(GO) build -o bin/scout ./cmd/scout

# Runs every test. With SCOUT_TEST_REDIS_URL set, Redis-backed tests use
# that server; otherwise they use an in-process miniredis.
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 20m $(PKGS)

# Every fuzz target for FUZZTIME each (CI runs them briefly; their seed
# corpora, recorded responses included, also run in `make test`). A
# failing input is written to the package's testdata/fuzz: commit it.
FUZZTIME ?= 10s
FUZZ_TARGETS := \
	./crawler/mastodon:FuzzMastodonParsers ./crawler/youtube:FuzzYouTubeParsers \
	./crawler/bluesky:FuzzParsers ./crawler/web:FuzzWebParse \
	./crawler/fetch:FuzzRobots ./crawler/fetch:FuzzRetryHeaders \
	./watch:FuzzParseCadence ./watch:FuzzWatchlistSpec \
	./api:FuzzParseQuery ./api:FuzzSearchParse ./sim:FuzzHandler ./creator:FuzzKey
# Go's fuzzer can end a run with "context deadline exceeded" when a
# worker is slow to stop (no failing input is found or written; seen on
# loaded and on quiet machines alike): such a run is tried again, up to two
# more times. A real failure writes its input under testdata/fuzz and is
# not retried.
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		for try in 1 2 3; do \
			before=$$(ls $$pkg/testdata/fuzz/$$fn 2>/dev/null | wc -l); \
			if $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg > .fuzz.log 2>&1; then cat .fuzz.log; break; fi; \
			cat .fuzz.log; \
			after=$$(ls $$pkg/testdata/fuzz/$$fn 2>/dev/null | wc -l); \
			if [ "$$after" != "$$before" ] || ! grep -q 'context deadline exceeded' .fuzz.log || [ $$try = 3 ]; then rm -f .fuzz.log; exit 1; fi; \
			echo "fuzz $$pkg $$fn: the fuzzer timed out stopping a worker, no failing input; again"; \
		done; \
	done; rm -f .fuzz.log

# The fault suite (cmd/chaos): redis-server, `scout sim`, `scout serve`, two
# workers and two schedulers as real processes on one SQLite directory;
# kills, Redis restarted empty, a full disk and a failing platform, each
# counted (expected, stored, duplicated, lost, stuck, time to requeue).
# About 10 minutes on 2 cores; CHAOS_FLAGS=-short is CI's 2.5-minute run.
CHAOS_FLAGS ?=
chaos: build
	$(GO) run ./cmd/chaos -scout bin/scout $(CHAOS_FLAGS)

# The whole pipeline against the built-in Bluesky simulator, then the API
# and a results page on http://127.0.0.1:8080 until interrupted.
demo:
	$(GO) run ./cmd/scout demo

# Benchmarks (their output kept in .bench.out), then one table of the
# speed bars (cmd/scout TestBenchTable): the demo's crawl against the raw
# HTTP calls, embedded and on a real Redis when SCOUT_BENCH_REDIS_URL names
# a database it may flush (SCOUT_BENCH_RUNS runs each, default 3), and the
# API and cold-start figures read from .bench.out.
bench:
	@$(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 60m ./index/... ./api/... ./scoring/... ./crawler/... ./sim/... ./internal/... > .bench.out 2>&1; \
		status=$$?; cat .bench.out; exit $$status
	SCOUT_BENCH=1 SCOUT_BENCH_RESULTS=$(CURDIR)/.bench.out $(GO) test -count=1 -run '^TestBenchTable$$' -v -timeout 60m ./cmd/scout | grep -v '^[{]'

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# Accuracy of the scoring models on the labeled data in ../shared/datasets.
eval:
	$(GO) run ./cmd/scout eval

# Refits the per-account fake model on ../shared/datasets and writes
# scoring/accountcoef.go (same data, same model, byte for byte).
fit-accounts:
	$(GO) run ./cmd/scout eval -fit > scoring/accountcoef.go.new && mv scoring/accountcoef.go.new scoring/accountcoef.go

# Refits the niche model on ../shared/datasets and writes the weights that
# ship (same data, same weights, byte for byte).
fit-niche:
	$(GO) run ./cmd/scout eval -fit-niche scoring/niche_model.bin.gz

# The store conformance suite against a running Meilisearch (starts
# nothing): SCOUT_TEST_MEILI_URL=http://127.0.0.1:7700 SCOUT_TEST_MEILI_KEY=... make test-meili
test-meili:
	@test -n "$$SCOUT_TEST_MEILI_URL" || { echo "set SCOUT_TEST_MEILI_URL (and SCOUT_TEST_MEILI_KEY) to a running Meilisearch"; exit 2; }
	$(GO) test -count=1 -v -timeout 30m -run 'Conformance|Integration' ./index/meili/

clean:
	rm -rf bin data
