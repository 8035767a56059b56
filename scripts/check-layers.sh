#!/usr/bin/env bash
# The layering check (issue 15): prints which top-level modules of server/src and app/src import
# which, and fails when a module imports `startup`, a public feature imports `staff`, the form
# engine imports a particular form, or modules import one another in a circle. The check itself
# is the Rust test server/tests/layers.rs (it also runs in `cargo test`); its KNOWN list names
# the violations still left and who removes them.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test -p signpost --test layers -- --nocapture "$@"
