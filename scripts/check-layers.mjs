#!/usr/bin/env node
// check-layers.mjs - the engine's layers hold in the code.
//
// src/ has one folder per layer, lowest first (LAYERS below).  A file may
// include headers of its own folder and of folders below it, never above;
// and the include graph between files has no cycle.  Every engine include
// names its folder ("base/alloc.h"), so the layer of each edge is visible
// in the line itself.  `make test` runs this first; it prints every
// offending line and exits 1.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS = ['base', 'data', 'index', 'query', 'commands', 'persist', 'abi'];
const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

const problems = [];
const graph = new Map(); // 'folder/file' -> ['folder/header', ...]
for (const f of readdirSync(src, { recursive: true }).sort()) {
  if (!/\.[ch]$/.test(f)) continue;
  const parts = f.split('/');
  if (parts.length !== 2) {
    problems.push(`src/${f}: engine files live one folder deep (src/<layer>/<file>)`);
    continue;
  }
  const layer = LAYERS.indexOf(parts[0]);
  if (layer < 0) {
    problems.push(`src/${f}: folder '${parts[0]}' is not a layer (${LAYERS.join(' < ')})`);
    continue;
  }
  const edges = [];
  readFileSync(join(src, f), 'utf8').split('\n').forEach((line, i) => {
    const m = /^\s*#\s*include\s+"([^"]+)"/.exec(line);
    if (!m) return;
    const inc = m[1];
    const where = `src/${f}:${i + 1}`;
    const [folder, ...rest] = inc.split('/');
    const to = LAYERS.indexOf(folder);
    if (rest.length !== 1 || to < 0) {
      problems.push(`${where}: #include "${inc}" does not name a layer folder`);
      return;
    }
    if (to > layer) problems.push(`${where}: ${parts[0]}/ includes "${inc}" from a layer above (${folder}/)`);
    edges.push(inc);
  });
  graph.set(f, edges);
}

// Cycles: depth-first search over the include graph.
const state = new Map(); // 1 = on the stack, 2 = done
const stack = [];
function visit(f) {
  state.set(f, 1);
  stack.push(f);
  for (const g of graph.get(f) || []) {
    if (state.get(g) === 1) problems.push(`include cycle: ${[...stack.slice(stack.indexOf(g)), g].join(' -> ')}`);
    else if (!state.has(g) && graph.has(g)) visit(g);
  }
  stack.pop();
  state.set(f, 2);
}
for (const f of graph.keys()) if (!state.has(f)) visit(f);

if (problems.length) {
  console.error(`layers: ${problems.length} problem(s) (order: ${LAYERS.join(' < ')})`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`layers: ${graph.size} files, ${LAYERS.join(' < ')}, no upward include, no cycle`);
