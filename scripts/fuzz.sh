#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer) of every parser that reads
# input from the web or from users:
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Targets: extract_html charset dates docnum query analyzer attachments.
# Seeds come from the repo's real fixtures (gov pages, attachments, queries).
# A crash leaves its input under fuzz/artifacts/TARGET/; turn it into a
# regression test in the crate it came from, then fix.
# Stable Rust is used with RUSTC_BOOTSTRAP=1 (libFuzzer's sanitizer flags are
# nightly-only); installs cargo-fuzz when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(extract_html charset dates docnum query analyzer attachments)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

seed() { # target, then files to copy into its corpus
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do
    case "$f" in
      *.gz) gzip -dc "$f" > "$dir/$(basename "${f%.gz}")-$(echo "$f" | md5sum | cut -c1-8)" ;;
      *) cp "$f" "$dir/$(basename "$f")-$(echo "$f" | md5sum | cut -c1-8)" ;;
    esac
  done
}
# Process substitution: `head` closing the pipe early must not fail the script.
mapfile -t pages < <(find crawler/tests/fixtures/real -type f | sort | head -60)
seed extract_html "${pages[@]}"
seed charset "${pages[@]}"
seed attachments crawler/tests/fixtures/attachments/*
mkdir -p fuzz/corpus/query fuzz/corpus/dates fuzz/corpus/docnum fuzz/corpus/analyzer
n=0
while IFS= read -r q; do
  n=$((n + 1))
  printf '%s' "$q" > "fuzz/corpus/query/seed-$n"
  printf '%s' "$q" > "fuzz/corpus/analyzer/seed-$n"
  printf '%s' "$q" > "fuzz/corpus/docnum/seed-$n"
done < fuzz/seeds/queries.txt
for d in 2020-03-15 2020年03月15日 2020/3/15 "2019年5月15日" "20200315" "2023-02-29" "二〇二〇年三月十五日"; do
  n=$((n + 1)); printf '%s' "$d" > "fuzz/corpus/dates/seed-$n"
done

found=0
for t in "${TARGETS[@]}"; do
  echo "== $t: ${SECS}s"
  cargo fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- -max_total_time="$SECS" -max_len=262144 -rss_limit_mb=2048 -timeout=10 2>&1 \
    | grep -E "^#[0-9]+ +(DONE|pulse)|Done|ERROR|panicked|SUMMARY|artifact" || true
  if compgen -G "fuzz/artifacts/$t/crash-*" >/dev/null || compgen -G "fuzz/artifacts/$t/timeout-*" >/dev/null \
    || compgen -G "fuzz/artifacts/$t/oom-*" >/dev/null; then
    echo "FOUND: fuzz/artifacts/$t" >&2
    found=1
  fi
done
exit $found
