#!/usr/bin/env bash
# The project's whole test run (README: `npm test`): type check, lint, format check, then every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== node $(node -v)"
echo "== typecheck"
node node_modules/typescript/bin/tsc --noEmit -p .
echo "== lint"
node node_modules/eslint/bin/eslint.js .
echo "== format"
node node_modules/prettier/bin/prettier.cjs --check --log-level warn "**/*.ts"
echo "== build (providers compiled ahead of time, providers/host.ts)"
node -r ts-node/register/transpile-only scripts/buildProviders.ts
echo "== tests"
exec node node_modules/jest/bin/jest.js "$@"
