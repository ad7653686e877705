# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/opsdeck-target
LISTEN ?= 127.0.0.1:3000

.PHONY: demo test bench build release deps test-deps

deps:
	@scripts/install-build-deps.sh

test-deps: deps
	@scripts/install-test-deps.sh

## The server and the debug browser bundle in target/site (cargo + wasm-bindgen; no cargo-leptos)
build: deps
	@scripts/build.sh

## The release build: optimised server, wasm-opt'ed bundle; run it with
## `$(CARGO_TARGET_DIR)/release/opsdeck demo` or `... serve --config FILE`
release: deps
	@scripts/build.sh --release

## Run opsdeck with a simulated Conflicto and a private database at http://$(LISTEN)
demo: build
	"$(CARGO_TARGET_DIR)/debug/opsdeck" demo --listen $(LISTEN)

## Every test: style, clippy, Rust tests against Postgres, browser test in Chromium
test: test-deps
	@scripts/test.sh

## Benchmarks (a report, not a test); figures go into README.md by hand
bench: release
	@scripts/bench.sh
