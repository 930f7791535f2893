#!/usr/bin/env bash
# A Docker engine of the tests' own, for machines where none answers:
#   .ci/docker/dockerd.sh start   prints the DOCKER_HOST to use (the machine's engine when it answers)
#   .ci/docker/dockerd.sh stop    stops the engine `start` started, by its PID (never the machine's own), once
#                                 no other process that started it still uses it
# Its images and volumes live under the tools folder, so the stand-in base images are built once per machine.
# Each caller (the process running this script) is recorded under users/ at start, so test runs sharing the
# engine never stop it under one another.
set -euo pipefail
root="${ODP_TOOLS:-$HOME/.cache/odp/tools}/docker"
socket="unix://$root/docker.sock"
pidfile="$root/dockerd.pid"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
users="$root/users"

case "${1:-}" in
  start)
    if [ -z "${DOCKER_HOST:-}" ] && ! running && docker info >/dev/null 2>&1; then
      # The machine has an engine of its own (a developer's laptop, a GitHub-hosted runner): use it.
      docker context inspect --format '{{.Endpoints.docker.Host}}'
      exit 0
    fi
    if ! running; then
      command -v dockerd >/dev/null || { echo "dockerd is not installed: run npm test, or node --import tsx .ci/install.ts docker" >&2; exit 1; }
      mkdir -p "$root"
      dockerd --data-root "$root/data" --exec-root "$root/exec" --pidfile "$pidfile" --host "$socket" \
        >>"$root/dockerd.log" 2>&1 </dev/null &
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
    mkdir -p "$users" && touch "$users/$PPID"
    echo "$socket"
    ;;
  stop)
    running || exit 0
    rm -f "$users/$PPID"
    for user in "$users"/*; do
      [ -e "$user" ] || continue
      kill -0 "${user##*/}" 2>/dev/null || { rm -f "$user"; continue; }
      echo "dockerd is still used by process ${user##*/}: left running" >&2
      exit 0
    done
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    echo "dockerd ($pid) did not stop within 30 s of SIGTERM" >&2
    exit 1
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
