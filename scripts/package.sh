#!/usr/bin/env bash
# Builds the npm package of the widget into pkg/ and packs it into packed/gws-widget-X.Y.Z.tgz.
#
#   scripts/package.sh [DIST]     DIST: a trunk release build (default: dist/, or $DIST)
#   scripts/package.sh --build    builds dist/ first (trunk build --release=true
#                                 --cargo-profile wasm-release), then packages it
#
# The package is what a host page serves: embed.js (the loader), the wasm-bindgen glue and its
# snippets, the wasm, the timer worker, widget.css, the TypeScript declarations and a README.
# Only the files in WIDGET_FILES are copied: the demo (index.html, demo.js, demo.css, the CRM
# demo page) stays out. `npm pack` runs offline (no scripts, no dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# What a host needs, relative to the dist directory (a trailing / copies a directory).
# embed.js imports gws-widget.js and fetches gws-widget_bg.wasm by name (Trunk.toml: filehash =
# false); the glue imports snippets/*; the scheduler loads gws-timer-worker.js beside the glue.
WIDGET_FILES=(embed.js gws-widget.js gws-widget_bg.wasm gws-timer-worker.js widget.css snippets/)
# Added from the repository.
PACKAGING_FILES=(index.d.ts README.md)

DIST=${DIST:-dist}
if [ "${1:-}" = --build ]; then
  trunk build --release=true --cargo-profile wasm-release --dist "$DIST"
elif [ -n "${1:-}" ]; then
  DIST=$1
fi
DIST=$(cd "$DIST" && pwd)

for file in "${WIDGET_FILES[@]}"; do
  if [ ! -e "$DIST/$file" ]; then
    echo "package.sh: $DIST/$file is missing; build the widget first (scripts/package.sh --build)" >&2
    exit 1
  fi
done

VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
LICENSE=$(sed -n '/^\[workspace.package\]/,/^\[/s/^license = "\(.*\)"$/\1/p' Cargo.toml)
DESCRIPTION=$(sed -n '/^\[package\]/,/^\[/s/^description = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$VERSION" ] || { echo "package.sh: no version in Cargo.toml [workspace.package]" >&2; exit 1; }

rm -rf pkg
mkdir -p pkg packed
for file in "${WIDGET_FILES[@]}"; do
  cp -R "$DIST/${file%/}" "pkg/"
done
for file in "${PACKAGING_FILES[@]}"; do
  cp "packaging/$file" "pkg/$file"
done

# package.json: `files` is WIDGET_FILES plus the declarations (npm adds package.json and the
# README itself); every file is also an export, so `import 'gws-widget/gws-widget_bg.wasm?url'`
# style asset imports and `require.resolve` of a file work.
VERSION="$VERSION" LICENSE="$LICENSE" DESCRIPTION="$DESCRIPTION" \
  node --input-type=module - "${WIDGET_FILES[@]}" > pkg/package.json <<'EOF'
const files = process.argv.slice(2);
const exports = {
  '.': { types: './index.d.ts', default: './embed.js' },
  './embed.js': { types: './index.d.ts', default: './embed.js' },
};
for (const file of files) {
  const key = file.endsWith('/') ? `./${file}*` : `./${file}`;
  exports[key] ??= key;
}
exports['./index.d.ts'] = './index.d.ts';
exports['./package.json'] = './package.json';
const manifest = {
  name: 'gws-widget',
  version: process.env.VERSION,
  description: `${process.env.DESCRIPTION} — embeddable in CRM pages (one script tag or mount())`,
  license: process.env.LICENSE,
  type: 'module',
  main: './embed.js',
  types: './index.d.ts',
  exports,
  files: [...files, 'index.d.ts'],
  // Importing embed.js defines <gws-agent-widget> and sets window.GwsWidget.
  sideEffects: true,
  keywords: ['genesys', 'gws', 'cti', 'softphone', 'call-control', 'web-component', 'wasm'],
};
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
EOF

rm -f "packed/gws-widget-$VERSION.tgz"
(cd pkg && npm pack --offline --silent --pack-destination "$ROOT/packed" >/dev/null)
echo "pkg/ and packed/gws-widget-$VERSION.tgz ($(du -k "packed/gws-widget-$VERSION.tgz" | cut -f1) KiB)"
