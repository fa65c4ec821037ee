#!/usr/bin/env bash
# bench/size-floor/run.sh — builds the two floor crates (size profile, wasm-bindgen, wasm-opt with
# the passes trunk runs on the widget: -Oz and index.html's data-wasm-opt-params) and prints their
# wasm + JS glue sizes, raw and gzip -9, in KB.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:/usr/local/bin:$PATH"
TARGET=${CARGO_TARGET_DIR:-$(pwd)/../../target/size-floor}
cargo build --release --target wasm32-unknown-unknown --target-dir "$TARGET" >&2
# shellcheck disable=SC2207
OPT_PASSES=(-Oz $(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' ../../index.html))
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
echo "| crate | what it holds | wasm raw KB | wasm gzip KB | JS gzip KB | total gzip KB |"
echo "|---|---|---:|---:|---:|---:|"
total=0
for crate in floor_logic floor_view; do
  out=$(mktemp -d)
  wasm-bindgen --target=web --out-dir="$out" --no-typescript "$TARGET/wasm32-unknown-unknown/release/$crate.wasm"
  wasm-opt "${OPT_PASSES[@]}" "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
  raw=$(stat -c %s "$out/${crate}_bg.wasm")
  gz=$(gzip -9 -c "$out/${crate}_bg.wasm" | wc -c)
  js=$(find "$out" -name '*.js' -exec cat {} + | gzip -9 | wc -c)
  case $crate in
    floor_logic) what="gws-protocol + gws-client (Bayeux machine, decoding, call store), no view" ;;
    floor_view) what="Leptos 0.8 CSR, one keyed list of cards with buttons, no logic" ;;
  esac
  echo "| \`$crate\` | $what | $(kb "$raw") | $(kb "$gz") | $(kb "$js") | $(kb $((gz + js))) |"
  total=$((total + gz + js))
  rm -rf "$out"
done
echo
echo "Sum of the two floors: $(kb $total) KB gzip (the widget's budget: 120 KB gzip for everything)."
