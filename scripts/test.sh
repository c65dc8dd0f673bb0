#!/usr/bin/env bash
# `npm test`: installs what is missing, typechecks, then runs the unit, workflow (time-skipping) and
# integration (real dev server, PostgreSQL, simulators, worker) test projects.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
echo "typecheck: tsc --noEmit"
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
