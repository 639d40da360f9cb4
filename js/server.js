#!/usr/bin/env node
// server.js - vessel-server: a Vessel store behind the Redis protocol, so
// redis-cli, redis-py, node-redis and code written for Memorystore or
// Valkey run against it unchanged.
//
//   vessel-server [--port 6379] [--bind 127.0.0.1] [--dir ./data] [--appendfsync everysec]
//                 [--save "3600 1 300 100 60 10000"] [--requirepass pw] [--maxmemory 1gb]
//                 [--maxclients 10000] [--no-cluster] [--repair-journal] [--recover-manifest]
//
// The engine answers the data commands with its own RESP bytes; this file
// answers what concerns connections and the server: AUTH, HELLO, SELECT,
// CLIENT, COMMAND (merged with the engine's table), INFO, CONFIG, CLUSTER
// (a single node owning all 16,384 slots), MODULE LIST, SHUTDOWN, QUIT.
// Requests are read by js/protocol.js with Redis's limits and errors; a
// protocol error closes that connection only.  A client that does not
// read its replies is not read from until it does (memory stays bounded).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { ReplyError } from './resp.js';
import { open } from './node.js';
import { formatSave } from './vessel.js';
import { describeLoad } from './persistence.js';
import { LIMITS, RequestParser } from './protocol.js';
import * as R from './resp-write.js';

const td = new TextDecoder();
const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
const REDIS_COMPAT_VERSION = '7.2.4'; // what clients see as the server version
const SLOTS = 16384;
const OUTPUT_PAUSE = 32 << 20; // stop reading a client whose unsent replies pass this
const QUERY_LIMIT = 1 << 30; // client-query-buffer-limit
const FAST_MAX = 256 << 10; // larger unparsed input (big values) goes through the JS parser

/** Redis's memory units: 1k = 1000, 1kb = 1024, ... */
export function parseMemory(v) {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(String(v).trim());
  if (!m) return NaN;
  const unit = { k: 1e3, kb: 1024, m: 1e6, mb: 1 << 20, g: 1e9, gb: 1 << 30 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/** Redis's `save` setting: "" or "secs changes [secs changes ...]". */
function parseSave(v) {
  const parts = String(v).trim().split(/\s+/).filter(Boolean);
  if (parts.length % 2) return null;
  const rules = [];
  for (let i = 0; i < parts.length; i += 2) {
    const s = Number(parts[i]);
    const c = Number(parts[i + 1]);
    if (!Number.isInteger(s) || !Number.isInteger(c) || s < 0 || c < 0) return null;
    rules.push([s, c]);
  }
  return rules;
}

/** Redis glob (as CONFIG GET and KEYS use) -> RegExp. */
function globToRegExp(p) {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = p.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        let body = p.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body.startsWith('^')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = j;
      }
    } else if (c === '\\' && i + 1 < p.length) re += `\\${p[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 'is');
}

/** CRC16 (XMODEM) of a key's hash tag, mod 16384: the cluster slot. */
export function keySlot(key) {
  let k = key;
  const s = k.indexOf(0x7b); // {
  if (s >= 0) {
    const e = k.indexOf(0x7d, s + 1); // }
    if (e > s + 1) k = k.subarray(s + 1, e);
  }
  let crc = 0;
  for (const b of k) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % SLOTS;
}

const isLoopback = (addr) => addr === 'localhost' || addr === '::1' || /^127\./.test(addr);

// The commands this file answers, as COMMAND INFO describes them:
// [name, arity, flags, categories].
const SERVER_COMMANDS = [
  ['auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['@fast', '@connection']],
  ['hello', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['@fast', '@connection']],
  ['select', 2, ['loading', 'stale', 'fast'], ['@fast', '@connection']],
  ['quit', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['@fast', '@connection']],
  ['client', -2, [], ['@slow']],
  ['info', -1, ['loading', 'stale'], ['@slow', '@dangerous']],
  ['cluster', -2, [], ['@slow']],
  ['readonly', 1, ['loading', 'stale', 'fast'], ['@fast', '@connection']],
  ['readwrite', 1, ['loading', 'stale', 'fast'], ['@fast', '@connection']],
  ['asking', 1, ['fast'], ['@fast', '@connection']],
  ['module', -2, [], ['@slow']],
  ['save', 1, ['admin', 'noscript'], ['@admin', '@slow', '@dangerous']],
  ['bgsave', -1, ['admin', 'noscript'], ['@admin', '@slow', '@dangerous']],
  ['lastsave', 1, ['loading', 'stale', 'fast'], ['@admin', '@fast', '@dangerous']],
  ['shutdown', -1, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
  ['wait', 3, ['noscript'], ['@slow', '@connection']],
];

function serverCommandInfo([name, arity, flags, cats], proto) {
  return R.array([R.bulk(name), R.int(arity), R.set(flags.map(R.status), proto), R.int(0), R.int(0), R.int(0),
    R.set(cats.map(R.status), proto), R.set([], proto), R.array([]), R.array([])]);
}

/** Split an engine array reply's header from its elements: [count, bytes of the elements]. */
function splitArray(bytes) {
  let e = 1;
  while (bytes[e] !== 13) e++;
  return [Number(td.decode(bytes.subarray(1, e))), bytes.subarray(e + 2)];
}

export class VesselServer {
  /**
   * @param {{ port?: number, bind?: string, dir?: string, appendfsync?: string, save?: string,
   *           requirepass?: string, maxmemory?: string|number, maxclients?: number, cluster?: boolean,
   *           repairJournal?: boolean, recoverManifest?: boolean, log?: (line: string) => void }} [options]
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
    this.repairJournal = !!options.repairJournal;
    this.recoverManifest = !!options.recoverManifest;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.nodeId = randomBytes(20).toString('hex');
    this.clients = new Map();
    this.nextId = 1;
    this.stats = { connections: 0, commands: 0, rejected: 0 };
    this.started = Date.now();
    this.onShutdown = options.onShutdown ?? null;
  }

  async start() {
    if (!['always', 'everysec', 'no'].includes(this.appendfsync)) throw new Error(`--appendfsync must be always, everysec or no`);
    const rules = parseSave(this.save);
    if (!rules) throw new Error(`--save must be "" or pairs of seconds and changes`);
    if (Number.isNaN(this.maxmemory)) throw new Error('--maxmemory must be a memory value (bytes, or 100mb, 1gb ...)');
    this.db = await open({
      dir: this.dir ?? undefined,
      durability: this.appendfsync,
      autosave: rules.length ? rules : false,
      maxmemory: this.maxmemory,
      repairJournal: this.repairJournal,
      recoverManifest: this.recoverManifest,
    });
    for (const line of describeLoad(this.db.loadReport)) this.log(`vessel-server: ${line}`);
    this.server = net.createServer((s) => this.accept(s));
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

  // ---- connections --------------------------------------------------------------

  accept(socket) {
    this.stats.connections++;
    if (this.clients.size >= this.maxclients) {
      this.stats.rejected++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    socket.setNoDelay(true);
    const c = {
      id: this.nextId++,
      socket,
      parser: new RequestParser({ copy: false }), // arguments are used before more is read
      proto: 2,
      name: '',
      lib: { name: '', ver: '' },
      authed: !this.requirepass,
      created: Date.now(),
      last: Date.now(),
      lastCmd: 'NULL',
      addr: `${socket.remoteAddress}:${socket.remotePort}`,
      laddr: `${socket.localAddress}:${socket.localPort}`,
      busy: false,
      queue: [],
      queued: 0,
      closing: false,
    };
    this.clients.set(c.id, c);
    socket.on('data', (chunk) => this.onData(c, chunk));
    socket.on('drain', () => {
      if (!c.busy) socket.resume();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      c.closing = true;
      this.clients.delete(c.id);
    });
  }

  onData(c, chunk) {
    if (c.closing) return;
    c.last = Date.now();
    if (c.busy) {
      c.queue.push(chunk);
      c.queued += chunk.length;
      if (c.queued > 1 << 20) c.socket.pause(); // resumed when the queue is drained
      return;
    }
    c.parser.push(chunk);
    this.pump(c);
  }

  /**
   * Run every complete request of a client, in order.  Replies are
   * gathered and written together (one write per batch of pipelined
   * requests, not one per reply).
   */
  async pump(c) {
    c.busy = true;
    const sock = c.socket;
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
          if (c.closing) break;
          // The fast path: whole runs of plain requests answered by the
          // engine in one call, straight from their bytes.
          if (c.authed) {
            const view = c.parser.unparsed();
            if (view && view.length > 0 && view.length <= FAST_MAX && view[0] === 42) {
              const b = this.db.execPipeline(view, c.proto);
              if (b && b.consumed > 0) {
                c.parser.skip(b.consumed);
                this.stats.commands += b.ran;
                if (b.durable) {
                  flush();
                  const failed = await b.durable.then(() => null, (e) => e);
                  if (failed) {
                    // Not durable: the client must not take these as acknowledged.
                    out.push(R.error(`MISCONF Errors writing to the AOF file: ${failed.message}`));
                    c.closing = true;
                    break;
                  }
                }
                out.push(b.replies);
                outBytes += b.replies.length;
                if (outBytes > 1 << 20) flush();
                if (sock.writableLength > OUTPUT_PAUSE) await this.drained(sock, flush);
                continue;
              }
            }
          }
          if (!(r = c.parser.next())) break;
          if (r.error) {
            out.push(R.error(r.error));
            c.closing = true;
            break;
          }
          let reply = this.execute(c, r.args);
          if (reply instanceof Promise) {
            flush();
            reply = await reply;
          }
          if (reply) {
            out.push(reply);
            outBytes += reply.length;
          }
          if (outBytes > 1 << 20) flush();
          if (sock.writableLength > OUTPUT_PAUSE) await this.drained(sock, flush);
        }
        flush();
        if (c.closing) sock.end();
        if (c.closing) return;
        if (c.parser.pending > QUERY_LIMIT) {
          this.log(`closing client ${c.addr}: query buffer over ${QUERY_LIMIT} bytes`);
          sock.destroy();
          return;
        }
        if (!c.queue.length) break;
        for (const q of c.queue) c.parser.push(q);
        c.queue = [];
        c.queued = 0;
        if (sock.isPaused() && sock.writableLength <= OUTPUT_PAUSE) sock.resume();
      }
    } catch (e) {
      this.log(`client ${c.addr}: ${e.stack ?? e}`);
      sock.destroy();
    } finally {
      c.busy = false;
      if (!c.closing && sock.isPaused() && sock.writableLength <= OUTPUT_PAUSE) sock.resume();
    }
  }

  /** The client is not reading its replies: stop serving it until it does. */
  async drained(sock, flush) {
    flush();
    await new Promise((resolve) => {
      sock.once('drain', resolve);
      sock.once('close', resolve);
    });
  }

  // ---- commands -------------------------------------------------------------------

  /** One request: a reply (bytes), or a promise of it. */
  execute(c, args) {
    const a0 = args[0];
    let name = '';
    if (a0.length < 32) {
      for (let i = 0; i < a0.length; i++) name += String.fromCharCode(a0[i]);
      if (/[^\x00-\x7f]/.test(name)) name = td.decode(a0);
    } else {
      name = td.decode(a0);
    }
    const lower = name.toLowerCase();
    c.lastCmd = lower;
    this.stats.commands++;
    if (!c.authed && lower !== 'auth' && lower !== 'hello' && lower !== 'quit') {
      return R.error('NOAUTH Authentication required.');
    }
    switch (lower) {
      case 'auth':
        return this.auth(c, args);
      case 'hello':
        return this.hello(c, args);
      case 'quit':
        c.closing = true;
        return R.OK;
      case 'select':
        return this.select(args);
      case 'client':
        return this.client(c, args);
      case 'command':
        return this.command(c, args);
      case 'info':
        return this.info(c, args);
      case 'config':
        return this.config(c, args);
      case 'cluster':
        return this.clusterCommand(c, args);
      case 'readonly':
      case 'readwrite':
      case 'asking':
        if (args.length !== 1) return this.arity(lower);
        if (!this.cluster) return R.error('ERR This instance has cluster support disabled');
        return R.OK;
      case 'module':
        return this.module(c, args);
      case 'wait':
        if (args.length !== 3) return this.arity(lower);
        return R.int(0);
      case 'shutdown':
        return this.shutdown(c, args);
      case 'save':
      case 'bgsave':
      case 'lastsave':
        return this.db.commandRaw(args, c.proto);
      default: {
        const r = this.db.execRaw(args, c.proto, name);
        if (r instanceof Promise) return r.then((x) => (x.durable ? x.durable.then(() => x.bytes) : x.bytes));
        return r.durable ? r.durable.then(() => r.bytes, (e) => R.error(`MISCONF ${e.message}`)) : r.bytes;
      }
    }
  }

  arity(name) {
    return R.error(`ERR wrong number of arguments for '${name}' command`);
  }

  auth(c, args) {
    if (args.length < 2 || args.length > 3) return args.length < 2 ? this.arity('auth') : R.error('ERR syntax error');
    if (!this.requirepass) {
      return R.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    }
    const user = args.length === 3 ? td.decode(args[1]) : 'default';
    const pass = td.decode(args[args.length - 1]);
    if (user !== 'default' || pass !== this.requirepass) return R.error('WRONGPASS invalid username-password pair or user is disabled.');
    c.authed = true;
    return R.OK;
  }

  hello(c, args) {
    let proto = c.proto;
    let i = 1;
    if (args.length > 1) {
      const v = td.decode(args[1]);
      if (!/^-?\d+$/.test(v)) return R.error('ERR Protocol version is not an integer or out of range');
      proto = Number(v);
      if (proto !== 2 && proto !== 3) return R.error('NOPROTO unsupported protocol version');
      i = 2;
    }
    let authed = c.authed;
    let name = null;
    for (; i < args.length; i++) {
      const opt = td.decode(args[i]).toLowerCase();
      if (opt === 'auth' && i + 2 < args.length) {
        const user = td.decode(args[i + 1]);
        const pass = td.decode(args[i + 2]);
        if (!this.requirepass || user !== 'default' || pass !== this.requirepass) {
          return R.error('WRONGPASS invalid username-password pair or user is disabled.');
        }
        authed = true;
        i += 2;
      } else if (opt === 'setname' && i + 1 < args.length) {
        name = td.decode(args[i + 1]);
        if (/[\s\x00-\x1f\x7f]/.test(name)) return R.error('ERR Client names cannot contain spaces, newlines or special characters.');
        i++;
      } else {
        return R.error(`ERR Syntax error in HELLO option '${td.decode(args[i])}'`);
      }
    }
    if (!authed) {
      return R.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    }
    c.authed = true;
    c.proto = proto;
    if (name !== null) c.name = name;
    const p = proto;
    return R.map([
      [R.bulk('server'), R.bulk('redis')],
      [R.bulk('version'), R.bulk(REDIS_COMPAT_VERSION)],
      [R.bulk('proto'), R.int(p)],
      [R.bulk('id'), R.int(c.id)],
      [R.bulk('mode'), R.bulk(this.cluster ? 'cluster' : 'standalone')],
      [R.bulk('role'), R.bulk('master')],
      [R.bulk('modules'), R.array([this.moduleEntry(p)])],
    ], p);
  }

  select(args) {
    if (args.length !== 2) return this.arity('select');
    const v = td.decode(args[1]);
    if (!/^-?\d+$/.test(v)) return R.error('ERR value is not an integer or out of range');
    if (Number(v) !== 0) return R.error(this.cluster ? 'ERR SELECT is not allowed in cluster mode' : 'ERR DB index is out of range');
    return R.OK;
  }

  clientInfo(c) {
    const age = Math.floor((Date.now() - c.created) / 1000);
    const idle = Math.floor((Date.now() - c.last) / 1000);
    return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.socket._handle?.fd ?? -1} name=${c.name} age=${age} idle=${idle} ` +
      `flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=${c.parser.pending} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 ` +
      `obl=0 oll=0 omem=${c.socket.writableLength} tot-mem=0 events=r cmd=${c.lastCmd} user=default redir=-1 ` +
      `resp=${c.proto} lib-name=${c.lib.name} lib-ver=${c.lib.ver}`;
  }

  client(c, args) {
    if (args.length < 2) return this.arity('client');
    const sub = td.decode(args[1]).toLowerCase();
    const n = args.length;
    switch (sub) {
      case 'setname': {
        if (n !== 3) return this.arity('client|setname');
        const name = td.decode(args[2]);
        if (/[\s\x00-\x1f\x7f]/.test(name)) return R.error('ERR Client names cannot contain spaces, newlines or special characters.');
        c.name = name;
        return R.OK;
      }
      case 'getname':
        if (n !== 2) return this.arity('client|getname');
        return c.name ? R.bulk(c.name) : R.nil(c.proto);
      case 'id':
        if (n !== 2) return this.arity('client|id');
        return R.int(c.id);
      case 'info':
        if (n !== 2) return this.arity('client|info');
        return R.text(`${this.clientInfo(c)}\n`, c.proto);
      case 'list':
        return R.text([...this.clients.values()].map((x) => `${this.clientInfo(x)}\n`).join(''), c.proto);
      case 'setinfo': {
        if (n !== 4) return this.arity('client|setinfo');
        const attr = td.decode(args[2]).toLowerCase();
        const val = td.decode(args[3]);
        if (attr !== 'lib-name' && attr !== 'lib-ver') return R.error(`ERR Unrecognized option '${td.decode(args[2])}'`);
        if (/[\s\x00-\x1f\x7f]/.test(val)) return R.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
        c.lib[attr === 'lib-name' ? 'name' : 'ver'] = val;
        return R.OK;
      }
      case 'no-evict':
      case 'no-touch':
        return R.OK;
      case 'help':
        return R.array(['CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'GETNAME', 'ID', 'INFO', 'LIST',
          'SETINFO <LIB-NAME|LIB-VER> <value>', 'SETNAME <name>', 'HELP'].map(R.status));
      default:
        return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try CLIENT HELP.`);
    }
  }

  /** COMMAND: the engine's table plus this server's commands. */
  command(c, args) {
    const sub = args.length > 1 ? td.decode(args[1]).toLowerCase() : '';
    const own = (n) => SERVER_COMMANDS.find((x) => x[0] === n);
    const engine = (a) => this.db.execRaw(a, c.proto).bytes;
    if (args.length === 1 || (sub === 'info' && args.length === 2)) {
      const [count, body] = splitArray(engine(['COMMAND']));
      return R.concat([new TextEncoder().encode(`*${count + SERVER_COMMANDS.length}\r\n`), body,
        ...SERVER_COMMANDS.map((x) => serverCommandInfo(x, c.proto))]);
    }
    if (sub === 'count' && args.length === 2) {
      const n = Number(td.decode(engine(['COMMAND', 'COUNT'])).slice(1, -2));
      return R.int(n + SERVER_COMMANDS.length);
    }
    if (sub === 'list' && args.length === 2) {
      const [count, body] = splitArray(engine(['COMMAND', 'LIST']));
      return R.concat([new TextEncoder().encode(`*${count + SERVER_COMMANDS.length}\r\n`), body, ...SERVER_COMMANDS.map((x) => R.bulk(x[0]))]);
    }
    if (sub === 'info') {
      return R.array(args.slice(2).map((a) => {
        const s = own(td.decode(a).toLowerCase());
        if (s) return serverCommandInfo(s, c.proto);
        return splitArray(engine(['COMMAND', 'INFO', a]))[1];
      }));
    }
    if (sub === 'docs') {
      const names = args.slice(2);
      const mine = (names.length ? names.map((a) => td.decode(a).toLowerCase()) : SERVER_COMMANDS.map((x) => x[0]))
        .filter((n) => own(n))
        .map((n) => [R.bulk(n), R.map([[R.bulk('summary'), R.bulk(`${n.toUpperCase()} (answered by vessel-server)`)],
          [R.bulk('since'), R.bulk('1.0.0')], [R.bulk('group'), R.bulk(n === 'cluster' ? 'cluster' : 'connection')]], c.proto)]);
      const eng = names.length ? names.filter((a) => !own(td.decode(a).toLowerCase())) : [];
      if (names.length && !eng.length) return R.map(mine, c.proto);
      const bytes = engine(['COMMAND', 'DOCS', ...eng]);
      // Engine map header: %n (RESP3) or *2n (RESP2).
      let e = 1;
      while (bytes[e] !== 13) e++;
      const n = Number(td.decode(bytes.subarray(1, e))) / (c.proto === 3 ? 1 : 2);
      const head = new TextEncoder().encode(c.proto === 3 ? `%${n + mine.length}\r\n` : `*${(n + mine.length) * 2}\r\n`);
      return R.concat([head, bytes.subarray(e + 2), ...mine.flat()]);
    }
    return this.db.execRaw(args, c.proto).bytes; // COUNT/LIST arity, GETKEYS, HELP, errors: the engine's
  }

  moduleEntry(proto) {
    return R.map([[R.bulk('name'), R.bulk('search')], [R.bulk('ver'), R.int(10000)], [R.bulk('path'), R.bulk('vessel')],
      [R.bulk('args'), R.array([])]], proto);
  }

  module(c, args) {
    const sub = args.length > 1 ? td.decode(args[1]).toLowerCase() : '';
    if (sub === 'list' && args.length === 2) return R.array([this.moduleEntry(c.proto)]);
    if (sub === 'load' || sub === 'loadex' || sub === 'unload') return R.error('ERR Error loading the extension. Please check the server logs.');
    if (args.length < 2) return this.arity('module');
    return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try MODULE HELP.`);
  }

  // ---- INFO -------------------------------------------------------------------------

  infoText(sections) {
    const db = this.db;
    const used = db.usedMemory();
    const human = (b) => (b >= 1 << 30 ? `${(b / 2 ** 30).toFixed(2)}G` : b >= 1 << 20 ? `${(b / 2 ** 20).toFixed(2)}M` : `${(b / 1024).toFixed(2)}K`);
    const keys = Number(td.decode(db.execRaw(['DBSIZE']).bytes).slice(1, -2));
    const all = {
      server: () => [
        '# Server', `redis_version:${REDIS_COMPAT_VERSION}`, `vessel_version:${VERSION}`, `redis_mode:${this.cluster ? 'cluster' : 'standalone'}`,
        `os:${os.type()} ${os.release()} ${os.arch()}`, 'arch_bits:64', `process_id:${process.pid}`, `tcp_port:${this.port}`,
        `uptime_in_seconds:${Math.floor((Date.now() - this.started) / 1000)}`, `uptime_in_days:${Math.floor((Date.now() - this.started) / 86400000)}`,
        `executable:${process.argv[1] ?? ''}`, 'config_file:',
      ],
      clients: () => ['# Clients', `connected_clients:${this.clients.size}`, `maxclients:${this.maxclients}`, 'blocked_clients:0', 'tracking_clients:0'],
      memory: () => ['# Memory', `used_memory:${used}`, `used_memory_human:${human(used)}`, `maxmemory:${this.maxmemory}`,
        `maxmemory_human:${human(this.maxmemory)}`, 'maxmemory_policy:noeviction', `wasm_memory:${db.engine.memory.buffer.byteLength}`],
      persistence: () => db.infoPersistence().trimEnd().split('\r\n'),
      stats: () => ['# Stats', `total_connections_received:${this.stats.connections}`, `total_commands_processed:${this.stats.commands}`,
        `rejected_connections:${this.stats.rejected}`],
      replication: () => ['# Replication', 'role:master', 'connected_slaves:0'],
      modules: () => ['# Modules', 'module:name=search,ver=10000,api=1,filters=0,usedby=[],using=[],options=[]'],
      cluster: () => ['# Cluster', `cluster_enabled:${this.cluster ? 1 : 0}`],
      keyspace: () => ['# Keyspace', ...(keys ? [`db0:keys=${keys},expires=0,avg_ttl=0`] : [])],
    };
    const dflt = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'modules', 'cluster', 'keyspace'];
    let want = sections.length ? sections : ['default'];
    if (want.some((s) => s === 'all' || s === 'everything' || s === 'default')) want = dflt;
    return want.filter((s) => all[s]).map((s) => `${all[s]().join('\r\n')}\r\n`).join('\r\n');
  }

  info(c, args) {
    return R.text(this.infoText(args.slice(1).map((a) => td.decode(a).toLowerCase())), c.proto);
  }

  // ---- CONFIG -----------------------------------------------------------------------

  params() {
    return {
      port: String(this.port),
      bind: this.bind,
      dir: this.dir ?? process.cwd(),
      appendonly: this.dir ? 'yes' : 'no',
      appendfsync: this.appendfsync,
      save: this.save,
      requirepass: this.requirepass,
      maxclients: String(this.maxclients),
      databases: '1',
      'cluster-enabled': this.cluster ? 'yes' : 'no',
      'protected-mode': 'no',
    };
  }

  config(c, args) {
    const sub = args.length > 1 ? td.decode(args[1]).toLowerCase() : '';
    if (sub === 'get') {
      if (args.length < 3) return this.arity('config|get');
      const res = args.slice(2).map((a) => globToRegExp(td.decode(a)));
      const mine = Object.entries(this.params()).filter(([k]) => res.some((re) => re.test(k)))
        .map(([k, v]) => [R.bulk(k), R.bulk(v)]);
      const bytes = this.db.execRaw(['CONFIG', 'GET', ...args.slice(2)], c.proto).bytes;
      let e = 1;
      while (bytes[e] !== 13) e++;
      const n = Number(td.decode(bytes.subarray(1, e))) / (c.proto === 3 ? 1 : 2);
      const head = new TextEncoder().encode(c.proto === 3 ? `%${n + mine.length}\r\n` : `*${(n + mine.length) * 2}\r\n`);
      return R.concat([head, bytes.subarray(e + 2), ...mine.flat()]);
    }
    if (sub === 'set') {
      if (args.length < 4 || args.length % 2) return this.arity('config|set');
      const updates = [];
      for (let i = 2; i < args.length; i += 2) {
        const k = td.decode(args[i]).toLowerCase();
        const v = td.decode(args[i + 1]);
        const bad = (why) => R.error(`ERR CONFIG SET failed (possibly related to argument '${k}') - ${why}`);
        if (k === 'maxmemory') {
          if (Number.isNaN(parseMemory(v))) return bad('argument must be a memory value');
          updates.push(() => {
            this.maxmemory = parseMemory(v);
            this.db.execRaw(['CONFIG', 'SET', 'maxmemory', String(this.maxmemory)]);
          });
        } else if (k === 'requirepass') {
          updates.push(() => {
            this.requirepass = v;
          });
        } else if (k === 'maxclients') {
          if (!/^\d+$/.test(v) || Number(v) < 1) return bad('argument couldn\'t be parsed into an integer');
          updates.push(() => {
            this.maxclients = Number(v);
          });
        } else if (k === 'appendfsync') {
          if (!['always', 'everysec', 'no'].includes(v)) return bad('argument(s) must be one of the following: always, everysec, no');
          updates.push(() => {
            this.appendfsync = v;
            if (this.db.persister) this.db.setDurability(v).catch((e) => this.log(`vessel-server: appendfsync ${v}: ${e.message}`));
          });
        } else if (k === 'save') {
          const rules = parseSave(v);
          if (!rules) return bad('Invalid save parameters');
          updates.push(() => {
            this.save = formatSave(rules);
            if (this.db.persister) this.db.setAutosave(rules.length ? rules : false);
          });
        } else if (k in this.params()) {
          return bad("can't set immutable config");
        } else {
          return R.error(`ERR Unknown option or number of arguments for CONFIG SET - '${td.decode(args[i])}'`);
        }
      }
      for (const u of updates) u();
      return R.OK;
    }
    if (sub === 'resetstat' && args.length === 2) {
      this.stats.commands = 0;
      this.stats.connections = 0;
      this.stats.rejected = 0;
      return R.OK;
    }
    if (sub === 'rewrite' && args.length === 2) return R.error('ERR The server is running without a config file');
    if (args.length < 2) return this.arity('config');
    return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try CONFIG HELP.`);
  }

  // ---- CLUSTER ----------------------------------------------------------------------

  clusterCommand(c, args) {
    if (!this.cluster) return R.error('ERR This instance has cluster support disabled');
    if (args.length < 2) return this.arity('cluster');
    const sub = td.decode(args[1]).toLowerCase();
    const ip = this.bind === '0.0.0.0' || this.bind === '::' ? c.socket.localAddress.replace(/^::ffff:/, '') : this.bind;
    const p = c.proto;
    switch (sub) {
      case 'slots':
        return R.array([R.array([R.int(0), R.int(SLOTS - 1), R.array([R.bulk(ip), R.int(this.port), R.bulk(this.nodeId), R.map([], p)])])]);
      case 'shards':
        return R.array([R.map([
          [R.bulk('slots'), R.array([R.int(0), R.int(SLOTS - 1)])],
          [R.bulk('nodes'), R.array([R.map([
            [R.bulk('id'), R.bulk(this.nodeId)], [R.bulk('port'), R.int(this.port)], [R.bulk('ip'), R.bulk(ip)],
            [R.bulk('endpoint'), R.bulk(ip)], [R.bulk('role'), R.bulk('master')], [R.bulk('replication-offset'), R.int(0)],
            [R.bulk('health'), R.bulk('online')],
          ], p)])],
        ], p)]);
      case 'info':
        return R.text(['cluster_state:ok', `cluster_slots_assigned:${SLOTS}`, `cluster_slots_ok:${SLOTS}`, 'cluster_slots_pfail:0',
          'cluster_slots_fail:0', 'cluster_known_nodes:1', 'cluster_size:1', 'cluster_current_epoch:1', 'cluster_my_epoch:1',
          'cluster_stats_messages_sent:0', 'cluster_stats_messages_received:0', 'total_cluster_links_buffer_limit_exceeded:0', ''].join('\r\n'), p);
      case 'myid':
        return R.bulk(this.nodeId);
      case 'myshardid':
        return R.bulk(this.nodeId);
      case 'nodes':
        return R.text(`${this.nodeId} ${ip}:${this.port}@${this.port + 10000} myself,master - 0 0 1 connected 0-${SLOTS - 1}\n`, p);
      case 'keyslot':
        if (args.length !== 3) return this.arity('cluster|keyslot');
        return R.int(keySlot(args[2]));
      case 'countkeysinslot': {
        if (args.length !== 3) return this.arity('cluster|countkeysinslot');
        const slot = Number(td.decode(args[2]));
        if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) return R.error('ERR Invalid slot');
        return R.int(this.keysInSlot(slot, Infinity).length);
      }
      case 'getkeysinslot': {
        if (args.length !== 4) return this.arity('cluster|getkeysinslot');
        const slot = Number(td.decode(args[2]));
        const count = Number(td.decode(args[3]));
        if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) return R.error('ERR Invalid slot');
        if (!Number.isInteger(count) || count < 0) return R.error('ERR Invalid number of keys');
        return R.array(this.keysInSlot(slot, count).map(R.bulk));
      }
      default:
        return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try CLUSTER HELP.`);
    }
  }

  keysInSlot(slot, limit) {
    const out = [];
    let cursor = '0';
    do {
      const [next, keys] = this.db.engine.exec(['SCAN', cursor, 'COUNT', '1000'], true);
      cursor = typeof next === 'string' ? next : td.decode(next);
      for (const k of keys) if (out.length < limit && keySlot(k) === slot) out.push(k);
    } while (cursor !== '0' && out.length < limit);
    return out;
  }

  // ---- shutdown -------------------------------------------------------------------

  async shutdown(c, args) {
    const opts = args.slice(1).map((a) => td.decode(a).toLowerCase());
    if (opts.some((o) => !['save', 'nosave', 'now', 'force', 'abort'].includes(o)) || (opts.includes('save') && opts.includes('nosave'))) {
      return R.error('ERR syntax error');
    }
    if (opts.includes('abort')) return R.error('ERR No shutdown in progress.');
    const save = opts.includes('save') || (!opts.includes('nosave') && this.dir && parseSave(this.save).length > 0);
    if (save && this.db.persister) {
      try {
        await this.db.save();
      } catch (e) {
        if (!opts.includes('force')) return R.error(`ERR Errors trying to SHUTDOWN. Check logs. (${e.message})`);
      }
    }
    await this.stop();
    this.onShutdown?.();
    return null; // the connection is gone, as in Redis
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

// ---- the command line -------------------------------------------------------------

const USAGE = `Usage: vessel-server [options]

  --port <n>            TCP port (default 6379; 0 picks a free one)
  --bind <addr>         address to listen on (default 127.0.0.1)
  --dir <dir>           persist snapshots and the journal in this directory (default: in memory)
  --appendfsync <mode>  always | everysec (default) | no
  --save "<s> <c> ..."  snapshot rules, as Redis's save (default "3600 1 300 100 60 10000"; "" for none)
  --requirepass <pw>    clients must AUTH first
  --maxmemory <bytes>   refuse writes past this (100mb, 1gb ...; default 0 = no limit)
  --maxclients <n>      default 10000
  --no-cluster          answer as a standalone server (CLUSTER commands disabled)
  --repair-journal      open a damaged journal by keeping the records before the damage (the cut
                        bytes are kept in a side file), or a missing one by starting it empty,
                        as redis-check-aof --fix; without it such a store is refused, unchanged
  --recover-manifest    rebuild a lost MANIFEST from the newest snapshot and its journal (checked
                        as any load; older files are kept); without it such a store is refused
  -h, --help            this text`;

async function main(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port') o.port = Number(val());
    else if (a === '--bind') o.bind = val();
    else if (a === '--dir') o.dir = val();
    else if (a === '--appendfsync') o.appendfsync = val();
    else if (a === '--save') o.save = val();
    else if (a === '--requirepass') o.requirepass = val();
    else if (a === '--maxmemory') o.maxmemory = val();
    else if (a === '--maxclients') o.maxclients = Number(val());
    else if (a === '--no-cluster') o.cluster = false;
    else if (a === '--repair-journal') o.repairJournal = true;
    else if (a === '--recover-manifest') o.recoverManifest = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  const server = new VesselServer({ ...o, onShutdown: () => process.exit(0) });
  await server.start();
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && new URL(import.meta.url).pathname === (await import('node:fs')).realpathSync(process.argv[1])) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`vessel-server: ${e.message}\n`);
    process.exit(1);
  });
}

export { ReplyError };
