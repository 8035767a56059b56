#!/usr/bin/env bash
# `make test`: the whole suite, from a fresh machine or a warm one.
#   1. set-up (installs only what is missing)      4. Rust tests on PostgreSQL (TEST_DATABASE_URL,
#   2. cargo fmt --check, cargo clippy -D warnings     or a throwaway cluster: scripts/with-postgres.sh)
#   3. Rust unit + integration tests on SQLite     5. release build, then Playwright end-to-end tests
#                                                  6. the scale-out test: three release servers behind
#                                                     nginx, and the production kit (scripts/scale-out.sh)
# Ends with the runners' summary lines and the time each step took.
set -euo pipefail
cd "$(dirname "$0")/.."

# A clean checkout builds once: incremental-compilation caches would only cost disk (~18 GB).
if [[ -n "${CI:-}" ]]; then export CARGO_INCREMENTAL=0; fi

LOGS=$(mktemp -d /tmp/signpost-test.XXXXXX)
summary=()
started=$(date +%s)

phase() {
  local name=$1; shift
  local t0 rc=0; t0=$(date +%s)
  printf '\n==> %s\n' "$name"
  "$@" || rc=$?
  summary+=("$(printf '%-34s %4ss' "$name" $(( $(date +%s) - t0 )))")
  return "$rc"
}

# cargo test prints one "test result:" line per test binary: add them up.
cargo_tests() {
  local label=$1; shift
  local log="$LOGS/$label.log" rc=0
  # Its status is returned explicitly: called from `phase`, `set -e` does not reach in here.
  "$@" 2>&1 | tee "$log" || rc=$?
  awk -v label="$label" '/^test result:/ {
      for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) g += $i }
      n++ }
    END { printf "%s: %d passed; %d failed; %d ignored (%d test binaries)\n", label, p, f, g, n }' "$log" \
    > "$LOGS/$label.summary"
  return "$rc"
}

phase "set-up" scripts/setup.sh --test
phase "cargo fmt --check" cargo fmt --all --check
phase "cargo clippy -D warnings" cargo clippy --workspace --all-targets --quiet -- -D warnings
phase "Rust tests on SQLite" cargo_tests "Rust tests on SQLite" env -u TEST_DATABASE_URL cargo test --workspace
phase "Rust tests on PostgreSQL" cargo_tests "Rust tests on PostgreSQL" scripts/with-postgres.sh cargo test --workspace
phase "release build" make --no-print-directory release
# A failed browser test still prints the summary below, then fails the run.
e2e_status=0
phase "end-to-end (Playwright)" bash -o pipefail -c "cd end2end && npx playwright test 2>&1 | tee '$LOGS/e2e.log'" \
  || e2e_status=$?
# Three servers behind nginx, on PostgreSQL (docs/operations.md). The load lasts
# SCALE_LOAD_SECS (30 s here, to keep the run short; the script's own default is 60 s).
scale_status=0
phase "scale-out (3 servers behind nginx)" bash -o pipefail -c \
  "SCALE_LOAD_SECS=\${SCALE_LOAD_SECS:-30} scripts/scale-out.sh 2>&1 | tee '$LOGS/scale.log'" \
  || scale_status=$?

printf '\n==> Summary\n'
cat "$LOGS/Rust tests on SQLite.summary" "$LOGS/Rust tests on PostgreSQL.summary"
printf 'End-to-end (Playwright): %s\n' "$(grep -E '^\s+[0-9]+ (passed|failed|skipped|flaky)' "$LOGS/e2e.log" | xargs)"
grep -E '^(scale-out \(|\*\*\* SKIPPED)' "$LOGS/scale.log" || echo "scale-out: no summary (see its output above)"
printf '%s\n' "${summary[@]}"
printf 'Total: %ss\n' $(( $(date +%s) - started ))
rm -rf "$LOGS"
if [[ $e2e_status -ne 0 ]]; then
  echo "End-to-end tests failed (exit $e2e_status)" >&2
  exit "$e2e_status"
fi
if [[ $scale_status -ne 0 ]]; then
  echo "Scale-out test failed (exit $scale_status)" >&2
  exit "$scale_status"
fi
