// storage/files.js - a storage adapter over a directory (Node.js).
//
// write(): into a temporary file, fsync, rename over the name, fsync the
// directory, so a blob is either the old one or the complete new one.
// append()/sync(): the journal is kept open for appending; sync() is
// fdatasync.  lock(): one writer per directory, held by an OS object the
// kernel releases when the process dies however it dies (SIGKILL, OOM):
// on Linux an abstract-namespace Unix socket named after the directory's
// device and inode; on Windows a named pipe; elsewhere a Unix socket file
// (a leftover one is stale when nothing accepts on it).  A LOCK file
// records the holder's pid and start time for people and error messages
// only: a bare pid is never trusted (pids are reused).
//
// A full disk (ENOSPC, EDQUOT) follows the storage contract of full
// storages: a write removes its temporary file, an append cuts what it
// wrote of its bytes, and both throw code 'VESSEL_QUOTA' with the blob as
// it was (the store then refuses writes until the journal takes them).

import { createHash } from 'node:crypto';
import { constants, createReadStream, readFileSync } from 'node:fs';
import { mkdir, open, readFile, readdir, realpath, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { quotaError } from './chunks.js';

const CHUNK = 1 << 20;
const held = new Set(); // directories this process holds the lock of

/** A full disk as the storage contract's quota error (others unchanged). */
function full(e, dir, what) {
  return e?.code === 'ENOSPC' || e?.code === 'EDQUOT' ? quotaError(`the directory ${dir}`, what, e) : e;
}

export class FileStorage {
  /** @param {string} dir */
  constructor(dir) {
    this.dir = dir;
    this.appenders = new Map(); // name -> FileHandle
    this.ends = new Map(); // name -> its size, while it has an appender
    this.ready = mkdir(dir, { recursive: true });
  }

  path(name) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`vessel: bad blob name ${name}`);
    return join(this.dir, name);
  }

  async read(name) {
    await this.ready;
    const p = this.path(name);
    try {
      await stat(p);
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
    return createReadStream(p, { highWaterMark: CHUNK });
  }

  async syncDir() {
    const d = await open(this.dir, constants.O_RDONLY);
    try {
      await d.sync();
    } catch {
      // Some filesystems refuse fsync on directories; rename is still atomic.
    } finally {
      await d.close();
    }
  }

  async write(name, chunks) {
    await this.ready;
    const final = this.path(name);
    const tmp = `${final}.tmp-${process.pid}`;
    const f = await open(tmp, 'w');
    try {
      for await (const c of chunks) await f.write(c);
      await f.sync();
    } catch (e) {
      await f.close();
      await unlink(tmp).catch(() => {});
      throw full(e, this.dir, `write ${name}`);
    }
    await f.close();
    await rename(tmp, final);
    await this.syncDir();
  }

  async appender(name) {
    let f = this.appenders.get(name);
    if (!f) {
      await this.ready;
      const created = !(await stat(this.path(name)).catch(() => null));
      f = await open(this.path(name), 'a');
      this.appenders.set(name, f);
      this.ends.set(name, (await f.stat()).size);
      if (created) await this.syncDir(); // the new file's name is durable too
    }
    return f;
  }

  async append(name, bytes) {
    const f = await this.appender(name);
    const end = this.ends.get(name);
    try {
      for (let off = 0; off < bytes.length; ) off += (await f.write(bytes, off, bytes.length - off)).bytesWritten;
      this.ends.set(name, end + bytes.length);
    } catch (e) {
      // Cut what went in of these bytes: the blob is as it was.
      await f.truncate(end).catch(() => {});
      throw full(e, this.dir, `append ${bytes.length} bytes to ${name}`);
    }
  }

  async sync(name) {
    const f = this.appenders.get(name);
    if (f) await f.datasync();
  }

  async truncate(name, length) {
    await this.closeAppender(name);
    await truncate(this.path(name), length);
    const f = await open(this.path(name), 'r+');
    await f.sync();
    await f.close();
  }

  async size(name) {
    try {
      return (await stat(this.path(name))).size;
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
  }

  async list() {
    await this.ready;
    return (await readdir(this.dir)).filter((n) => !n.includes('.tmp-'));
  }

  async closeAppender(name) {
    const f = this.appenders.get(name);
    if (f) {
      this.appenders.delete(name);
      this.ends.delete(name);
      await f.close();
    }
  }

  async delete(name) {
    await this.closeAppender(name);
    await unlink(this.path(name)).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /** Remove the temporary files of interrupted writes (call only while holding the lock). */
  async removeTemporary() {
    await this.ready;
    for (const n of await readdir(this.dir)) {
      if (n.includes('.tmp-')) await unlink(join(this.dir, n)).catch(() => {});
    }
  }

  /** One writer per directory; rejects with code VESSEL_LOCKED when held. */
  async lock() {
    await this.ready;
    const real = await realpath(this.dir);
    const { dev, ino } = await stat(real);
    const key = `${dev}:${ino}`;
    const info = join(this.dir, 'LOCK');
    const busy = async (who) => {
      let holder = '';
      try {
        const h = JSON.parse(await readFile(info, 'utf8'));
        if (Number.isInteger(h.pid)) holder = ` (pid ${h.pid}${h.host ? ` on ${h.host}` : ''})`;
      } catch {
        // no readable LOCK file: the holder is still the holder
      }
      const e = new Error(`vessel: ${this.dir} is open in ${who}${holder}`);
      e.code = 'VESSEL_LOCKED';
      return e;
    };
    if (held.has(key)) throw await busy('this process already');
    held.add(key); // taken synchronously: a second open in this process waits for nothing
    let server;
    try {
      server = await listenLock(key, real);
    } catch (e) {
      held.delete(key);
      if (e.code === 'EADDRINUSE') throw await busy('another process');
      throw e;
    }
    let released = false;
    let announced = false;
    return {
      /** Write the LOCK file: who holds the store (information only, never read to decide anything). */
      announce: async () => {
        if (released) return;
        announced = true;
        const who = { pid: process.pid, started: processStart(), host: hostname(), lockedAt: new Date().toISOString() };
        await writeFile(info, `${JSON.stringify(who)}\n`).catch(() => {});
      },
      release: async () => {
        if (released) return;
        released = true;
        if (announced) await unlink(info).catch(() => {});
        await new Promise((r) => server.close(() => r()));
        if (server.lockFile) await unlink(server.lockFile).catch(() => {});
        held.delete(key);
      },
    };
  }

  async close() {
    for (const name of [...this.appenders.keys()]) await this.closeAppender(name);
  }
}

/** Listen on the OS object that is this directory's lock. */
async function listenLock(key, real) {
  const id = createHash('sha256').update(key).digest('hex').slice(0, 32);
  const listen = (path) =>
    new Promise((resolve, reject) => {
      const server = net.createServer((sock) => sock.destroy());
      server.once('error', reject);
      server.listen({ path, exclusive: true }, () => {
        server.off('error', reject);
        server.unref();
        resolve(server);
      });
    });
  if (process.platform === 'linux') return listen(`\0vessel-lock-${id}`);
  if (process.platform === 'win32') return listen(`\\\\.\\pipe\\vessel-lock-${id}`);
  // A socket file: in the directory when its path is short enough for
  // sun_path, else in the temporary directory, named after the inode.
  let path = join(real, 'LOCK.sock');
  if (Buffer.byteLength(path) > 100) path = join(tmpdir(), `vessel-lock-${id}.sock`);
  for (let attempt = 0; ; attempt++) {
    try {
      const s = await listen(path);
      s.lockFile = path;
      return s;
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || attempt) throw e;
      // Someone listening on it holds the lock; a leftover socket of a dead process refuses connections.
      const live = await new Promise((resolve) => {
        const c = net.connect({ path }, () => {
          c.destroy();
          resolve(true);
        });
        c.once('error', (err) => resolve(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
      });
      if (live) throw e;
      await unlink(path).catch(() => {});
    }
  }
}

let startCache;
/** This process's start time (clock ticks since boot, from /proc; else the epoch ms estimate). */
function processStart() {
  if (startCache !== undefined) return startCache;
  try {
    // field 22 of /proc/self/stat, after the parenthesised command name
    const text = readFileSync('/proc/self/stat', 'utf8');
    startCache = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    startCache = Math.round(Date.now() - process.uptime() * 1000);
  }
  return startCache;
}
