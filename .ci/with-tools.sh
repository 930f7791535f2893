#!/usr/bin/env bash
# Runs a command with every tool the tests need: .ci/install.ts installs what this machine lacks of the list in
# .ci/tools.yaml (quick once installed) and prints where the tests find the ones read from the environment.
# `npm test` runs through this, so the README's test line needs nothing installed beforehand but Node and npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
tools_env="$(node --import tsx .ci/install.ts --print-env)"
eval "$tools_env"
exec "$@"
