// server.test.js - vessel-server with real clients, unchanged: Debian's
// redis-cli, redis-py (the Memorystore documentation's example with
// RedisCluster, then redis-py's search API), node-redis; the connection,
// server and cluster commands clients send; persistence across SHUTDOWN
// SAVE and kill -9; and abuse (half-sent and malformed requests, huge
// lengths, a client that never reads) that must not hurt other clients.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, rssOf, startServer } from './helpers.js';

const HAVE_CLI = spawnSync('redis-cli', ['--version']).status === 0;
const PY = '/usr/bin/python3';
const HAVE_PY = spawnSync(PY, ['-c', 'import redis, numpy']).status === 0;
const f32 = (...v) => Buffer.from(new Float32Array(v).buffer);
let srv;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-server-'));
  srv = await startServer();
});

after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('redis-cli: the README commands, and a KNN search with a vector blob', { skip: !HAVE_CLI && 'redis-cli is not installed' }, () => {
  const cli = (args, input) => execFileSync('redis-cli', ['-p', String(srv.port), ...args], { input, encoding: 'latin1' });
  assert.equal(cli(['PING']), 'PONG\n');
  assert.equal(cli(['FLUSHALL']), 'OK\n');
  assert.equal(cli(['HSET', 'product:1', 'category', 'shoes', 'price', '60']), '2\n');
  assert.equal(cli(['-x', 'HSET', 'product:1', 'embedding'], f32(0.9, 0.1, 0, 0.1)), '1\n');
  cli(['HSET', 'product:4', 'category', 'shoes', 'price', '45']);
  cli(['-x', 'HSET', 'product:4', 'embedding'], f32(0.2, 0.1, 0.9, 0.3));
  cli(['HSET', 'product:5', 'category', 'socks', 'price', '8']);
  cli(['-x', 'HSET', 'product:5', 'embedding'], f32(0.85, 0.15, 0.05, 0.1));
  assert.equal(cli(['FT.CREATE', 'products', 'ON', 'HASH', 'PREFIX', '1', 'product:', 'SCHEMA', 'embedding', 'VECTOR', 'FLAT', '6',
    'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'COSINE', 'category', 'TAG', 'price', 'NUMERIC']), 'OK\n');
  const out = cli(['--no-raw', '-x', 'FT.SEARCH', 'products', '(@category:{shoes} @price:[-inf (100])=>[KNN 3 @embedding $q AS score]',
    'RETURN', '1', 'score', 'DIALECT', '2', 'PARAMS', '2', 'q'], f32(1, 0, 0, 0));
  assert.equal(out, '1) (integer) 2\n2) "product:1"\n3) 1) "score"\n   2) "0.012121617794"\n4) "product:4"\n5) 1) "score"\n   2) "0.794804334641"\n');
  assert.match(cli(['FT._LIST']), /^products\n$/);
  assert.match(cli(['MODULE', 'LIST']), /^name\nsearch\n/);
});

test('redis-py: the Memorystore example with RedisCluster, then the search API', { skip: !HAVE_PY && 'python3-redis / python3-numpy are not installed' }, () => {
  const script = `
import json, numpy as np
from redis.cluster import RedisCluster
from redis.commands.search.field import VectorField, TagField, NumericField
from redis.commands.search.indexDefinition import IndexDefinition, IndexType
from redis.commands.search.query import Query

r = RedisCluster(host='127.0.0.1', port=${srv.port})
out = {}
# The documentation's example, as written.
r.hset('p1', mapping={'vector': np.array([0.1, 0.2], dtype=np.float32).tobytes()})
r.hset('p2', mapping={'vector': np.array([0.3, 0.4], dtype=np.float32).tobytes()})
out['create'] = r.execute_command('FT.CREATE', 'my_index', 'SCHEMA', 'vector', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2').decode()
res = r.execute_command('FT.SEARCH', 'my_index', '*=>[KNN 2 @vector $query_vector]', 'PARAMS', '2', 'query_vector', np.array([0.1, 0.2], dtype=np.float32).tobytes(), 'DIALECT', '2')
out['raw'] = [res[0], res[1].decode(), res[3].decode()]
# redis-py's search API.
ft = r.ft('idx')
ft.create_index([VectorField('v', 'HNSW', {'TYPE': 'FLOAT32', 'DIM': 2, 'DISTANCE_METRIC': 'L2'}), TagField('t'), NumericField('n')],
                definition=IndexDefinition(prefix=['doc:'], index_type=IndexType.HASH))
for i in range(8):
    r.hset(f'doc:{i}', mapping={'v': np.array([i, 0], dtype=np.float32).tobytes(), 't': 'a' if i % 2 else 'b', 'n': i})
q = Query('(@t:{a})=>[KNN 3 @v $vec AS score]').sort_by('score').return_fields('score').dialect(2)
res = ft.search(q, query_params={'vec': np.array([4, 0], dtype=np.float32).tobytes()})
out['search'] = {'total': res.total, 'docs': [[d.id, d.score] for d in res.docs]}
info = ft.info()
out['info'] = {'name': info['index_name'], 'num_docs': info['num_docs']}
out['slots'] = r.cluster_slots() and True
print(json.dumps(out))
`;
  const out = JSON.parse(execFileSync(PY, ['-c', script], { encoding: 'utf8' }));
  assert.equal(out.create, 'OK');
  assert.deepEqual(out.raw, [2, 'p1', 'p2']);
  assert.deepEqual(out.search, { total: 3, docs: [['doc:3', '1'], ['doc:5', '1'], ['doc:1', '9']] });
  assert.deepEqual(out.info, { name: 'idx', num_docs: 8 });
});

test('node-redis: ft.create, ft.search with PARAMS and DIALECT 2, ft.info, ft.dropIndex, ft._list', async () => {
  const { createClient, SCHEMA_FIELD_TYPE, SCHEMA_VECTOR_FIELD_ALGORITHM } = await import('redis');
  const client = createClient({ url: `redis://127.0.0.1:${srv.port}` });
  await client.connect();
  try {
    await client.ft.create('nr', {
      v: { type: SCHEMA_FIELD_TYPE.VECTOR, ALGORITHM: SCHEMA_VECTOR_FIELD_ALGORITHM.HNSW, TYPE: 'FLOAT32', DIM: 3, DISTANCE_METRIC: 'L2' },
      t: SCHEMA_FIELD_TYPE.TAG,
      n: SCHEMA_FIELD_TYPE.NUMERIC,
    }, { ON: 'HASH', PREFIX: 'nr:' });
    for (let i = 0; i < 6; i++) await client.hSet(`nr:${i}`, { v: f32(i, 0, 0), t: i % 2 ? 'a' : 'b', n: i });
    const r = await client.ft.search('nr', '(@t:{a} @n:[0 4])=>[KNN 3 @v $q AS score]', {
      PARAMS: { q: f32(1, 0, 0) }, DIALECT: 2, RETURN: ['score', 'n'], SORTBY: 'score',
    });
    assert.deepEqual(r, { total: 2, documents: [{ id: 'nr:1', value: { score: '0', n: '1' } }, { id: 'nr:3', value: { score: '4', n: '3' } }], warnings: [] });
    const info = await client.ft.info('nr');
    assert.ok(JSON.stringify(info).includes('"nr"'));
    assert.ok((await client.ft._list()).includes('nr'));
    assert.equal(await client.ft.dropIndex('nr'), 'OK');
    assert.ok(!(await client.ft._list()).includes('nr'));
  } finally {
    await client.quit();
  }
});

test('connection, server and cluster commands; RESP3 after HELLO 3', async () => {
  const c = await connect(srv.port);
  assert.equal(await c.send(['SELECT', '0']), 'OK');
  assert.equal((await c.send(['SELECT', '1'])).message, 'ERR DB index is out of range'); // Valkey 9, cluster-databases 1
  assert.equal(await c.send(['CLIENT', 'SETNAME', 'tester']), 'OK');
  assert.equal(await c.send(['CLIENT', 'GETNAME']), 'tester');
  const id = await c.send(['CLIENT', 'ID']);
  assert.ok(Number.isInteger(id));
  assert.equal(await c.send(['CLIENT', 'SETINFO', 'LIB-NAME', 'mylib']), 'OK');
  assert.match(await c.send(['CLIENT', 'INFO']), new RegExp(`^id=${id} addr=127\\.0\\.0\\.1:\\d+ .* name=tester .* resp=2 lib-name=mylib lib-ver=\\n$`));
  assert.equal((await c.send(['CLIENT', 'SETNAME', 'a b'])).message, 'ERR Client names cannot contain spaces, newlines or special characters.');
  const count = await c.send(['COMMAND', 'COUNT']);
  const list = await c.send(['COMMAND', 'LIST']);
  assert.equal(list.length, count);
  for (const n of ['hset', 'ft.search', 'ft.create', 'auth', 'hello', 'cluster', 'client', 'info']) assert.ok(list.includes(n), n);
  const [hget] = await c.send(['COMMAND', 'INFO', 'hget']);
  assert.deepEqual(hget.slice(0, 6), ['hget', 3, ['readonly', 'fast'], 1, 1, 1]);
  assert.deepEqual(await c.send(['COMMAND', 'GETKEYS', 'HSET', 'k', 'f', 'v']), ['k']);
  const docs = await c.send(['COMMAND', 'DOCS', 'hset', 'client']);
  assert.equal(docs[0], 'hset');
  assert.equal(docs[2], 'client');
  const info = await c.send(['INFO']);
  for (const s of ['# Server', '# Clients', '# Memory', '# Persistence', '# Modules', '# Keyspace', '# Cluster']) assert.ok(info.includes(s), s);
  assert.match(info, /module:name=search,ver=10000/);
  assert.match(info, /cluster_enabled:1/);
  assert.match(await c.send(['INFO', 'keyspace']), /^# Keyspace\r\n/);
  assert.deepEqual(await c.send(['CONFIG', 'GET', 'maxclients']), ['maxclients', '10000']);
  assert.equal(await c.send(['CONFIG', 'SET', 'maxclients', '500']), 'OK');
  assert.equal((await c.send(['CONFIG', 'SET', 'port', '1'])).message, "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config");
  assert.equal((await c.send(['CONFIG', 'SET', 'nope', '1'])).message, "ERR Unknown option or number of arguments for CONFIG SET - 'nope'");
  const slots = await c.send(['CLUSTER', 'SLOTS']);
  assert.deepEqual(slots[0].slice(0, 2), [0, 16383]);
  assert.deepEqual(slots[0][2].slice(0, 2), ['127.0.0.1', srv.port]);
  const myid = await c.send(['CLUSTER', 'MYID']);
  assert.match(myid, /^[0-9a-f]{40}$/);
  assert.match(await c.send(['CLUSTER', 'INFO']), /^cluster_state:ok\r\ncluster_slots_assigned:16384\r\n/);
  assert.equal(await c.send(['CLUSTER', 'NODES']), `${myid} 127.0.0.1:${srv.port}@${srv.port + 10000} myself,master - 0 0 1 connected 0-16383\n`);
  assert.equal(await c.send(['CLUSTER', 'KEYSLOT', 'somekey']), 11058);
  assert.equal(await c.send(['CLUSTER', 'KEYSLOT', 'a{user1}b']), await c.send(['CLUSTER', 'KEYSLOT', 'user1']));
  const shards = await c.send(['CLUSTER', 'SHARDS']);
  assert.deepEqual(shards[0].slice(0, 2), ['slots', [0, 16383]]);
  assert.equal(await c.send(['READONLY']), 'OK');
  assert.equal(await c.send(['ASKING']), 'OK');
  assert.deepEqual(await c.send(['MODULE', 'LIST']), [['name', 'search', 'ver', 10000, 'path', 'vessel', 'args', []]]);
  // RESP3: HELLO 3, then maps and nulls on the wire.
  const hello = await c.send(['HELLO', '3']);
  assert.deepEqual(hello.slice(0, 6), ['server', 'redis', 'version', '7.2.4', 'proto', 3]);
  c.raw(Buffer.from('*2\r\n$7\r\nHGETALL\r\n$4\r\nnope\r\n*3\r\n$4\r\nHGET\r\n$4\r\nnope\r\n$1\r\nf\r\n'));
  const [m, n] = await Promise.all([c.next(), c.next()]);
  assert.deepEqual([m, n], [[], null]);
  assert.equal((await c.send(['HELLO', '4'])).message, 'NOPROTO unsupported protocol version');
  assert.equal(await c.send(['QUIT']), 'OK');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(c.closed);
});

test('a password: NOAUTH before AUTH, WRONGPASS, HELLO with AUTH; the protected-mode warning; maxclients', async () => {
  const s = await startServer(['--requirepass', 's3cret', '--maxclients', '3']);
  try {
    const c = await connect(s.port);
    assert.equal((await c.send(['HSET', 'a', 'b', 'c'])).message, 'NOAUTH Authentication required.');
    assert.equal((await c.send(['PING'])).message, 'NOAUTH Authentication required.');
    assert.equal((await c.send(['AUTH', 'nope'])).message, 'WRONGPASS invalid username-password pair or user is disabled.');
    assert.equal((await c.send(['AUTH', 'other', 's3cret'])).message, 'WRONGPASS invalid username-password pair or user is disabled.');
    assert.equal(await c.send(['AUTH', 's3cret']), 'OK');
    assert.equal(await c.send(['PING']), 'PONG');
    const d = await connect(s.port);
    assert.match((await d.send(['HELLO', '3'])).message, /^NOAUTH HELLO must be called with the client already authenticated/);
    const h = await d.send(['HELLO', '2', 'AUTH', 'default', 's3cret', 'SETNAME', 'x']);
    assert.equal(h[1], 'redis');
    assert.equal(await d.send(['CLIENT', 'GETNAME']), 'x');
    // maxclients 3: the fourth connection is refused with Redis's error.
    const e = await connect(s.port);
    const f = await connect(s.port);
    assert.equal((await f.next()).message, 'ERR max number of clients reached');
    for (const x of [c, d, e, f]) x.close();
  } finally {
    await s.stop();
  }
  const exposed = await startServer(['--bind', '0.0.0.0']);
  try {
    assert.match(exposed.log(), /WARNING: vessel-server is listening on 0\.0\.0\.0 without a password/);
  } finally {
    await exposed.stop();
  }
  const safe = await startServer([]);
  assert.doesNotMatch(safe.log(), /WARNING/);
  await safe.stop();
  const noAuth = await connect(srv.port);
  assert.match((await noAuth.send(['AUTH', 'x'])).message, /^ERR AUTH <password> called without any password configured/);
  noAuth.close();
});

test('persistence: SHUTDOWN SAVE, and kill -9 with --appendfsync always, then everything is back', async () => {
  const data = join(dir, 'persist');
  let s = await startServer(['--dir', data, '--appendfsync', 'always']);
  let c = await connect(s.port);
  await c.send(['FT.CREATE', 'i', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2']);
  for (let i = 0; i < 50; i++) await c.send(['HSET', `d:${i}`, 'v', f32(i, i), 'n', String(i)]);
  assert.equal(await c.send(['SHUTDOWN', 'SAVE']), Symbol.for('closed'));
  assert.deepEqual(await s.exited, { code: 0, signal: null });
  s = await startServer(['--dir', data, '--appendfsync', 'always']);
  c = await connect(s.port);
  assert.equal(await c.send(['DBSIZE']), 50);
  assert.ok((await c.send(['LASTSAVE'])) > 0);
  // Writes after the snapshot, acknowledged, then kill -9.
  for (let i = 50; i < 80; i++) assert.equal(await c.send(['HSET', `d:${i}`, 'v', f32(i, i), 'n', String(i)]), 2);
  await c.send(['DEL', 'd:0']);
  await s.stop('SIGKILL');
  s = await startServer(['--dir', data]);
  c = await connect(s.port);
  assert.equal(await c.send(['DBSIZE']), 79);
  assert.equal(await c.send(['HGET', 'd:79', 'n']), '79');
  const r = await c.send(['FT.SEARCH', 'i', '*=>[KNN 1 @v $q]', 'PARAMS', '2', 'q', f32(79, 79), 'NOCONTENT', 'DIALECT', '2']);
  assert.deepEqual(r, [1, 'd:79']);
  assert.match(await c.send(['INFO', 'persistence']), /aof_enabled:1/);
  assert.equal(await c.send(['BGSAVE']), 'Background saving started');
  c.close();
  await s.stop();
});

test('abuse: half-sent and malformed requests, huge lengths, a client that never reads; others carry on', async () => {
  const s = await startServer([]);
  try {
    const good = await connect(s.port);
    assert.equal(await good.send(['SET', 'k', 'v']), 'OK');
    const expect = async (bytes, error) => {
      const c = await connect(s.port);
      c.raw(Buffer.from(bytes, 'latin1'));
      const r = await c.next();
      assert.equal(r.message, error, JSON.stringify(bytes));
      await new Promise((res) => setTimeout(res, 30));
      assert.ok(c.closed, 'the connection is closed after a protocol error');
    };
    await expect('*1\r\n$600000000\r\n', 'ERR Protocol error: invalid bulk length');
    await expect('*2000000\r\n', 'ERR Protocol error: invalid multibulk length');
    await expect('*1\r\nGARBAGE\r\n', "ERR Protocol error: expected '$', got 'G'");
    await expect('SET "unbalanced\r\n', 'ERR Protocol error: unbalanced quotes in request');
    await expect('x'.repeat(70000), 'ERR Protocol error: too big inline request');
    // Garbage that parses as an inline command just gets an error reply.
    const g = await connect(s.port);
    g.raw(Buffer.from('\x01\x02garbage here\r\n'));
    assert.match((await g.next()).message, /^ERR unknown command '\x01\x02garbage'/);
    // Half-sent requests and a million-element header, left hanging.
    const half = await connect(s.port);
    half.raw(Buffer.from('*4\r\n$4\r\nHSET\r\n$2\r\nhk\r\n$1\r\nf'));
    const million = await connect(s.port);
    million.raw(Buffer.from('*1000000\r\n$4\r\nHSET\r\n'));
    // A client that pipelines big replies and never reads them.
    await good.send(['HSET', 'big', 'f', 'x'.repeat(1 << 20)]);
    const lazy = await connect(s.port);
    lazy.sock.pause();
    const req = Buffer.from('*2\r\n$7\r\nHGETALL\r\n$3\r\nbig\r\n');
    for (let i = 0; i < 400; i++) lazy.raw(req); // 400 MB of replies if all were buffered
    await new Promise((res) => setTimeout(res, 1500));
    // The others are served meanwhile; the server's memory stays bounded.
    assert.equal(await good.send(['GET', 'k']), 'v');
    assert.equal(await good.send(['DBSIZE']), 2); // k and big; the half-sent HSET has not run
    const rss = rssOf(s.proc.pid);
    assert.ok(rss > 0 && rss < 350 << 20, `server RSS ${(rss / 1048576).toFixed(0)} MiB`);
    half.raw(Buffer.from('\r\n$1\r\nv\r\n'));
    assert.equal(await half.next(), 1);
    for (const x of [good, half, million, lazy, g]) x.close();
    // Still up for a new client.
    const fresh = await connect(s.port);
    assert.equal(await fresh.send(['PING']), 'PONG');
    fresh.close();
  } finally {
    await s.stop();
  }
});

test('INFO search_compatibility: search.emulate-release legacy runs, per site, only after a site ran', async () => {
  const c = await connect(srv.port);
  try {
    await c.send(['FT.CREATE', 'compat', 'ON', 'HASH', 'PREFIX', '1', 'compat:', 'SCHEMA', 't', 'TAG']);
    await c.send(['HSET', 'compat:1', 't', 'a']);
    const agg = () => c.send(['FT.AGGREGATE', 'compat', '*', 'LOAD', '1', '@t', 'FILTER', '@t']);
    const section = async (s) => c.send(['INFO', s]);
    assert.equal(await c.send(['CONFIG', 'SET', 'search.emulate-release', '1.0.0']), 'OK');
    const before = (await section('search')).match(/search_compatibility-asbool_string_truthy:(\d+)/);
    const n0 = before ? Number(before[1]) : 0;
    assert.deepEqual(await agg(), [0]); // 1.0.0: a string is false
    assert.match(await section('search'), new RegExp(`^# search_compatibility\\r\\nsearch_compatibility-.*asbool_string_truthy:${n0 + 1}\\r\\n`, 's'));
    assert.match(await section('everything'), new RegExp(`search_compatibility-asbool_string_truthy:${n0 + 1}\\r\\n`));
    assert.doesNotMatch(await c.send(['INFO']), /search_compatibility/); // not a default section
    assert.equal(await c.send(['CONFIG', 'SET', 'search.emulate-release', '1.2.1']), 'OK');
    assert.equal((await agg())[0], 1); // 1.2.1: a non-empty string is true, and not counted
    assert.match(await section('modules'), new RegExp(`search_compatibility-asbool_string_truthy:${n0 + 1}\\r\\n`));
    assert.deepEqual(await c.send(['CONFIG', 'GET', 'search.emulate-release']), ['search.emulate-release', '1.2.1']);
    assert.equal(await c.send(['CONFIG', 'SET', 'search.emulate-release', '1.0.0']), 'OK');
    await c.send(['FT.DROPINDEX', 'compat', 'DD']);
  } finally {
    c.close();
  }
});
