#!/usr/bin/env bash
# Runs every test of gws-widget on a fresh machine (Debian, Rust stable, Node):
#   1. installs what is missing (scripts/install-tools.sh: wasm32 target, wasm-bindgen-cli at the
#      Cargo.lock version, trunk, wasm-pack, npm wasm-opt, Debian chromium + chromedriver);
#   2. native tests of protocol, client and simulator (cargo); the docs, with broken intra-doc
#      links denied;
#   3. starts gws-sim on 127.0.0.1 and runs the widget's wasm-bindgen tests in headless Chromium,
#      with the cargo runner and again with `wasm-pack test --headless --chrome`;
#   4. builds the demo with trunk (release), packs the npm package (scripts/package.sh) and checks
#      the tarball's contents and that its declarations resolve (e2e/package.test.mjs), compiles the
#      typed host example (examples/host.ts, tsc --strict), checks which ?base= the demo pages
#      accept (e2e/demo-base.test.mjs, plain Node), and runs the e2e demo smoke tests
#      (Playwright; the cross-origin embedding test installs the packed tarball into
#      e2e/sample-host), the declarations against the runtime (e2e/types.test.mjs) and the CRM demo
#      under a strict Content-Security-Policy (e2e/csp.test.mjs);
#   5. runs the reliability suite (simulator killed/restarted, sessions expired, network loss,
#      frozen tab, malformed notifications) in its quick form;
#   6. runs the stock cometd.js client (npm `cometd` + `cometd-nodejs-client`) against its own
#      gws-sim (node --test e2e/cometd-stock.mjs);
# and ends with one summary line over all suites: `N passed, M failed`.
#
# Env: GWS_TEST_PORT (18080) port of the test simulator; SKIP_INSTALL=1 skips step 1;
#      SKIP_WASM_PACK=1 skips the wasm-pack run.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:/usr/local/bin:$PATH"

LOG_DIR=$(mktemp -d)
PASSED=0
FAILED=0
SIM_PID=
cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

# Runs a suite, echoing its output, and adds the counts of its `test result:` lines (cargo) and of
# its `# pass N` / `# fail N` lines (node --test) to the totals. A suite that fails without
# reporting a failed test (build error, crash) counts as one failure.
suite() {
  local name=$1; shift
  local log="$LOG_DIR/$name.log"
  step "$name: $*"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  p=$(grep -aE '^test result:' "$log" | sed -nE 's/.* ([0-9]+) passed.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(grep -aE '^test result:' "$log" | sed -nE 's/.* ([0-9]+) failed.*/\1/p' | awk '{s+=$1} END {print s+0}')
  p=$((p + $(grep -aE '^# pass [0-9]+$' "$log" | awk '{s+=$3} END {print s+0}')))
  f=$((f + $(grep -aE '^# fail [0-9]+$' "$log" | awk '{s+=$3} END {print s+0}')))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "!! $name exited with status $status"; fi
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  echo "-- $name: $p passed, $f failed"
}

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  step "installing missing tools"
  INSTALL_WASM_PACK=1 bash scripts/install-tools.sh Cargo.lock || { echo "tool installation failed"; echo "0 passed, 1 failed"; exit 1; }
fi
step "fetching crates"
cargo fetch --locked || { echo "cargo fetch failed"; echo "0 passed, 1 failed"; exit 1; }

suite native cargo test --locked --workspace --exclude gws-widget
# Docs whose intra-doc links are broken fail the run (a stale link is a stale explanation).
DOC_FLAGS="-D rustdoc::broken_intra_doc_links -D rustdoc::private_intra_doc_links"
RUSTDOCFLAGS="$DOC_FLAGS" suite docs-native cargo doc --locked --no-deps --workspace --exclude gws-widget --document-private-items
RUSTDOCFLAGS="$DOC_FLAGS" suite docs-widget cargo doc --locked --no-deps -p gws-widget --target wasm32-unknown-unknown --document-private-items

step "building the demo (trunk, release)"
suite demo-build trunk build --release=true --cargo-profile wasm-release
suite package-build bash scripts/package.sh dist

step "TypeScript (examples: typescript from npm)"
(cd examples && npm ci --no-audit --no-fund --loglevel=error) || FAILED=$((FAILED + 1))
suite types-tsc bash -c 'cd examples && npx tsc --noEmit --strict -p . && echo "test result: ok. 1 passed; 0 failed;"'
suite package node --test e2e/package.test.mjs
# Which ?base= the demo pages accept (www/demo-base.js; plain Node, no browser).
suite demo-base node --test e2e/demo-base.test.mjs

step "starting the test simulator"
cargo build --locked -p gws-sim 2>&1 | tail -n 2
PORT=${GWS_TEST_PORT:-18080}
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT is busy; set GWS_TEST_PORT"; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1
fi
"$ROOT/target/debug/gws-sim" --port "$PORT" --answer-delay-ms 300 --cometd-timeout-ms 10000 \
  --advertise-mute --agents-logged-in --static-dir "$ROOT/dist" > "$LOG_DIR/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$LOG_DIR/sim.log" && break; sleep 0.1; done
if ! grep -q "listening on" "$LOG_DIR/sim.log"; then
  cat "$LOG_DIR/sim.log"; echo "gws-sim did not start"; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1
fi
export GWS_SIM_URL="http://127.0.0.1:$PORT"
echo "gws-sim at $GWS_SIM_URL"

suite browser cargo test --locked -p gws-widget --target wasm32-unknown-unknown
if [ "${SKIP_WASM_PACK:-0}" != 1 ]; then
  suite wasm-pack wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver .
fi

step "e2e dependencies"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error) || FAILED=$((FAILED + 1))
APP_URL="$GWS_SIM_URL" suite e2e node e2e/run.mjs
APP_URL="$GWS_SIM_URL" suite types-runtime node --test e2e/types.test.mjs
APP_URL="$GWS_SIM_URL" suite csp node --test e2e/csp.test.mjs
# Its own simulator process (killed and restarted on purpose), short fault durations; the full
# durations (5 min frozen tab, 60 s outage) run with `node e2e/reliability.mjs`.
GWS_SIM_BIN="$ROOT/target/debug/gws-sim" RELIABILITY_STATIC="$ROOT/dist" suite reliability node e2e/reliability.mjs --quick
# The official cometd.js client in its default configuration, with its own simulator process.
GWS_SIM_BIN="$ROOT/target/debug/gws-sim" suite cometd-stock node --test e2e/cometd-stock.mjs

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
