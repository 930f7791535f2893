# The data service's scale-out tests start a PostgreSQL cluster of their own (Debian's server binaries) and
# Azurite (an npm devDependency). Sourced by .ci/with-tools.sh; idempotent and quick once installed.
. "$(dirname "${BASH_SOURCE[0]}")/../install.sh"
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "installing the PostgreSQL server for the scale-out tests"
  odp_apt_install postgresql
fi
# As root the tests hand their cluster to the `postgres` system user with runuser (util-linux).
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "the PostgreSQL server is installed but its system user 'postgres' is missing" >&2
  return 1 2>/dev/null || exit 1
fi
ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1 | sed 's/^/postgresql: /'
# The web console's browser tests drive Debian's Chromium with playwright-core (Playwright's own browser
# download is not needed): ODP_CHROMIUM names the binary.
if [ -z "${ODP_CHROMIUM:-}" ]; then
  # Debian's package, or the Chrome that GitHub's Ubuntu runners carry (Ubuntu's chromium package is a snap).
  for candidate in /usr/lib/chromium/chromium /usr/bin/google-chrome; do
    [ -x "$candidate" ] && export ODP_CHROMIUM="$candidate" && break
  done
  if [ -z "${ODP_CHROMIUM:-}" ]; then
    echo "installing Chromium for the console's browser tests"
    odp_apt_install chromium
    export ODP_CHROMIUM=/usr/lib/chromium/chromium
  fi
fi
echo "chromium: ${ODP_CHROMIUM}"
