# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/opsdeck-target
LISTEN ?= 127.0.0.1:3000

.PHONY: demo test bench build deps test-deps

deps:
	@scripts/install-build-deps.sh

test-deps: deps
	@scripts/install-test-deps.sh

build: deps
	cargo leptos build

## Run opsdeck with a simulated Conflicto and a private database at http://$(LISTEN)
demo: build
	"$(CARGO_TARGET_DIR)/debug/opsdeck" demo --listen $(LISTEN)

## Every test: style, clippy, Rust tests against Postgres, browser test in Chromium
test: test-deps
	@scripts/test.sh

## Benchmarks (a report, not a test); figures go into README.md by hand
bench: build
	@scripts/bench.sh
