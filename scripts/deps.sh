#!/usr/bin/env bash
# deps.sh — install what IA·T needs and is missing, on Debian 12, as root.
# Idempotent and quiet when nothing is missing. Called by `make run`,
# `make test` (and so CI). Usage: scripts/deps.sh [build|bench]
#   build (default): compiler, libraries, Node.js and the npm packages,
#     Debian's chromium and a font for the browser tests (tests/browser)
#   bench: additionally wrk (load generator) and nginx (the ceiling)
set -euo pipefail
cd "$(dirname "$0")/.."

want=(gcc make cmake pkg-config ca-certificates
      libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev
      libutf8proc-dev libmd4c-dev libcmocka-dev sqlite3
      chromium fonts-dejavu-core clang libclang-rt-14-dev)
if [ "${1:-build}" = bench ]; then
  # wrk (load), nginx (the ceiling), and what Directus's native modules
  # need to compile (node-gyp): g++, make, python3
  want+=(wrk nginx-light g++ python3)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
# Node.js may come from Debian (nodejs + npm) or be already present.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, pinned by package-lock.json; reinstalled only when the lock
# file changed since the last install. The browser tests use Debian's
# chromium: Playwright must never download one (playwright-core does not,
# the variable makes sure).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.iat-lock.sha256
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "deps: installing npm packages (npm ci)"
  npm ci --silent --no-audit --no-fund >/dev/null 2>&1 || npm ci --no-audit --no-fund
  echo "$sum" > "$stamp"
fi
