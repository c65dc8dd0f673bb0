#!/usr/bin/env bash
# Installs what esu-bridge needs and is missing, idempotently, one line per step:
#   node_modules (npm ci), the pinned Temporal CLI, server, SQL schema tool and Web UI server (go build into
#   .tools/bin), the time-skipping test
#   server's jars (mvn into .tools/test-server/lib), schemathesis from PyPI (a venv in .tools/schemathesis) for the
#   API's property-based test. Nothing relies on npm install scripts.
#   --runtime  only what `npm start` needs (skips the test server and Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runtime_only=false
[ "${1:-}" = "--runtime" ] && runtime_only=true

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-tools: npm ci"
  # The registry reachable here serves only this platform's builds of packages with per-platform optional
  # dependencies (@swc/core-*, …), so the lockfile cannot list the others and npm ≥ 11.6.2's `npm ci` refuses
  # it. Then `npm install` installs the same locked versions.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || {
    echo "ensure-tools: npm ci refused the lockfile (platform-only optional dependencies); npm install instead"
    npm install --no-audit --no-fund --loglevel=error
  }
else
  echo "ensure-tools: node_modules up to date"
fi

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  echo "ensure-tools: Temporal CLI from TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"
elif command -v temporal >/dev/null 2>&1; then
  echo "ensure-tools: Temporal CLI on PATH ($(command -v temporal))"
elif [ -x .tools/bin/temporal ]; then
  echo "ensure-tools: Temporal CLI already built (.tools/bin/temporal)"
else
  command -v go >/dev/null 2>&1 || { echo "ensure-tools: need go (or set TEMPORAL_CLI_PATH / put temporal on PATH)" >&2; exit 1; }
  echo "ensure-tools: building the Temporal CLI pinned in tools/temporal/go.mod (a few minutes, once)"
  # -mod=readonly: go.mod and the committed go.sum are the pin; every module's hash is checked against go.sum.
  (cd tools/temporal && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -o "$root/.tools/bin/temporal" github.com/temporalio/cli/cmd/temporal)
fi

# The Temporal server (all services in one process, on PostgreSQL), its SQL schema tool and the Web UI server, for
# `npm start -- --cluster` and the integration tests' cluster pass; pinned in tools/temporal/go.mod like the CLI.
# Built to a temporary name and moved into place: .tools may be shared by several clones building at once.
# TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH / TEMPORAL_UI_SERVER_PATH name prebuilt binaries instead.
build_tool() { # <env override> <binary in .tools/bin> <package> <what>
  local override=$1 binary=$2 package=$3 what=$4
  if [ -n "${!override:-}" ]; then
    echo "ensure-tools: $what from $override=${!override}"
  elif [ -x ".tools/bin/$binary" ]; then
    echo "ensure-tools: $what already built (.tools/bin/$binary)"
  else
    command -v go >/dev/null 2>&1 || { echo "ensure-tools: need go to build $what (or set $override)" >&2; exit 1; }
    echo "ensure-tools: building $what pinned in tools/temporal/go.mod (once)"
    mkdir -p .tools/bin
    local tmp=".tools/bin/.$binary.$$"
    (cd tools/temporal && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -o "$root/$tmp" "$package")
    mv -f "$tmp" ".tools/bin/$binary"
  fi
}
build_tool TEMPORAL_SERVER_PATH temporal-server go.temporal.io/server/cmd/server "the Temporal server"
build_tool TEMPORAL_SQL_TOOL_PATH temporal-sql-tool go.temporal.io/server/cmd/tools/sql "the Temporal SQL schema tool"
build_tool TEMPORAL_UI_SERVER_PATH temporal-ui-server github.com/temporalio/ui-server/v2/cmd/server "the Temporal Web UI server"

if $runtime_only; then
  exit 0
fi

if [ -n "${TEMPORAL_TEST_SERVER:-}" ]; then
  echo "ensure-tools: time-skipping test server from TEMPORAL_TEST_SERVER=$TEMPORAL_TEST_SERVER"
elif [ -f .tools/test-server/lib/.complete ]; then
  echo "ensure-tools: time-skipping test server jars present"
else
  command -v mvn >/dev/null 2>&1 || { echo "ensure-tools: need mvn and java for the time-skipping test server" >&2; exit 1; }
  echo "ensure-tools: resolving io.temporal:temporal-test-server from Maven Central"
  rm -rf .tools/test-server/lib
  mvn -q -B -f tools/test-server/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/.tools/test-server/lib"
  touch .tools/test-server/lib/.complete
fi

# Schemathesis for the bookmaker API's property-based test (test/integration/api-schemathesis.test.ts), pinned, in
# its own venv. Python ≥ 3.12: CPython 3.11.7's AST recursion bug (fixed in 3.11.8) crashes Hypothesis's lambda
# descriptions in schemathesis's coverage phase.
SCHEMATHESIS_VERSION=4.32.5
if [ -n "${SCHEMATHESIS_PATH:-}" ]; then
  echo "ensure-tools: schemathesis from SCHEMATHESIS_PATH=$SCHEMATHESIS_PATH"
elif [ -x .tools/schemathesis/bin/schemathesis ] && .tools/schemathesis/bin/schemathesis --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
  echo "ensure-tools: schemathesis $SCHEMATHESIS_VERSION present"
else
  python=""
  # On PATH first, then any Python pyenv has installed without activating it.
  pyenv_pythons=$(command -v pyenv >/dev/null 2>&1 && ls -d "$(pyenv root)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV || true)
  for candidate in python3.13 python3.12 python3 $pyenv_pythons; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then python=$candidate; break; fi
  done
  [ -n "$python" ] || { echo "ensure-tools: need python >= 3.12 for schemathesis (or set SCHEMATHESIS_PATH)" >&2; exit 1; }
  echo "ensure-tools: installing schemathesis $SCHEMATHESIS_VERSION from PyPI into .tools/schemathesis ($($python --version))"
  rm -rf .tools/schemathesis
  "$python" -m venv .tools/schemathesis
  .tools/schemathesis/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# Headless Chromium for the compliance console's browser test (Debian's package; never a downloaded build).
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "ensure-tools: Chromium from CHROMIUM_PATH=$CHROMIUM_PATH"
elif command -v chromium >/dev/null 2>&1; then
  echo "ensure-tools: Chromium present ($(command -v chromium))"
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "ensure-tools: installing Debian's chromium for the browser test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "ensure-tools: no chromium and no way to install it: set CHROMIUM_PATH, or the browser test fails" >&2
fi
