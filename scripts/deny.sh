#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml): every crate from crates.io,
# no wildcard versions, licenses on the allow list, no OpenSSL/aws-lc.
# Advisories need the RustSec database from github.com, which these machines
# cannot reach; where it can, run `cargo deny check advisories` as well.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked --quiet
cargo deny --locked check bans licenses sources
