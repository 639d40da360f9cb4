// multi.test.js - transactions through the in-process API: db.multi() and
// execMulti (replies, shapes, null when a WATCH aborts, EXECABORT with the
// queue-time errors, nothing applied), command('MULTI') ... command('EXEC')
// on the default client, engine clients of their own, and the gate: EXEC
// held back by a save like a write, refused on a read-only store when it
// writes (the transaction discarded, as Redis's execCommandAbort), a
// queued write refused there dooming the transaction, the index work after
// an EXEC that ran FT.CREATE, the journal's MULTI ... EXEC replayed on
// reopen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';
import { MemoryStorage } from '../../js/storage/memory.js';

test('db.multi(): replies in order, shaped conveniences, run-time errors in place', async () => {
  const db = await open();
  const out = await db.multi().hset('h', { a: '1', b: 2 }).hgetall('h').command('SET', 's', 'x').command('HGET', 's', 'a')
    .hget('h', 'b').del('s').exists('h', 's').exec();
  assert.equal(out.length, 7);
  assert.deepEqual(out.slice(0, 3), [2, { a: '1', b: '2' }, 'OK']);
  assert.ok(out[3] instanceof ReplyError);
  assert.match(out[3].message, /^WRONGTYPE/);
  assert.deepEqual(out.slice(4), ['2', 1, 1]);
  assert.deepEqual(await db.multi().exec(), []);
  // binary
  const [v] = await db.multi().hget('h', 'a').exec({ binary: true });
  assert.deepEqual(v, new Uint8Array([49]));
  await db.close();
});

test('db.multi(): a queue-time error rejects with EXECABORT and applies nothing', async () => {
  const db = await open();
  await db.command('SET', 'k', 'before');
  await assert.rejects(db.multi().command('SET', 'k', 'after').command('HSET', 'k').command('NOPE').exec(), (e) => {
    assert.ok(e instanceof ReplyError);
    assert.equal(e.message, 'EXECABORT Transaction discarded because of previous errors.');
    assert.deepEqual(e.errors.map((x) => x.message), ["ERR wrong number of arguments for 'hset' command",
      "ERR unknown command 'NOPE', with args beginning with: "]);
    return true;
  });
  assert.equal(await db.command('GET', 'k'), 'before');
  // The default client is out of MULTI again.
  assert.deepEqual(db.clientState(), { multi: false, dirty: false, doomed: false, queued: 0 });
  await db.close();
});

test('WATCH on the default client: db.multi().exec() is null once the key changed, by anyone', async () => {
  const db = await open();
  const other = db.openClient();
  await db.command('WATCH', 'w');
  await db.commandRaw(['SET', 'w', 'changed'], { client: other });
  assert.equal(await db.multi().command('SET', 'result', '1').exec(), null);
  assert.equal(await db.command('GET', 'result'), null);
  // unchanged: runs
  await db.command('WATCH', 'w');
  assert.deepEqual(await db.multi().command('SET', 'result', '1').exec(), ['OK']);
  // command('MULTI') ... command('EXEC') works the same way
  await db.command('WATCH', 'w');
  await db.command('SET', 'w', 'again');
  assert.equal(await db.command('MULTI'), 'OK');
  assert.equal(await db.command('SET', 'result', '2'), 'QUEUED');
  assert.equal(await db.command('EXEC'), null);
  // a MULTI opened with command() makes db.multi() refuse (nested)
  await db.command('MULTI');
  await assert.rejects(db.multi().command('GET', 'x').exec(), /MULTI calls can not be nested/);
  assert.equal(await db.command('DISCARD'), 'OK');
  db.closeClient(other);
  await db.close();
});

test('the gate: a read-only store refuses a queued write (EXECABORT) and an EXEC that writes; reads run', async () => {
  const db = await open();
  await db.command('SET', 'k', 'v');
  db.readOnly = true;
  await db.command('MULTI');
  await assert.rejects(db.command('SET', 'k', 'x'), /^ReplyError: READONLY/);
  assert.equal(await db.command('GET', 'k'), 'QUEUED');
  await assert.rejects(db.command('EXEC'), { message: 'EXECABORT Transaction discarded because of previous errors.' });
  // Queued while writable, EXEC once read-only: discarded as a whole.
  db.readOnly = false;
  await db.command('MULTI');
  await db.command('SET', 'k', 'x');
  db.readOnly = true;
  await assert.rejects(db.command('EXEC'), {
    message: "EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.",
  });
  assert.equal(db.clientState().multi, false);
  assert.equal(await db.command('GET', 'k'), 'v');
  // Reads only: EXEC runs.
  await db.command('MULTI');
  await db.command('GET', 'k');
  assert.deepEqual(await db.command('EXEC'), ['v']);
  // The RESP path answers the same bytes.
  db.readOnly = false;
  db.commandRaw(['MULTI']);
  db.commandRaw(['SET', 'k', 'y']);
  db.readOnly = true;
  const raw = new TextDecoder().decode(db.commandRaw(['EXEC']));
  assert.equal(raw, "-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n");
  await db.close();
});

test('the gate: EXEC with writes waits for a save in progress; its journal records replay on reopen', async () => {
  const storage = new MemoryStorage();
  const db = await open({ storage, durability: 'always', autosave: false });
  for (let i = 0; i < 2000; i++) await db.hset(`pre:${i}`, { v: 'x'.repeat(100) });
  await db.command('MULTI');
  await db.command('HSET', 'tx:a', 'f', '1');
  await db.command('SET', 'tx:b', '2');
  await db.command('GET', 'tx:b');
  const order = [];
  const saving = db.save().then(() => order.push('save'));
  const exec = db.command('EXEC').then((r) => {
    order.push('exec');
    return r;
  });
  assert.deepEqual(await exec, [1, 'OK', '2']);
  await saving;
  assert.deepEqual(order, ['save', 'exec']);
  // A read-only transaction is not held back.
  const journal = async () => {
    const names = await storage.list();
    const j = names.filter((n) => n.startsWith('journal-')).sort().pop();
    return Buffer.concat(storage.blobs.get(j)).toString('latin1');
  };
  await db.multi().command('HSET', 'tx:c', 'f', '3').command('DEL', 'tx:b').exec();
  await db.multi().command('GET', 'tx:c').exec(); // records nothing
  const text = await journal();
  assert.match(text, /\*1\r\n\$5\r\nMULTI\r\n\*4\r\n\$4\r\nHSET\r\n\$4\r\ntx:c[^]*\*1\r\n\$4\r\nEXEC\r\n\*2\r\n\$4\r\nPING\r\n\$26\r\nvessel-ck:/);
  // The held EXEC ran after the save: its records open the new journal;
  // the read-only transaction recorded nothing.
  assert.equal(text.split('MULTI').length - 1, 2, 'two transactions recorded');
  await db.close();
  const again = await open({ storage });
  assert.deepEqual(await again.hgetall('tx:a'), { f: '1' });
  assert.deepEqual(await again.hgetall('tx:c'), { f: '3' });
  assert.equal(await again.command('EXISTS', 'tx:b'), 0);
  await again.close();
});

test('an EXEC that ran FT.CREATE starts the backfill (the index-change work)', async () => {
  const db = await open();
  for (let i = 0; i < 50; i++) await db.hset(`doc:${i}`, { t: i % 2 ? 'a' : 'b' });
  const out = await db.multi().createIndex('idx', { prefix: 'doc:', schema: { t: { type: 'TAG' } } }).command('HSET', 'doc:x', 't', 'a').exec();
  assert.deepEqual(out, ['OK', 1]);
  // No indexReady() here (it would kick the work itself): the EXEC did.
  for (let i = 0; i < 200 && (await db.indexInfo('idx')).backfill_in_progress !== '0'; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal((await db.indexInfo('idx')).num_docs, 51);
  const { total } = await db.search('idx', '@t:{a}');
  assert.equal(total, 26);
  await db.close();
});
