#!/usr/bin/env bash
# Builds the browser half of Signpost into the site folder (cargo-leptos's layout):
#   $LEPTOS_SITE_ROOT/pkg/signpost.js, signpost_bg.wasm, signpost.css (+ .gz copies), and public/*.
# Usage: scripts/build-site.sh [--release]
#
# The WebAssembly is built with the rustup wasm32 target when it is installed (an ordinary
# developer laptop). Otherwise (these Debian machines, where rustup cannot download the target)
# it uses Debian's rustc-web through the `debian-web` rustup toolchain and builds the wasm std from
# Debian's rust-web-src with -Zbuild-std (see README, "Toolchain"). scripts/setup.sh installs both.
set -euo pipefail
cd "$(dirname "$0")/.."

release=false
[ "${1:-}" = "--release" ] && release=true
SITE=${LEPTOS_SITE_ROOT:-target/site}
PKG="$SITE/pkg"
TARGET=wasm32-unknown-unknown
TARGET_DIR=${CARGO_TARGET_DIR:-target}
log() { printf '==> %s\n' "$*"; }

if rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  log "wasm: rustup's $TARGET target"
  cargo_wasm=(cargo)
  extra=()
else
  log "wasm: Debian rustc-web (+debian-web) with -Zbuild-std (no rustup $TARGET target here)"
  cargo_wasm=(cargo +debian-web)
  extra=(-Zbuild-std=std,panic_abort)
  export RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19
fi

if $release; then profile=(--profile wasm-release); out=wasm-release; else profile=(); out=debug; fi

log "cargo build -p app --lib --target $TARGET --features hydrate ${profile[*]}"
"${cargo_wasm[@]}" build -p app --lib --target "$TARGET" --no-default-features --features hydrate \
  "${profile[@]}" "${extra[@]}"

mkdir -p "$PKG"
log "wasm-bindgen → $PKG/signpost.js, signpost_bg.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$PKG" --out-name signpost \
  "$TARGET_DIR/$TARGET/$out/app.wasm"

if $release; then
  # binaryen from npm (style/package.json): Debian's binaryen 108 breaks hydration (README).
  log "wasm-opt -Oz (binaryen $(style/node_modules/.bin/wasm-opt --version | grep -o '[0-9]\+' | head -1))"
  style/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-sign-ext --enable-mutable-globals \
    -o "$PKG/signpost_bg.opt.wasm" "$PKG/signpost_bg.wasm"
  mv "$PKG/signpost_bg.opt.wasm" "$PKG/signpost_bg.wasm"
fi

log "sass style/main.scss → $PKG/signpost.css"
(cd style && node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
  --load-path=node_modules main.scss build/signpost.css)
cp style/build/signpost.css "$PKG/signpost.css"

log "public/ → $SITE/"
cp -R public/. "$SITE/"

log "gzip -9 copies (served precompressed)"
for f in "$PKG"/signpost.js "$PKG"/signpost_bg.wasm "$PKG"/signpost.css; do
  gzip -9 -k -f -n "$f"
done

js=$(stat -c %s "$PKG/signpost.js.gz"); wasm=$(stat -c %s "$PKG/signpost_bg.wasm.gz")
log "site built in $SITE: JS + WASM gzip = $((js + wasm)) bytes (JS $js, WASM $wasm)"
