#!/usr/bin/env bash
# The whole test suite, as README says: installs what the tests need, then runs
# every test (ignored ones included) and the doctests.
#   scripts/test.sh            # everything
#   SKIP_INSTALL=1 scripts/test.sh   # when Chromium, nginx and node_modules are already there
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SKIP_INSTALL:-}" ]; then
  # Chromium for the browser tests; a CJK font so the screenshots show the Chinese text.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
      echo "browser tests need Debian's chromium (and fonts-noto-cjk): sudo apt-get install chromium fonts-noto-cjk" >&2
      exit 1
    fi
  fi
  # nginx for the reverse-proxy test (tests/proxy.rs); only its binary is used.
  if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
    else
      echo "the proxy test needs Debian's nginx: sudo apt-get install nginx-light" >&2
      exit 1
    fi
  fi
  if [ -f tests/browser/package.json ] && [ ! -d tests/browser/node_modules ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "cargo-nextest missing: cargo install cargo-nextest --locked" >&2
  exit 1
fi
cargo nextest run --workspace --run-ignored all --no-fail-fast
cargo test --workspace --doc
