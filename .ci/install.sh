#!/usr/bin/env bash
# How the .ci/setup.d scripts get what they build with. Sourced by each of them.
# `odp_apt_install PACKAGE...`: Debian/Ubuntu packages, through sudo where the shell is not root (GitHub runners).
odp_apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# `odp_need_go`: a Go toolchain on PATH, the machine's own when it has one, else Debian's.
odp_need_go() {
  command -v go >/dev/null 2>&1 && return 0
  [ -x /usr/local/go/bin/go ] && { export PATH="/usr/local/go/bin:$PATH"; return 0; }
  odp_apt_install golang-go
}
