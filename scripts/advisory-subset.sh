#!/usr/bin/env bash
# Cut the RustSec advisories that concern this project out of a full snapshot
# of the advisory database, into ci/advisory-db/ (committed; ~100 files instead
# of the database's 1,200, 8.5 MB):
#   scripts/advisory-subset.sh [FULL_DB]     # default ../shared/advisory-db
# The subset holds the advisories of every crate named in Cargo.lock and
# fuzz/Cargo.lock (any version), the toolchain advisories (rust/), and
# crates.txt, the crate names it was cut for. scripts/deny.sh refuses to use
# the subset for a lock file that names a crate not in crates.txt: run this
# script again after adding a dependency. See docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
full=${1:-../shared/advisory-db}
[ -d "$full/crates" ] || { echo "no advisory database at $full (expected crates/ in it)" >&2; exit 1; }
out=ci/advisory-db
rm -rf "$out"
mkdir -p "$out/crates"
cp -r "$full/rust" "$out/rust"
cp "$full/support.toml" "$full/LICENSE.txt" "$out/"
[ -f "$full/SNAPSHOT.md" ] && cp "$full/SNAPSHOT.md" "$out/SNAPSHOT.md"
(grep -h '^name = ' Cargo.lock fuzz/Cargo.lock) | sed 's/name = "\(.*\)"/\1/' | sort -u > "$out/crates.txt"
while read -r c; do
  if [ -d "$full/crates/$c" ]; then cp -r "$full/crates/$c" "$out/crates/$c"; fi
done < "$out/crates.txt"
echo "$(find "$out/crates" -name '*.md' | wc -l) advisories for $(wc -l < "$out/crates.txt") crates in $out"
