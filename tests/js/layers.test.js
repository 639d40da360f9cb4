// layers.test.js - scripts/check-layers.mjs passes on src/ and finds what
// it exists to find: an upward include, an include cycle, an upward name,
// a file outside the layer folders.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'check-layers.mjs');

function check(files) {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const r = spawnSync(process.execPath, [script, '--src', dir], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the engine tree holds its layers', () => {
  execFileSync(process.execPath, [script], { encoding: 'utf8' });
});

test('a clean tree passes', () => {
  const r = check({
    'base/a.h': 'int vs_a(void);\n',
    'data/b.c': '#include "base/a.h"\nint vs_b(void) { return vs_a(); }\n',
  });
  assert.equal(r.status, 0, r.out);
});

test('an upward include fails', () => {
  const r = check({ 'base/a.h': '#include "data/b.h"\n', 'data/b.h': '\n' });
  assert.equal(r.status, 1);
  assert.match(r.out, /base\/a\.h:1: base\/ includes "data\/b\.h" from a layer above/);
});

test('an include cycle fails', () => {
  const r = check({ 'data/a.h': '#include "data/b.h"\n', 'data/b.h': '#include "data/a.h"\n' });
  assert.equal(r.status, 1);
  assert.match(r.out, /include cycle: data\/a\.h -> data\/b\.h -> data\/a\.h/);
});

test('a name from a layer above fails, comments and strings aside', () => {
  const r = check({
    'abi/api.h': 'int vs_open(void);\ntypedef struct vs_h vs_h;\n',
    'persist/r.c': '/* vs_open */\nconst char *s = "vs_h";\nint f(void) {\n  return vs_open();\n}\n',
  });
  assert.equal(r.status, 1);
  assert.match(r.out, /persist\/r\.c:4: persist\/ uses vs_open, declared in abi\/ above it/);
  assert.doesNotMatch(r.out, /vs_h\b/);
});

test('a type defined with its body in a layer above fails', () => {
  const r = check({
    'query/s.h': 'typedef struct vs_s {\n  int a;\n  int b;\n} vs_s;\n',
    'data/d.c': 'static vs_s *p;\n',
  });
  assert.equal(r.status, 1);
  assert.match(r.out, /data\/d\.c:1: data\/ uses vs_s, declared in query\/ above it/);
});

test('files outside the layer folders fail', () => {
  const r = check({ 'x.c': '\n', 'misc/y.c': '\n' });
  assert.equal(r.status, 1);
  assert.match(r.out, /src\/x\.c: engine files live one folder deep/);
  assert.match(r.out, /folder 'misc' is not a layer/);
});
