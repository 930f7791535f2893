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
