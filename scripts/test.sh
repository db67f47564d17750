#!/usr/bin/env bash
# The project's test command: makes sure a JDK, Maven and a MariaDB server on 127.0.0.1:3306 are
# there (installing and starting what is missing, Debian-style, as root), then runs
#   mvn -B verify "$@"
# Extra arguments go to Maven, e.g.  scripts/test.sh -pl auth   or   scripts/test.sh -o
#
# The integration tests reach MariaDB as MAILPROXY_TEST_DB_USER (root) with
# MAILPROXY_TEST_DB_PASSWORD (empty) at MAILPROXY_TEST_DB_HOST:MAILPROXY_TEST_DB_PORT
# (127.0.0.1:3306). A server elsewhere is used as it is: only a local one is started or granted.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_HOST=${MAILPROXY_TEST_DB_HOST:-127.0.0.1}
DB_PORT=${MAILPROXY_TEST_DB_PORT:-3306}
DB_USER=${MAILPROXY_TEST_DB_USER:-root}
DB_PASSWORD=${MAILPROXY_TEST_DB_PASSWORD:-}
DB_WAIT_SECONDS=${MAILPROXY_TEST_DB_WAIT_SECONDS:-60}

log() { echo "test.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

apt_updated=no
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "$* missing and no apt-get to install it with"
  if [ "$apt_updated" = no ]; then
    log "apt-get update"
    apt-get update -qq >&2
    apt_updated=yes
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# --- 1. Java and Maven -------------------------------------------------------------------------
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  log "Java or Maven missing: installing"
  apt_install maven openjdk-17-jdk-headless
fi
log "java: $(java -version 2>&1 | head -n 1); maven: $(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"

# --- 2. MariaDB --------------------------------------------------------------------------------
db_args=(--connect-timeout=3 -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER")
[ -n "$DB_PASSWORD" ] && db_args+=(-p"$DB_PASSWORD")

# Up = answers mysqladmin ping, or at least accepts TCP (ping fails when the server refuses this
# host or user, e.g. a fresh Debian root that may only use the socket; that is fixed below).
db_alive() {
  mysqladmin "${db_args[@]}" ping >/dev/null 2>&1 ||
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$DB_HOST" "$DB_PORT" 2>/dev/null
}
db_login() { mysql "${db_args[@]}" -e 'select 1' >/dev/null 2>&1; }
is_local() { case "$DB_HOST" in 127.0.0.1|localhost|::1) return 0 ;; *) return 1 ;; esac; }

start_mariadb() {
  if [ ! -x /usr/sbin/mariadbd ]; then
    log "MariaDB not installed: installing"
    apt_install mariadb-server mariadb-client
    db_alive && return 0          # the package may have started it
  fi
  command -v mysqladmin >/dev/null 2>&1 || apt_install mariadb-client
  mkdir -p /run/mysqld /var/log/mysql
  chown mysql:mysql /run/mysqld /var/log/mysql 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ]; then
    log "initialising the MariaDB data directory /var/lib/mysql"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  log "starting MariaDB (mariadbd --user=mysql)"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
}

wait_for_db() {
  local waited=0
  until db_alive; do
    if [ "$waited" -ge "$DB_WAIT_SECONDS" ]; then
      log "MariaDB did not answer within ${DB_WAIT_SECONDS}s; last lines of its error log:"
      tail -n 20 /var/log/mysql/error.log >&2 2>/dev/null || true
      die "no MariaDB at $DB_HOST:$DB_PORT"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "MariaDB answers at $DB_HOST:$DB_PORT (after ${waited}s)"
}

if ! command -v mysqladmin >/dev/null 2>&1; then
  is_local || die "mysqladmin missing and $DB_HOST is not local"
  apt_install mariadb-client
fi

if db_alive; then
  log "MariaDB is up at $DB_HOST:$DB_PORT"
else
  is_local || die "no MariaDB at $DB_HOST:$DB_PORT (not local, so not started here)"
  log "MariaDB is not answering at $DB_HOST:$DB_PORT"
  start_mariadb
  wait_for_db
fi

if ! db_login; then
  # A fresh Debian MariaDB lets root in through the unix socket only. Allow the password-less TCP
  # login the tests use, from this machine only: root@127.0.0.1 (needed under skip-name-resolve)
  # and root@localhost by socket OR empty password.
  if is_local && [ "$DB_USER" = root ] && [ -z "$DB_PASSWORD" ] && mysql -uroot -e 'select 1' >/dev/null 2>&1; then
    log "root cannot log in over TCP without a password; granting it through the socket (local test server)"
    mysql -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
FLUSH PRIVILEGES;
SQL
  fi
  db_login || die "cannot log in to MariaDB at $DB_HOST:$DB_PORT as $DB_USER (set MAILPROXY_TEST_DB_USER/PASSWORD)"
fi
log "MariaDB login as $DB_USER works"

# --- 3. Build and test -------------------------------------------------------------------------
log "mvn -B verify $*"
exec mvn -B verify "$@"
