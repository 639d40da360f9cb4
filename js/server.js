#!/usr/bin/env node
// server.js - vessel-server: a Vessel store behind the Redis protocol, so
// redis-cli, redis-py, node-redis and code written for Memorystore or
// Valkey run against it unchanged.
//
//   vessel-server [--port 6379] [--bind 127.0.0.1] [--dir ./data] [--appendfsync everysec]
//                 [--save "3600 1 300 100 60 10000"] [--requirepass pw] [--maxmemory 1gb]
//                 [--maxclients 10000] [--repl-timeout 60] [--no-cluster] [--repair-journal] [--recover-manifest]
//
// This file is the command line; the server is in js/server/:
// vessel-server.js (the listener, settings, connections), connection.js
// (reading requests, pipelining, writing replies, slow clients),
// commands.js (AUTH, HELLO, CLIENT, SHUTDOWN ... and the dispatch),
// introspection.js (COMMAND, INFO, MODULE), config.js (CONFIG),
// cluster.js (CLUSTER: a single node owning all 16,384 slots),
// persistence.js (opening the store, appendfsync/save, the save at
// shutdown) and replies.js (pieces they share).

import { realpathSync } from 'node:fs';
import { VesselServer } from './server/vessel-server.js';

export { VesselServer };
export { keySlot } from './server/cluster.js';
export { parseMemory } from './server/persistence.js';
export { ReplyError } from './resp.js';

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
  --repl-timeout <s>    a replica (SYNC, PSYNC, REPLICAOF) that takes nothing for this long is dropped; default 60
  --no-cluster          answer as a standalone server (CLUSTER commands disabled)
  --databases <n>       numbered databases (SELECT, SWAPDB, MOVE) without cluster mode; default 16
  --cluster-databases <n>  numbered databases in cluster mode, as Valkey 9's cluster-databases;
                        default 1 (SELECT, MOVE across them; SWAPDB is refused in cluster mode)
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
    else if (a === '--repl-timeout') {
      o.replTimeout = Number(val());
      if (!(o.replTimeout > 0 && o.replTimeout <= 86400)) throw new Error('--repl-timeout is a number of seconds, more than 0');
    }
    else if (a === '--no-cluster') o.cluster = false;
    else if (a === '--databases') o.databases = Number(val());
    else if (a === '--cluster-databases') o.clusterDatabases = Number(val());
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

if (process.argv[1] && new URL(import.meta.url).pathname === realpathSync(process.argv[1])) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`vessel-server: ${e.message}\n`);
    process.exit(1);
  });
}

