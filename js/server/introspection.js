// server/introspection.js - what vessel-server says about itself: COMMAND
// (the engine's command table merged with the commands the server answers),
// INFO (its sections, persistence from the store), MODULE LIST, and the
// versions it reports.
//
// Clients see Redis 7.2.4 with the search module loaded, so they enable
// what they know those support.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as R from '../resp-write.js';
import { arity, engineReply, extendMap, splitArray, td } from './replies.js';
import { replicationInfo } from './replication.js';

export const VERSION = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
export const REDIS_COMPAT_VERSION = '7.2.4'; // what clients see as the server version

// The commands the server answers, as COMMAND INFO describes them:
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
  ['reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['@fast', '@connection']],
  ['sync', 1, ['admin', 'noscript', 'no_async_loading', 'no_multi'], ['@admin', '@slow', '@dangerous']],
  ['psync', -3, ['admin', 'noscript', 'no_async_loading', 'no_multi'], ['@admin', '@slow', '@dangerous']],
  ['replconf', -1, ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], ['@admin', '@slow', '@dangerous']],
];

// The engine's commands the server extends.
const EXTENDED_ARITY = { config: -2, command: -1 };

/** The arity of a command the server answers (undefined: not one). */
export function serverArity(name) {
  return SERVER_COMMANDS.find((x) => x[0] === name)?.[1] ?? EXTENDED_ARITY[name];
}

function serverCommandInfo([name, arity, flags, cats], proto) {
  return R.array([R.bulk(name), R.int(arity), R.set(flags.map(R.status), proto), R.int(0), R.int(0), R.int(0),
    R.set(cats.map(R.status), proto), R.set([], proto), R.array([]), R.array([])]);
}

/** COMMAND [COUNT | LIST | INFO | DOCS ...]: the engine's table plus the server's commands. */
export function commandCommand(server, c, args) {
  const sub = args.length > 1 ? td.decode(args[1]).toLowerCase() : '';
  const own = (n) => SERVER_COMMANDS.find((x) => x[0] === n);
  const engine = (a) => engineReply(server.db, a, c.proto);
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
    return extendMap(engine(['COMMAND', 'DOCS', ...eng]), mine, c.proto);
  }
  return engine(args); // COUNT/LIST arity, GETKEYS, HELP, errors: the engine's
}

/** The search module, as MODULE LIST and HELLO describe it. */
export function moduleEntry(proto) {
  return R.map([[R.bulk('name'), R.bulk('search')], [R.bulk('ver'), R.int(10000)], [R.bulk('path'), R.bulk('vessel')],
    [R.bulk('args'), R.array([])]], proto);
}

/** MODULE LIST (the search module); loading modules is refused. */
export function moduleCommand(c, args) {
  const sub = args.length > 1 ? td.decode(args[1]).toLowerCase() : '';
  if (sub === 'list' && args.length === 2) return R.array([moduleEntry(c.proto)]);
  if (sub === 'load' || sub === 'loadex' || sub === 'unload') return R.error('ERR Error loading the extension. Please check the server logs.');
  if (args.length < 2) return arity('module');
  return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try MODULE HELP.`);
}

/** INFO keyspace's lines, as Redis writes them: one per database with keys. */
function keyspaceLines(db) {
  const lines = [];
  for (let n = 0; n < db.engine.databases(); n++) {
    const s = db.engine.dbStats(n);
    if (s && s.keys) lines.push(`db${n}:keys=${s.keys},expires=${s.expires},avg_ttl=${s.avgTtl}`);
  }
  return lines;
}

/** INFO's text for these sections (none: the default ones). */
function infoText(server, sections) {
  const db = server.db;
  const used = db.usedMemory();
  const human = (b) => (b >= 1 << 30 ? `${(b / 2 ** 30).toFixed(2)}G` : b >= 1 << 20 ? `${(b / 2 ** 20).toFixed(2)}M` : `${(b / 1024).toFixed(2)}K`);
  const expiry = db.engine.expiryStats();
  const uptime = Date.now() - server.started;
  const all = {
    server: () => [
      '# Server', `redis_version:${REDIS_COMPAT_VERSION}`, `vessel_version:${VERSION}`, `redis_mode:${server.cluster ? 'cluster' : 'standalone'}`,
      `os:${os.type()} ${os.release()} ${os.arch()}`, 'arch_bits:64', `process_id:${process.pid}`, `tcp_port:${server.port}`,
      `uptime_in_seconds:${Math.floor(uptime / 1000)}`, `uptime_in_days:${Math.floor(uptime / 86400000)}`,
      `executable:${process.argv[1] ?? ''}`, 'config_file:',
    ],
    clients: () => ['# Clients', `connected_clients:${server.clients.size}`, `maxclients:${server.maxclients}`, 'blocked_clients:0', 'tracking_clients:0'],
    memory: () => ['# Memory', `used_memory:${used}`, `used_memory_human:${human(used)}`, `maxmemory:${server.maxmemory}`,
      `maxmemory_human:${human(server.maxmemory)}`, 'maxmemory_policy:noeviction', `wasm_memory:${db.wasmMemory()}`],
    persistence: () => db.infoPersistence().trimEnd().split('\r\n'),
    stats: () => ['# Stats', `total_connections_received:${server.stats.connections}`, `total_commands_processed:${server.stats.commands}`,
      `rejected_connections:${server.stats.rejected}`, `expired_keys:${expiry.expiredKeys}`],
    replication: () => replicationInfo(server),
    modules: () => ['# Modules', 'module:name=search,ver=10000,api=1,filters=0,usedby=[],using=[],options=[]'],
    cluster: () => ['# Cluster', `cluster_enabled:${server.cluster ? 1 : 0}`],
    keyspace: () => ['# Keyspace', ...keyspaceLines(db)],
    // The search module's section, as valkey-search's INFO: its fields once a
    // search.emulate-release site has run; not in the default sections.
    search_compatibility: () => {
      const lines = db.engine.compatInfo();
      return lines.length ? ['# search_compatibility', ...lines] : [];
    },
  };
  const dflt = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'modules', 'cluster', 'keyspace'];
  let want = sections.length ? sections : ['default'];
  if (want.includes('everything')) want = [...dflt, 'search_compatibility'];
  else if (want.some((s) => s === 'all' || s === 'default')) want = dflt;
  // INFO modules and INFO search also give the module's own sections (Redis 7's rule).
  if (sections.some((s) => s === 'modules' || s === 'search')) want = [...new Set([...want, 'search_compatibility'])];
  return want.filter((s) => all[s]).map((s) => all[s]()).filter((l) => l.length).map((l) => `${l.join('\r\n')}\r\n`).join('\r\n');
}

/** INFO [section ...]. */
export function infoCommand(server, c, args) {
  return R.text(infoText(server, args.slice(1).map((a) => td.decode(a).toLowerCase())), c.proto);
}
