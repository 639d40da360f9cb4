// The Web Worker store's method list is written once (js/worker-methods.js):
// the worker answers it, the client forwards it, and the type declarations
// must declare the same methods.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { FORWARDED, PAGE_METHODS, WORKER_METHODS } from '../../js/worker-methods.js';
import { VesselWorker } from '../../js/worker-client.js';

const PROPERTIES = new Set(['build', 'readOnly', 'loadReport']);

/** Method names js/worker-client.d.ts declares for VesselWorker. */
function declaredMethods() {
  const dts = readFileSync(new URL('../../js/worker-client.d.ts', import.meta.url), 'utf8');
  const pick = /interface VesselWorker extends Pick<Vessel,([^>]*)>/.exec(dts);
  assert.ok(pick, 'VesselWorker picks its methods from Vessel');
  const picked = [...pick[1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
  const cls = /export class VesselWorker \{([\s\S]*?)\n\}/.exec(dts);
  assert.ok(cls, 'the VesselWorker class declaration');
  const own = [...cls[1].matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]);
  return [...picked, ...own].filter((n) => !PROPERTIES.has(n));
}

test('worker-client.d.ts declares exactly the worker methods and the page-side ones', () => {
  assert.deepEqual(new Set(declaredMethods()), new Set([...WORKER_METHODS, ...PAGE_METHODS]));
});

test('the client has every worker method, and the list has each once', () => {
  assert.equal(new Set(WORKER_METHODS).size, WORKER_METHODS.length);
  for (const m of [...WORKER_METHODS, ...PAGE_METHODS]) assert.equal(typeof VesselWorker.prototype[m], 'function', m);
  for (const m of PAGE_METHODS) assert.ok(!WORKER_METHODS.includes(m), m);
  for (const m of FORWARDED) assert.ok(WORKER_METHODS.includes(m), m);
});
