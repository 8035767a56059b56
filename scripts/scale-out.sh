#!/usr/bin/env bash
# The scale-out test (issue #17): three release servers on one PostgreSQL behind nginx, a real
# SMTP server, and the production kit's checks (deploy/). The driver is scripts/scale_out.py
# (Python standard library); its docstring lists every check. Prints `N passed, M failed`.
#
#   scripts/scale-out.sh                       embedded search; then Meilisearch if MEILI_URL is set
#   SCALE_LOAD_SECS=20 scripts/scale-out.sh    a shorter load (default 60 s)
#
# Needs `make release` (target/release/signpost, or $CARGO_TARGET_DIR/release/signpost, and the
# site in $LEPTOS_SITE_ROOT, default target/site) and `scripts/setup.sh --test` (PostgreSQL,
# nginx, systemd-analyze, aiosmtpd in end2end/.venv). PostgreSQL: TEST_DATABASE_URL if set (the
# user must be allowed to create databases), otherwise a throwaway cluster
# (scripts/with-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# nginx lives in /usr/sbin, which is not on an ordinary user's PATH on Debian.
export PATH="$PATH:/usr/sbin:/sbin"

for tool in nginx systemd-analyze openssl; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: run scripts/setup.sh --test" >&2; exit 2; }
done
[ -x end2end/.venv/bin/python ] || { echo "end2end/.venv is missing (aiosmtpd): run scripts/setup.sh --test" >&2; exit 2; }

status=0
SCALE_SEARCH=embedded scripts/with-postgres.sh python3 scripts/scale_out.py || status=$?
if [ -n "${MEILI_URL:-}" ]; then
  SCALE_SEARCH=meilisearch scripts/with-postgres.sh python3 scripts/scale_out.py || status=$?
else
  printf '\n*** SKIPPED: the scale-out test with SIGNPOST_SEARCH=meilisearch (MEILI_URL is not set). ***\n'
  printf '*** Set MEILI_URL (and MEILI_MASTER_KEY) to a Meilisearch server to run it.           ***\n\n'
fi
exit "$status"
