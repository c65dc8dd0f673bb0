#!/usr/bin/env bash
# `npm run lint`: ESLint (tools/lint/eslint.config.js) over the TypeScript of the repository. ESLint and the
# TypeScript it parses with live in tools/lint/ (see its package.json); installed there on first use, no install
# scripts. Arguments go to ESLint (`npm run lint -- workflows/`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d tools/lint/node_modules ] || [ tools/lint/package-lock.json -nt tools/lint/node_modules/.package-lock.json ]; then
  echo "lint: npm ci in tools/lint"
  (cd tools/lint && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
exec tools/lint/node_modules/.bin/eslint --config tools/lint/eslint.config.js --max-warnings 0 "${@:-.}"
