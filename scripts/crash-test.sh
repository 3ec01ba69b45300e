#!/usr/bin/env bash
# kill -9 the crawler, the indexer and the importer at random moments, rerun the
# same command, and check that nothing was lost, nothing duplicated, and the
# SQLite files pass their integrity check.
#   scripts/crash-test.sh [KILLS] [CORPUS.jsonl.gz]
# Needs a release build (cargo build --release) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-20}
CORPUS=${2:-assets/demo/docs.jsonl.gz}
BIN=target/release/govsearch
[ -x "$BIN" ] || cargo build --release --quiet
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
EXPECTED=$(python3 -c "import gzip,sys; print(sum(1 for l in gzip.open(sys.argv[1],'rt') if l.strip()))" "$CORPUS")

total() { "$BIN" --data-dir "$1" search --json --size 1 "" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])"; }
integrity() {
  for db in "$1"/*.sqlite; do
    [ -f "$db" ] || continue
    python3 - "$db" <<'PY'
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]
sys.exit(0 if r == "ok" else f"{sys.argv[1]}: {r}")
PY
  done
}
rand_sleep() { python3 -c "import random,time; time.sleep(random.uniform(${1}, ${2}))"; }
# Seconds an uninterrupted run of a command takes (kills are spread over it).
timed() { local t0; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; python3 -c "print(max(0.2, $(date +%s.%N) - $t0))"; }

# 1. Import and rebuild, killed at random moments (commits included).
DATA=$WORK/import
T_IMPORT=$(timed "$BIN" --data-dir "$WORK/probe" import "$CORPUS")
T_INDEX=$(timed "$BIN" --data-dir "$WORK/probe" index)
echo "uninterrupted: import ${T_IMPORT}s, index ${T_INDEX}s"
killed=0
for i in $(seq 1 "$KILLS"); do
  if [ $((i % 2)) = 0 ] && [ -d "$DATA/index" ]; then cmd=(index); t=$T_INDEX; else cmd=(import "$CORPUS"); t=$T_IMPORT; fi
  "$BIN" --data-dir "$DATA" "${cmd[@]}" >/dev/null 2>&1 &
  pid=$!
  rand_sleep 0.02 "$t"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  "$BIN" --data-dir "$DATA" "${cmd[@]}" >/dev/null 2>&1
  got=$(total "$DATA")
  [ "$got" = "$EXPECTED" ] || { echo "after kill $i (${cmd[0]}): $got documents, expected $EXPECTED" >&2; exit 1; }
  integrity "$DATA"
done
echo "import/index: $killed kills landed, every rerun had all $EXPECTED documents exactly once, SQLite integrity ok"

# 2. Crawl of the demo site, killed at random moments.
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$BIN" --data-dir "$WORK/site" demo-site --addr "127.0.0.1:$PORT" --write-config "$WORK/sites.toml" 2>/dev/null &
for _ in $(seq 50); do [ -f "$WORK/sites.toml" ] && break; sleep 0.1; done
DATA=$WORK/crawl
T_CRAWL=$(timed "$BIN" --data-dir "$WORK/clean" crawl --config "$WORK/sites.toml")
echo "uninterrupted: crawl ${T_CRAWL}s"
killed=0
for i in $(seq 1 "$KILLS"); do
  rm -rf "$DATA"   # each round starts a fresh crawl, so the kill lands mid-crawl, not mid-recrawl
  "$BIN" --data-dir "$DATA" crawl --config "$WORK/sites.toml" >/dev/null 2>&1 &
  pid=$!
  rand_sleep 0.02 "$T_CRAWL"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  # The killed crawl's lock names a dead pid: the rerun takes it over by itself.
  "$BIN" --data-dir "$DATA" crawl --config "$WORK/sites.toml" >/dev/null 2>&1
  integrity "$DATA"
  crawled=$(total "$DATA")
  clean=$(total "$WORK/clean")
  [ "$crawled" = "$clean" ] || { echo "crawl after kill $i: $crawled documents; an uninterrupted crawl finds $clean" >&2; exit 1; }
done
echo "crawl: $killed kills landed; every rerun ended with the $clean documents of an uninterrupted crawl; SQLite integrity ok"
