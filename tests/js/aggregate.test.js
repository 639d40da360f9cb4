// aggregate.test.js - FT.AGGREGATE through the JS API against a plain JS
// model of it: seeded random documents (TAG, NUMERIC, TEXT and vector
// fields, missing fields, non-ASCII tags) and seeded random pipelines
// (LOAD, APPLY, FILTER, GROUPBY with reducers, SORTBY with MAX, LIMIT, in
// any order; expressions with functions and $params; MIN / MAX over
// strings; SORTBY on several keys of both types; search.emulate-release
// 1.0.0 or 1.2.1 set by CONFIG SET), every reply compared with the model; the reply's exact
// bytes for a few commands; valkey-search's error texts; bad commands
// change nothing.  A failure prints its seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from '../../js/index.js';
import { prng } from './prng.js';

const TAGS = ['a', 'b', 'c', 'ü', 'x y', '7', '10', '-2.5', 'Ab'];

async function fill(db, r, n) {
  await db.createIndex('idx', {
    prefix: ['d:'],
    schema: {
      t: { type: 'TAG' },
      n: { type: 'NUMERIC' },
      x: { type: 'TEXT' },
      v: { type: 'VECTOR', algorithm: 'FLAT', dim: 2, distance: 'L2' },
    },
  });
  const docs = [];
  for (let i = 0; i < n; i++) {
    const d = { __key: `d:${String(i).padStart(4, '0')}`, x: `w${r.int(5)} w${r.int(5)}` };
    if (r() < 0.85) d.t = r.pick(TAGS);
    if (r() < 0.85) d.n = r.int(40) / 2 - 5;
    if (r() < 0.8) d.v = [r.int(9), r.int(9)];
    const h = { x: d.x };
    if (d.t !== undefined) h.t = d.t;
    if (d.n !== undefined) h.n = String(d.n);
    if (d.v) h.v = new Float32Array(d.v);
    await db.hset(d.__key, h);
    docs.push(d);
  }
  return docs;
}

/* ---- the model ----------------------------------------------------------- */

// vs_value_cmp: numbers numerically, strings by their UTF-8 bytes, a number
// and a string numerically when the string reads as one, else as text.
const asNum = (v) => (typeof v === 'number' ? v : v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const bytesCmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const cmp = (a, b) => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return bytesCmp(a, b);
  const x = asNum(a), y = asNum(b);
  return x !== undefined && y !== undefined ? x - y : bytesCmp(String(a), String(b));
};
const numText = (v) => (Object.is(v, -0) ? '-0' : String(v)); // these values print alike in to_chars and JS
const upperAscii = (s) => s.replace(/[a-z]/g, (c) => c.toUpperCase());
const containsCount = (s, t) => {
  let n = 0;
  for (let i = 0; i + t.length <= s.length; ) if (s.startsWith(t, i)) (n++, (i += t.length)); else i++;
  return n;
};

function runModel(docs, q) {
  let recs;
  if (q.knn) {
    const d2 = (v) => (v[0] - q.knn[0]) ** 2 + (v[1] - q.knn[1]) ** 2;
    recs = docs
      .filter((d) => d.v)
      .map((d) => ({ d, s: d2(d.v) }))
      .sort((a, b) => a.s - b.s || (a.d.__key < b.d.__key ? -1 : 1))
      .slice(0, q.k)
      .map(({ d, s }) => ({ ...pick(d, q.load), __v_score: s }));
  } else {
    recs = docs.filter(q.filter).map((d) => pick(d, q.load));
  }
  for (const s of q.steps) recs = s.model(recs);
  return recs;
}

function pick(d, load) {
  const o = {};
  for (const f of load) if (d[f] !== undefined) o[f] = d[f];
  return o;
}

/* ---- random pipelines ---------------------------------------------------- */

/* Steps over the fields available ({ name: 'num' | 'str' }). */
function genSteps(r, avail, env) {
  const steps = [];
  const strs = () => Object.keys(avail).filter((k) => avail[k] === 'str');
  const nums = () => Object.keys(avail).filter((k) => avail[k] === 'num');
  const any = () => Object.keys(avail);
  for (let i = 0, n = 1 + r.int(3); i < n; i++) {
    const kind = r.pick(['apply', 'filter', 'groupby', 'sortby', 'limit', 'fapply', 'ffilter']);
    if (kind === 'fapply' && any().length) {
      // functions: upper, strlen, concat, floor; lower of a number (its
      // text before 1.2.1, nil from it)
      const as = r.pick(['y', 'z', 'w']);
      const fs = strs(), ns = nums();
      const opts = [];
      if (fs.length) {
        const f = r.pick(fs);
        opts.push([`upper(@${f})`, 'str', (x) => (x[f] === undefined ? undefined : upperAscii(x[f]))]);
        opts.push([`strlen(@${f})`, 'num', (x) => (x[f] === undefined ? undefined : Buffer.byteLength(x[f]))]);
      }
      if (ns.length) {
        const g = r.pick(ns);
        opts.push([`floor(@${g} / 3)`, 'num', (x) => (x[g] === undefined ? undefined : Math.floor(x[g] / 3))]);
        if (env.release === '1.0.0') opts.push([`lower(@${g})`, 'str', (x) => (x[g] === undefined ? undefined : numText(x[g]))]);
        else opts.push([`lower(@${g})`, 'num', () => undefined]);
      }
      if (fs.length && ns.length) {
        const f = r.pick(fs), g = r.pick(ns);
        opts.push([`concat(@${f}, "-", @${g})`, 'str', (x) => (x[f] === undefined || x[g] === undefined ? undefined : `${x[f]}-${numText(x[g])}`)]);
      }
      const [text, type, fn] = r.pick(opts);
      steps.push({
        args: ['APPLY', text, 'AS', as],
        model: (rs) => rs.map((x) => {
          const v = fn(x);
          return v === undefined ? withoutKey(x, as) : { ...x, [as]: v };
        }),
      });
      avail[as] = type;
    } else if (kind === 'ffilter' && any().length) {
      // contains, a $param, a string's truth (false before 1.2.1)
      const fs = strs(), ns = nums();
      const opts = [];
      if (fs.length) {
        const f = r.pick(fs), t = r.pick(['a', 'b', '1', 'x']);
        opts.push([`contains(@${f}, "${t}")`, (x) => x[f] !== undefined && containsCount(x[f], t) > 0]);
        opts.push([`@${f}`, (x) => env.release !== '1.0.0' && x[f] !== undefined && x[f] !== '']);
        opts.push([`!upper(@${f})`, (x) => !(env.release !== '1.0.0' && x[f] !== undefined && x[f] !== '')]);
      }
      if (ns.length) {
        const g = r.pick(ns), name = `p${env.params.length}`, k = r.int(10) - 3;
        // nil >= anything is true (unordered: == <= >= hold)
        opts.push([`@${g} >= $${name}`, (x) => x[g] === undefined || x[g] >= k, [name, String(k)]]);
      }
      if (!opts.length) continue;
      const [text, keep, param] = r.pick(opts);
      if (param) env.params.push(param);
      steps.push({ args: ['FILTER', text], model: (rs) => rs.filter(keep) });
    } else if (kind === 'apply' && nums().length) {
      const f = r.pick(nums());
      const k = r.int(5) - 2;
      const as = r.pick(['y', 'z', f]);
      steps.push({
        args: ['APPLY', `@${f} * ${k}`, 'AS', as],
        model: (rs) => rs.map((x) => (x[f] === undefined ? withoutKey(x, as) : { ...x, [as]: x[f] * k })),
      });
      avail[as] = 'num';
    } else if (kind === 'filter' && nums().length) {
      const f = r.pick(nums());
      const k = r.int(10) - 3;
      steps.push({ args: ['FILTER', `@${f} > ${k}`], model: (rs) => rs.filter((x) => x[f] !== undefined && x[f] > k) });
    } else if (kind === 'groupby' && any().length) {
      const g = r.pick(any());
      const reds = [];
      const red = [];
      const out = { [g]: avail[g] };
      for (let j = 0, m = r.int(3); j < m; j++) {
        const fn = r.pick(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'COUNT_DISTINCT', 'TOLIST', 'STDDEV', 'FIRST_VALUE']);
        const as = `r${j}`;
        if (fn === 'COUNT') {
          red.push('REDUCE', 'COUNT', '0', 'AS', as);
          reds.push({ as, f: (xs) => xs.length });
          out[as] = 'num';
          continue;
        }
        const src = ['TOLIST', 'COUNT_DISTINCT', 'FIRST_VALUE', 'MIN', 'MAX'].includes(fn) ? any() : nums();
        if (!src.length) continue;
        const f = r.pick(src);
        red.push('REDUCE', fn, '1', `@${f}`, 'AS', as);
        const vals = (xs) => xs.map((x) => x[f]).filter((v) => v !== undefined);
        const fns = {
          SUM: (xs) => vals(xs).reduce((a, b) => a + b, 0),
          MIN: (xs) => vals(xs).reduce((m, v) => (m === undefined || cmp(m, v) > 0 ? v : m), undefined),
          MAX: (xs) => vals(xs).reduce((m, v) => (m === undefined || cmp(m, v) < 0 ? v : m), undefined),
          AVG: (xs) => (vals(xs).length ? vals(xs).reduce((a, b) => a + b, 0) / vals(xs).length : 0),
          STDDEV: (xs) => {
            const v = vals(xs);
            if (v.length <= 1) return 0;
            const s = v.reduce((a, b) => a + b, 0);
            const sq = v.reduce((a, b) => a + b * b, 0);
            return Math.sqrt((sq - (s * s) / v.length) / (v.length - 1));
          },
          COUNT_DISTINCT: (xs) => new Set(vals(xs)).size,
          TOLIST: (xs) => { const seen = new Set(); return vals(xs).filter((v) => !seen.has(v) && seen.add(v)); }, // a Set would turn -0 into 0
          FIRST_VALUE: (xs) => (xs.length ? xs[0][f] : undefined),
        };
        reds.push({ as, f: fns[fn] });
        out[as] = fn === 'TOLIST' ? 'list' : fn === 'FIRST_VALUE' || fn === 'MIN' || fn === 'MAX' ? avail[f] : 'num';
      }
      steps.push({
        args: ['GROUPBY', '1', `@${g}`, ...red],
        model: (rs) => {
          const groups = new Map();
          for (const x of rs) {
            const k = x[g] === undefined ? '\u0000nil' : typeof x[g] + ':' + (Object.is(x[g], -0) ? 0 : x[g]);
            if (!groups.has(k)) groups.set(k, []);
            groups.get(k).push(x);
          }
          return [...groups.values()].map((xs) => {
            const o = {};
            if (xs[0][g] !== undefined) o[g] = xs[0][g];
            for (const rd of reds) {
              const v = rd.f(xs);
              if (v !== undefined) o[rd.as] = v;
            }
            return o;
          });
        },
      });
      for (const k of Object.keys(avail)) delete avail[k];
      Object.assign(avail, out);
      for (const k of Object.keys(avail)) if (avail[k] === 'list') delete avail[k];
    } else if (kind === 'sortby' && any().length) {
      // one to three keys (numbers and strings mixed), each ASC or DESC
      const keys = [];
      for (let j = 0, m = 1 + r.int(Math.min(3, any().length)); j < m; j++) keys.push({ f: r.pick(any()), desc: r() < 0.5 });
      const max = r() < 0.7 ? r.int(15) : undefined;
      const args = ['SORTBY', String(keys.length * 2), ...keys.flatMap((k) => [`@${k.f}`, k.desc ? 'DESC' : 'ASC'])];
      if (max !== undefined) args.push('MAX', String(max));
      steps.push({
        args,
        model: (rs) =>
          rs
            .map((x, i) => ({ x, i }))
            .sort((a, b) => {
              for (const { f, desc } of keys) {
                const va = a.x[f], vb = b.x[f];
                if (va === undefined || vb === undefined) {
                  if (va === undefined && vb === undefined) continue;
                  return va === undefined ? 1 : -1;
                }
                const c = cmp(va, vb);
                if (c) return desc ? -c : c;
              }
              return a.i - b.i;
            })
            .slice(0, max ?? 10)
            .map((e) => e.x),
      });
    } else if (kind === 'limit') {
      const off = r.int(4), cnt = r.int(8);
      steps.push({ args: ['LIMIT', String(off), String(cnt)], model: (rs) => rs.slice(off, off + cnt) });
    }
  }
  return steps;
}

function withoutKey(x, k) {
  const o = { ...x };
  delete o[k];
  return o;
}

function same(actual, expected, where) {
  assert.equal(actual.length, expected.length, `${where}: row count`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), `${where}: row ${i} fields ${JSON.stringify(a)} vs ${JSON.stringify(e)}`);
    for (const k of Object.keys(e)) {
      const ev = e[k], av = a[k];
      if (Array.isArray(ev)) {
        assert.deepEqual(av.map((v) => (typeof ev[0] === 'number' ? Number(v) : v)), ev, `${where}: row ${i} ${k}`);
      } else if (typeof ev === 'number') {
        assert.ok(Math.abs(Number(av) - ev) <= 1e-9 * Math.max(1, Math.abs(ev)), `${where}: row ${i} ${k}: ${av} vs ${ev}`);
      } else {
        assert.equal(av, ev, `${where}: row ${i} ${k}`);
      }
    }
  }
}

test('random pipelines against the model', async () => {
  // SEED=n reruns one seed; SEEDS=n runs seeds 1..n
  const seeds = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: Number(process.env.SEEDS || 6) }, (_, i) => i + 1);
  for (const seed of seeds) {
    const r = prng(seed);
    const db = await open();
    const docs = await fill(db, r, 40 + r.int(80));
    await db.indexReady('idx');
    for (let round = 0; round < 60; round++) {
      const env = { release: r() < 0.5 ? '1.0.0' : '1.2.1', params: [] };
      await db.command('CONFIG', 'SET', 'search.emulate-release', env.release);
      const load = ['__key', 't', 'n', 'x'].filter(() => r() < 0.7);
      const avail = {};
      for (const f of load) if (f !== 'x') avail[f] = f === 'n' ? 'num' : 'str'; // a TEXT field cannot be referenced
      const qk = r.int(4);
      const q = { load, steps: [], query: '*', params: [] };
      if (qk === 0) q.filter = () => true;
      else if (qk === 1) {
        const tg = r.pick(TAGS.slice(0, 3));
        q.query = `@t:{${tg}}`;
        q.filter = (d) => d.t === tg;
      } else if (qk === 2) {
        const lo = r.int(10) - 5;
        q.query = `@n:[${lo} +inf]`;
        q.filter = (d) => d.n !== undefined && d.n >= lo;
      } else {
        q.knn = [r.int(9), r.int(9)];
        q.k = 1 + r.int(20);
        q.query = `*=>[KNN ${q.k} @v $q]`;
        q.params = [['q', Buffer.from(new Float32Array(q.knn).buffer)]];
        avail.__v_score = 'num';
      }
      q.steps = genSteps(r, avail, env);
      const args = ['idx', q.query];
      if (load.length) args.push('LOAD', String(load.length), ...load.map((f) => `@${f}`));
      for (const s of q.steps) args.push(...s.args);
      const params = [...q.params, ...env.params];
      if (params.length) args.push('PARAMS', String(params.length * 2), ...params.flat());
      const where = `seed ${seed} round ${round} (release ${env.release}): FT.AGGREGATE ${args.map(String).join(' ').slice(0, 300)}`;
      let reply;
      try {
        reply = await db.command('FT.AGGREGATE', ...args);
      } catch (e) {
        assert.fail(`${where}: ${e.message}`);
      }
      const rows = reply.slice(1).map((f) => {
        const o = {};
        for (let j = 0; j < f.length; j += 2) o[String(f[j])] = Array.isArray(f[j + 1]) ? f[j + 1].map(String) : String(f[j + 1]);
        return o;
      });
      assert.equal(reply[0], rows.length, `${where}: count`);
      same(rows, runModel(docs, q), where);
    }
    await db.close();
  }
});

test('reply bytes: names as simple strings, field order, numbers, lists, nil left out', async () => {
  const db = await open();
  await db.createIndex('idx', { prefix: ['d:'], schema: { t: { type: 'TAG' }, n: { type: 'NUMERIC' } } });
  await db.hset('d:1', { t: 'a', n: '1.50' });
  await db.hset('d:2', { t: 'a', n: '2' });
  await db.hset('d:3', { t: 'b' });
  const raw = async (...a) => Buffer.from(await db.commandRaw(['FT.AGGREGATE', 'idx', ...a])).toString('latin1');
  assert.equal(
    await raw('*', 'LOAD', '3', '@__key', '@n', '@t', 'LIMIT', '0', '2'),
    '*3\r\n:2\r\n*6\r\n+__key\r\n$3\r\nd:1\r\n+n\r\n$3\r\n1.5\r\n+t\r\n$1\r\na\r\n*6\r\n+__key\r\n$3\r\nd:2\r\n+n\r\n$1\r\n2\r\n+t\r\n$1\r\na\r\n',
  );
  assert.equal(
    await raw('*', 'LOAD', '2', '@t', '@n', 'GROUPBY', '1', '@t', 'REDUCE', 'TOLIST', '1', '@n', 'AS', 'l', 'REDUCE', 'COUNT', '0'),
    '*3\r\n:2\r\n*6\r\n+t\r\n$1\r\na\r\n+l\r\n*2\r\n$3\r\n1.5\r\n$1\r\n2\r\n+COUNT()\r\n$1\r\n2\r\n' +
      '*6\r\n+t\r\n$1\r\nb\r\n+l\r\n*0\r\n+COUNT()\r\n$1\r\n1\r\n',
  );
  // Without LOAD a field is not read (valkey-search): every record is empty.
  assert.equal(await raw('*', 'LIMIT', '0', '1'), '*2\r\n:1\r\n*0\r\n');
  // RESP3: RediSearch's map (what node-redis 6 reads), each row's pairs in extra_attributes.
  const raw3 = async (...a) => Buffer.from(await db.commandRaw(['FT.AGGREGATE', 'idx', ...a], { proto: 3 })).toString('latin1');
  assert.equal(
    await raw3('*', 'LOAD', '2', '@__key', '@n', 'LIMIT', '0', '2'),
    '%5\r\n+attributes\r\n*0\r\n+format\r\n+STRING\r\n+results\r\n*2\r\n' +
      '%2\r\n+extra_attributes\r\n%2\r\n+__key\r\n$3\r\nd:1\r\n+n\r\n$3\r\n1.5\r\n+values\r\n*0\r\n' +
      '%2\r\n+extra_attributes\r\n%2\r\n+__key\r\n$3\r\nd:2\r\n+n\r\n$1\r\n2\r\n+values\r\n*0\r\n' +
      '+total_results\r\n:2\r\n+warning\r\n*0\r\n',
  );
  // SORTBY without MAX keeps 10.
  for (let i = 4; i < 20; i++) await db.hset(`d:${i}`, { t: 'c', n: String(i) });
  assert.equal((await db.command('FT.AGGREGATE', 'idx', '*', 'LOAD', '1', '@n', 'SORTBY', '1', '@n')).length, 11);
  assert.equal((await db.command('FT.AGGREGATE', 'idx', '*', 'LOAD', '1', '@n', 'SORTBY', '1', '@n', 'MAX', '12')).length, 13);
  // The API's rows.
  const rows = await db.aggregate('idx', '@t:{a|b}', {
    load: ['t', 'n'],
    steps: [{ groupBy: 't', reduce: [{ fn: 'SUM', args: ['@n'], as: 's' }] }, { sortBy: [{ by: '@s', desc: true }] }],
  });
  assert.deepEqual(rows, [{ t: 'a', s: '3.5' }, { t: 'b', s: '0' }]);
  await db.close();
});

test('errors as valkey-search words them; a bad command changes nothing', async () => {
  const db = await open();
  await db.createIndex('idx', {
    prefix: ['d:'],
    schema: { t: { type: 'TAG' }, n: { type: 'NUMERIC' }, x: { type: 'TEXT' }, v: { type: 'VECTOR', algorithm: 'FLAT', dim: 2, distance: 'L2' } },
  });
  await db.hset('d:1', { t: 'a', n: '1', x: 'hello', v: new Float32Array([1, 2]) });
  const before = await db.command('FT.AGGREGATE', 'idx', '*', 'LOAD', '*');
  const cases = [
    [['GROUPBY', '1', '@t', 'REDUCE', 'NOPE', '0'], 'Error parsing value for the parameter `GROUPBY` - reducer function `NOPE` not found'],
    [['GROUPBY', '1', '@t', 'REDUCE', 'COUNT', '1', '@n'], 'Error parsing value for the parameter `GROUPBY` - incorrect number of arguments (1) to reducer COUNT'],
    [['GROUPBY', '1', '@t', 'REDUCE', 'sum', '2', '@n', '@n'], 'Error parsing value for the parameter `GROUPBY` - incorrect number of arguments (2) to reducer SUM'],
    [['GROUPBY', '0'], 'Error parsing value for the parameter `GROUPBY` - Groupby requires arguments'],
    [['GROUPBY', '1', 't'], "Error parsing value for the parameter `GROUPBY` - Group field reference must start with '@'"],
    [['GROUPBY', '1', '@t', 'REDUCE'], 'Error parsing value for the parameter `GROUPBY` - Missing argument; Missing Reducer name'],
    [['GROUPBY', '1', '@t', 'REDUCE', 'FIRST_VALUE', '3', '@n', 'XX', '@n'], 'Error parsing value for the parameter `GROUPBY` - FIRST_VALUE: expected BY keyword after field'],
    [['APPLY', '@n'], 'Error parsing value for the parameter `APPLY` - `AS` argument to APPLY clause is missing/invalid'],
    [['LIMIT', '0'], 'Error parsing value for the parameter `LIMIT` - Missing argument'],
    [['LIMIT', '-1', '3'], 'Error parsing value for the parameter `LIMIT` - `-1` is outside acceptable bounds'],
    [['LIMIT', 'x', '3'], 'Error parsing value for the parameter `LIMIT` - `x` is not a valid numeric value'],
    [['SORTBY', '2', '@n'], 'Error parsing value for the parameter `SORTBY` - Missing argument;  in SORTBY stage'],
    [['LOAD', '1', '@zz'], 'Index field `zz` does not exist'],
    [['LOAD', '1', '@v'], 'Loading of vector fields is not supported (field `v`)'],
    [['LOAD', '1', '@'], 'Error parsing value for the parameter `LOAD` - Empty argument in LOAD clause not allowed'],
    [['BOGUS'], 'Unexpected argument `BOGUS`'],
    [['DIALECT', '1'], 'Only Dialects 2, 3 and 4 are supported'],
    [['TIMEOUT', '60001'], 'TIMEOUT must be a positive integer greater than 0 and cannot exceed 60000.'],
    [['PARAMS', '2', 'a', '1'], 'Parameter `a` not used.'],
    [['PARAMS', '2', 'a-b', '1'], 'Error parsing value for the parameter `PARAMS` - Parameter name `a-b` contains an invalid character.'],
  ];
  for (const [args, text] of cases) {
    await assert.rejects(db.command('FT.AGGREGATE', 'idx', '*', ...args), (e) => {
      assert.equal(e.message, text, args.join(' '));
      return true;
    });
  }
  // An unknown property in an expression, a TEXT field in one.
  const msg = (re) => (e) => re.test(e.message);
  await assert.rejects(db.command('FT.AGGREGATE', 'idx', '*', 'APPLY', '@zz + 1', 'AS', 'y'), msg(/^Error parsing value for the parameter `APPLY` - Index field `zz` does not exist/));
  await assert.rejects(db.command('FT.AGGREGATE', 'idx', '*', 'FILTER', '@x'), msg(/^Error parsing value for the parameter `FILTER` - Invalid data type for @x/));
  await assert.rejects(db.command('FT.AGGREGATE', 'nope', '*'), /nope/);
  assert.deepEqual(await db.command('FT.AGGREGATE', 'idx', '*', 'LOAD', '*'), before);
  assert.equal(await db.dbsize(), 1);
  await db.close();
});
