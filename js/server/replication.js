// server/replication.js - vessel-server as a primary of Redis's
// replication protocol, so Redis's own tools take a store's data:
//
//   redis-cli -p PORT --rdb dump.rdb      the store as an RDB file (SYNC, REPLCONF rdb-only)
//   REPLICAOF host PORT   (on Redis or Valkey)  a live copy: the RDB, then every write as it happens;
//                                               REPLICAOF NO ONE ends it, and that server carries on
//
// A full synchronization sends the store as an RDB file in the diskless
// form (`$EOF:<40-byte mark>\r\n`, the file, the mark: its size is not
// known in advance), then, unless the replica asked for the file only,
// the FT.CREATE commands of the store's indexes (a replica with a search
// module rebuilds them from the hashes) and from then on the journal
// records of every write, as Redis's replication stream carries them.
// The records continue the file exactly: the replica starts receiving
// them at the moment the file's contents were fixed (writes are held
// while the file streams), and reach it once it has loaded the file (its
// first REPLCONF ACK: a replica looks for the end mark at the end of what
// it has read).  A replica's own requests are read and never
// answered, as a primary does; its REPLCONF ACK <offset> says how much of
// the stream it has applied, which WAIT counts.  A PING goes to it every
// 10 seconds so it does not time out while nothing is written.
//
// Offsets: the stream after the file starts at 0 (FULLRESYNC's offset),
// and every byte sent after the file's end mark counts, as the replica
// counts what it applies.

import { randomBytes } from 'node:crypto';
import { RequestParser } from '../protocol.js';
import * as R from '../resp-write.js';
import { arity, td } from './replies.js';

const EOF_MARK = 40;
const PING_EVERY_MS = 10_000;
const PING = new TextEncoder().encode('*1\r\n$4\r\nPING\r\n');
const OUTPUT_LIMIT = 256 << 20; // client-output-buffer-limit replica 256mb: a replica that far behind is dropped
const GETACK = new TextEncoder().encode('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n');

/** REPLCONF: the options replicas and redis-cli send before SYNC/PSYNC. */
export function replconf(server, c, args) {
  if (args.length % 2 === 0) return R.error('ERR syntax error');
  for (let i = 1; i < args.length; i += 2) {
    const opt = td.decode(args[i]).toLowerCase();
    const val = td.decode(args[i + 1]);
    switch (opt) {
      case 'listening-port':
      case 'ip-address':
      case 'capa':
      case 'rdb-filter-only':
        break;
      case 'rdb-only':
        if (val !== '0' && val !== '1') return R.error('ERR Invalid value for rdb-only');
        c.rdbOnly = val === '1';
        break;
      case 'ack':
      case 'getack':
        return null; // never answered
      default:
        return R.error(`ERR Unrecognized REPLCONF option: ${td.decode(args[i])}`);
    }
  }
  return R.OK;
}

/**
 * SYNC, or PSYNC (answered with a full resynchronization): the
 * connection becomes a replica of the store.  Resolves to null (nothing
 * more is answered on this connection).
 */
export async function sync(server, c, args) {
  const psync = td.decode(args[0]).toLowerCase() === 'psync';
  if (psync ? args.length !== 3 : args.length !== 1) return arity(psync ? 'psync' : 'sync');
  const db = server.db;
  const sock = c.socket;
  c.replica = true; // from here on its requests are read for ACKs only
  c.replOffset = 0; // stream bytes sent after the file
  c.ackOffset = -1; // what the replica says it applied (-1: nothing yet)
  c.replParser = new RequestParser();
  await null; // the replies before this one go out first (the caller flushes them)
  server.replicas.add(c);
  const replid = randomBytes(20).toString('hex');
  const mark = randomBytes(EOF_MARK / 2).toString('hex');
  const pending = [];
  let pendingBytes = 0;
  let live = false;
  c.replLive = false; // WAIT counts a replica once the stream reaches it
  let stop = null;
  let timer = null;
  const send = (bytes) => {
    if (sock.destroyed) return;
    if (sock.writableLength > OUTPUT_LIMIT) {
      server.log(`replica ${c.addr}: over ${OUTPUT_LIMIT} bytes behind, disconnected`);
      sock.destroy();
      return;
    }
    sock.write(bytes);
    if (live) c.replOffset += bytes.length;
  };
  // As Redis's repl-timeout: a replica that takes nothing for that long
  // (the file, or its first ACK) is dropped, so it cannot hold writes
  // back or make records pile up.
  const stalled = (what) => {
    server.log(`replica ${c.addr}: no progress in ${server.replTimeout} ms (${what}), disconnected`);
    sock.destroy();
  };
  // Wait for `arm`'s event (it arms `done` and returns its disarming), or
  // the connection's end, at most repl-timeout.
  const within = (what, arm) => new Promise((resolve) => {
    const t = setTimeout(() => {
      stalled(what);
      resolve();
    }, server.replTimeout);
    const done = () => {
      clearTimeout(t);
      disarm();
      sock.off('close', done);
      resolve();
    };
    const disarm = arm(done);
    sock.once('close', done);
  });
  const drained = (done) => {
    sock.once('drain', done);
    return () => sock.off('drain', done);
  };
  const acked = (done) => {
    c.onAck = done;
    return () => (c.onAck = null);
  };
  const gone = () => {
    if (!sock.destroyed) return false;
    end();
    return true;
  };
  const queue = (b) => {
    pending.push(b);
    pendingBytes += b.length;
    if (pendingBytes > OUTPUT_LIMIT && !sock.destroyed) {
      server.log(`replica ${c.addr}: over ${OUTPUT_LIMIT} bytes of writes waiting for it, disconnected`);
      sock.destroy();
    }
  };
  const end = () => {
    c.replLive = false;
    stop?.();
    stop = null;
    clearInterval(timer);
    server.replicas.delete(c);
  };
  sock.once('close', end);
  if (psync) send(R.status(`FULLRESYNC ${replid} 0`));
  send(`$EOF:${mark}\r\n`);
  let bytes = 0;
  let script = null; // the indexes as the file's moment has them
  try {
    const file = db.exportRdb({
      onBegin: () => {
        if (c.rdbOnly) return;
        script = db.indexScript({ format: 'resp' });
        stop = db.replicate((b) => (live ? send(b) : queue(b)));
      },
    });
    for await (const chunk of file) {
      if (sock.destroyed) break; // leaving the loop ends the export
      bytes += chunk.length;
      if (!sock.write(chunk)) await within('the file', drained);
    }
  } catch (e) {
    server.log(`replica ${c.addr}: the RDB export failed: ${e.message}`);
    sock.destroy();
    end();
    return null;
  }
  if (gone()) return null;
  send(mark);
  server.log(`replica ${c.addr}: ${bytes} bytes of RDB sent${c.rdbOnly ? ' (file only)' : ', streaming writes'}`);
  if (c.rdbOnly) {
    end();
    return null;
  }
  // Indexes first: a replica with a search module builds them from the
  // hashes it just loaded (a server without one answers an error it logs).
  // A replica finds the end mark only at the end of what it has read, so
  // nothing follows it until the replica says it loaded the file (its
  // first REPLCONF ACK), as Redis's primary waits after a diskless transfer.
  if (c.ackOffset < 0) await within('first ACK', acked);
  if (gone()) return null;
  const commands = await script;
  if (gone()) return null;
  live = true;
  c.replLive = true;
  if (commands.length) send(commands);
  for (const b of pending) send(b);
  pending.length = 0;
  pendingBytes = 0;
  timer = setInterval(() => send(PING), PING_EVERY_MS);
  timer.unref?.();
  return null;
}

/** Bytes a replica sent: its REPLCONF ACK <offset> requests are read, the rest dropped. */
export function replicaInput(server, c, chunk) {
  c.replParser.push(chunk);
  for (let r; (r = c.replParser.next()); ) {
    if (r.error) return;
    const a = r.args.map((x) => td.decode(x).toLowerCase());
    if (a.length >= 3 && a[0] === 'replconf' && a[1] === 'ack' && /^\d+$/.test(a[2])) {
      c.ackOffset = Math.max(c.ackOffset, Number(a[2]));
      c.onAck?.();
      server.ackWaiters.forEach((w) => w());
    }
  }
}

/**
 * WAIT numreplicas timeout: resolves to the number of replicas that have
 * applied every write sent so far (asking the others with REPLCONF
 * GETACK), once numreplicas have or the timeout (ms, 0: none) passes.
 */
export function wait(server, c, args) {
  if (args.length !== 3) return arity('wait');
  const n = td.decode(args[1]);
  const t = td.decode(args[2]);
  if (!/^-?\d+$/.test(n)) return R.error('ERR value is not an integer or out of range');
  if (!/^-?\d+$/.test(t)) return R.error('ERR timeout is not an integer or out of range');
  const want = Number(n);
  const timeout = Number(t);
  if (timeout < 0) return R.error('ERR timeout is negative');
  const targets = new Map([...server.replicas].filter((r) => r.replLive).map((r) => [r, r.replOffset]));
  const acked = () => [...targets].filter(([r, off]) => r.ackOffset >= off && !r.socket.destroyed).length;
  if (acked() >= want || !targets.size) return R.int(acked());
  for (const [r, off] of targets) {
    if (r.ackOffset >= off || r.socket.destroyed) continue;
    r.socket.write(GETACK);
    r.replOffset += GETACK.length;
  }
  return new Promise((resolve) => {
    let timer = null;
    const done = () => {
      server.ackWaiters.delete(check);
      clearTimeout(timer);
      resolve(R.int(acked()));
    };
    const check = () => {
      if (acked() >= want) done();
    };
    server.ackWaiters.add(check);
    if (timeout > 0) timer = setTimeout(done, timeout);
  });
}

/** The INFO replication section's lines. */
export function replicationInfo(server) {
  const lines = ['# Replication', 'role:master', `connected_slaves:${server.replicas.size}`];
  const offset = Math.max(0, ...[...server.replicas].map((c) => c.replOffset));
  let i = 0;
  for (const c of server.replicas) {
    const [ip, port] = [c.socket.remoteAddress, c.socket.remotePort];
    lines.push(`slave${i++}:ip=${ip},port=${port},state=${c.replLive ? 'online' : 'wait_bgsave'},offset=${Math.max(0, c.ackOffset)},lag=0`);
  }
  lines.push(`master_repl_offset:${offset}`);
  return lines;
}
