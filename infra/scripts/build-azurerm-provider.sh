#!/usr/bin/env bash
# Builds the azurerm provider the stacks pin (4.55.0, the version @cdktf/provider-azurerm 14.23.1 binds)
# from the Go module proxy into a Terraform filesystem mirror, for machines that cannot reach the
# Terraform registry. Quick when the provider is already there; prints wall time and peak memory.
set -euo pipefail
version="${ODP_AZURERM_VERSION:-4.55.0}"
mirror="${ODP_TERRAFORM_MIRROR:-$HOME/.cache/odp/terraform-providers}"
target="$mirror/registry.terraform.io/hashicorp/azurerm/$version/linux_amd64/terraform-provider-azurerm_v$version"
if [ -x "$target" ]; then
  echo "azurerm $version provider already built: $target"
  exit 0
fi
# The provider's module path has no /v4 suffix, so Go resolves its releases by revision: set
# ODP_AZURERM_REVISION to the commit the v4.55.0 tag points at where the proxy refuses the tag name.
module="github.com/hashicorp/terraform-provider-azurerm@${ODP_AZURERM_REVISION:-v$version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $module from the Go module proxy"
if ! (cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module" >"$work/module.json"); then
  echo "error: the Go module proxy did not serve $module:" >&2
  sed -n 's/.*"Error": "\(.*\)".*/  \1/p' "$work/module.json" >&2
  echo "Terraform validation needs that provider: install it from the registry (terraform init) or a mirror." >&2
  exit 1
fi
source_dir="$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$work/module.json")"
mkdir -p "$(dirname "$target")"
echo "building azurerm $version (large: about 11 minutes and 3.4 GB of memory on 2 cores)"
(cd "$source_dir" && nice -n 10 /usr/bin/time -v -o "$work/time.txt" \
  go build -trimpath -ldflags="-s -w -X github.com/hashicorp/terraform-provider-azurerm/version.ProviderVersion=$version" \
  -o "$target.partial" .)
mv "$target.partial" "$target"
grep -E 'Elapsed|Maximum resident' "$work/time.txt"
echo "built $target"
