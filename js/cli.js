#!/usr/bin/env node
// cli.js - vessel-cli: a redis-cli-like prompt over an embedded store.
//
//   vessel-cli --dir ./data                      a prompt, with history
//   vessel-cli --dir ./data FT.SEARCH idx '*'    one command, then exit
//   vessel-cli --dir ./data -x HSET doc:1 vec < vec.f32
//   vessel-cli --dir ./data --pipe < commands.txt
//   vessel-cli --dir ./data --rdb-export dump.rdb   the store as Redis's dump file (+ dump.rdb.indexes)
//   vessel-cli --dir ./data --rdb-import dump.rdb   load a dump written by Redis or Valkey
//
// Replies are printed as redis-cli prints them: formatted on a terminal,
// raw otherwise (--raw / --no-raw to choose).  Without --dir the store is
// in memory and gone at exit.  Long backfills and imports show a progress
// bar on the terminal (standard error).

import { appendFileSync, createReadStream, fstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { formatRawBytes, formatTTY, parseTyped } from './cli-format.js';
import { open } from './node.js';
import { describeLoad, parseManifest } from './persistence.js';
import { MemoryStorage } from './storage/memory.js';
import { RequestParser, splitArgs } from './protocol.js';

const USAGE = `Usage: vessel-cli [options] [command [arg ...]]

  --dir <dir>            the store's directory (created if missing); default: in memory
  --durability <mode>    always | everysec (default) | no   (as Redis's appendfsync)
  --raw                  print replies raw (the default when output is not a terminal)
  --no-raw               print replies formatted, as on a terminal
  -n <db>                database number (SELECT, as redis-cli -n; the prompt shows it)
  -x                     read the last argument from standard input (a vector blob, a file)
  --pipe                 run the commands on standard input (RESP or inline, as redis-cli --pipe)
  --rdb-export <file>    write the store as an RDB file Redis 7.0+ and Valkey load (dbfilename), and
                         its indexes' FT.CREATE commands to <file>.indexes (for redis-cli < file)
  --rdb-import <file>    load an RDB file written by Redis or Valkey: its hashes and strings replace
                         the store's keys (a store with keys needs --replace); the indexes rebuild
  --replace              with --rdb-import: replace the keys of a store that has some
  --at-snapshot          with --rdb-export: the store as its newest snapshot holds it (the journal's
                         records left out: replay them after with redis-cli --pipe < <journal>);
                         reads the directory only, so it works beside a running server
  --no-wait              do not wait for index backfills before exiting
  --repair-journal       open a damaged journal by keeping the records before the damage (the
                         cut bytes are kept in a side file), or a missing one by starting it
                         empty, as redis-check-aof --fix; without it such a store is refused
  --recover-manifest     rebuild a lost MANIFEST from the newest snapshot and its journal
  -h, --help             this text
  -v, --version          the version

At the prompt: any command (HSET, FT.CREATE, FT.SEARCH, SAVE, ...), "help", "quit".
History is kept in ~/.vessel_cli_history (VESSEL_CLI_HISTFILE to change it).`;

function parseOptions(argv) {
  const o = { dir: null, durability: 'everysec', raw: !process.stdout.isTTY, stdinArg: false, pipe: false, wait: true, command: [], rdbExport: null, rdbImport: null, dbnum: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (o.command.length) {
      o.command.push(a);
    } else if (a === '--dir') {
      o.dir = argv[++i];
    } else if (a === '--durability') {
      o.durability = argv[++i];
    } else if (a === '--raw') {
      o.raw = true;
    } else if (a === '--no-raw') {
      o.raw = false;
    } else if (a === '-n') {
      if (i + 1 >= argv.length) throw new Error(`Unrecognized option or bad number of args for: '${a}'`);
      // redis-cli reads it with atoi: a leading integer, 0 when there is none.
      o.dbnum = Number.parseInt(argv[++i], 10) || 0;
    } else if (a === '-x') {
      o.stdinArg = true;
    } else if (a === '--pipe') {
      o.pipe = true;
    } else if (a === '--rdb-export') {
      o.rdbExport = argv[++i];
    } else if (a === '--rdb-import') {
      o.rdbImport = argv[++i];
    } else if (a === '--replace') {
      o.replace = true;
    } else if (a === '--at-snapshot') {
      o.atSnapshot = true;
    } else if (a === '--no-wait') {
      o.wait = false;
    } else if (a === '--repair-journal') {
      o.repairJournal = true;
    } else if (a === '--recover-manifest') {
      o.recoverManifest = true;
    } else if (a === '-h' || a === '--help') {
      o.help = true;
    } else if (a === '-v' || a === '--version') {
      o.version = true;
    } else if (a.startsWith('-') && a !== '-') {
      throw new Error(`Unrecognized option or bad number of args for: '${a}'`);
    } else {
      o.command.push(a);
    }
  }
  if (o.dir === undefined || o.durability === undefined || o.rdbExport === undefined || o.rdbImport === undefined) {
    throw new Error('an option is missing its value');
  }
  if (o.rdbExport === '' || o.rdbImport === '') throw new Error('an option is missing its value');
  if (o.atSnapshot && (!o.rdbExport || !o.dir)) throw new Error('--at-snapshot goes with --dir and --rdb-export');
  return o;
}

// ---- output -------------------------------------------------------------------
function printReply(bytes, raw) {
  const [r] = parseTyped(bytes, 0);
  if (raw) {
    process.stdout.write(formatRawBytes(r));
    process.stdout.write('\n');
  } else {
    process.stdout.write(formatTTY(r));
  }
  return r;
}

/** A progress bar on standard error, redrawn in place (only on a terminal). */
class Progress {
  constructor(label) {
    this.label = label;
    this.on = !!process.stderr.isTTY;
    this.last = -1;
  }

  update(fraction, detail = '') {
    if (!this.on) return;
    const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
    const text = `${detail}`;
    if (pct === this.last && text === this.text) return;
    this.last = pct;
    this.text = text;
    const width = 30;
    const fill = Math.round((pct / 100) * width);
    process.stderr.write(`\r${this.label} [${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${String(pct).padStart(3)}% ${text}\x1b[K`);
  }

  done(text) {
    if (this.on) process.stderr.write(`\r${this.label} ${text}\x1b[K\n`);
  }
}

/**
 * Wait for an index's backfill with a progress bar; the closing line is
 * printed when there was progress to show, or always with `report`.
 */
async function waitForIndex(db, name, report = false) {
  const p = new Progress(`backfill ${name}`);
  const t = performance.now();
  let shown = false;
  const r = await db.indexReady(name, {
    onProgress: (x) => {
      if (x.done && !shown) return;
      shown = true;
      p.update(x.percent / 100, `${x.docs.toLocaleString('en-US')} documents`);
    },
  });
  if (shown || report) p.done(`done: ${r.docs.toLocaleString('en-US')} documents in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function waitForIndexes(db) {
  for (const name of await db.listIndexes()) await waitForIndex(db, name);
}

async function readStdin() {
  const parts = [];
  for await (const c of process.stdin) parts.push(c);
  return Buffer.concat(parts);
}

// ---- modes ----------------------------------------------------------------------
async function runOne(db, o) {
  const args = o.command.map((a) => Buffer.from(a));
  if (o.stdinArg) args.push(await readStdin());
  const bytes = await db.commandRaw(args);
  printReply(bytes, o.raw);
}

/** --pipe: every command on standard input, in batches; a summary as redis-cli prints it. */
async function runPipe(db) {
  const parser = new RequestParser();
  let total = 0;
  try {
    total = fstatSync(0).isFile() ? fstatSync(0).size : 0;
  } catch {
    total = 0;
  }
  const bar = new Progress('import');
  let read = 0;
  let replies = 0;
  let errors = 0;
  const t = performance.now();
  let batch = [];
  const flush = async () => {
    const out = await db.pipeline(batch, { errorsAsValues: true });
    for (const r of out) {
      replies++;
      if (r && r.__vesselError) {
        errors++;
        if (errors <= 10) process.stdout.write(`${r.__vesselError.message}\n`);
      }
    }
    batch = [];
    const secs = (performance.now() - t) / 1000;
    bar.update(total ? read / total : 0, `${replies.toLocaleString('en-US')} commands, ${Math.round(replies / secs).toLocaleString('en-US')}/s`);
  };
  for await (const chunk of process.stdin) {
    read += chunk.length;
    parser.push(chunk);
    for (let r; (r = parser.next()); ) {
      if (r.error) {
        process.stdout.write(`${r.error}\n`);
        errors++;
        replies++;
        break;
      }
      batch.push(r.args);
      if (batch.length >= 1000) await flush();
    }
    if (parser.failed) break;
  }
  if (batch.length) await flush();
  const secs = (performance.now() - t) / 1000;
  bar.done(`${replies.toLocaleString('en-US')} commands in ${secs.toFixed(1)} s (${Math.round(replies / secs).toLocaleString('en-US')}/s)`);
  process.stdout.write(`All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: ${errors}, replies: ${replies}\n`);
  return errors;
}

const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;

/** --rdb-import: load a dump file with a progress bar; a one-line report. */
async function runRdbImport(db, o) {
  const size = statSync(o.rdbImport).size;
  const bar = new Progress('rdb import');
  const t = performance.now();
  const r = await db.importRdb(createReadStream(o.rdbImport, { highWaterMark: 1 << 20 }), {
    replace: !!o.replace,
    size,
    onProgress: (p) => bar.update(size ? p.bytes / size : 0, `${mb(p.bytes)} of ${mb(size)}`),
  });
  const secs = (performance.now() - t) / 1000;
  bar.done(`done: ${mb(r.bytes)} in ${secs.toFixed(1)} s`);
  const skipped = Object.entries(r.skipped).filter(([, n]) => n).map(([t2, n]) => `${n} ${t2}`);
  const parts = [`${r.hashes} hashes`, `${r.strings} strings`];
  if (r.expired) parts.push(`${r.expired} expired keys skipped`);
  if (skipped.length) parts.push(`skipped (types Vessel does not hold): ${skipped.join(', ')}`);
  if (r.otherDatabases) parts.push(`${r.otherDatabases} keys of databases this store does not have skipped`);
  if (r.functions) parts.push(`${r.functions} function libraries skipped`);
  process.stdout.write(`loaded ${o.rdbImport} (RDB version ${r.version}): ${parts.join('; ')}\n`);
}

/** --rdb-export: the dump file (written whole, then renamed) and the index script beside it. */
async function runRdbExport(db, o) {
  const bar = new Progress('rdb export');
  const t = performance.now();
  const tmp = `${o.rdbExport}.tmp-${process.pid}`;
  let last = { keys: 0, totalKeys: 0, bytes: 0 };
  const fh = await fsp.open(tmp, 'w');
  try {
    for await (const chunk of db.exportRdb({
      onProgress: (p) => {
        last = p;
        bar.update(p.totalKeys ? p.keys / p.totalKeys : 1, `${p.keys.toLocaleString('en-US')} keys, ${mb(p.bytes)}`);
      },
    })) {
      await fh.write(chunk);
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await fsp.rename(tmp, o.rdbExport);
  bar.done(`done: ${mb(last.bytes)} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const script = await db.indexScript();
  let extra = '';
  if (script) {
    writeFileSync(`${o.rdbExport}.indexes`, script);
    extra = `; FT.CREATE commands in ${o.rdbExport}.indexes (redis-cli < ${o.rdbExport}.indexes)`;
  }
  process.stdout.write(`wrote ${o.rdbExport}: ${last.keys} keys${extra}\n`);
}

/**
 * The store of `dir` as its newest snapshot holds it: the MANIFEST and
 * the snapshot copied into a memory storage with an empty journal, so the
 * directory is only read (a server may be running on it).
 */
async function openAtSnapshot(dir) {
  const raw = readFileSync(join(dir, 'MANIFEST'));
  const m = parseManifest(raw);
  const mem = new MemoryStorage();
  mem.blobs.set('MANIFEST', [new Uint8Array(raw)]);
  if (m.snapshot) mem.blobs.set(m.snapshot, [new Uint8Array(readFileSync(join(dir, m.snapshot)))]);
  mem.blobs.set(m.journal, []);
  const db = await open({ storage: mem, autosave: false });
  db.journalPath = join(dir, m.journal);
  return db;
}

function historyFile() {
  return process.env.VESSEL_CLI_HISTFILE || join(homedir(), '.vessel_cli_history');
}

/** The prompt: the store, and the database when not 0 (redis-cli's `[n]`). */
function promptText(o) {
  return `vessel${o.dir ? `:${o.dir}` : ''}${o.dbnum ? `[${o.dbnum}]` : ''}> `;
}

/** -n: select the database, as redis-cli does on connecting (a refusal is printed, database 0 kept). */
async function selectDb(db, o) {
  if (!o.dbnum) return;
  const bytes = await db.commandRaw(['SELECT', String(o.dbnum)]);
  if (bytes[0] === 0x2d) {
    process.stderr.write(`SELECT ${o.dbnum} failed: ${Buffer.from(bytes).toString().slice(1).trimEnd()}\n`);
    o.dbnum = 0;
  }
}

async function repl(db, o) {
  const file = historyFile();
  let history = [];
  try {
    history = readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000);
  } catch {
    // no history yet
  }
  // On a terminal: a prompt with history.  Otherwise (commands piped in,
  // as `redis-cli < file`): each line runs, without prompts.
  const tty = !!process.stdin.isTTY;
  const rl = createInterface({
    input: process.stdin,
    output: tty ? process.stdout : undefined,
    terminal: tty,
    history,
    historySize: 1000,
    removeHistoryDuplicates: true,
    prompt: promptText(o),
  });
  const prompt = () => {
    if (!tty) return;
    rl.setPrompt(promptText(o));
    rl.prompt();
  };
  prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (trimmed && tty) {
      try {
        mkdirSync(dirname(file), { recursive: true });
        appendFileSync(file, `${trimmed}\n`);
      } catch {
        // history is a convenience
      }
    }
    if (trimmed) {
      const args = splitArgs(trimmed);
      if (args === null) {
        process.stdout.write('Invalid argument(s)\n');
      } else if (args.length) {
        const cmd = Buffer.from(args[0]).toString().toLowerCase();
        if (cmd === 'quit' || cmd === 'exit') break;
        if (cmd === 'help') {
          process.stdout.write(`${USAGE}\n`);
        } else {
          const bytes = await db.commandRaw(args);
          printReply(bytes, o.raw);
          // The prompt follows the selection, as redis-cli's.
          if (bytes[0] !== 0x2d && cmd === 'select' && args.length === 2) o.dbnum = Number(Buffer.from(args[1]).toString());
          else if (bytes[0] !== 0x2d && cmd === 'reset') o.dbnum = 0;
          if (cmd === 'ft.create' && bytes[0] === 0x2b && o.wait) await waitForIndex(db, Buffer.from(args[1]).toString(), true);
        }
      }
    }
    prompt();
  }
  rl.close();
}

async function main() {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    return 1;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (o.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`vessel-cli ${pkg.version}\n`);
    return 0;
  }
  let db;
  if (o.atSnapshot) {
    try {
      db = await openAtSnapshot(o.dir);
    } catch (e) {
      process.stderr.write(`vessel-cli: ${e.message}\n`);
      return 1;
    }
    try {
      await runRdbExport(db, o);
      process.stdout.write(`the writes after that snapshot: redis-cli --pipe < ${db.journalPath}\n`);
    } catch (e) {
      process.stderr.write(`vessel-cli: ${e.message}\n`);
      return 1;
    } finally {
      await db.close();
    }
    return 0;
  }
  try {
    db = await open({ dir: o.dir ?? undefined, durability: o.durability, repairJournal: !!o.repairJournal, recoverManifest: !!o.recoverManifest });
  } catch (e) {
    process.stderr.write(`vessel-cli: ${e.message}\n`);
    return 1;
  }
  let status = 0;
  for (const line of describeLoad(db.loadReport)) process.stderr.write(`vessel-cli: ${line}\n`);
  try {
    if (db.loadReport?.replayed && process.stderr.isTTY && !o.command.length) {
      process.stderr.write(`(opened ${o.dir}: ${db.loadReport.snapshot ?? 'no snapshot'}, ${db.loadReport.replayed} journal records replayed)\n`);
    }
    if (o.rdbImport) {
      try {
        await runRdbImport(db, o);
      } catch (e) {
        process.stderr.write(`vessel-cli: ${e.message}\n`);
        return 1;
      }
    }
    if (o.pipe || o.command.length || (!o.rdbImport && !o.rdbExport)) await selectDb(db, o);
    if (o.pipe) {
      status = (await runPipe(db)) ? 1 : 0;
    } else if (o.command.length) {
      await runOne(db, o);
    } else if (!o.rdbImport && !o.rdbExport) {
      await repl(db, o);
    }
    if (o.wait) await waitForIndexes(db);
    if (o.rdbExport) {
      try {
        await runRdbExport(db, o);
      } catch (e) {
        process.stderr.write(`vessel-cli: ${e.message}\n`);
        return 1;
      }
    }
  } finally {
    await db.close();
  }
  return status;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`vessel-cli: ${e.stack ?? e}\n`);
    process.exit(1);
  },
);
