// server/vessel-server.js - the VesselServer class: a Vessel store behind
// a TCP listener speaking the Redis protocol.  It holds the settings
// (which CONFIG reads and changes), the connections and the statistics;
// connection.js serves each connection, commands.js answers requests, and
// persistence.js opens the store.
//
// The server uses only the store's public interface (js/index.d.ts).

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Connection } from './connection.js';
import { VERSION } from './introspection.js';
import { openStore, parseMemory } from './persistence.js';

const isLoopback = (addr) => addr === 'localhost' || addr === '::1' || /^127\./.test(addr);

export class VesselServer {
  /**
   * @param {{ port?: number, bind?: string, dir?: string, appendfsync?: string, save?: string,
   *           requirepass?: string, maxmemory?: string|number, maxclients?: number, cluster?: boolean, databases?: number, clusterDatabases?: number,
   *           repairJournal?: boolean, recoverManifest?: boolean, replTimeout?: number, log?: (line: string) => void,
   *           onShutdown?: () => void }} [options]
   */
  constructor(options = {}) {
    this.port = options.port ?? 6379;
    this.bind = options.bind ?? '127.0.0.1';
    this.dir = options.dir ?? null;
    this.appendfsync = options.appendfsync ?? 'everysec';
    this.save = options.save ?? '3600 1 300 100 60 10000';
    this.requirepass = options.requirepass ?? '';
    this.maxmemory = parseMemory(options.maxmemory ?? 0);
    this.maxclients = options.maxclients ?? 10000;
    this.cluster = options.cluster ?? true;
    this.databases = options.databases ?? 16;
    if (!Number.isInteger(this.databases) || this.databases < 1 || this.databases > 65536) {
      throw new Error('--databases must be an integer from 1 to 65536');
    }
    // Valkey 9's cluster-databases: the databases of cluster mode, 1 by default.
    this.clusterDatabases = options.clusterDatabases ?? 1;
    if (!Number.isInteger(this.clusterDatabases) || this.clusterDatabases < 1 || this.clusterDatabases > 65536) {
      throw new Error('--cluster-databases must be an integer from 1 to 65536');
    }
    this.repairJournal = !!options.repairJournal;
    this.recoverManifest = !!options.recoverManifest;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.nodeId = randomBytes(20).toString('hex');
    this.clients = new Map(); // id -> Connection
    this.replicas = new Set(); // connections that are replicas (SYNC, PSYNC: replication.js)
    this.ackWaiters = new Set(); // WAITs to look again when a replica acknowledges
    this.replTimeout = (options.replTimeout ?? 60) * 1000; // repl-timeout: a replica taking nothing that long is dropped
    this.nextId = 1;
    this.stats = { connections: 0, commands: 0, rejected: 0 };
    this.started = Date.now();
    this.onShutdown = options.onShutdown ?? null;
  }

  /** Open the store and listen; resolves to this server once it accepts connections. */
  async start() {
    this.db = await openStore(this);
    this.server = net.createServer((s) => this.#accept(s));
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.bind, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = this.server.address().port;
    if (!isLoopback(this.bind) && !this.requirepass) {
      this.log(`WARNING: vessel-server is listening on ${this.bind} without a password (--requirepass): anyone who can ` +
        'reach this address can read and change the data. Redis would refuse this in protected mode.');
    }
    this.log(`vessel-server ${VERSION} ready on ${this.bind}:${this.port} (${this.dir ? `dir ${this.dir}, appendfsync ${this.appendfsync}` : 'in memory, no persistence'})`);
    return this;
  }

  #accept(socket) {
    this.stats.connections++;
    if (this.clients.size >= this.maxclients) {
      this.stats.rejected++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const c = new Connection(this, socket, this.nextId++);
    this.clients.set(c.id, c);
  }

  /** Close every connection, flush the journal, release the store. */
  async stop() {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      for (const c of this.clients.values()) {
        c.closing = true;
        c.socket.destroy();
      }
      await new Promise((resolve) => this.server.close(() => resolve()));
      await this.db.close();
      this.log('vessel-server: bye');
    })();
    return this.stopping;
  }
}
