#!/usr/bin/env bash
# bench/run.sh — every benchmark in one command (issue 7). Builds the release artifacts, runs the
# benchmarks on 127.0.0.1 (each starts and stops its own release gws-sim on a free port), and
# ends with one table of every figure, its target and met/missed (with what limits a missed one).
# With results on (the default), each benchmark rewrites its own block of bench/RESULTS.md and the
# summary table goes into its `## Summary (bench/run.sh)` section.
#
#   bench/run.sh                 full run (≈ 35 min on 2 cores; see bench/README.md)
#   bench/run.sh --quick         small counts (≈ 8 min), RESULTS.md untouched
#   bench/run.sh --only size,startup --skip-build
#
# Options: --quick, --no-results, --skip-build, --only LIST (sim-fanout, decode, size, startup,
# latency, throughput, memory). Env: FANOUT_ARGS (default `--repeat 3`), CARGO_TARGET_DIR, CHROMIUM,
# BENCH_DIST, BENCH_PROFILE_DIST, BENCH_PROBE_DIST, GWS_SIM_BIN.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:/usr/local/bin:$PATH"

QUICK=0
RESULTS=1
BUILD=1
ONLY="sim-fanout,decode,size,startup,latency,throughput,memory"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; RESULTS=0 ;;
    --no-results) RESULTS=0 ;;
    --results) RESULTS=1 ;;
    --skip-build) BUILD=0 ;;
    --only) ONLY="$2"; shift ;;
    --only=*) ONLY="${1#--only=}" ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (--help)"; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
export BENCH_DIST=${BENCH_DIST:-$TARGET_DIR/bench-dist}
export BENCH_PROFILE_DIST=${BENCH_PROFILE_DIST:-$TARGET_DIR/bench-dist-profile}
export BENCH_PROBE_DIST=${BENCH_PROBE_DIST:-$TARGET_DIR/bench-dist-probe}
export GWS_SIM_BIN=${GWS_SIM_BIN:-$TARGET_DIR/release/gws-sim}
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
FAILED=()
step() { printf '\n==> %s\n' "$*"; }

if [ "$BUILD" = 1 ]; then
  step "fetching crates"
  cargo fetch || exit 1
  # The size benchmark's evidence (by crate, biggest items, generic bloat) comes from twiggy.
  if wants size && ! command -v twiggy >/dev/null; then
    step "installing twiggy (size benchmark)"
    cargo install twiggy --locked || exit 1
  fi
  step "release widget (trunk, wasm-release profile) → $BENCH_DIST"
  trunk build --release=true --cargo-profile wasm-release --dist "$BENCH_DIST" || exit 1
  step "name-section build of the same code (profiles, twiggy) → $BENCH_PROFILE_DIST"
  # Same cargo artifact, same wasm-bindgen and wasm-opt passes as trunk (`-Oz` and index.html's
  # `data-wasm-opt-params`), but `-g` keeps the names.
  # shellcheck disable=SC2207
  OPT_PASSES=(-Oz $(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html))
  WORK=$(mktemp -d)
  wasm-bindgen --target=web --out-dir="$WORK" --out-name=gws-widget --no-typescript \
    "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/gws_widget.wasm" || exit 1
  wasm-opt "${OPT_PASSES[@]}" -g "$WORK/gws-widget_bg.wasm" -o "$WORK/named.wasm" || exit 1
  if ! cmp -s "$WORK/gws-widget.js" "$BENCH_DIST/gws-widget.js"; then
    echo "!! the name-section build's JS glue differs from the release dist (was the widget rebuilt meanwhile?)"; exit 1
  fi
  rm -rf "$BENCH_PROFILE_DIST"
  cp -r "$BENCH_DIST" "$BENCH_PROFILE_DIST"
  cp "$WORK/named.wasm" "$BENCH_PROFILE_DIST/gws-widget_bg.wasm"
  rm -rf "$WORK"
  step "notification client alone (feature bench-probe, for the throughput benchmark) → $BENCH_PROBE_DIST"
  # After the copy above: this build replaces the cargo artifact the name-section build used.
  cargo build --lib -p gws-widget --target wasm32-unknown-unknown --profile wasm-release --features bench-probe || exit 1
  WORK=$(mktemp -d)
  wasm-bindgen --target=web --out-dir="$WORK" --out-name=gws-widget --no-typescript \
    "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/gws_widget.wasm" || exit 1
  wasm-opt "${OPT_PASSES[@]}" -g "$WORK/gws-widget_bg.wasm" -o "$WORK/named.wasm" || exit 1
  wasm-opt "${OPT_PASSES[@]}" "$WORK/gws-widget_bg.wasm" -o "$WORK/gws-widget_bg.wasm" || exit 1
  # A copy with the name section, for the profiled runs (served with the name-section widget).
  rm -rf "$BENCH_PROBE_DIST" "$BENCH_PROBE_DIST-profile"
  cp -r "$WORK" "$BENCH_PROBE_DIST-profile"
  mv "$BENCH_PROBE_DIST-profile/named.wasm" "$BENCH_PROBE_DIST-profile/gws-widget_bg.wasm"
  rm "$WORK/named.wasm"
  mv "$WORK" "$BENCH_PROBE_DIST"
  step "release simulator (gws-sim)"
  cargo build --release -p gws-sim || exit 1
fi
step "browser benchmark dependencies (playwright-core, cometd; Debian chromium)"
(cd bench/browser && npm ci --no-audit --no-fund --loglevel=error) || exit 1

R=()
[ "$RESULTS" = 1 ] && R=(--results)
run() {
  local name=$1; shift
  wants "$name" || return 0
  step "$name: $*"
  if ! "$@"; then FAILED+=("$name"); echo "!! $name failed"; fi
}

if [ "$QUICK" = 1 ]; then
  run sim-fanout cargo run --release -p gws-bench --bin sim-fanout -- --clients 100,1000 --warmup-secs 1 --measure-secs 2
  run decode cargo run --release -p gws-bench --bin decode -- --rounds 3
  run size node bench/browser/size.mjs
  run startup node bench/browser/startup.mjs --loads 5
  run latency node bench/browser/latency.mjs --count 1000 --probe-count 300
  run throughput node bench/browser/throughput.mjs --messages 3000 --warmup 500 --rounds 1 --profile
  run memory node bench/browser/memory.mjs --lifecycles 1000 --warmup 50 --samples 4 --burst 2000
else
  # shellcheck disable=SC2086
  run sim-fanout cargo run --release -p gws-bench --bin sim-fanout -- ${FANOUT_ARGS:---repeat 3} ${R[@]+--results bench/RESULTS.md}
  run decode cargo run --release -p gws-bench --bin decode -- ${R[@]+--results bench/RESULTS.md}
  run size node bench/browser/size.mjs "${R[@]}"
  run startup node bench/browser/startup.mjs "${R[@]}"
  run latency node bench/browser/latency.mjs "${R[@]}"
  run throughput node bench/browser/throughput.mjs --profile "${R[@]}"
  run memory node bench/browser/memory.mjs "${R[@]}"
fi

step "summary"
FANOUT_RAN=false
wants sim-fanout && FANOUT_RAN=true
FAILED_LIST=$(IFS=,; echo "${FAILED[*]:-}")
node bench/browser/summary.mjs --since "$START" --failed "$FAILED_LIST" --fanout-ran="$FANOUT_RAN" \
  $([ "$RESULTS" = 1 ] && [ "$QUICK" = 0 ] && echo --results)
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]}"
  exit 1
fi
