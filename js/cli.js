#!/usr/bin/env node
// cli.js - vessel-cli: a redis-cli-like prompt over an embedded store.
//
//   vessel-cli --dir ./data                      a prompt, with history
//   vessel-cli --dir ./data FT.SEARCH idx '*'    one command, then exit
//   vessel-cli --dir ./data -x HSET doc:1 vec < vec.f32
//   vessel-cli --dir ./data --pipe < commands.txt
//
// Replies are printed as redis-cli prints them: formatted on a terminal,
// raw otherwise (--raw / --no-raw to choose).  Without --dir the store is
// in memory and gone at exit.  Long backfills and imports show a progress
// bar on the terminal (standard error).

import { appendFileSync, fstatSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { formatRawBytes, formatTTY, parseTyped } from './cli-format.js';
import { open } from './node.js';
import { describeLoad } from './persistence.js';
import { RequestParser, splitArgs } from './protocol.js';

const USAGE = `Usage: vessel-cli [options] [command [arg ...]]

  --dir <dir>            the store's directory (created if missing); default: in memory
  --durability <mode>    always | everysec (default) | no   (as Redis's appendfsync)
  --raw                  print replies raw (the default when output is not a terminal)
  --no-raw               print replies formatted, as on a terminal
  -x                     read the last argument from standard input (a vector blob, a file)
  --pipe                 run the commands on standard input (RESP or inline, as redis-cli --pipe)
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
  const o = { dir: null, durability: 'everysec', raw: !process.stdout.isTTY, stdinArg: false, pipe: false, wait: true, command: [] };
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
    } else if (a === '-x') {
      o.stdinArg = true;
    } else if (a === '--pipe') {
      o.pipe = true;
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
  if ((o.dir === undefined) || (o.durability === undefined)) throw new Error('an option is missing its value');
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

function historyFile() {
  return process.env.VESSEL_CLI_HISTFILE || join(homedir(), '.vessel_cli_history');
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
    prompt: `vessel${o.dir ? `:${o.dir}` : ''}> `,
  });
  const prompt = () => tty && rl.prompt();
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
    if (o.pipe) {
      status = (await runPipe(db)) ? 1 : 0;
    } else if (o.command.length) {
      await runOne(db, o);
    } else {
      await repl(db, o);
    }
    if (o.wait) await waitForIndexes(db);
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
