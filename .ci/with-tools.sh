#!/usr/bin/env bash
# Runs a command with every tool the tests need: each part of the product installs its own from
# .ci/setup.d/<part>.sh (idempotent, and quick once installed), which may also export where a tool is.
# `npm test` runs through this, so the README's test line needs nothing installed beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."
for setup in .ci/setup.d/*.sh; do
  echo "::group::setup ${setup##*/}"
  . "$setup"
  echo "::endgroup::"
done
exec "$@"
