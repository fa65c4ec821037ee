#!/usr/bin/env bash
# bench/lenient-newtypes/run.sh — issue 12 item 6: the wasm size (built like the widget: opt-level
# z, LTO, wasm-opt -Oz, gzip -9) and native decode time of the call's lenient fields declared as
# `deserialize_with` attributes against newtype field types.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:/usr/local/bin:$PATH"
TARGET=${CARGO_TARGET_DIR:-$(pwd)/../../target/lenient-newtypes}
echo "| variant | wasm -Oz bytes | gzip -9 bytes |"
echo "|---|---:|---:|"
for variant in baseline attrs newtypes; do
  features=""; [ "$variant" != baseline ] && features="--features $variant"
  # shellcheck disable=SC2086
  cargo build -q --release --lib --target wasm32-unknown-unknown --target-dir "$TARGET/$variant" $features >&2
  out=$(mktemp)
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$TARGET/$variant/wasm32-unknown-unknown/release/lenient_newtypes.wasm" -o "$out"
  echo "| $variant | $(stat -c %s "$out") | $(gzip -9 -c "$out" | wc -c) |"
  rm -f "$out"
done
echo
cargo run -q --profile speed --bin speed --target-dir "$TARGET/speed"
