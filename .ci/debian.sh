#!/usr/bin/env bash
# `odp_apt_install PACKAGE...`: installs Debian/Ubuntu packages, through sudo where the shell is not root
# (GitHub-hosted runners). Sourced by the .ci/setup.d scripts.
odp_apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
