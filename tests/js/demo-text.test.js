// demo-text.test.js - the demo's highlighting rules (demo/text.js) against
// the engine's: the Porter2 stems of tests/unit/fixtures/porter2.txt (the
// fixture src/index/stem_en.c is checked with), the lexer's separators,
// escapes and stop words, the query's terms, and the marked pieces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { highlight, matcher, queryTerms, stem, tokenize } from '../../demo/text.js';

test('stem: every word of the engine\'s Porter2 fixture', () => {
  const lines = readFileSync(new URL('../unit/fixtures/porter2.txt', import.meta.url), 'utf8').split('\n');
  let words = 0;
  for (const line of lines) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.indexOf(' ');
    assert.equal(stem(line.slice(0, sp), 0), line.slice(sp + 1), `stem(${line.slice(0, sp)})`);
    words++;
  }
  assert.ok(words > 2000, `${words} words`);
});

test('stem: MINSTEMSIZE 4 in bytes, non-ASCII letters counted once', () => {
  assert.equal(stem('runs'), 'run');
  assert.equal(stem('ran'), 'ran');
  assert.equal(stem('ies', 0), 'ie');
  assert.equal(stem('ies'), 'ies'); // under 4 bytes: its own stem
  assert.equal(stem('été'), 'été'); // 5 bytes, 3 letters: no rule applies
  assert.equal(stem('cafés', 0), 'café');
  for (const w of ['deploy', 'deployment', 'deploying', 'deployed', 'deploys']) assert.equal(stem(w), 'deploy');
});

test('tokenize: valkey-search\'s default punctuation, backslash escapes, case, stop words', () => {
  const t = tokenize('The SAP-Fiori app, a\\.b x\\y "quoted" Élan\ttab');
  assert.deepEqual(t.map((x) => x.word), ['sap', 'fiori', 'app', 'a.b', 'x', 'y', 'quoted', 'élan', 'tab']);
  const text = 'The SAP-Fiori app, a\\.b x\\y "quoted" Élan\ttab';
  assert.deepEqual(t.map((x) => text.slice(x.start, x.end)), ['SAP', 'Fiori', 'app', 'a\\.b', 'x', 'y', 'quoted', 'Élan', 'tab']);
  assert.deepEqual(tokenize('to be or not to be'), []);
  assert.deepEqual(tokenize('\\\\'), [{ word: '\\', start: 0, end: 2 }]);
});

test('queryTerms: words, phrases, prefixes, suffixes, fuzzy; negations and other clauses left out', () => {
  assert.deepEqual(queryTerms('Deploy @title:(app*) -skip -(a | b) "Fiori elements" %%annot%% *ment @category:{x y} @words:[1 2] $p'), [
    { kind: 'stem', word: 'deploy' },
    { kind: 'prefix', word: 'app' },
    { kind: 'stem', word: 'fiori' },
    { kind: 'stem', word: 'elements' },
    { kind: 'fuzzy', word: 'annot', dist: 2 },
    { kind: 'suffix', word: 'ment' },
  ]);
  assert.deepEqual(queryTerms('deploy', { verbatim: true }), [{ kind: 'exact', word: 'deploy' }]);
  assert.deepEqual(queryTerms('the'), []);
});

test('matcher and highlight: same stem, prefix, fuzzy; a window around the first match', () => {
  const m = matcher(queryTerms('deploy'));
  const pieces = highlight('How to Deploy: deployment, deploying; redeploy.', m);
  assert.deepEqual(pieces.filter((p) => p.mark).map((p) => p.text), ['Deploy', 'deployment', 'deploying']);
  assert.equal(pieces.map((p) => p.text).join(''), 'How to Deploy: deployment, deploying; redeploy.');
  assert.ok(matcher(queryTerms('annot*'))('annotations'));
  assert.ok(!matcher(queryTerms('annot*'))('notannot'));
  assert.ok(matcher(queryTerms('*tion'))('annotation'));
  assert.ok(matcher(queryTerms('%fiory%'))('fiori'));
  assert.ok(!matcher(queryTerms('%fiory%'))('fairy'));
  assert.ok(!matcher([])('anything'));
  const long = `${'lorem '.repeat(100)}deployment ${'ipsum '.repeat(100)}`;
  const w = highlight(long, m, { around: 120 });
  assert.equal(w[0].text, '…');
  assert.equal(w.at(-1).text, '…');
  assert.ok(w.some((p) => p.mark && p.text === 'deployment'));
  assert.ok(w.map((p) => p.text).join('').length < 160);
});
