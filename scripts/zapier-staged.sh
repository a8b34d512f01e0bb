#!/usr/bin/env bash
# Runs a `zapier-platform` command (build, push, upload …) on a staged copy of the app.
# `zapier-platform build`/`push` copy the whole project folder with unbounded parallelism
# (node_modules, hub/ and all), which runs out of file handles; the stage holds only what ships:
# package.json + lock, index.js, dist/, .zapierapprc (with the app id once registered), and the
# production dependencies. Outputs in the stage's build/ are copied back to build/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
npm run --silent build
stage=$(mktemp -d "${TMPDIR:-/tmp}/lw-zapier-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp package.json package-lock.json index.js .zapierapprc .gitignore "$stage/"
cp -r dist "$stage/dist"
rm -rf "$stage/dist/bench" "$stage/dist/demo" "$stage/dist/e2e" "$stage/dist/hub" # the demo's build, not the app
# The staged copy is already compiled: drop the scripts so the CLI does not re-run tsc there.
node -e 'const f=process.argv[1];const p=require(f);delete p.scripts;require("fs").writeFileSync(f, JSON.stringify(p,null,2))' "$stage/package.json"
(cd "$stage" && npm ci --omit=dev --no-audit --no-fund --loglevel=error && "$root/node_modules/.bin/zapier-platform" "$@")
if [ -d "$stage/build" ]; then
  mkdir -p build
  cp "$stage"/build/*.zip build/
fi
