// server/commands.js - one request of a vessel-server connection: the
// commands the server answers itself (AUTH, HELLO, QUIT, SELECT, CLIENT,
// COMMAND, INFO, CONFIG, CLUSTER, READONLY/READWRITE/ASKING, MODULE,
// WAIT, SHUTDOWN) and, for everything else, the store's own RESP reply.
//
// Until a client authenticates (with --requirepass) only AUTH, HELLO and
// QUIT are answered.  A reply is bytes, a promise of bytes, or null
// (SHUTDOWN: the connection is gone).
//
// Transactions are the engine's, per connection (its engine client).
// Inside MULTI the server's own commands are queued as Redis queues them
// (arity checked first) and run when EXEC comes, after the engine's
// commands, each reply put in its place in EXEC's array; those that
// cannot run inside a transaction (AUTH, HELLO: they would change the
// protocol or the user under EXEC; SHUTDOWN, as Redis) are refused and
// doom it; QUIT and RESET act at once, as in Redis.

import { decode } from '../resp.js';
import * as R from '../resp-write.js';
import { clusterCommand } from './cluster.js';
import { configCommand } from './config.js';
import { commandCommand, infoCommand, moduleCommand, moduleEntry, REDIS_COMPAT_VERSION, serverArity } from './introspection.js';
import { savesOnShutdown } from './persistence.js';
import { replconf, sync, wait } from './replication.js';
import { arity, td } from './replies.js';

function auth(server, c, args) {
  if (args.length < 2 || args.length > 3) return args.length < 2 ? arity('auth') : R.error('ERR syntax error');
  if (!server.requirepass) {
    return R.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
  }
  const user = args.length === 3 ? td.decode(args[1]) : 'default';
  const pass = td.decode(args[args.length - 1]);
  if (user !== 'default' || pass !== server.requirepass) return R.error('WRONGPASS invalid username-password pair or user is disabled.');
  c.authed = true;
  return R.OK;
}

function hello(server, c, args) {
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
      if (!server.requirepass || user !== 'default' || pass !== server.requirepass) {
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
    [R.bulk('mode'), R.bulk(server.cluster ? 'cluster' : 'standalone')],
    [R.bulk('role'), R.bulk('master')],
    [R.bulk('modules'), R.array([moduleEntry(p)])],
  ], p);
}

// Cluster mode, as Valkey 9's: the engine is opened with
// cluster-databases databases (1 by default), so SELECT and MOVE past
// them answer the engine's "DB index is out of range"; SWAPDB is refused
// whatever the count.  Everything else about databases is the engine's,
// per connection (its engine client).
function clusterRefusal(server, lower, args) {
  if (!server.cluster) return null;
  if (lower === 'swapdb' && args.length === 3) return R.error('ERR SWAPDB is not allowed in cluster mode');
  return null;
}

/** CLIENT INFO / CLIENT LIST's line for one connection. */
function clientInfo(server, c) {
  const age = Math.floor((Date.now() - c.created) / 1000);
  const idle = Math.floor((Date.now() - c.last) / 1000);
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.socket._handle?.fd ?? -1} name=${c.name} age=${age} idle=${idle} ` +
    `flags=N db=${server.db.clientDb(c.client)} sub=0 psub=0 ssub=0 multi=-1 qbuf=${c.parser.pending} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 ` +
    `obl=0 oll=0 omem=${c.socket.writableLength} tot-mem=0 events=r cmd=${c.lastCmd} user=default redir=-1 ` +
    `resp=${c.proto} lib-name=${c.lib.name} lib-ver=${c.lib.ver}`;
}

function client(server, c, args) {
  if (args.length < 2) return arity('client');
  const sub = td.decode(args[1]).toLowerCase();
  const n = args.length;
  switch (sub) {
    case 'setname': {
      if (n !== 3) return arity('client|setname');
      const name = td.decode(args[2]);
      if (/[\s\x00-\x1f\x7f]/.test(name)) return R.error('ERR Client names cannot contain spaces, newlines or special characters.');
      c.name = name;
      return R.OK;
    }
    case 'getname':
      if (n !== 2) return arity('client|getname');
      return c.name ? R.bulk(c.name) : R.nil(c.proto);
    case 'id':
      if (n !== 2) return arity('client|id');
      return R.int(c.id);
    case 'info':
      if (n !== 2) return arity('client|info');
      return R.text(`${clientInfo(server, c)}\n`, c.proto);
    case 'list':
      return R.text([...server.clients.values()].map((x) => `${clientInfo(server, x)}\n`).join(''), c.proto);
    case 'setinfo': {
      if (n !== 4) return arity('client|setinfo');
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

async function shutdown(server, args) {
  const opts = args.slice(1).map((a) => td.decode(a).toLowerCase());
  if (opts.some((o) => !['save', 'nosave', 'now', 'force', 'abort'].includes(o)) || (opts.includes('save') && opts.includes('nosave'))) {
    return R.error('ERR syntax error');
  }
  if (opts.includes('abort')) return R.error('ERR No shutdown in progress.');
  if (savesOnShutdown(server, opts) && server.dir) {
    try {
      await server.db.save();
    } catch (e) {
      if (!opts.includes('force')) return R.error(`ERR Errors trying to SHUTDOWN. Check logs. (${e.message})`);
    }
  }
  await server.stop();
  server.onShutdown?.();
  return null; // the connection is gone, as in Redis
}

/** The command name of a request (its first argument) as text. */
function commandName(a0) {
  if (a0.length >= 32) return td.decode(a0);
  let name = '';
  for (let i = 0; i < a0.length; i++) name += String.fromCharCode(a0[i]);
  return /[^\x00-\x7f]/.test(name) ? td.decode(a0) : name;
}

// The server's commands that Redis queues inside MULTI (run at EXEC), and
// those vessel-server refuses there.
const QUEUED_HERE = new Set(['client', 'command', 'info', 'config', 'cluster', 'readonly', 'readwrite', 'asking',
  'module', 'wait']);
const NOT_IN_MULTI = new Set(['auth', 'hello', 'shutdown', 'sync', 'psync', 'replconf']);

/** RESET: as Redis 7.0's, the connection's state back to a new one's. */
function reset(server, c) {
  server.db.clientTransaction(c.client, { reset: true });
  c.front = [];
  c.proto = 2;
  c.name = '';
  c.authed = !server.requirepass;
  return R.status('RESET');
}

/**
 * Inside MULTI: a server command is queued (its place in the engine's
 * transaction, the command kept here) or refused (the transaction doomed).
 * null when not in MULTI.
 */
function queueHere(server, c, lower, args) {
  if (lower === 'quit' || lower === 'reset') return null;
  if (!QUEUED_HERE.has(lower) && !NOT_IN_MULTI.has(lower)) return null;
  if (!server.db.clientState(c.client).multi) return null;
  const reject = (reply) => {
    server.db.clientTransaction(c.client, { reject: true });
    return reply;
  };
  const n = serverArity(lower);
  if (n !== undefined && (n > 0 ? args.length !== n : args.length < -n)) return reject(arity(lower));
  if (lower === 'shutdown' || lower === 'sync' || lower === 'psync') return reject(R.error('ERR Command not allowed inside a transaction'));
  if (NOT_IN_MULTI.has(lower)) return reject(R.error(`ERR ${lower.toUpperCase()} inside MULTI is not supported by vessel-server`));
  const index = server.db.clientTransaction(c.client);
  if (index < -1) return reject(R.error('OOM out of memory while executing the command'));
  if (index >= 0) c.front.push({ index, args: args.map((a) => Uint8Array.from(a)) }); // the request's views are reused
  return R.status('QUEUED');
}

/**
 * EXEC's reply with the server's queued commands run and their replies in
 * place of the nulls the engine left for them.
 */
async function completeExec(server, c, reply, front) {
  if (!front.length || reply[0] !== 42 || reply[1] === 45) return reply; // not an array: aborted
  const parts = [];
  let pos = reply.indexOf(10) + 1;
  parts.push(reply.subarray(0, pos));
  let at = 0;
  for (let i = 0; pos < reply.length; i++) {
    const [, end] = decode(reply, pos, true);
    if (at < front.length && front[at].index === i) {
      let r = execute(server, c, front[at].args, true);
      if (r instanceof Promise) r = await r;
      parts.push(r ?? R.error('ERR the command ended the connection'));
      at++;
    } else {
      parts.push(reply.subarray(pos, end));
    }
    pos = end;
  }
  return R.concat(parts);
}

/** One request of connection `c`: a reply (bytes), a promise of it, or null. */
export function execute(server, c, args, inExec = false) {
  const lower = commandName(args[0]).toLowerCase();
  c.lastCmd = lower;
  server.stats.commands++;
  if (!c.authed && lower !== 'auth' && lower !== 'hello' && lower !== 'quit' && lower !== 'reset') {
    return R.error('NOAUTH Authentication required.');
  }
  if (!inExec) {
    const queued = queueHere(server, c, lower, args);
    if (queued) return queued;
  }
  switch (lower) {
    case 'auth':
      return auth(server, c, args);
    case 'hello':
      return hello(server, c, args);
    case 'quit':
      c.closing = true;
      return R.OK;
    case 'client':
      return client(server, c, args);
    case 'command':
      return commandCommand(server, c, args);
    case 'info':
      return infoCommand(server, c, args);
    case 'config':
      return configCommand(server, c, args);
    case 'cluster':
      return clusterCommand(server, c, args);
    case 'readonly':
    case 'readwrite':
    case 'asking':
      if (args.length !== 1) return arity(lower);
      if (!server.cluster) return R.error('ERR This instance has cluster support disabled');
      return R.OK;
    case 'module':
      return moduleCommand(c, args);
    case 'wait':
      return wait(server, c, args);
    case 'shutdown':
      return shutdown(server, args);
    case 'reset':
      if (args.length !== 1) return arity(lower);
      return reset(server, c);
    case 'replconf':
      return replconf(server, c, args);
    case 'sync':
    case 'psync':
      return sync(server, c, args);
    default: {
      const refused = clusterRefusal(server, lower, args);
      if (refused) return refused;
      // The store's reply (SAVE, BGSAVE and LASTSAVE included): bytes, or
      // a promise of them while a save holds writes or a write waits to
      // be durable.
      const reply = server.db.commandRaw(args, { proto: c.proto, client: c.client });
      if (!c.front.length || (lower !== 'exec' && lower !== 'discard')) return reply;
      // The transaction ends: its server commands run now, or are dropped.
      const front = c.front;
      c.front = [];
      if (lower === 'discard') return reply;
      return reply instanceof Promise ? reply.then((r) => completeExec(server, c, r, front)) : completeExec(server, c, reply, front);
    }
  }
}
