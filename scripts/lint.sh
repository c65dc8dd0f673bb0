#!/usr/bin/env bash
# `npm run lint`: ESLint (tools/lint/eslint.config.js) over the TypeScript of the repository, then
# `prettier --check` (.prettierrc.json: width 120) over its TypeScript and JavaScript. ESLint, Prettier and the
# TypeScript ESLint parses with live in tools/lint/ (see its package.json); installed there on first use, no
# install scripts. Arguments go to ESLint alone (`npm run lint -- workflows/`); `npm run format` (`--write`)
# rewrites the files Prettier would refuse.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d tools/lint/node_modules ] || [ tools/lint/package-lock.json -nt tools/lint/node_modules/.package-lock.json ]; then
  echo "lint: npm ci in tools/lint"
  (cd tools/lint && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
files=('**/*.{ts,js,mjs,cjs}')
if [ "${1:-}" = --write ]; then
  exec tools/lint/node_modules/.bin/prettier --write --log-level warn "${files[@]}"
fi
tools/lint/node_modules/.bin/eslint --config tools/lint/eslint.config.js --max-warnings 0 "${@:-.}"
if [ $# -eq 0 ]; then
  echo "format: prettier --check"
  tools/lint/node_modules/.bin/prettier --check --log-level warn "${files[@]}"
fi
