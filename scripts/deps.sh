#!/usr/bin/env bash
# deps.sh - install what the build and tests need, only where it is missing.
#
#   scripts/deps.sh           everything the test suite uses
#   scripts/deps.sh emcc      just the WebAssembly compiler
#   scripts/deps.sh fuzz      just clang with libFuzzer
#
# Debian packages come from apt-get (needs root, or sudo), npm packages
# from `npm ci` (the lockfile pins every version).  Nothing is downloaded
# at run time by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZER_LIB=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a

# "check" -> Debian packages; a check is a command name or an absolute path.
declare -A EMCC=([emcc]=emscripten)
declare -A FUZZ=([clang]=clang [$FUZZER_LIB]="libclang-rt-14-dev libfuzzer-14-dev")
declare -A ALL=(
  [emcc]=emscripten
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [chromium]=chromium
  [clang]=clang
  [$FUZZER_LIB]="libclang-rt-14-dev libfuzzer-14-dev"
  [/usr/lib/python3/dist-packages/redis/__init__.py]=python3-redis
  [/usr/lib/python3/dist-packages/numpy/__init__.py]=python3-numpy
  [script]=bsdutils
)
case "${1:-all}" in
  emcc) declare -n NEED=EMCC ;;
  fuzz) declare -n NEED=FUZZ ;;
  *) declare -n NEED=ALL ;;
esac

present() {
  if [[ $1 == /* ]]; then [ -e "$1" ]; else command -v "$1" >/dev/null 2>&1; fi
}

missing=()
for check in "${!NEED[@]}"; do
  present "$check" || missing+=(${NEED[$check]})
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

if [ "${1:-all}" != all ]; then exit 0; fi

# npm dev dependencies: install when missing or when the lockfile changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
