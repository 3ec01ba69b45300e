#!/usr/bin/env bash
# kill -9 an import of a catalogue big enough for the parallel segment layout
# (>= 100,000 documents, see index/src/balance.rs) at a random moment of that
# layout, then check that every document is there exactly once; rerun the
# import and check again, and that the rerun lays the segments out.
#   scripts/crash-test-layout.sh [KILLS] [CORPUS.jsonl.gz]
# Without CORPUS, 100,000 documents are generated from the demo sample.
# Needs a release build (cargo build --release) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-8}
BIN=target/release/govsearch
[ -x "$BIN" ] || cargo build --release --quiet
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
CORPUS=${2:-}
if [ -z "$CORPUS" ]; then
  CORPUS=$WORK/100k.jsonl.gz
  "$BIN" --data-dir "$WORK/gen" gen --corpus assets/demo/docs.jsonl.gz --count 100000 --out "$CORPUS" >/dev/null
fi
EXPECTED=$(python3 -c "import gzip,sys; print(len({__import__('json').loads(l)['id'] for l in gzip.open(sys.argv[1],'rt') if l.strip()}))" "$CORPUS")
total() { "$BIN" --data-dir "$1" search --json --size 1 "" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])"; }
segments() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]+'/index/meta.json'))['segments']))" "$1"; }

killed=0
for k in $(seq 1 "$KILLS"); do
  D=$WORK/d$k
  RUST_LOG=govsearch_index=info "$BIN" --data-dir "$D" import "$CORPUS" >"$D.log" 2>&1 &
  P=$!
  until grep -q "laying out segments" "$D.log" 2>/dev/null || ! kill -0 $P 2>/dev/null; do sleep 0.05; done
  delay=$(python3 -c "import random; print(round(random.uniform(0, 3.0), 2))")
  sleep "$delay"
  if kill -9 $P 2>/dev/null; then killed=$((killed + 1)); what="killed ${delay}s into the layout"; else what="done before the kill"; fi
  wait $P 2>/dev/null || true
  after_kill=$(total "$D")
  [ "$after_kill" = "$EXPECTED" ] || { echo "run $k ($what): $after_kill documents, expected $EXPECTED" >&2; exit 1; }
  "$BIN" --data-dir "$D" import "$CORPUS" >/dev/null 2>&1
  after_rerun=$(total "$D")
  [ "$after_rerun" = "$EXPECTED" ] || { echo "run $k: $after_rerun documents after the rerun, expected $EXPECTED" >&2; exit 1; }
  n=$(segments "$D")
  [ "$n" -le 3 ] || { echo "run $k: $n segments after the rerun: not laid out" >&2; exit 1; }
  echo "run $k: $what; $after_kill documents after the kill, $after_rerun after the rerun, $n segments"
  rm -rf "$D" "$D.log"
done
echo "ok: $killed of $KILLS imports killed during the layout; every document there once, every time"
