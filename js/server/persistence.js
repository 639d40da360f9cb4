// server/persistence.js - how vessel-server wires its store's persistence:
// the --dir/--appendfsync/--save/--maxmemory options checked and the store
// opened (what the open found or repaired is logged), CONFIG SET
// appendfsync/save applied to the running store, and the save SHUTDOWN
// makes.
//
// The store persists exactly when the server has a --dir; everything here
// goes through the store's public methods.

import { open } from '../node.js';
import { describeLoad } from '../persistence.js';
import { formatSave } from '../vessel.js';

export const FSYNC_MODES = ['always', 'everysec', 'no'];

/** Redis's memory units: 1k = 1000, 1kb = 1024, ... */
export function parseMemory(v) {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(String(v).trim());
  if (!m) return NaN;
  const unit = { k: 1e3, kb: 1024, m: 1e6, mb: 1 << 20, g: 1e9, gb: 1 << 30 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/** Redis's `save` setting: "" or "secs changes [secs changes ...]". */
export function parseSave(v) {
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

/** Check the server's persistence options, open its store and log what opening found. */
export async function openStore(server) {
  if (!FSYNC_MODES.includes(server.appendfsync)) throw new Error(`--appendfsync must be always, everysec or no`);
  const rules = parseSave(server.save);
  if (!rules) throw new Error(`--save must be "" or pairs of seconds and changes`);
  if (Number.isNaN(server.maxmemory)) throw new Error('--maxmemory must be a memory value (bytes, or 100mb, 1gb ...)');
  const db = await open({
    dir: server.dir ?? undefined,
    durability: server.appendfsync,
    autosave: rules.length ? rules : false,
    maxmemory: server.maxmemory,
    // Cluster mode has cluster-databases databases (Valkey 9; 1 by default).
    databases: server.cluster ? server.clusterDatabases : server.databases,
    repairJournal: server.repairJournal,
    recoverManifest: server.recoverManifest,
  });
  for (const line of describeLoad(db.loadReport)) server.log(`vessel-server: ${line}`);
  return db;
}

/** CONFIG SET appendfsync: the server's setting, and the store's durability when it persists. */
export function setAppendfsync(server, mode) {
  server.appendfsync = mode;
  if (server.dir) server.db.setDurability(mode).catch((e) => server.log(`vessel-server: appendfsync ${mode}: ${e.message}`));
}

/** CONFIG SET save (rules as parseSave gives them): the server's setting, and the store's autosave. */
export function setSave(server, rules) {
  server.save = formatSave(rules);
  if (server.dir) server.db.setAutosave(rules.length ? rules : false);
}

/**
 * Whether SHUTDOWN with these options saves: SAVE always, NOSAVE never,
 * otherwise when the store persists and has save rules.
 */
export function savesOnShutdown(server, opts) {
  return opts.includes('save') || (!opts.includes('nosave') && server.dir && parseSave(server.save).length > 0);
}
