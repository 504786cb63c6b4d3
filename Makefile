# modhost build, test and benchmark entry points. `make help` lists them.

GO           ?= go
BIN          := bin/modhost
PORT         ?= 6379
TEST_TIMEOUT ?= 30m
TESTFLAGS    ?=
BENCHFLAGS   ?=
STATICCHECK  ?= $(shell $(GO) env GOPATH)/bin/staticcheck
HELLO_SO     := modules_c/hello.so

# The git revision INFO redis_git_sha1 / --version report (00000000 outside
# git), and whether tracked files had uncommitted changes.
GIT_SHA1  := $(shell git rev-parse --short=8 HEAD 2>/dev/null || echo 00000000)
GIT_DIRTY := $(shell test -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo 1 || echo 0)
BUILDINFO := github.com/modhost/modhost/internal/buildinfo
LDFLAGS   := -X $(BUILDINFO).gitSHA1=$(GIT_SHA1) -X $(BUILDINFO).gitDirty=$(GIT_DIRTY)

.PHONY: all help build modules run deps test test-long fuzz test-cgocheck2 lint bench clean

all: build

help:
	@echo "make build           bin/modhost and modules_c (if it has a Makefile)"
	@echo "make run             build and run modhost on PORT=$(PORT) (loads $(HELLO_SO) if built)"
	@echo "make deps            scripts/install-deps.sh (apt packages, go modules, staticcheck)"
	@echo "make test            deps, build, go vet, go test ./... (fuzz seed corpora included)"
	@echo "make fuzz            run every fuzz target for FUZZTIME each (default $(FUZZTIME))"
	@echo "make test-long       make test with MODHOST_LONG=1, then make fuzz with FUZZTIME=$(FUZZTIME_LONG)"
	@echo "make test-cgocheck2  GOEXPERIMENT=cgocheck2 go test of the cgo packages and their users"
	@echo "make lint            gofmt -l, go vet, staticcheck"
	@echo "make bench           cmd/benchcmp: modhost vs redis-server (BENCHFLAGS='-rounds 5 ...')"
	@echo "make clean           remove build outputs"

build: modules
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/modhost

modules:
	@if [ -f modules_c/Makefile ]; then $(MAKE) -C modules_c; fi

run: build
	@echo "starting modhost on port $(PORT); connect with: redis-cli -p $(PORT)"
	@set -- ; if [ -f $(HELLO_SO) ]; then set -- --loadmodule $(HELLO_SO); fi; \
	exec ./$(BIN) --port $(PORT) --save '' --enable-module-command yes "$$@"

deps:
	scripts/install-deps.sh

# The suite uses the freshly built binary instead of building its own.
test: deps build
	$(GO) vet ./...
	MODHOST_BIN=$(CURDIR)/$(BIN) $(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) ./...

# Fuzz targets as package:Target. Crashers the fuzzer finds are written to
# <package>/testdata/fuzz/<Target>/ and become regression inputs of
# `go test` once committed.
FUZZ_TARGETS := ./resp:FuzzParseCommand ./keyspace/rdb:FuzzLoad ./keyspace/rdb:FuzzRestore \
	./internal/config:FuzzLoadString ./internal/hosttest:FuzzReadFrame ./commands:FuzzHLL ./cluster:FuzzDecode
FUZZTIME      ?= 20s
FUZZTIME_LONG ?= 5m

fuzz:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME) $(FUZZ_TARGETS)

test-long:
	MODHOST_LONG=1 $(MAKE) test
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME_LONG)

# Works before any cgo package exists (then it does nothing). Binaries the
# tests start are rebuilt by hosttest.ModhostBin with the same GOEXPERIMENT.
test-cgocheck2:
	@pkgs="$$(scripts/cgo-packages.sh)"; \
	if [ -z "$$pkgs" ]; then echo "test-cgocheck2: no cgo packages yet, nothing to do"; exit 0; fi; \
	echo "GOEXPERIMENT=cgocheck2 go test" $$pkgs; \
	env -u MODHOST_BIN GOEXPERIMENT=cgocheck2 $(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $$pkgs

lint:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt -l reports:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@test -x $(STATICCHECK) || { echo "staticcheck missing: run make deps"; exit 1; }
	$(STATICCHECK) ./...

# Core workloads and the hello.so module commands at -P 1 and -P 16, RSS per
# key after DEBUG POPULATE, SAVE/load of 1M mixed keys, and FT.SEARCH on
# 10,000 RediSearch documents, all against redis-server in the same run.
REDISEARCH_SO := /usr/lib/redis/modules/redisearch.so
BENCH_EXTRA   ?= -populate 1000000 -persist 1000000 -bgsave 1000000
bench: build
	$(GO) build -o bin/benchcmp ./cmd/benchcmp
	@set -- ; if [ -f $(HELLO_SO) ]; then set -- -module $(HELLO_SO); fi; \
	if [ -f $(REDISEARCH_SO) ]; then set -- "$$@" -search 10000 -search-so $(REDISEARCH_SO); fi; \
	./bin/benchcmp -bin $(BIN) "$$@" $(BENCH_EXTRA) $(BENCHFLAGS)

clean:
	rm -rf bin
	@if [ -f modules_c/Makefile ]; then $(MAKE) -C modules_c clean; fi
