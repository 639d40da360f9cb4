#!/usr/bin/env bash
# deps.sh - install what the build and tests need, only where it is missing.
#
#   scripts/deps.sh           everything the test suite uses
#   scripts/deps.sh emcc      just the WebAssembly compiler
#
# Debian packages come from apt-get (needs root), npm packages from
# `npm ci` (the lockfile pins every version).  Nothing is downloaded at
# run time by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

# command-to-check -> Debian package
declare -A NEED=(
  [emcc]=emscripten
  [redis-server]=redis-server
)
if [ "${1:-}" = emcc ]; then NEED=([emcc]=emscripten); fi

missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
    command -v sudo >/dev/null || { echo "deps: need root to apt-get install ${missing[*]}" >&2; exit 1; }
  else
    SUDO=
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = emcc ]; then exit 0; fi

# npm dev dependencies: install when missing or when the lockfile changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
