// server/connection.js - one client connection of vessel-server: reading
// requests (js/protocol.js, with Redis's limits and errors), running them
// in order, and writing the replies.
//
// Invariants:
// - Requests of a connection run one at a time, in order; what arrives
//   while one is running waits in a queue (past 1 MiB queued, the socket
//   is paused until the queue drains).
// - Replies are gathered and written together, one write per batch of
//   pipelined requests (or per MiB), never one per reply.
// - Whole runs of plain RESP requests go to the store's pipelineRaw (the
//   engine parses and runs them straight from their bytes); the rest go
//   one by one through commands.js.
// - Each connection is an engine client of its own (Vessel.openClient):
//   its MULTI, queued commands and watched keys, ended with the
//   connection.  While its transaction holds commands the server answers
//   itself (commands.js), requests take the one-by-one path so EXEC's
//   reply can be completed with theirs.
// - A client that does not read its replies (over 32 MiB unsent) is not
//   served until it does; one whose unparsed input passes 1 GiB is
//   dropped.  A protocol error answers and closes that connection only.

import { RequestParser } from '../protocol.js';
import * as R from '../resp-write.js';
import { execute } from './commands.js';
import { replicaInput } from './replication.js';

const OUTPUT_PAUSE = 32 << 20; // stop reading a client whose unsent replies pass this
const QUERY_LIMIT = 1 << 30; // client-query-buffer-limit
const FAST_MAX = 256 << 10; // larger unparsed input (big values) goes through the JS parser

export class Connection {
  /**
   * @param {import('./vessel-server.js').VesselServer} server
   * @param {import('node:net').Socket} socket
   * @param {number} id
   */
  constructor(server, socket, id) {
    this.server = server;
    this.id = id;
    this.socket = socket;
    this.parser = new RequestParser({ copy: false }); // arguments are used before more is read
    this.proto = 2;
    this.name = '';
    this.lib = { name: '', ver: '' };
    this.authed = !server.requirepass;
    this.created = Date.now();
    this.last = Date.now();
    this.lastCmd = 'NULL';
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = `${socket.localAddress}:${socket.localPort}`;
    this.busy = false;
    this.queue = [];
    this.queued = 0;
    this.closing = false;
    this.client = server.db.openClient(); // the engine client: transactions, watched keys
    this.front = []; // server commands queued in the transaction: { index, args }
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('drain', () => {
      if (!this.busy) socket.resume();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closing = true;
      server.clients.delete(this.id);
      server.db.closeClient(this.client); // discards its transaction, unwatches
    });
  }

  #onData(chunk) {
    if (this.closing) return;
    if (this.replica) {
      replicaInput(this.server, this, chunk); // REPLCONF ACK, never answered
      return;
    }
    this.last = Date.now();
    if (this.busy) {
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (this.queued > 1 << 20) this.socket.pause(); // resumed when the queue is drained
      return;
    }
    this.parser.push(chunk);
    this.#pump();
  }

  /** Run every complete request, in order, writing the replies in batches. */
  async #pump() {
    this.busy = true;
    const { server, socket: sock } = this;
    const db = server.db;
    let out = [];
    let outBytes = 0;
    const flush = () => {
      if (!out.length) return;
      if (!sock.destroyed) sock.write(out.length === 1 ? out[0] : Buffer.concat(out, outBytes));
      out = [];
      outBytes = 0;
    };
    try {
      for (;;) {
        let r;
        for (;;) {
          if (this.closing || this.replica) break;
          // The fast path: whole runs of plain requests answered by the
          // engine in one call, straight from their bytes.
          if (this.authed && !this.front.length) {
            const view = this.parser.unparsed();
            if (view && view.length > 0 && view.length <= FAST_MAX && view[0] === 42) {
              const b = db.pipelineRaw(view, this.proto, this.client);
              if (b && b.consumed > 0) {
                this.parser.skip(b.consumed);
                server.stats.commands += b.ran;
                if (b.durable) {
                  flush();
                  const failed = await b.durable.then(() => null, (e) => e);
                  if (failed) {
                    // Not durable: the client must not take these as acknowledged.
                    out.push(R.error(failed.message)); // MISCONF ... (js/vessel.js)
                    this.closing = true;
                    break;
                  }
                }
                out.push(b.replies);
                outBytes += b.replies.length;
                if (outBytes > 1 << 20) flush();
                if (sock.writableLength > OUTPUT_PAUSE) await drained(sock, flush);
                continue;
              }
            }
          }
          if (this.replica || !(r = this.parser.next())) break;
          if (r.error) {
            out.push(R.error(r.error));
            this.closing = true;
            break;
          }
          let reply = execute(server, this, r.args);
          if (reply instanceof Promise) {
            flush();
            reply = await reply;
          }
          if (reply) {
            out.push(reply);
            outBytes += reply.length;
          }
          if (outBytes > 1 << 20) flush();
          if (sock.writableLength > OUTPUT_PAUSE) await drained(sock, flush);
        }
        flush();
        if (this.closing) sock.end();
        if (this.closing) return;
        if (this.parser.pending > QUERY_LIMIT) {
          server.log(`closing client ${this.addr}: query buffer over ${QUERY_LIMIT} bytes`);
          sock.destroy();
          return;
        }
        if (!this.queue.length) break;
        for (const q of this.queue) this.parser.push(q);
        this.queue = [];
        this.queued = 0;
        if (sock.isPaused() && sock.writableLength <= OUTPUT_PAUSE) sock.resume();
      }
    } catch (e) {
      server.log(`client ${this.addr}: ${e.stack ?? e}`);
      sock.destroy();
    } finally {
      this.busy = false;
      if (!this.closing && sock.isPaused() && sock.writableLength <= OUTPUT_PAUSE) sock.resume();
    }
  }
}

/** The client is not reading its replies: stop serving it until it does. */
async function drained(sock, flush) {
  flush();
  await new Promise((resolve) => {
    sock.once('drain', resolve);
    sock.once('close', resolve);
  });
}
