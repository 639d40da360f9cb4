#!/usr/bin/env node
// check-layers.mjs - the engine's layers hold in the code.
//
// src/ has one folder per layer, lowest first (LAYERS below).  A file may
// include headers of its own folder and of folders below it, never above;
// and the include graph between files has no cycle.  Every engine include
// names its folder ("base/alloc.h"), so the layer of each edge is visible
// in the line itself.  Names obey the same rule: a function or type
// declared only in a header of a higher layer is not used below it (a call
// reached through some other include would hide an upward dependency).
// `make test` runs this first; it prints every offending line and exits 1.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS = ['base', 'data', 'index', 'query', 'commands', 'persist', 'abi'];
// `--src DIR` checks another tree (the checker's own test uses it).
const at = process.argv.indexOf('--src');
const src = at > 0 ? process.argv[at + 1] : join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

const problems = [];
const graph = new Map(); // 'folder/file' -> ['folder/header', ...]
const texts = new Map(); // 'folder/file' -> source without comments and strings
const noComments = (t) =>
  t.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '').replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
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
  const text = readFileSync(join(src, f), 'utf8');
  texts.set(f, noComments(text));
  text.split('\n').forEach((line, i) => {
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

// Names: the lowest layer whose headers declare each vs_ function or type.
const layerOf = (f) => LAYERS.indexOf(f.split('/')[0]);
const declared = new Map(); // name -> lowest layer declaring it
for (const [f, t] of texts) {
  if (!f.endsWith('.h') || layerOf(f) < 0) continue;
  const names = [
    ...[...t.matchAll(/^[^\n;{}()#]*?\b(vs_\w+)\s*\(/gm)].map((m) => m[1]), // function declarations
    ...[...t.matchAll(/\btypedef\b[^;]*?\b(vs_\w+)\s*;/g)].map((m) => m[1]), // typedef names
    ...[...t.matchAll(/\}\s*(vs_\w+)\s*;/g)].map((m) => m[1]), // typedef struct { ... } name;
    ...[...t.matchAll(/\bstruct\s+(vs_\w+)\s*\{/g)].map((m) => `struct ${m[1]}`), // struct definitions
  ];
  for (const n of names) if (!declared.has(n) || declared.get(n) > layerOf(f)) declared.set(n, layerOf(f));
}
for (const [f, t] of texts) {
  const layer = layerOf(f);
  if (layer < 0) continue;
  const seen = new Set();
  for (const m of t.matchAll(/\b(?:struct\s+)?vs_\w+/g)) {
    const name = m[0].replace(/\s+/, ' ');
    if (seen.has(name) || !declared.has(name) || declared.get(name) <= layer) continue;
    seen.add(name);
    const line = t.slice(0, m.index).split('\n').length;
    problems.push(`src/${f}:${line}: ${LAYERS[layer]}/ uses ${name}, declared in ${LAYERS[declared.get(name)]}/ above it`);
  }
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
