#!/usr/bin/env bash
# Runs a command with every tool the tests need: .ci/install.ts installs what this machine lacks of the list in
# .ci/tools.yaml (quick once installed) and prints where the tests find the ones read from the environment.
# `npm test` runs through this, so the README's test line needs nothing installed beforehand but Node and npm ci.
# The Go builds only the delivery tests need (the control plane, Flux, the real node: most of a fresh machine's
# first run) go on in the background, at low priority, while the other parts' tests run; the delivery tests' own
# installer run (delivery/test/installTools.ts) waits on their machine locks, and this script waits for them
# before it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
# The delivery tests' Go builds start first, in the background; the rest is installed meanwhile.
pending_log="$(mktemp -t odp-tools-XXXXXX.log)"
# In its own process group where setsid exists, so an interrupted run stops the builds with it.
if command -v setsid >/dev/null; then
  setsid node --import tsx .ci/install.ts --deferred delivery >"$pending_log" 2>&1 &
else
  node --import tsx .ci/install.ts --deferred delivery >"$pending_log" 2>&1 &
fi
pending=$!
trap 'kill -- -"$pending" 2>/dev/null || kill "$pending" 2>/dev/null || true' EXIT
tools_env="$(node --import tsx .ci/install.ts --print-env --defer delivery)"
eval "$tools_env"

status=0
"$@" || status=$?
if ! wait "$pending"; then
  echo "tools: building the delivery tests' tools failed; the end of its log ($pending_log):" >&2
  tail -20 "$pending_log" >&2
  [ "$status" -ne 0 ] || status=1
else
  rm -f "$pending_log"
fi
exit "$status"
