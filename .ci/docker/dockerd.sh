#!/usr/bin/env bash
# A Docker engine of the tests' own, for machines where none answers:
#   .ci/docker/dockerd.sh start [CLIENT]   prints the DOCKER_HOST to use (the machine's engine when it answers)
#   .ci/docker/dockerd.sh stop [CLIENT]    leaves the engine; the last client to leave stops it, by its PID
#                                          (never the machine's own)
# CLIENT is the PID of the test process using the engine (default: the caller's). Test runs of several checkouts
# on one machine share the engine, so one run's end never stops it under another; a client that died is let go.
# Its images and volumes live under the tools folder, so the stand-in base images are built once per machine; its
# build cache is bounded when it stops.
set -euo pipefail
root="${ODP_TOOLS:-$HOME/.cache/odp/tools}/docker"
socket="unix://$root/docker.sock"
pidfile="$root/dockerd.pid"
clients="$root/clients"
client="${2:-$PPID}"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
# One start or stop at a time: a stop must not miss a client that is starting.
serialize() { mkdir -p "$clients" && exec 9>"$root/lock" && flock 9; }

case "${1:-}" in
  start)
    if [ -z "${DOCKER_HOST:-}" ] && ! running && docker info >/dev/null 2>&1; then
      # The machine has an engine of its own (a developer's laptop, a GitHub-hosted runner): use it.
      docker context inspect --format '{{.Endpoints.docker.Host}}'
      exit 0
    fi
    serialize
    touch "$clients/$client"
    if ! running; then
      command -v dockerd >/dev/null || { echo "dockerd is not installed: run npm test, or node --import tsx .ci/install.ts docker" >&2; exit 1; }
      mkdir -p "$root"
      # Without the lock (fd 9), which would otherwise be held for as long as the engine runs.
      dockerd --data-root "$root/data" --exec-root "$root/exec" --pidfile "$pidfile" --host "$socket" \
        >>"$root/dockerd.log" 2>&1 </dev/null 9>&- &
      for _ in $(seq 1 300); do
        DOCKER_HOST="$socket" docker info >/dev/null 2>&1 && break
        if ! kill -0 $! 2>/dev/null; then
          echo "dockerd exited while starting; its log: $root/dockerd.log" >&2
          tail -20 "$root/dockerd.log" >&2
          exit 1
        fi
        sleep 0.2
      done
      DOCKER_HOST="$socket" docker info >/dev/null 2>&1 ||
        { echo "dockerd did not answer on $socket within 60 s; its log: $root/dockerd.log" >&2; exit 1; }
    fi
    echo "$socket"
    ;;
  stop)
    serialize
    rm -f "$clients/$client"
    for other in "$clients"/*; do
      if [ -e "$other" ] && ! kill -0 "${other##*/}" 2>/dev/null; then rm -f "$other"; fi
    done
    running || exit 0
    if [ -n "$(ls -A "$clients")" ]; then
      echo "dockerd: left running for the test runs still using it (PIDs: $(cd "$clients" && echo *))" >&2
      exit 0
    fi
    # Every run builds the service's image from a new context: without a bound, the build cache grows by ~1 GB a
    # run on the machine's disk. The most recently used 3 GB stay, so the next run's builds still find their layers.
    DOCKER_HOST="$socket" docker builder prune --force --keep-storage 3GB >/dev/null 2>&1 || true
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    echo "dockerd ($pid) did not stop within 30 s of SIGTERM" >&2
    exit 1
    ;;
  *)
    echo "usage: $0 start|stop [CLIENT]" >&2
    exit 2
    ;;
esac
