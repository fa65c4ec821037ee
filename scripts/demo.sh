#!/usr/bin/env bash
# Runs the demo on a fresh machine (Debian, Rust stable, Node): installs what is missing, builds
# the widget in release with trunk, starts gws-sim serving it, and prints the URL.
#
# Env: PORT (8080), BIND (127.0.0.1), SIM_ARGS (extra gws-sim flags, e.g. "--autopilot").
# gws-sim answers only requests addressed to a loopback name or to the bind address: to open
# the demo from another machine under a host name, add it, e.g. SIM_ARGS="--allow-host box.lan".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:/usr/local/bin:$PATH"

INSTALL_CHROMIUM=0 INSTALL_WASM_PACK=0 bash scripts/install-tools.sh Cargo.lock
cargo fetch --locked
trunk build --release=true --cargo-profile wasm-release
cargo build --locked --release -p gws-sim

PORT=${PORT:-8080}
BIND=${BIND:-127.0.0.1}
echo
case "$BIND" in 0.0.0.0|::) SHOWN=127.0.0.1 ;; *) SHOWN=$BIND ;; esac
echo "gws-widget demo: open http://$SHOWN:$PORT/  (agents: ?user=agent1 | ?user=agent2 | ?user=supervisor1)"
echo "Ctrl+C stops the simulator."
# shellcheck disable=SC2086
exec target/release/gws-sim --bind "$BIND" --port "$PORT" --static-dir dist --advertise-mute ${SIM_ARGS:-}
