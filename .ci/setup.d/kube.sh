#!/usr/bin/env bash
# A Kubernetes control plane and Flux, for the tests that reconcile clusters/poc as AKS's Flux extension does
# (delivery/test/flux.test.ts). Nothing of it is packaged where the tests run, so it is built once from the Go
# module proxy and kept under the tools folder, keyed by the pinned versions in .ci/kube/build/*/go.mod:
# - kube-apiserver, kube-controller-manager and kube-scheduler v1.34.4 (k8s.io/kubernetes, its staging modules
#   replaced by their published v0.34.4),
# - kwok v0.7.0: simulated nodes and pods, so Deployments roll out without a kubelet (a simulation: no container
#   runs),
# - Flux's source-controller and kustomize-controller v1.9.6 and notification-controller v1.6.0 (the newest
#   whose go.mod the proxy serves), through wrapper modules that copy upstream's requirements,
# - etcd v3.6.16 (go.etcd.io/etcd/server/v3): Debian's 3.4.23 is older than the API server needs for watch
#   progress notifications, without which clients re-list instead of watching and react tens of seconds late.
# About 25 minutes of downloading and building on 2 cores the first time (~11 GB of Go caches, ~450 MB of
# binaries); under a second afterwards. Sourced by .ci/with-tools.sh.
. "$(dirname "${BASH_SOURCE[0]}")/../install.sh"
ODP_TOOLS="${ODP_TOOLS:-$HOME/.cache/odp/tools}"
kube_build="$(pwd)/.ci/kube/build"

command -v git >/dev/null 2>&1 || odp_apt_install git

# Each binary is kept under the hash of the go.mod it was built from, so changing one pin rebuilds only it;
# ODP_KUBE_BIN links the current ones together, with the controllers' CRDs beside them.
kube_home="$ODP_TOOLS/kube"
export ODP_KUBE_BIN="$kube_home/bin"
mkdir -p "$ODP_KUBE_BIN"

# `kube_build_one <wrapper> <output> <package>`: builds in a copy of the wrapper module, so the checkout stays clean.
kube_build_one() {
  local wrapper="$1" output="$2" package="$3" work target
  target="$kube_home/$wrapper-$(sha256sum "$kube_build/$wrapper/go.mod" | cut -c1-12)"
  if [ ! -x "$target/$output" ]; then
    odp_need_go
    echo "kube: building $output from $package (a few minutes, once)"
    work="$(mktemp -d)"
    cp "$kube_build/$wrapper/go.mod" "$work/"
    mkdir -p "$target"
    (cd "$work" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go build -trimpath -o "$target/$output.part" "$package")
    mv "$target/$output.part" "$target/$output"
    rm -rf "$work"
  fi
  ln -sfn "$target/$output" "$ODP_KUBE_BIN/$output"
}

kube_build_one etcd etcd go.etcd.io/etcd/server/v3
kube_build_one control-plane kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
kube_build_one control-plane kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
kube_build_one control-plane kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler
kube_build_one kwok kwok sigs.k8s.io/kwok/cmd/kwok
kube_build_one source-controller source-controller github.com/fluxcd/source-controller
kube_build_one kustomize-controller kustomize-controller github.com/fluxcd/kustomize-controller
kube_build_one notification-controller notification-controller github.com/fluxcd/notification-controller

# The controllers' CRDs, as their modules ship them (already in the module cache from the builds).
rm -rf "$ODP_KUBE_BIN/crds" && mkdir -p "$ODP_KUBE_BIN/crds"
kube_outside="$(mktemp -d)" # outside any module, so no go.sum is written into the checkout
for wrapper in source-controller kustomize-controller notification-controller; do
  module="$(sed -n 's/^\t\(github.com\/fluxcd\/[a-z-]*-controller\) \(v[0-9.]*\)$/\1@\2/p' "$kube_build/$wrapper/go.mod" | head -1)"
  dir="$(cd "$kube_outside" && go mod download -json "$module" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp "$dir"/config/crd/bases/*.yaml "$ODP_KUBE_BIN/crds/"
done
rm -rf "$kube_outside"
echo "kube: $("$ODP_KUBE_BIN/kube-apiserver" --version), $("$ODP_KUBE_BIN/etcd" --version | head -1), kwok, Flux controllers in $ODP_KUBE_BIN"
