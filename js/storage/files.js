// storage/files.js - a storage adapter over a directory (Node.js).
//
// write(): into a temporary file, fsync, rename over the name, fsync the
// directory, so a blob is either the old one or the complete new one.
// append()/sync(): the journal is kept open for appending; sync() is
// fdatasync.  lock(): one writer per directory (a LOCK file holding the
// owner's pid; a lock left by a dead process is taken over, and the
// temporary files of its interrupted writes removed).

import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const CHUNK = 1 << 20;
const held = new Set(); // directories this process holds the lock of

export class FileStorage {
  /** @param {string} dir */
  constructor(dir) {
    this.dir = dir;
    this.appenders = new Map(); // name -> FileHandle
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
      throw e;
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
      if (created) await this.syncDir(); // the new file's name is durable too
    }
    return f;
  }

  async append(name, bytes) {
    const f = await this.appender(name);
    await f.write(bytes);
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
      await f.close();
    }
  }

  async delete(name) {
    await this.closeAppender(name);
    await unlink(this.path(name)).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /** One writer per directory. */
  async lock() {
    await this.ready;
    const p = join(this.dir, 'LOCK');
    const key = resolve(this.dir);
    const busy = (who) => {
      const e = new Error(`vessel: ${this.dir} is open in ${who}`);
      e.code = 'VESSEL_LOCKED';
      return e;
    };
    if (held.has(key)) throw busy('this process already');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(p, String(process.pid), { flag: 'wx' });
        held.add(key);
        // We are the only writer: temporary files are left by a crash.
        for (const n of await readdir(this.dir)) {
          if (n.includes('.tmp-')) await unlink(join(this.dir, n)).catch(() => {});
        }
        return {
          release: async () => {
            held.delete(key);
            await unlink(p).catch(() => {});
          },
        };
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
        const owner = Number(await readFile(p, 'utf8').catch(() => '0'));
        if (held.has(key)) throw busy('this process already');
        let alive = false;
        // Our own pid in a LOCK we do not hold: left by an earlier process
        // that had the same pid (common in containers), so stale.
        if (owner && owner !== process.pid) {
          try {
            process.kill(owner, 0);
            alive = true;
          } catch (err) {
            alive = err.code === 'EPERM';
          }
        }
        if (alive) throw busy(`another process (pid ${owner})`);
        await unlink(p).catch(() => {}); // stale lock of a dead process
      }
    }
    throw new Error(`vessel: cannot lock ${this.dir}`);
  }

  async close() {
    for (const name of [...this.appenders.keys()]) await this.closeAppender(name);
  }
}
