// cli.test.js - vessel-cli: replies printed byte for byte as Debian's
// redis-cli prints the same replies from redis-server (formatted and raw),
// -x blobs, --pipe with RESP and inline commands, commands piped to the
// prompt, the store persisting between invocations, and the progress and
// history a terminal gets (under a pseudo-terminal from script(1)).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRedisServer } from '../net.js';

const CLI = new URL('../../js/cli.js', import.meta.url).pathname;
const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
let server;
let port;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-cli-'));
  if (!HAVE_REDIS) return;
  ({ port, proc: server } = await startRedisServer(['--save', '', '--appendonly', 'no', '--dir', dir]));
});

after(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const vessel = (args, input, store = join(dir, 'store')) =>
  execFileSync(process.execPath, [CLI, '--dir', store, ...args], { input, encoding: 'latin1' });
/** --pipe exits 1 when a command failed, as redis-cli --pipe does. */
const pipe = (input, store, status) => {
  const r = spawnSync(process.execPath, [CLI, '--dir', store, '--pipe'], { input, encoding: 'latin1' });
  assert.equal(r.status, status, r.stderr);
  return r.stdout;
};
const redis = (args, input) => execFileSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'latin1' });

test('replies print exactly as redis-cli prints them, formatted and raw', { skip: !HAVE_REDIS && 'redis-server/redis-cli are not installed' }, () => {
  redis(['FLUSHALL']);
  const script = [
    ['HSET', 'h', 'a', '1', 'b', 'x y', 'c', 'quote"back\\slash', 'd', 'tab\there', 'e', 'héllo'],
    ['HGETALL', 'h'],
    ['HGET', 'h', 'nope'],
    ['HSET', 'h'],
    ['TYPE', 'h'],
    ['EXISTS', 'h', 'h', 'nope'],
    ['HINCRBYFLOAT', 'h', 'f', '1.5'],
    ['SET', 's', 'line\nbreak'],
    ['GET', 's'],
    ['GET', 'h'],
    ['HGETALL', 'nope'],
    ['HMGET', 'h', 'a', 'zz', 'b'],
    ['ECHO', ''],
    ['PING'],
    ['DEL', 's'],
    ['SCAN', '0', 'MATCH', 'h*', 'COUNT', '100'],
    ['HSTRLEN', 'h', 'e'],
    ['NOSUCHCOMMAND', 'x'],
  ];
  let compared = 0;
  for (const mode of ['--no-raw', '--raw']) {
    for (const cmd of script) {
      if (mode === '--raw' && cmd[0] === 'HSET' && cmd.length > 3) continue; // state already set
      const want = redis([mode, ...cmd]);
      const got = vessel([mode, ...cmd]);
      assert.equal(got, want, `${mode} ${cmd.join(' ')}`);
      compared++;
    }
    // A binary blob through -x, and back.
    const blob = Buffer.from([0, 1, 2, 255, 10, 13, 34, 92, 200]);
    assert.equal(vessel([mode, '-x', 'HSET', 'bin', 'v'], blob), redis([mode, '-x', 'HSET', 'bin', 'v'], blob));
    assert.equal(vessel([mode, 'HGET', 'bin', 'v']), redis([mode, 'HGET', 'bin', 'v']));
    compared += 2;
  }
  assert.ok(compared > 30);
});

test('--pipe runs RESP and inline commands from standard input, with redis-cli\'s summary', () => {
  const store = join(dir, 'pipe');
  const input = Buffer.concat([
    Buffer.from('*4\r\n$4\r\nHSET\r\n$5\r\ndoc:1\r\n$1\r\nv\r\n$12\r\n'),
    Buffer.from(new Float32Array([1, 2, 3]).buffer),
    Buffer.from('\r\nHSET doc:2 title "two words"\nFT.CREATE idx SCHEMA v VECTOR FLAT 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC L2\nHSET\n'),
  ]);
  const out = pipe(input, store, 1);
  assert.equal(out, "ERR wrong number of arguments for 'hset' command\nAll data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 1, replies: 4\n");
  assert.equal(vessel(['HGET', 'doc:2', 'title'], undefined, store), 'two words\n');
  assert.equal(vessel(['FT.INFO', 'idx'], undefined, store).split('\n')[1], 'idx');
  // A protocol error stops the import, as a server closes the connection.
  const bad = pipe(Buffer.from('PING\r\n*1\r\nx\r\nPING\r\n'), store, 1);
  assert.equal(pipe('PING\n', store, 0), 'All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 0, replies: 1\n');
  assert.match(bad, /^ERR Protocol error: expected '\$', got 'x'\n/);
  assert.match(bad, /errors: 1, replies: 2\n$/);
});

test('commands piped to the prompt run line by line; the store persists between runs', () => {
  const store = join(dir, 'prompt');
  const out = vessel(['--no-raw'], 'HSET k f "a b"\nHGETALL k\nEXISTS k\n"unbalanced\nquit\nPING\n', store);
  assert.equal(out, '(integer) 1\n1) "f"\n2) "a b"\n(integer) 1\nInvalid argument(s)\n');
  assert.equal(vessel(['HGET', 'k', 'f'], undefined, store), 'a b\n');
  assert.equal(vessel(['SAVE'], undefined, store), 'OK\n');
  assert.match(vessel(['INFO', 'persistence'], undefined, store), /rdb_changes_since_last_save:0/);
  // Bad options answer with the usage.
  const r = spawnSync(process.execPath, [CLI, '--bogus'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Unrecognized option or bad number of args for: '--bogus'\n\nUsage: vessel-cli/);
});

test('on a terminal: a prompt, history kept across sessions, a backfill progress bar', { skip: spawnSync('script', ['--version']).status !== 0 && 'script(1) is not installed' }, () => {
  const store = join(dir, 'tty');
  const hist = join(dir, 'history');
  // Enough documents that the backfill reports progress.
  const lines = [];
  for (let i = 0; i < 3000; i++) lines.push(`HSET d:${i} t tag${i % 7}`);
  pipe(`${lines.join('\n')}\n`, store, 0);
  const run = (input) => execFileSync('script', ['-q', '-e', '-c', `${process.execPath} ${CLI} --dir ${store}`, '/dev/null'], {
    input, encoding: 'utf8', env: { ...process.env, VESSEL_CLI_HISTFILE: hist },
  });
  const out = run('FT.CREATE idx PREFIX 1 d: SCHEMA t TAG\nFT.SEARCH idx @t:{tag3} LIMIT 0 0\nquit\n');
  assert.match(out, /vessel:[^>]*> /);
  assert.match(out, /backfill idx .*done: 3,000 documents/);
  assert.match(out, /\(integer\) 429/);
  assert.deepEqual(readFileSync(hist, 'utf8').split('\n').filter(Boolean), ['FT.CREATE idx PREFIX 1 d: SCHEMA t TAG', 'FT.SEARCH idx @t:{tag3} LIMIT 0 0', 'quit']);
});

// -n: the database selected on opening, as redis-cli -n (atoi's number; a
// refused SELECT printed on standard error, database 0 kept); the
// prompt shows the database after the store's name as redis-cli's
// `host:port[n]> `, following SELECT.  Every invocation compared with
// redis-cli's against redis-server (standard output and error).
test('-n selects the database, as redis-cli -n; the prompt shows [n]', { skip: !HAVE_REDIS && 'redis-server/redis-cli are not installed' }, () => {
  const store = join(dir, 'dbn');
  const run = (cmd, args, input) => {
    const r = spawnSync(cmd[0], [...cmd.slice(1), ...args], { input, encoding: 'latin1' });
    return { out: r.stdout, err: r.stderr, status: r.status };
  };
  const mine = [process.execPath, CLI, '--dir', store];
  const theirs = ['redis-cli', '-p', String(port)];
  const cases = [
    [['-n', '3', 'SET', 'nk', 'three']],
    [['-n', '3', 'GET', 'nk']],
    [['GET', 'nk']],
    [['-n', '7', 'SET', 'nk', 'seven']],
    [['-n', '3x', 'GET', 'nk']], // atoi: 3
    [['-n', 'x', 'GET', 'nk']], // atoi: 0
    [['-n', '99', 'GET', 'nk']], // refused: database 0
    [['-n', '-1', 'GET', 'nk']], // refused: database 0 (not DBSIZE: the file's other tests leave keys in redis-server's database 0)
    [['-n', '4', '--pipe'], 'SET pk 1\nSET pk2 2\n'],
    [['-n', '4', 'DBSIZE']],
    [['-n', '7', 'GET', 'nk']],
  ];
  redis(['FLUSHALL']); // the store is new: every database of both empty (earlier tests left keys in redis-server's)
  for (const [args, input] of cases) {
    const a = run(mine, args, input);
    const b = run(theirs, args, input);
    assert.deepEqual(a, b, args.join(' '));
  }
  if (spawnSync('script', ['--version']).status !== 0) return;
  const tty = (cmd) => execFileSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], {
    input: 'SELECT 5\nSELECT 99\nquit\n', encoding: 'utf8', env: { ...process.env, VESSEL_CLI_HISTFILE: join(dir, 'hist-n') },
  });
  const prompts = (out, head) => [...out.matchAll(new RegExp(`${head}(\\[\\d+\\])?> `, 'g'))].map((m) => m[1] ?? '');
  // redis-cli's prompt reads 127.0.0.1:6379[2]> then [5]> after SELECT 5
  // (a refused SELECT 99 keeps [5]).
  const v = prompts(tty(`${process.execPath} ${CLI} --dir ${store} -n 2`), 'vessel:[^\\[>]*');
  assert.deepEqual(v.filter((p, i) => p !== v[i - 1]), ['[2]', '[5]']);
});
