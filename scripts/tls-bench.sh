#!/usr/bin/env bash
# TLS handshakes per second through the proxy, OpenSSL provider vs JDK provider, in one run
# (loopback only, bounded: 2 key types x 2 providers x ~2.5 x SECONDS). Compiles the reactor
# (no install) and runs io.mailproxy.it.bench.TlsHandshakeBench from the it-tests test classes.
#   scripts/tls-bench.sh [SECONDS-PER-RUN=5] [CONNECTIONS-IN-FLIGHT=16] [SERVER-THREADS=1]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q test-compile dependency:build-classpath -pl it-tests -am \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
java -cp "it-tests/target/test-classes:$(cat "$cp_file")" io.mailproxy.it.bench.TlsHandshakeBench "$@"
