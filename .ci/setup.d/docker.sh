#!/usr/bin/env bash
# Docker, for the tests that run `docker compose` as a user does (delivery/test/compose-up.test.ts):
# - the engine: Debian's docker.io, where no engine is installed. The tests start `dockerd` themselves
#   (.ci/docker/dockerd.sh) only when no engine answers, and stop it by its PID.
# - Compose v2, where `docker compose` is missing: Debian does not package it and it is not on PyPI, so the
#   plugin is built once from its Go module (`go install` refuses the module's `exclude` directives, hence
#   a build inside the downloaded module) and installed as a CLI plugin.
# - mmdebstrap, with which the tests build stand-ins for the base images our Dockerfile and compose.yaml name
#   where no registry serves them (.ci/docker/standins/build.sh, kept in the tests' engine under the tools folder).
# Idempotent and quick once done; sourced by .ci/with-tools.sh or run by itself.
. "$(dirname "${BASH_SOURCE[0]}")/../install.sh"
ODP_TOOLS="${ODP_TOOLS:-$HOME/.cache/odp/tools}"
ODP_COMPOSE_VERSION=2.40.3

odp_docker_packages=()
command -v dockerd >/dev/null 2>&1 || odp_docker_packages+=(docker.io iptables)
command -v mmdebstrap >/dev/null 2>&1 || odp_docker_packages+=(mmdebstrap)
if [ ${#odp_docker_packages[@]} -gt 0 ]; then
  echo "docker: installing ${odp_docker_packages[*]}"
  odp_apt_install "${odp_docker_packages[@]}"
fi

if ! docker compose version >/dev/null 2>&1; then
  compose_home="$ODP_TOOLS/compose-$ODP_COMPOSE_VERSION"
  if [ ! -x "$compose_home/docker-compose" ]; then
    odp_need_go
    echo "docker: building the Compose plugin $ODP_COMPOSE_VERSION from its Go module (a few minutes, once)"
    module_dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v2@v$ODP_COMPOSE_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    (cd "$module_dir" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false nice -n 10 go build -trimpath \
      -ldflags "-X github.com/docker/compose/v2/internal.Version=v$ODP_COMPOSE_VERSION" \
      -o "$compose_home/docker-compose" ./cmd)
  fi
  mkdir -p "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  ln -sfn "$compose_home/docker-compose" "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose"
fi

echo "docker: $(docker --version), $(docker compose version)"
