#!/usr/bin/env bash
# Measures what a new user's first `npm test` costs: the README's test line (as .ci/run takes it) on a clean clone
# of HEAD with an empty HOME, so the tools folder and Go's, npm's and pip's caches start empty. Debian packages the
# machine already has stay installed (apt is the one cache this cannot empty). Writes
# .ci/measured/first-run-<time>.json with the commit, the outcome, the minutes, the load each minute and the machine.
#   .ci/first-run.sh            (takes 30-60 minutes on 2 cores; nothing else should run meanwhile)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse HEAD)"
work="$(mktemp -d -t odp-first-run-XXXXXX)"
mkdir -p "$work/home" "$repo/.ci/measured"
git clone -q "$repo" "$work/clone"
git -C "$work/clone" checkout -q "$commit"

# The load average once a minute, while the run goes on.
(while sleep 60; do cut -d' ' -f1 /proc/loadavg; done) >"$work/load" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
t0="$(date +%s)"
status=0
(cd "$work/clone" && env HOME="$work/home" bash .ci/run) >"$work/log" 2>&1 || status=$?
seconds=$(($(date +%s) - t0))
kill "$sampler" 2>/dev/null || true

out="$repo/.ci/measured/first-run-${started//:/-}.json"
node -e '
  const [out, commit, started, seconds, status, loadFile, logFile] = process.argv.slice(1);
  const fs = require("node:fs"), os = require("node:os");
  const load = fs.readFileSync(loadFile, "utf8").split("\n").filter(Boolean).map(Number);
  const log = fs.readFileSync(logFile, "utf8");
  const counts = [...log.matchAll(/^\s+(\d+) (passing|failing|pending)/gm)].reduce(
    (sum, [, n, kind]) => ({ ...sum, [kind]: (sum[kind] ?? 0) + Number(n) }), {});
  fs.writeFileSync(out, JSON.stringify({
    what: "the README test line on a clean clone with an empty HOME (.ci/first-run.sh)",
    commit, started, exitCode: Number(status), minutes: Math.round(Number(seconds) / 6) / 10, tests: counts,
    failures: [...new Set([...log.matchAll(/^\s+\d+\) (.+)$/gm)].map(([, title]) => title.trim()))],
    loadAverageEachMinute: load,
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), node: process.version },
  }, null, 2) + "\n");
' "$out" "$commit" "$started" "$seconds" "$status" "$work/load" "$work/log"
echo "first run: exit $status after $((seconds / 60)) min; $out; log: $work/log"
exit "$status"
