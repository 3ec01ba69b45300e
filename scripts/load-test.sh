#!/usr/bin/env bash
# Load test: `govsearch serve` in its own process, wrk from Debian with a
# realistic mix (scripts/load.lua), and the server's memory sampled throughout.
#   scripts/load-test.sh DATA_DIR [SECONDS] [CONNECTIONS]
# DATA_DIR must hold an index (e.g. after `govsearch import ../shared/corpus/docs.jsonl.gz`).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:?data dir with an index}
SECS=${2:-60}
CONNS=${3:-64}
BIN=target/release/govsearch
[ -x "$BIN" ] || cargo build --release --quiet
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$BIN" --data-dir "$DATA" serve --addr "127.0.0.1:$PORT" --rate-limit 0 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
echo "server RSS before: $(( $(rss) / 1024 )) MB"
( while kill -0 $SERVER 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 10; done ) > /tmp/govsearch-rss.log &
SAMPLER=$!
QUERIES=${QUERIES:-../shared/bench/queries.txt} wrk -t2 -c"$CONNS" -d"${SECS}s" -s scripts/load.lua "http://127.0.0.1:$PORT"
kill $SAMPLER 2>/dev/null || true
echo "server RSS after: $(( $(rss) / 1024 )) MB; samples (epoch, kB) in /tmp/govsearch-rss.log:"
awk '{printf "%d ", $2/1024} END {print "MB"}' /tmp/govsearch-rss.log
