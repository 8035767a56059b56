# Signpost: the two commands are `make run` and `make test` (README). Both install what is
# missing first (scripts/setup.sh), so they work on a fresh machine.
SHELL := /bin/bash
export LEPTOS_SITE_ROOT ?= target/site
export LEPTOS_SITE_ADDR ?= 127.0.0.1:3000

.PHONY: run test release setup site site-release check e2e clean-site

## make run: build (debug) and run the app on http://127.0.0.1:3000 with SQLite and the defaults
run: setup site
	cargo run -p signpost --bin signpost

## make test: format, lint, Rust tests on SQLite and PostgreSQL, end-to-end tests on a release build
test:
	scripts/test.sh

## make release: target/release/signpost and the optimised site in $(LEPTOS_SITE_ROOT)
release: setup site-release
	cargo build --release -p signpost --bin signpost

setup:
	scripts/setup.sh

site:
	scripts/build-site.sh

site-release:
	scripts/build-site.sh --release

## make check: formatting and lints only
check:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

## make e2e: end-to-end tests against the current release build (run `make release` first)
e2e:
	cd end2end && npx playwright test

clean-site:
	rm -rf $(LEPTOS_SITE_ROOT)
