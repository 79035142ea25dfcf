# CreatorScout. `make demo` and `make test` are all a fresh machine needs.
GO ?= go
PKGS := ./...

.PHONY: build test demo bench lint lint-openapi eval test-meili clean

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/scout ./cmd/scout

# Runs every test. With SCOUT_TEST_REDIS_URL set, Redis-backed tests use
# that server; otherwise they use an in-process miniredis.
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 20m $(PKGS)

# The whole pipeline against the built-in Bluesky simulator, then the API
# and a results page on http://127.0.0.1:8080 until interrupted.
demo:
	$(GO) run ./cmd/scout demo

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 60m ./index/... ./scoring/... ./crawler/... ./sim/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# Lints the API's OpenAPI document with a pinned Redocly CLI and its
# recommended rules (zero errors and warnings expected). It needs npm; on a
# machine without it the lint is skipped, saying so (make test never needs
# Node).
REDOCLY_VERSION := 2.77.0
lint-openapi:
	@if ! command -v npx >/dev/null 2>&1; then echo "lint-openapi: skipped: npm is not installed (the OpenAPI document is still checked by go test ./api)"; exit 0; fi; \
	doc=$${TMPDIR:-/tmp}/scout-openapi-$$$$.json; \
	$(GO) run ./cmd/scout openapi > $$doc && \
	npx --yes @redocly/cli@$(REDOCLY_VERSION) lint --config .ci/redocly.yaml --max-problems 100 $$doc; rc=$$?; rm -f $$doc; exit $$rc

# Accuracy of the scoring models on the labeled data in ../shared/datasets.
eval:
	$(GO) run ./cmd/scout eval

# The store conformance suite against a running Meilisearch (starts
# nothing): SCOUT_TEST_MEILI_URL=http://127.0.0.1:7700 SCOUT_TEST_MEILI_KEY=... make test-meili
test-meili:
	@test -n "$$SCOUT_TEST_MEILI_URL" || { echo "set SCOUT_TEST_MEILI_URL (and SCOUT_TEST_MEILI_KEY) to a running Meilisearch"; exit 2; }
	$(GO) test -count=1 -v -timeout 30m -run 'Conformance|Integration' ./index/meili/

clean:
	rm -rf bin data
