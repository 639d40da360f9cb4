// examples.test.js - the runnable examples (which the README quotes) run
// and print what they promise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const run = (file) => execFileSync(process.execPath, [file], { encoding: 'utf8' });

test('examples/node/hashes.js stores and reads hashes', () => {
  const out = run('examples/node/hashes.js');
  assert.match(out, /doc:1 title = Vessel/);
  assert.match(out, /doc:1 stars = 43/);
  assert.match(out, /error reply: WRONGTYPE Operation against a key holding the wrong kind of value/);
});

test('examples/node/hybrid.js finds the two cheap shoes, nearest first', () => {
  const out = run('examples/node/hybrid.js');
  assert.match(out, /^2 results\nproduct:1 0\.0121 60\nproduct:4 0\.7948 45\n/);
  assert.match(out, /\[2,"product:1",\["score","0\.012121617794"\],"product:4",\["score","0\.794804334641"\]\]/);
});
