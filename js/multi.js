// multi.js - a transaction being built: chainable methods queue commands,
// exec() hands them to the store's execMulti (MULTI, the commands, EXEC in
// one engine turn).  Shared by the in-process store (Vessel.multi()) and
// the Web Worker client (VesselWorker.multi()), which both offer execMulti.

import { ReplyError } from './resp.js';
import { createArgs } from './search.js';

const fromUtf8 = new TextDecoder();

/**
 * A transaction being built (Vessel.multi()): chainable methods queue
 * commands; exec() runs them as MULTI ... EXEC.  Replies of the
 * conveniences are shaped as theirs are (hgetall: an object).
 */
export class Multi {
  #db;
  #commands = [];
  #shapes = [];

  constructor(db) {
    this.#db = db;
  }

  /** Queue any command. */
  command(name, ...args) {
    return this.#add([name, ...args]);
  }

  #add(args, shape = null) {
    this.#commands.push(args);
    this.#shapes.push(shape);
    return this;
  }

  hset(key, fields) {
    const args = ['HSET', key];
    if (fields instanceof Map) {
      for (const [f, v] of fields) args.push(f, v);
    } else {
      for (const f in fields) args.push(f, fields[f]);
    }
    return this.#add(args);
  }

  hget(key, field) {
    return this.#add(['HGET', key, field]);
  }

  hmget(key, fields) {
    return this.#add(['HMGET', key, ...fields]);
  }

  hgetall(key) {
    return this.#add(['HGETALL', key], (flat) => {
      const out = {};
      for (let i = 0; i < flat.length; i += 2) {
        const f = flat[i];
        out[typeof f === 'string' ? f : fromUtf8.decode(f)] = flat[i + 1];
      }
      return out;
    });
  }

  del(...keys) {
    return this.#add(['DEL', ...keys]);
  }

  exists(...keys) {
    return this.#add(['EXISTS', ...keys]);
  }

  createIndex(name, definition) {
    return this.#add(['FT.CREATE', ...createArgs(name, definition)]);
  }

  dropIndex(name, { deleteDocuments = false } = {}) {
    return this.#add(deleteDocuments ? ['FT.DROPINDEX', name, 'DD'] : ['FT.DROPINDEX', name]);
  }

  /** Commands queued so far. */
  get length() {
    return this.#commands.length;
  }

  /**
   * Run the transaction: the replies in order (run-time errors in place as
   * ReplyError), or null when a watched key changed; rejects with the
   * EXECABORT error when a command was refused while queueing.
   * @param {{ binary?: boolean }} [options] bulk replies as Uint8Array
   */
  async exec(options = {}) {
    const out = await this.#db.execMulti(this.#commands, options);
    if (out === null) return null;
    return out.map((v, i) => (this.#shapes[i] && !(v instanceof ReplyError) ? this.#shapes[i](v) : v));
  }
}
