#!/usr/bin/env bash
# infra: checkov, the static analysis `npm test -w infra` runs over the synthesized Terraform JSON.
# Installed once into a venv under ~/.cache/odp (quick when present). Sourced by .ci/with-tools.sh.
. "$(dirname "${BASH_SOURCE[0]}")/../install.sh"
ODP_CHECKOV_VERSION="${ODP_CHECKOV_VERSION:-3.3.30}"
odp_checkov_home="${ODP_TOOLS:-$HOME/.cache/odp/tools}/checkov-$ODP_CHECKOV_VERSION"
if [ ! -x "$odp_checkov_home/bin/checkov" ]; then
  echo "installing checkov $ODP_CHECKOV_VERSION into $odp_checkov_home"
  rm -rf "$odp_checkov_home"
  if ! python3 -m venv "$odp_checkov_home" >/dev/null 2>&1; then
    # Debian splits venv support out of python3.
    odp_apt_install python3-venv
    rm -rf "$odp_checkov_home" && python3 -m venv "$odp_checkov_home"
  fi
  "$odp_checkov_home/bin/pip" install --quiet --disable-pip-version-check "checkov==$ODP_CHECKOV_VERSION"
fi
export ODP_CHECKOV="$odp_checkov_home/bin/checkov"
"$ODP_CHECKOV" --version
