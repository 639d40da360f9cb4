// server/config.js - CONFIG for vessel-server: GET merges the engine's
// parameters (maxmemory, search.emulate-release ...) with the server's own (port, bind, dir,
// appendfsync, save, requirepass, maxclients ...); SET checks every pair
// before applying any; RESETSTAT, and REWRITE's error (no config file).

import * as R from '../resp-write.js';
import { arity, engineReply, extendMap, td } from './replies.js';
import { FSYNC_MODES, parseMemory, parseSave, setAppendfsync, setSave } from './persistence.js';

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

/** The server's own parameters, as CONFIG GET shows them. */
function params(server) {
  return {
    port: String(server.port),
    bind: server.bind,
    dir: server.dir ?? process.cwd(),
    appendonly: server.dir ? 'yes' : 'no',
    appendfsync: server.appendfsync,
    save: server.save,
    requirepass: server.requirepass,
    maxclients: String(server.maxclients),
    databases: String(server.databases),
    'cluster-databases': String(server.clusterDatabases),
    'cluster-enabled': server.cluster ? 'yes' : 'no',
    'protected-mode': 'no',
  };
}

/** CONFIG <subcommand> for connection `c` of `server`. */
export function configCommand(server, c, args) {
  const sub = args.length > 1 ? td.decode(args[1]).toLowerCase() : '';
  if (sub === 'get') {
    if (args.length < 3) return arity('config|get');
    const res = args.slice(2).map((a) => globToRegExp(td.decode(a)));
    const mine = Object.entries(params(server)).filter(([k]) => res.some((re) => re.test(k)))
      .map(([k, v]) => [R.bulk(k), R.bulk(v)]);
    return extendMap(engineReply(server.db, ['CONFIG', 'GET', ...args.slice(2)], c.proto), mine, c.proto);
  }
  if (sub === 'set') {
    if (args.length < 4 || args.length % 2) return arity('config|set');
    const updates = [];
    for (let i = 2; i < args.length; i += 2) {
      const k = td.decode(args[i]).toLowerCase();
      const v = td.decode(args[i + 1]);
      const bad = (why) => R.error(`ERR CONFIG SET failed (possibly related to argument '${k}') - ${why}`);
      if (k === 'maxmemory') {
        if (Number.isNaN(parseMemory(v))) return bad('argument must be a memory value');
        updates.push(() => {
          server.maxmemory = parseMemory(v);
          engineReply(server.db, ['CONFIG', 'SET', 'maxmemory', String(server.maxmemory)]);
        });
      } else if (k === 'requirepass') {
        updates.push(() => {
          server.requirepass = v;
        });
      } else if (k === 'maxclients') {
        if (!/^\d+$/.test(v) || Number(v) < 1) return bad('argument couldn\'t be parsed into an integer');
        updates.push(() => {
          server.maxclients = Number(v);
        });
      } else if (k === 'appendfsync') {
        if (!FSYNC_MODES.includes(v)) return bad('argument(s) must be one of the following: always, everysec, no');
        updates.push(() => setAppendfsync(server, v));
      } else if (k === 'save') {
        const rules = parseSave(v);
        if (!rules) return bad('Invalid save parameters');
        updates.push(() => setSave(server, rules));
      } else if (k === 'search.emulate-release') {
        // The engine's setting: it checks the value (valkey-search's texts);
        // tried here and put back, so a later bad pair applies nothing.
        const old = engineReply(server.db, ['CONFIG', 'GET', k]);
        const tried = engineReply(server.db, ['CONFIG', 'SET', k, args[i + 1]]);
        if (tried[0] === 0x2d) return tried; // '-': the engine's error reply
        const was = td.decode(old).split('\r\n')[4];
        engineReply(server.db, ['CONFIG', 'SET', k, was]);
        updates.push(() => engineReply(server.db, ['CONFIG', 'SET', k, args[i + 1]]));
      } else if (k in params(server)) {
        return bad("can't set immutable config");
      } else {
        return R.error(`ERR Unknown option or number of arguments for CONFIG SET - '${td.decode(args[i])}'`);
      }
    }
    for (const u of updates) u();
    return R.OK;
  }
  if (sub === 'resetstat' && args.length === 2) {
    server.stats.commands = 0;
    server.stats.connections = 0;
    server.stats.rejected = 0;
    return R.OK;
  }
  if (sub === 'rewrite' && args.length === 2) return R.error('ERR The server is running without a config file');
  if (args.length < 2) return arity('config');
  return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try CONFIG HELP.`);
}
