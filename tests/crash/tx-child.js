// tx-child.js - the process tests/crash/transactions.test.js SIGKILLs: a
// stream of transactions on a store opened with durability 'always'.
//
//   node tx-child.js '<json { dir, seed, from, via }>'
//
// Transaction t (from `from` on) sets tx:<t>:0 .. tx:<t>:<n-1> (hashes of
// 1 to 60 fields, values up to 4 KB, so some transactions are large), a
// string tx:<t>:s, and increments the hash field `count n` by one, all
// in MULTI ... EXEC, through db.multi() (via "api") or db.command('MULTI')
// ... db.command('EXEC') (via "command").  It writes "S <t> <n>" before
// each transaction and "A <t>" once its EXEC resolved (acknowledged),
// straight to fd 1 with a blocking write, so a SIGKILL loses no report.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { open } from '../../js/node.js';
import { prng } from './lib.js';

const out = (line) => {
  const b = Buffer.from(`${line}\n`);
  for (let o = 0; o < b.length;) {
    try {
      o += writeSync(1, b, o);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
};

/** The commands of transaction t (deterministic: the parent rebuilds them). */
export function txCommands(seed, t) {
  const r = prng((seed * 1000003 + t) >>> 0);
  const n = 1 + Math.floor(r() * 4);
  const cmds = [];
  for (let i = 0; i < n; i++) {
    const fields = 1 + Math.floor(r() * 60);
    const args = ['HSET', `tx:${t}:${i}`];
    for (let f = 0; f < fields; f++) args.push(`f${f}`, `${t}:${'x'.repeat(Math.floor(r() * 4096))}`);
    cmds.push(args);
  }
  cmds.push(['SET', `tx:${t}:s`, String(t)], ['HINCRBY', 'count', 'n', '1']);
  return cmds;
}

async function main() {
  const opts = JSON.parse(process.argv[2]);
  const db = await open({ dir: opts.dir, durability: 'always', autosave: false });
  out('ready');
  for (let t = opts.from; ; t++) {
    const cmds = txCommands(opts.seed, t);
    out(`S ${t} ${cmds.length - 2}`);
    if (opts.via === 'command') {
      await db.command('MULTI');
      for (const c of cmds) await db.command(...c);
      await db.command('EXEC');
    } else {
      const m = db.multi();
      for (const c of cmds) m.command(...c);
      await m.exec();
    }
    out(`A ${t}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
