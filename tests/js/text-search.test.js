// text-search.test.js - FT.SEARCH's text queries against a brute-force JS
// model: seeded random documents (stems, stop words, punctuation, upper
// case, non-ASCII words) in two TEXT fields with random weights, random
// queries of every text operator mixed with TAG and NUMERIC clauses,
// negation, OR, groups, VERBATIM, SLOP and INORDER.  Each query's matched
// keys, its BM25STD scores (WITHSCORES, within 1e-9 relative) and its
// order (best first, ties by key) are compared with the model's.  A
// failure prints its seed; SEED=n reruns one, TEXT_SEEDS=n runs 1..n.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from '../../js/index.js';
import { prng, seedList } from './helpers.js';

// ---- the model -------------------------------------------------------------

const PUNCT = ',.<>{}[]"\':;!@#$%^&*()-+=~/\\|?';
const STOP = new Set(['a', 'is', 'the', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into',
  'it', 'no', 'not', 'of', 'on', 'or', 'such', 'that', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was',
  'will', 'with']);
// Snowball English stems of the vocabulary (checked against the engine's
// stemmer); every other word is its own stem.
const STEMS = {
  runs: 'run', running: 'run', jumps: 'jump', jumped: 'jump', jumping: 'jump', cats: 'cat', dogs: 'dog',
  connected: 'connect', connecting: 'connect', connection: 'connect', connects: 'connect', plays: 'play',
  played: 'play', playing: 'play',
};
const WORDS = ['run', 'runs', 'running', 'jump', 'jumps', 'jumped', 'jumping', 'cat', 'cats', 'dog', 'dogs',
  'connect', 'connected', 'connecting', 'connection', 'play', 'plays', 'played', 'playing', 'hello', 'world',
  'zebra', 'kitten', 'quick', 'brown', 'fox', 'café', 'über', 'δέλτα'];
const STOPS = ['the', 'a', 'of', 'and', 'is'];
const SEPS = [' ', ' ', ' ', ', ', '. ', '!', '-', ' - ', '; ', '/'];

const stem = (w) => (Buffer.byteLength(w) < 4 ? w : (STEMS[w] ?? w));
const isSep = (c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f || PUNCT.includes(c);

function tokenize(text) {
  const out = [];
  let w = '';
  for (const c of text + ' ') {
    if (isSep(c)) {
      if (w) {
        const f = w.toLowerCase();
        if (!STOP.has(f)) out.push(f);
      }
      w = '';
    } else w += c;
  }
  return out;
}

// Optimal string alignment distance over UTF-8 bytes.
function osa(a, b) {
  const x = Buffer.from(a), y = Buffer.from(b);
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i ? (j ? 0 : i) : j)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

const startsWithBytes = (w, p) => Buffer.from(w).subarray(0, Buffer.byteLength(p)).equals(Buffer.from(p));
const endsWithBytes = (w, s) => { const b = Buffer.from(w), t = Buffer.from(s); return b.length >= t.length && b.subarray(b.length - t.length).equals(t); };

/** Does stored word w (in field fd) match a text leaf? */
function wordMatches(leaf, fd, w) {
  switch (leaf.how) {
    case 'exact': return w === leaf.w;
    case 'stem': return fd.nostem ? w === leaf.w : w === leaf.w || stem(w) === stem(leaf.w);
    case 'prefix': return startsWithBytes(w, leaf.w);
    case 'suffix': return endsWithBytes(w, leaf.w);
    case 'fuzzy': return osa(w, leaf.w) <= leaf.dist;
  }
  throw new Error(leaf.how);
}

class Model {
  constructor(fields) {
    this.fields = fields; // [{ name, weight, nostem, suffix }]
    this.docs = new Map(); // key -> { tokens: {field: [words]}, tag, n }
  }
  units(fd) { const w = Math.fround(fd.weight); return w >= 1 ? Math.trunc(w) : 1; }
  /** Positions of leaf's matching words in field fd of doc. */
  positions(doc, leaf, fd) {
    const out = [];
    (doc.tokens[fd.name] ?? []).forEach((w, i) => { if (wordMatches(leaf, fd, w)) out.push(i); });
    return out;
  }
  leafFields(leaf) { return this.fields.filter((f) => leaf.fields.includes(f.name)); }
  matchLeaf(doc, leaf) { return this.leafFields(leaf).some((fd) => this.positions(doc, leaf, fd).length > 0); }
  /** One distinct position per text kid in one common field, as the AND asks. */
  positional(doc, kids, slop, inorder) {
    for (const fd of this.fields) {
      if (!kids.every((k) => k.fields.includes(fd.name))) continue;
      const P = kids.map((k) => this.positions(doc, k, fd));
      if (P.some((p) => p.length === 0)) continue;
      const pick = [];
      const rec = (i) => {
        if (i === P.length) {
          if (new Set(pick).size !== pick.length) return false;
          if (inorder && pick.some((p, j) => j > 0 && p <= pick[j - 1])) return false;
          if (slop >= 0 && Math.max(...pick) - Math.min(...pick) - (pick.length - 1) > slop) return false;
          return true;
        }
        for (const p of P[i]) { pick.push(p); if (rec(i + 1)) return true; pick.pop(); }
        return false;
      };
      if (rec(0)) return true;
    }
    return false;
  }
  match(doc, n) {
    switch (n.kind) {
      case 'text': return this.matchLeaf(doc, n);
      case 'tag': return n.tags.includes(doc.tag);
      case 'num': return doc.n >= n.lo && doc.n <= n.hi;
      case 'not': return !this.match(doc, n.kid);
      case 'or': return n.kids.some((k) => this.match(doc, k));
      case 'and': {
        if (!n.kids.every((k) => this.match(doc, k))) return false;
        const texts = n.kids.filter((k) => k.kind === 'text');
        if ((n.slop >= 0 || n.inorder) && texts.length >= 2) return this.positional(doc, texts, n.slop, n.inorder);
        return true;
      }
    }
    throw new Error(n.kind);
  }
  stats() {
    let total = 0;
    for (const d of this.docs.values()) total += this.len(d);
    return { N: this.docs.size, avg: this.docs.size ? total / this.docs.size : 0 };
  }
  len(doc) { return this.fields.reduce((s, fd) => s + this.units(fd) * (doc.tokens[fd.name]?.length ?? 0), 0); }
  /** Documents holding word w in a field of the leaf where w matches it. */
  wordDf(leaf, w) {
    const fds = this.leafFields(leaf).filter((fd) => wordMatches(leaf, fd, w));
    let n = 0;
    for (const d of this.docs.values()) if (fds.some((fd) => (d.tokens[fd.name] ?? []).includes(w))) n++;
    return n;
  }
  /** BM25STD as RediSearch computes it (its float constants). */
  score(doc, n, st) {
    switch (n.kind) {
      case 'text': {
        // One contribution per matching word the document holds: the word's
        // own frequency (weighted, over the clause's fields) and document
        // count, as RediSearch sums a union's children.
        const f = new Map();
        for (const fd of this.leafFields(n)) {
          for (const w of doc.tokens[fd.name] ?? []) if (wordMatches(n, fd, w)) f.set(w, (f.get(w) ?? 0) + this.units(fd));
        }
        const k1 = Math.fround(1.2), k1p1 = Math.fround(k1 + 1);
        const len = this.len(doc);
        let s = 0;
        for (const [w, fw] of f) {
          const df = this.wordDf(n, w);
          const idf = Math.log(1 + (Math.max(st.N, df) - df + 0.5) / (df + 0.5));
          s += (idf * fw * k1p1) / (fw + k1 * (0.25 + Math.fround(Math.fround(0.75) * Math.fround(len)) / st.avg));
        }
        return s;
      }
      case 'and': return n.kids.reduce((s, k) => s + this.score(doc, k, st), 0);
      case 'or': return n.kids.reduce((s, k) => s + (this.match(doc, k) ? this.score(doc, k, st) : 0), 0);
      default: return 0;
    }
  }
  search(tree) {
    const st = this.stats();
    const rows = [];
    for (const [key, doc] of this.docs) if (this.match(doc, tree)) rows.push({ key, score: this.score(doc, tree, st) });
    return rows;
  }
}

// ---- random documents and queries ------------------------------------------

function randomCase(r, w) {
  const x = r();
  return x < 0.15 ? w.toUpperCase() : x < 0.3 ? w[0].toUpperCase() + w.slice(1) : w;
}

function randomText(r, nmax) {
  const n = r.int(nmax + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const w = r() < 0.15 ? r.pick(STOPS) : r.pick(WORDS);
    s += (i ? r.pick(SEPS) : '') + randomCase(r, w);
  }
  return s;
}

/** A random text leaf (and its query text) on some field, or bare. */
function randomLeaf(r, fields, opts) {
  const fd = r() < 0.5 ? null : r.pick(fields);
  const w = r.pick(WORDS);
  const x = r();
  let how, qw, dist = 0, word = w;
  if (x < 0.45) { how = opts.verbatim ? 'exact' : 'stem'; qw = randomCase(r, w); }
  else if (x < 0.6) { word = w.slice(0, 2 + r.int(Math.max(1, w.length - 2))); how = 'prefix'; qw = word + '*'; }
  else if (x < 0.75) {
    const sf = fields.filter((f) => f.suffix);
    if (fd && !fd.suffix) return randomLeaf(r, fields, opts);
    word = w.slice(r.int(Math.max(1, w.length - 1))); how = 'suffix'; qw = '*' + word;
    return { kind: 'text', how, w: word.toLowerCase(), fields: fd ? [fd.name] : sf.map((f) => f.name),
      q: (fd ? `@${fd.name}:` : '') + qw };
  } else {
    dist = 1 + r.int(3);
    // an edit to make it interesting
    const b = [...w];
    if (r() < 0.5 && b.length > 3) b.splice(r.int(b.length), 1);
    word = b.join('');
    how = 'fuzzy'; qw = '%'.repeat(dist) + word + '%'.repeat(dist);
  }
  return { kind: 'text', how, w: word.toLowerCase(), dist, fields: fd ? [fd.name] : fields.map((f) => f.name),
    q: (fd ? `@${fd.name}:` : '') + qw };
}

function randomPhrase(r, fields) {
  const fd = r() < 0.5 ? null : r.pick(fields);
  const n = 2 + r.int(2);
  const ws = Array.from({ length: n }, () => (r() < 0.1 ? r.pick(STOPS) : r.pick(WORDS)));
  const names = fd ? [fd.name] : fields.map((f) => f.name);
  const kids = ws.map((w) => ({ kind: 'text', how: 'exact', w, fields: names }));
  return { kind: 'and', slop: 0, inorder: true, kids, q: (fd ? `@${fd.name}:` : '') + '"' + ws.map((w) => randomCase(r, w)).join(' ') + '"' };
}

function randomUnit(r, fields, opts, depth) {
  const x = r();
  let u;
  if (x < 0.55) u = randomLeaf(r, fields, opts);
  else if (x < 0.67) u = randomPhrase(r, fields);
  else if (x < 0.77) { const tags = ['a', 'b', 'c'].filter(() => r() < 0.5); if (!tags.length) tags.push('a'); u = { kind: 'tag', tags, q: `@tag:{${tags.join('|')}}` }; }
  else if (x < 0.85) { const lo = r.int(10), hi = lo + r.int(6); u = { kind: 'num', lo, hi, q: `@n:[${lo} ${hi}]` }; }
  else if (depth < 2) {
    const g = randomOr(r, fields, opts, depth + 1);
    u = g.kind === 'text' ? g : { ...g, q: `(${g.q})` };
  } else u = randomLeaf(r, fields, opts);
  if (r() < 0.15) u = { kind: 'not', kid: u, q: '-' + u.q };
  return u;
}

function randomAnd(r, fields, opts, depth) {
  const kids = Array.from({ length: 1 + r.int(3) }, () => randomUnit(r, fields, opts, depth));
  if (kids.length === 1) return kids[0];
  return { kind: 'and', slop: opts.slop, inorder: opts.inorder, kids, q: kids.map((k) => k.q).join(' ') };
}

function randomOr(r, fields, opts, depth) {
  const kids = Array.from({ length: r() < 0.7 ? 1 : 2 }, () => randomAnd(r, fields, opts, depth));
  if (kids.length === 1) return kids[0];
  return { kind: 'or', kids, q: kids.map((k) => k.q).join(' | ') };
}

// A phrase of one word is a plain exact term for the engine.
function normalise(n) {
  if (n.kind === 'and' && n.slop === 0 && n.inorder && n.kids.length === 1) return n.kids[0];
  if (n.kids) n.kids = n.kids.map(normalise);
  if (n.kid) n.kid = normalise(n.kid);
  return n;
}

// ---- the test ---------------------------------------------------------------

async function runSeed(seed) {
  const r = prng(seed);
  const weights = [1, 2, 0.5, 3.7];
  const fields = [
    { name: 'title', weight: r.pick(weights), nostem: r() < 0.3, suffix: false },
    { name: 'body', weight: r.pick(weights), nostem: false, suffix: true },
  ];
  const db = await open();
  const args = ['FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 'd:', 'SCHEMA'];
  for (const f of fields) {
    args.push(f.name, 'TEXT', 'WEIGHT', String(f.weight));
    if (f.nostem) args.push('NOSTEM');
    if (f.suffix) args.push('WITHSUFFIXTRIE');
  }
  args.push('tag', 'TAG', 'n', 'NUMERIC');
  await db.command(...args);
  const model = new Model(fields);
  const ndocs = 20 + r.int(40);
  for (let i = 0; i < ndocs; i++) {
    const key = `d:${String(i).padStart(3, '0')}`;
    const doc = { tokens: {}, tag: r.pick(['a', 'b', 'c']), n: r.int(12) };
    const h = ['tag', doc.tag, 'n', String(doc.n)];
    for (const f of fields) {
      if (r() < 0.15) continue;
      const t = randomText(r, f.name === 'title' ? 5 : 14);
      h.push(f.name, t);
      doc.tokens[f.name] = tokenize(t);
    }
    await db.command('HSET', key, ...h);
    model.docs.set(key, doc);
  }
  // Some documents change or go.
  for (let i = 0; i < 5; i++) {
    const key = `d:${String(r.int(ndocs)).padStart(3, '0')}`;
    if (r() < 0.5) { await db.command('DEL', key); model.docs.delete(key); continue; }
    const doc = model.docs.get(key);
    if (!doc) continue;
    const t = randomText(r, 8);
    await db.command('HSET', key, 'body', t);
    doc.tokens.body = tokenize(t);
  }
  let nonEmpty = 0;
  for (let qi = 0; qi < 60; qi++) {
    const opts = { verbatim: r() < 0.2, slop: r() < 0.2 ? r.int(3) : -1, inorder: r() < 0.15 };
    const tree = normalise(randomOr(r, fields, opts, 0));
    const extra = [];
    if (opts.verbatim) extra.push('VERBATIM');
    if (opts.slop >= 0) extra.push('SLOP', String(opts.slop));
    if (opts.inorder) extra.push('INORDER');
    const where = `seed ${seed}, query ${qi}: ${JSON.stringify(tree.q)} ${extra.join(' ')}`;
    let reply;
    try {
      reply = await db.command('FT.SEARCH', 'idx', tree.q, ...extra, 'WITHSCORES', 'NOCONTENT', 'LIMIT', '0', '1000');
    } catch (e) {
      assert.fail(`${where}: ${e.message}`);
    }
    const want = model.search(tree);
    if (want.length) nonEmpty++;
    const got = [];
    for (let i = 1; i < reply.length; i += 2) got.push({ key: reply[i], score: Number(reply[i + 1]) });
    assert.equal(reply[0], want.length, `${where}: total`);
    assert.deepEqual(got.map((x) => x.key).sort(), want.map((x) => x.key).sort(), `${where}: keys`);
    const hasText = JSON.stringify(tree).includes('"kind":"text"');
    const ws = new Map(want.map((x) => [x.key, x.score]));
    for (let i = 0; i < got.length; i++) {
      const m = ws.get(got[i].key);
      assert.ok(Math.abs(got[i].score - m) <= 1e-9 * Math.max(1, Math.abs(m)), `${where}: score of ${got[i].key}: ${got[i].score} vs ${m}`);
      if (i > 0 && hasText) {
        const a = got[i - 1], b = got[i];
        assert.ok(a.score > b.score || (a.score === b.score && a.key < b.key), `${where}: order at ${i}`);
      } else if (i > 0) assert.ok(got[i - 1].key < got[i].key, `${where}: key order`);
    }
  }
  // The generator must not drift into queries that never match.
  assert.ok(nonEmpty >= 15, `seed ${seed}: only ${nonEmpty} of 60 queries matched anything`);
  await db.close();
}

test('text queries against a brute-force model (matches, BM25STD scores, order)', async () => {
  for (const seed of seedList('TEXT_SEEDS', 12)) {
    try {
      await runSeed(seed);
    } catch (e) {
      console.error(`text-search: failing seed ${seed} (rerun with SEED=${seed})`);
      throw e;
    }
  }
});

test('text query errors and edge cases', async () => {
  const db = await open();
  await db.command('FT.CREATE', 'i', 'ON', 'HASH', 'PREFIX', '1', 'd:', 'SCHEMA', 't', 'TEXT', 'u', 'TEXT', 'WITHSUFFIXTRIE', 'g', 'TAG');
  await db.command('HSET', 'd:1', 't', 'The quick brown fox', 'u', 'jumping dogs', 'g', 'x');
  await db.command('HSET', 'd:2', 't', 'Über café', 'u', 'a running cat', 'g', 'y');
  const err = async (q, text, ...opts) => {
    await assert.rejects(db.command('FT.SEARCH', 'i', q, ...opts), (e) => e.message === text || assert.fail(`${q}: ${e.message}`));
  };
  const keys = async (q, ...opts) => (await db.command('FT.SEARCH', 'i', q, 'NOCONTENT', ...opts)).slice(1);
  await err('@t:*fox', 'Invalid filter expression: `@t:*fox`. Field does not support suffix search');
  await err('the', 'Invalid filter expression: `the`. Invalid Query Syntax');
  await err('%%fox%', "Invalid filter expression: `%%fox%`. Invalid fuzzy '%' markers");
  await err('fox:', 'Invalid filter expression: `fox:`. Unexpected character at position 4: `:`');
  await err('@g:fox', 'Invalid filter expression: `@g:fox`. Index does not have any text field');
  await err('x'.repeat(129), `Invalid filter expression: \`${'x'.repeat(129)}\`. Query term is too long, max length is 128 bytes`);
  await err('fox', 'No such scorer BM26', 'SCORER', 'BM26');
  await assert.rejects(db.command('FT.SEARCH', 'i', Buffer.from([0x66, 0xff])), /Invalid UTF-8 in query term/);
  assert.deepEqual(await keys('ÜBER CAFÉ'), ['d:2']);
  assert.deepEqual(await keys('run'), ['d:2']);
  assert.deepEqual(await keys('run', 'VERBATIM'), []);
  assert.deepEqual(await keys('*ping'), ['d:1']);
  assert.deepEqual(await keys('"quick brown"'), ['d:1']);
  assert.deepEqual(await keys('"brown quick"'), []);
  assert.deepEqual(await keys('"the quick"'), []); // stop words stay in phrases (and are never indexed)
  assert.deepEqual(await keys('fox quick', 'INORDER'), []);
  assert.deepEqual(await keys('quick fox', 'INORDER'), ['d:1']);
  assert.deepEqual(await keys('quick fox', 'SLOP', '0'), []);
  assert.deepEqual(await keys('quick fox', 'SLOP', '1'), ['d:1']);
  assert.deepEqual(await keys('%fxo%'), ['d:1']);
  assert.deepEqual((await keys('fox | cat')).sort(), ['d:1', 'd:2']);
  assert.deepEqual(await keys('-fox'), ['d:2']);
  assert.deepEqual(await keys('@g:{y} cat'), ['d:2']);
  // WITHSCORES: key, score, fields (RediSearch's shape); scores only with NOCONTENT.
  const r = await db.command('FT.SEARCH', 'i', 'fox', 'WITHSCORES');
  assert.equal(r.length, 4);
  assert.equal(r[1], 'd:1');
  assert.ok(Number(r[2]) > 0);
  assert.ok(Array.isArray(r[3]));
  assert.equal((await db.command('FT.SEARCH', 'i', 'fox', 'WITHSCORES', 'SCORER', 'DOCSCORE', 'NOCONTENT'))[2], '1');
  // A text pre-filter for KNN is covered with vectors in search tests; here the
  // store is unchanged by every error above.
  assert.equal((await db.command('FT.SEARCH', 'i', '*', 'NOCONTENT'))[0], 2);
  await db.close();
});
