#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml):
#  - bans, licenses, sources: every crate from crates.io, no wildcard versions,
#    licenses on the allow list, no OpenSSL/aws-lc;
#  - advisories: the RustSec database, offline. Taken from $GOVSEARCH_ADVISORY_DB
#    or ../shared/advisory-db when there is a full snapshot there, else from the
#    committed subset ci/advisory-db (scripts/advisory-subset.sh cuts it; it is
#    refused when Cargo.lock names a crate it was not cut for).
# How to refresh the database: docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked --quiet
cargo deny --locked check bans licenses sources

db_src=${GOVSEARCH_ADVISORY_DB:-}
if [ -z "$db_src" ] && [ -d ../shared/advisory-db/crates ]; then db_src=../shared/advisory-db; fi
if [ -z "$db_src" ]; then
  db_src=ci/advisory-db
  missing=$(comm -23 <(grep -h '^name = ' Cargo.lock fuzz/Cargo.lock | sed 's/name = "\(.*\)"/\1/' | sort -u) \
                     <(sort -u "$db_src/crates.txt"))
  if [ -n "$missing" ]; then
    echo "ci/advisory-db was cut for another lock file; these crates are not covered:" >&2
    echo "$missing" | sed 's/^/  /' >&2
    echo "run scripts/advisory-subset.sh FULL_DB (see docs/RELIABILITY.md)" >&2
    exit 1
  fi
fi
echo "advisories from $db_src"
# cargo-deny reads the database from db-path/<name-of-its-URL> and asks git for
# its HEAD commit's date, so it gets a throwaway git copy.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/dbs/advisory-db-3157b0e258782691"
mkdir -p "$tmp/dbs"
cp -r "$db_src" "$db"
chmod -R u+w "$db"
git -C "$db" init -q
git -C "$db" add -A
git -C "$db" -c user.name=ci -c user.email=ci@localhost commit -qm snapshot
sed "s|^db-path = .*|db-path = \"$tmp/dbs\"|" deny.toml > "$tmp/deny.toml"
grep -q "^db-path = \"$tmp/dbs\"" "$tmp/deny.toml" || { echo "deny.toml has no [advisories] db-path line" >&2; exit 1; }
# cargo metadata needs every crate of the lock file, other platforms' included.
cargo fetch --locked --quiet
cargo deny --offline --locked --config "$tmp/deny.toml" check advisories
