#!/usr/bin/env bash
# `npm run build`: compiled JavaScript in dist/ for the image (Dockerfile) — tsc with tsconfig.build.json, the
# files the code reads beside itself (the console's page, the migrations, the working-day calendar), and the
# workflow bundle (dist/workflow-bundle.js, which the worker loads instead of bundling at start).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx tsc -p tsconfig.build.json
mkdir -p dist/console dist/db dist/config
cp -r console/static dist/console/static
cp -r db/migrations dist/db/migrations
cp -r config/calendar dist/config/calendar
node dist/scripts/bundle-workflows.js
