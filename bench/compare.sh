#!/usr/bin/env bash
# bench/compare.sh - the same benchmarks on this checkout and another one
# (an older commit, say), run alternately so that a drift of the machine
# hits both alike: other, this, other, this ...
#
#   git worktree add /tmp/before <commit> && (cd /tmp/before && make)
#   bench/compare.sh /tmp/before [rounds]
#
# Each run's output goes to bench/data/compare/<bench>-<this|other>-<round>.log;
# the lines that carry the figures are printed as they come.  Peers are
# not needed (bench/hnsw.js is left out: `make bench-hnsw` in each tree).
set -euo pipefail
other=$(cd "${1:?usage: bench/compare.sh OTHER_CHECKOUT [ROUNDS]}" && pwd)
rounds=${2:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/bench/data/compare"
mkdir -p "$out"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

benches=(
  "hset bench/hset.js 100000"
  "flat bench/flat.js"
  "persist bench/persist.js --no-browser"
  "server bench/server.js --quick"
  "ingest bench/ingest.js"
)
for ((r = 1; r <= rounds; r++)); do
  for b in "${benches[@]}"; do
    read -r name script args <<<"$b"
    for side in other this; do
      dir=$here
      [ "$side" = other ] && dir=$other
      log="$out/$name-$side-$r.log"
      (cd "$dir" && node "$script" $args) >"$log" 2>&1 || echo "($name on $side exited $?)"
      echo "== $name, $side ($dir), round $r"
      grep -E 'simd|HSET|QPS|save|load|vectors/s|queries/s|\| 16 \|' "$log" | grep -v -E 'PASS|MISS' | head -12 || true
    done
  done
done
