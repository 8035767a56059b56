#!/usr/bin/env bash
# Installs what Signpost needs to build, run and test, and nothing that is already there.
# Idempotent: every step checks first and says what it does. Safe to run again and again.
#
#   scripts/setup.sh          what `make run` needs (Rust wasm toolchain, wasm-bindgen, npm packages)
#   scripts/setup.sh --test   also what `make test` needs (Chromium; PostgreSQL unless
#                             TEST_DATABASE_URL is set; the end-to-end npm packages; for the
#                             scale-out test nginx, systemd-analyze and openssl)
#
# On a machine whose rustup has the wasm32-unknown-unknown target (an ordinary laptop after
# `rustup target add wasm32-unknown-unknown`), no system package is needed for the build. On these
# Debian machines rustup cannot download that target, so the WebAssembly is built with Debian's
# rustc-web and the std sources of rust-web-src (README, "Toolchain").
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
TARGET=wasm32-unknown-unknown
with_test=false
[ "${1:-}" = "--test" ] && with_test=true

log() { printf '==> %s\n' "$*"; }
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

apt_missing=()
need_apt() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || apt_missing+=("$1"); }

# ---- Rust toolchain for the WebAssembly
if rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  log "rustup has the $TARGET target: the ordinary route"
  cargo_wasm=(cargo)
else
  log "no rustup $TARGET target: the Debian rustc-web route (-Zbuild-std)"
  if command -v dpkg-query >/dev/null; then
    for p in rustc-web cargo-web rust-web-src lld-19; do need_apt "$p"; done
  else
    echo "This machine has neither the rustup $TARGET target nor Debian's packages." >&2
    echo "Run: rustup target add $TARGET" >&2
    exit 1
  fi
  cargo_wasm=(cargo +debian-web)
fi

# ---- What the tests need
if $with_test; then
  if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then need_apt chromium; fi
  if [ -z "${TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    need_apt postgresql
  fi
  # The end-to-end tests' SMTP server (aiosmtpd) lives in a Python virtual environment.
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then need_apt python3-venv; fi
  # The scale-out test (scripts/scale-out.sh) runs its own nginx on a loopback port. On a machine
  # with systemd, Debian's package also starts the system nginx on port 80:
  # `systemctl disable --now nginx` if you do not want it.
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then need_apt nginx; fi
  if ! command -v systemd-analyze >/dev/null; then need_apt systemd; fi
  if ! command -v openssl >/dev/null; then need_apt openssl; fi
fi

if ((${#apt_missing[@]})); then
  log "apt-get install ${apt_missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
else
  log "system packages: nothing to install"
fi

if [ "${cargo_wasm[*]}" != cargo ]; then
  if rustup toolchain list | grep -q '^debian-web'; then
    log "rustup toolchain debian-web is linked to /usr"
  else
    log "rustup toolchain link debian-web /usr"
    rustup toolchain link debian-web /usr
  fi
fi

# ---- wasm-bindgen CLI, exactly the crate's version
if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  log "wasm-bindgen $WASM_BINDGEN_VERSION is installed"
else
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 10 minutes on 2 cores)"
  # Not --locked: its lockfile pins a webpki-roots release the registry mirror does not serve.
  "${cargo_wasm[@]}" install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force --quiet
fi

# ---- npm packages (sass, govuk-frontend, binaryen's wasm-opt; Playwright and axe for tests)
npm_ci() {
  local dir=$1
  if [ -f "$dir/node_modules/.package-lock.json" ] && cmp -s "$dir/package-lock.json" "$dir/node_modules/.signpost-lock"; then
    log "npm packages in $dir are up to date"
  else
    log "npm ci in $dir"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.signpost-lock"
  fi
}
npm_ci style
if $with_test; then npm_ci end2end; fi

# ---- aiosmtpd: the real SMTP server on loopback that the end-to-end tests send email to
AIOSMTPD_VERSION=1.4.6
if $with_test; then
  if end2end/.venv/bin/python -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    log "aiosmtpd $AIOSMTPD_VERSION is installed (end2end/.venv)"
  else
    log "pip install aiosmtpd==$AIOSMTPD_VERSION into end2end/.venv"
    python3 -m venv end2end/.venv
    end2end/.venv/bin/pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
  fi
fi

log "set-up complete"
