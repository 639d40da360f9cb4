// expiry-writer.js - the child of expiry.test.js: writes keys with expiry
// times into a file store (durability always) under a clock that moves
// one second per write, reclaims what has expired after each write (the
// DEL records go to the journal), and prints `ack <i> <now>` once write i
// is durable.  Killed at a random moment by the parent.
import { open } from '../../js/node.js';

const dir = process.argv[2];
let now = 1_000_000;
const db = await open({ dir, durability: 'always', clock: () => now, activeExpiry: false, autosave: false });
for (let i = 0; ; i++) {
  now = 1_000_000 + i * 1000;
  const k = `k${i}`;
  if (i % 3 === 0) await db.command('SET', k, 'v', 'PXAT', String(now + 5000));
  else if (i % 3 === 1) {
    await db.hset(k, { f: String(i) });
    await db.command('PEXPIRE', k, '5000');
  } else {
    await db.command('SET', k, 'v', 'EX', '1000');
    await db.command('PERSIST', k);
  }
  db.expireNow(); // reclaims the keys written five writes ago
  if (i % 50 === 49) await db.save();
  process.stdout.write(`ack ${i} ${now}\n`);
}
