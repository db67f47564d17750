#!/usr/bin/env bash
# Side-by-side benchmark on one machine, everything on loopback:
#   the backend directly  vs  mailproxy  vs  nginx mail + the seed's Perl auth_http handler,
# all three reading the same MariaDB table (2,000 users, $6$ hashes) and proxying to the same two
# GreenMail backends. Runs login (IMAP, POP3; mailproxy with its auth cache off, then on), fetch
# (20 MiB, IMAP and POP3) and idle (IMAP IDLE sessions, resident memory per session), alternating
# the targets, and prints a table with the ratios mailproxy/direct and mailproxy/nginx.
#
# Not part of CI (scripts/test.sh does not run it). Needs root for apt-get and ulimit. A full run
# takes about 8 minutes; every load loop is bounded by its duration and a timeout.
#
# Knobs (environment): DURATION (10s measured per login run), WARMUP (3s), JIT_WARMUP (10s of
# unrecorded logins per protocol against the backends and each mailproxy first), CLIENTS (50),
# FETCH_REPEAT (5), LARGE_MIB (20), IDLE_SESSIONS (10000), IDLE_HOLD (10s), ROUNDS (1),
# RATE (200: the open-loop latency runs, logins/s offered to every target alike),
# NGINX_WORKERS (1, as in the seed), SKIP_BUILD (1: use the jars as they are), KEEP (1: keep the
# work directory), BENCH_DB (mailbench), DB_HOST/DB_PORT/DB_USER (127.0.0.1/3306/root, no password).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CLIENTS=${CLIENTS:-50}
FETCH_REPEAT=${FETCH_REPEAT:-5}
LARGE_MIB=${LARGE_MIB:-20}
IDLE_SESSIONS=${IDLE_SESSIONS:-10000}
IDLE_HOLD=${IDLE_HOLD:-10s}
ROUNDS=${ROUNDS:-1}
RATE=${RATE:-200}
NGINX_WORKERS=${NGINX_WORKERS:-1}
BENCH_DB=${BENCH_DB:-mailbench}
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
DB_USER=${DB_USER:-root}
USERS=2000
PASSWORD=benchpw

# ports: backends 21xxx, mailproxy cache off 22xxx, mailproxy cache on 23xxx, nginx 24xxx
BK_IMAP=21143 BK_POP3=21110
MP_IMAP=22143 MP_POP3=22110
MPC_IMAP=23143 MPC_POP3=23110
NG_IMAP=24143 NG_POP3=24110 NG_AUTH=24080

CLI_JAR=$ROOT/cli/target/mailproxy.jar
BENCH_JAR=$ROOT/bench/target/mailproxy-bench.jar
W=$(mktemp -d /tmp/mailproxy-bench.XXXXXX)
RESULTS=$W/results.txt
PIDS=()

log() { printf '%s bench.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

cleanup() {
  set +e
  if [ -f "$W/nginx.pid" ]; then kill "$(cat "$W/nginx.pid")" 2>/dev/null; fi
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null
  done
  if [ "${KEEP:-0}" = 1 ]; then log "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

# ---- tools -----------------------------------------------------------------------------------
# a proxied idle session holds two descriptors in the proxy: the open-file limit caps the sessions
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
MAX_IDLE=$(( (NOFILE - 1000) / 2 ))
if [ "$IDLE_SESSIONS" -gt "$MAX_IDLE" ]; then
  log "open-file limit $NOFILE (hard $(ulimit -Hn)): idle sessions reduced from $IDLE_SESSIONS to $MAX_IDLE"
  IDLE_SESSIONS=$MAX_IDLE
fi
if ! command -v nginx >/dev/null || [ ! -e /usr/lib/nginx/modules/ngx_mail_module.so ] \
    || [ ! -e /usr/lib/nginx/modules/ngx_http_perl_module.so ] || ! perl -MDBD::MariaDB -e 1 2>/dev/null; then
  log "installing nginx, its mail and perl modules, DBD::MariaDB (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    nginx libnginx-mod-mail libnginx-mod-http-perl libdbd-mariadb-perl >/dev/null
fi
command -v mysql >/dev/null || die "the mysql client is missing (apt-get install mariadb-client)"
DB=(mysql -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER")
"${DB[@]}" -e 'select 1' >/dev/null 2>&1 || die "MariaDB is not reachable at $DB_HOST:$DB_PORT as $DB_USER (scripts/test.sh starts it)"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$CLI_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
  log "building the jars (mvn package, no tests)"
  (cd "$ROOT" && mvn -B -q package -DskipTests -pl cli,bench -am) || die "build failed"
fi

# ---- accounts --------------------------------------------------------------------------------
# One $6$ hash (5000 rounds, mailproxy's default) computed once and stored for every user: every
# login still costs one full SHA-512-crypt in mailproxy and in Perl alike, and 2,000 rows go in
# with one INSERT in well under a second.
HASH=$(printf '%s\n' "$PASSWORD" | java -jar "$CLI_JAR" hash --scheme sha512-crypt)
case "$HASH" in '$6$'*) ;; *) die "unexpected hash: $HASH" ;; esac
log "account table $BENCH_DB.mailaccounts: $USERS users, one shared \$6\$ hash"
{
  echo "DROP DATABASE IF EXISTS $BENCH_DB; CREATE DATABASE $BENCH_DB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
  echo "USE $BENCH_DB;"
  echo "CREATE TABLE mailaccounts (username varchar(255) NOT NULL PRIMARY KEY, password varchar(255), mail_server varchar(255));"
  printf 'INSERT INTO mailaccounts VALUES '
  for i in $(seq 1 $USERS); do
    [ "$i" -gt 1 ] && printf ','
    printf "('user%d','%s','mailhost0%d')" "$i" "$HASH" $(( (i + 1) % 2 + 1 ))
  done
  echo ';'
} | "${DB[@]}"

wait_for() { # FILE PATTERN SECONDS
  for _ in $(seq 1 $(( $3 * 5 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  log "timed out waiting for '$2' in $1:"; tail -n 20 "$1" >&2; return 1
}

# ---- two GreenMail backends: mailhost01 = 127.0.0.1, mailhost02 = 127.0.0.2 -----------------
log "starting the GreenMail backends"
java -Xmx3g -Xss256k -jar "$BENCH_JAR" backends --host 127.0.0.1 --host 127.0.0.2 \
  --imap-port $BK_IMAP --pop3-port $BK_POP3 --user-range 1-$USERS --password $PASSWORD \
  --large-message-mib "$LARGE_MIB" >"$W/backends.log" 2>&1 &
BK_PID=$!; PIDS+=("$BK_PID")
wait_for "$W/backends.log" "backends ready" 120

# ---- mailproxy, cache off and cache on -------------------------------------------------------
start_mailproxy() { # NAME IMAP POP3 CACHE_TTL
  java -Xmx256m -jar "$CLI_JAR" serve --log-level warn \
    --db-url "jdbc:mysql://$DB_HOST:$DB_PORT/$BENCH_DB" --db-user "$DB_USER" \
    --backend mailhost01=127.0.0.1 --backend mailhost02=127.0.0.2 --backend-port pop3=$BK_POP3,imap=$BK_IMAP \
    --imap 127.0.0.1:"$2" --pop3 127.0.0.1:"$3" --auth-cache-ttl "$4" --max-connections 40000 \
    >"$W/$1.log" 2>&1 &
  PIDS+=("$!")
  eval "${1}_PID=$!"
}
log "starting mailproxy (auth cache off) and mailproxy-cache (auth cache 60s)"
start_mailproxy mp $MP_IMAP $MP_POP3 0
start_mailproxy mpc $MPC_IMAP $MPC_POP3 60s

# ---- nginx + the seed's Perl auth_http, with its crypt comparison fixed ---------------------
mkdir -p "$W/perl" "$W/tmp"
chmod 755 "$W" "$W/perl"; chmod 777 "$W/tmp"
cat >"$W/perl/mailauth.pm" <<PERL
package mailauth;
use nginx;
use DBI;
my \$dsn = "DBI:MariaDB:database=$BENCH_DB;host=$DB_HOST;port=$DB_PORT";
our \$mail_server_ip = {};
our \$protocol_ports = {};
\$mail_server_ip->{'mailhost01'} = "127.0.0.1";
\$mail_server_ip->{'mailhost02'} = "127.0.0.2";
\$protocol_ports->{'pop3'} = $BK_POP3;
\$protocol_ports->{'imap'} = $BK_IMAP;

sub handler {
  my \$r = shift;
  my \$auth_ok = 0;
  # Connected in the handler (once per worker, then cached) rather than at load time in the
  # master, whose connection every forked worker would otherwise share.
  my \$dbh = DBI->connect_cached(\$dsn, '$DB_USER', '', {AutoCommit => 1, PrintError => 0});
  my \$hash;
  if (\$dbh) {
    my \$sth = \$dbh->prepare_cached("select password,mail_server from mailaccounts where username=? limit 1");
    if (\$sth && \$sth->execute(\$r->header_in("Auth-User"))) {
      \$hash = \$sth->fetchrow_hashref();
      \$sth->finish();
    }
  }
  # FIXED: the published script compared crypt()'s result with the typed password; it must equal
  # the stored hash.
  if (\$hash && defined \$hash->{'password'} && \$hash->{'password'} ne '') {
    my \$c = crypt(\$r->header_in("Auth-Pass"), \$hash->{'password'});
    \$auth_ok = 1 if defined \$c && \$c eq \$hash->{'password'};
  }
  if (\$auth_ok == 1) {
    \$r->header_out("Auth-Status", "OK");
    \$r->header_out("Auth-Server", \$mail_server_ip->{\$hash->{'mail_server'}});
    \$r->header_out("Auth-Port", \$protocol_ports->{\$r->header_in("Auth-Protocol")});
  } else {
    \$r->header_out("Auth-Status", "Invalid login or password");
  }
  \$r->send_http_header("text/html");
  return OK;
}

1;
__END__
PERL
cat >"$W/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_perl_module.so;
load_module /usr/lib/nginx/modules/ngx_mail_module.so;
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile $NOFILE;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
events {
  worker_connections 40000;
  multi_accept on;
}
http {
  access_log off;
  client_body_temp_path $W/tmp/body;
  proxy_temp_path $W/tmp/proxy;
  fastcgi_temp_path $W/tmp/fastcgi;
  uwsgi_temp_path $W/tmp/uwsgi;
  scgi_temp_path $W/tmp/scgi;
  perl_modules $W/perl;
  perl_require mailauth.pm;
  server {
    listen 127.0.0.1:$NG_AUTH;
    location /auth {
      perl mailauth::handler;
    }
  }
}
mail {
  auth_http 127.0.0.1:$NG_AUTH/auth;
  pop3_capabilities "TOP" "USER";
  imap_capabilities "IMAP4rev1" "UIDPLUS";
  server {
    listen 127.0.0.1:$NG_POP3;
    protocol pop3;
    proxy on;
  }
  server {
    listen 127.0.0.1:$NG_IMAP;
    protocol imap;
    proxy on;
  }
}
CONF
log "starting nginx ($NGINX_WORKERS worker(s)) with the Perl auth_http handler"
nginx -t -q -p "$W" -c "$W/nginx.conf" || die "nginx configuration refused"
nginx -p "$W" -c "$W/nginx.conf"
for _ in $(seq 1 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.2; done
NG_MASTER=$(cat "$W/nginx.pid")

for port in $MP_IMAP $MPC_IMAP $NG_IMAP; do
  for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
done

# ---- runs ------------------------------------------------------------------------------------
bench() { # NAME ARGS... : one summary line into the results, prefixed by NAME
  local name=$1; shift
  local line
  line=$(timeout 600 java -jar "$BENCH_JAR" "$@" 2>>"$W/bench-client.log" | tail -n 1) || true
  [ -n "$line" ] || line="bench failed"
  echo "$name $line" >>"$RESULTS"
  printf '%-28s %s  [load %s]\n' "$name" "$line" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
}
port_of() { # TARGET PROTOCOL
  case "$1/$2" in
    direct/imap) echo $BK_IMAP ;; direct/pop3) echo $BK_POP3 ;;
    mailproxy/imap) echo $MP_IMAP ;; mailproxy/pop3) echo $MP_POP3 ;;
    mailproxy-cache/imap) echo $MPC_IMAP ;; mailproxy-cache/pop3) echo $MPC_POP3 ;;
    nginx/imap) echo $NG_IMAP ;; nginx/pop3) echo $NG_POP3 ;;
  esac
}
order() { # ROUND: the targets, reversed every other round
  if [ $(( $1 % 2 )) = 1 ]; then echo direct mailproxy nginx; else echo nginx mailproxy direct; fi
}

# The JVMs (mailproxy, and the GreenMail backends every target shares) compile their hot code in
# the first seconds of load: warm each up, unrecorded, so no target is measured cold.
log "warming up the JVMs (${JIT_WARMUP:-10s} of logins per protocol and mailproxy instance, not recorded)"
for proto in imap pop3; do
  for t in direct mailproxy mailproxy-cache; do
    timeout 120 java -jar "$BENCH_JAR" login --protocol $proto --port "$(port_of $t $proto)" -c "$CLIENTS" \
      -d "${JIT_WARMUP:-10s}" --user-range 1-$USERS --password $PASSWORD >/dev/null 2>>"$W/bench-client.log" || true
  done
done

NG_WORKER=$(pgrep -P "$NG_MASTER" | head -n 1)
pid_of() { # TARGET: the process whose CPU time a run reports per login
  case "$1" in
    direct) echo "$BK_PID" ;; mailproxy) echo "$mp_PID" ;; mailproxy-cache) echo "$mpc_PID" ;; nginx) echo "$NG_WORKER" ;;
  esac
}
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), $(java -version 2>&1 | head -n 1)"
log "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for proto in imap pop3; do
    for t in $(order "$round"); do
      bench "login-$proto-$t" login --protocol $proto --port "$(port_of $t $proto)" -c "$CLIENTS" \
        -d "$DURATION" --warmup "$WARMUP" --user-range 1-$USERS --password $PASSWORD --label "$t" \
        --cpu-pid "$(pid_of $t)"
    done
    bench "login-$proto-mailproxy-cache" login --protocol $proto --port "$(port_of mailproxy-cache $proto)" \
      -c "$CLIENTS" -d "$DURATION" --warmup "$WARMUP" --user-range 1-$USERS --password $PASSWORD \
      --label mailproxy-cache --cpu-pid "$mpc_PID"
  done
done
# Latency at the same offered load for every target (open loop, RATE logins/s, latency from when each
# login was due): the closed-loop p99 above mostly measures each target's queue at its own maximum.
for proto in imap pop3; do
  for t in direct mailproxy mailproxy-cache nginx; do
    bench "rate-$proto-$t" login --protocol $proto --port "$(port_of $t $proto)" --rate "$RATE" -c 1000 \
      -d "$DURATION" --warmup "$WARMUP" --user-range 1-$USERS --password $PASSWORD --label "$t"
  done
done
for proto in imap pop3; do
  bench "fetch-$proto-direct" fetch --protocol $proto --port "$(port_of direct $proto)" -r "$FETCH_REPEAT" \
    --user-range 1-1 --password $PASSWORD --timeout 120s
  SHA=$(awk -v n="fetch-$proto-direct" '$1 == n { for (i = 2; i <= NF; i++) if ($i ~ /^sha256=/) { sub(/^sha256=/, "", $i); print $i } }' "$RESULTS")
  for t in mailproxy nginx; do
    bench "fetch-$proto-$t" fetch --protocol $proto --port "$(port_of $t $proto)" -r "$FETCH_REPEAT" \
      --user-range 1-1 --password $PASSWORD --timeout 120s ${SHA:+--sha256 $SHA}
  done
done
# direct last: GreenMail spends CPU on every IDLE session it holds and needs time to recover after
# holding them all itself
for t in mailproxy nginx direct; do
  case $t in direct) pid=$BK_PID ;; mailproxy) pid=$mp_PID ;; nginx) pid=$NG_WORKER ;; esac
  bench "idle-imap-$t" idle --port "$(port_of $t imap)" -k "$IDLE_SESSIONS" --hold "$IDLE_HOLD" \
    --user-range 1-$USERS --password $PASSWORD --rss-pid "$pid" --timeout 60s --ramp-concurrency 200 --ramp-timeout 90s
  sleep 10
done

# ---- table -----------------------------------------------------------------------------------
log "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v rate="$RATE" '
function val(name, key,   i, n, f) {
  if (!(name in line)) return "";
  n = split(line[name], f, " ");
  for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2);
  return "";
}
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b); }
function row(label, key, d, m, n) {
  printf "%-34s %10s %10s %10s %10s %10s\n", label, d, m, n, ratio(m, d), ratio(m, n);
}
{ name = $1; $1 = ""; line[name] = $0 }
END {
  printf "%-34s %10s %10s %10s %10s %10s\n", "measure", "direct", "mailproxy", "nginx", "mp/direct", "mp/nginx";
  for (p = 1; p <= 2; p++) {
    proto = p == 1 ? "imap" : "pop3";
    row(proto " logins/s, cache off", "", val("login-" proto "-direct", "logins_per_s"),
        val("login-" proto "-mailproxy", "logins_per_s"), val("login-" proto "-nginx", "logins_per_s"));
    row(proto " logins/s, cache on", "", val("login-" proto "-direct", "logins_per_s"),
        val("login-" proto "-mailproxy-cache", "logins_per_s"), val("login-" proto "-nginx", "logins_per_s"));
    row(proto " login p99 ms, cache off", "", val("login-" proto "-direct", "p99_ms"),
        val("login-" proto "-mailproxy", "p99_ms"), val("login-" proto "-nginx", "p99_ms"));
    row(proto " login p99 ms, cache on", "", val("login-" proto "-direct", "p99_ms"),
        val("login-" proto "-mailproxy-cache", "p99_ms"), val("login-" proto "-nginx", "p99_ms"));
    row(proto " p99 ms at " rate "/s, cache off", "", val("rate-" proto "-direct", "p99_ms"),
        val("rate-" proto "-mailproxy", "p99_ms"), val("rate-" proto "-nginx", "p99_ms"));
    row(proto " p99 ms at " rate "/s, cache on", "", val("rate-" proto "-direct", "p99_ms"),
        val("rate-" proto "-mailproxy-cache", "p99_ms"), val("rate-" proto "-nginx", "p99_ms"));
    row(proto " server CPU us/login, cache off", "", val("login-" proto "-direct", "server_cpu_us_per_login"),
        val("login-" proto "-mailproxy", "server_cpu_us_per_login"), val("login-" proto "-nginx", "server_cpu_us_per_login"));
    row(proto " server CPU us/login, cache on", "", val("login-" proto "-direct", "server_cpu_us_per_login"),
        val("login-" proto "-mailproxy-cache", "server_cpu_us_per_login"), val("login-" proto "-nginx", "server_cpu_us_per_login"));
    row(proto " fetch MB/s", "", val("fetch-" proto "-direct", "mb_per_s"),
        val("fetch-" proto "-mailproxy", "mb_per_s"), val("fetch-" proto "-nginx", "mb_per_s"));
  }
  row("idle sessions held", "", val("idle-imap-direct", "held"), val("idle-imap-mailproxy", "held"),
      val("idle-imap-nginx", "held"));
  row("idle bytes/session (RSS delta)", "", val("idle-imap-direct", "bytes_per_session"),
      val("idle-imap-mailproxy", "bytes_per_session"), val("idle-imap-nginx", "bytes_per_session"));
}' "$RESULTS"
echo
echo "raw summary lines:"
cat "$RESULTS"
errors=$(grep -c -E ' errors=[1-9]|bench failed' "$RESULTS" || true)
[ "$errors" = 0 ] || log "$errors run(s) had errors: see the lines above (and $W/bench-client.log with KEEP=1)"
