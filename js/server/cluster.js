// server/cluster.js - CLUSTER emulation for vessel-server: one node that
// owns all 16,384 slots, so cluster clients (redis-py's RedisCluster,
// node-redis's createCluster) connect and route every key here.
//
// The node's id is made once per server; its address is the bind address
// (or, bound to every interface, the address the client reached).

import { decode } from '../resp.js';
import * as R from '../resp-write.js';
import { arity, engineReply, td } from './replies.js';

export const SLOTS = 16384;

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

/** Up to `limit` keys (bytes) of the store in `slot`. */
function keysInSlot(db, client, slot, limit) {
  const out = [];
  let cursor = '0';
  do {
    // As the connection's engine client: the keys of its selected database
    // (Valkey 9: COUNTKEYSINSLOT and GETKEYSINSLOT read the selected one).
    const [[next, keys]] = decode(db.commandRaw(['SCAN', cursor, 'COUNT', '1000'], { persistence: false, client }), 0, true);
    cursor = td.decode(next);
    for (const k of keys) if (out.length < limit && keySlot(k) === slot) out.push(k);
  } while (cursor !== '0' && out.length < limit);
  return out;
}

/**
 * CLUSTER <subcommand> for connection `c` of `server` (its db, port,
 * bind, nodeId and cluster setting).
 */
export function clusterCommand(server, c, args) {
  if (!server.cluster) return R.error('ERR This instance has cluster support disabled');
  if (args.length < 2) return arity('cluster');
  const sub = td.decode(args[1]).toLowerCase();
  const ip = server.bind === '0.0.0.0' || server.bind === '::' ? c.socket.localAddress.replace(/^::ffff:/, '') : server.bind;
  const { nodeId, port } = server;
  const p = c.proto;
  switch (sub) {
    case 'slots':
      return R.array([R.array([R.int(0), R.int(SLOTS - 1), R.array([R.bulk(ip), R.int(port), R.bulk(nodeId), R.map([], p)])])]);
    case 'shards':
      return R.array([R.map([
        [R.bulk('slots'), R.array([R.int(0), R.int(SLOTS - 1)])],
        [R.bulk('nodes'), R.array([R.map([
          [R.bulk('id'), R.bulk(nodeId)], [R.bulk('port'), R.int(port)], [R.bulk('ip'), R.bulk(ip)],
          [R.bulk('endpoint'), R.bulk(ip)], [R.bulk('role'), R.bulk('master')], [R.bulk('replication-offset'), R.int(0)],
          [R.bulk('health'), R.bulk('online')],
        ], p)])],
      ], p)]);
    case 'info':
      return R.text(['cluster_state:ok', `cluster_slots_assigned:${SLOTS}`, `cluster_slots_ok:${SLOTS}`, 'cluster_slots_pfail:0',
        'cluster_slots_fail:0', 'cluster_known_nodes:1', 'cluster_size:1', 'cluster_current_epoch:1', 'cluster_my_epoch:1',
        'cluster_stats_messages_sent:0', 'cluster_stats_messages_received:0', 'total_cluster_links_buffer_limit_exceeded:0', ''].join('\r\n'), p);
    case 'myid':
      return R.bulk(nodeId);
    case 'myshardid':
      return R.bulk(nodeId);
    case 'nodes':
      return R.text(`${nodeId} ${ip}:${port}@${port + 10000} myself,master - 0 0 1 connected 0-${SLOTS - 1}\n`, p);
    case 'keyslot':
      if (args.length !== 3) return arity('cluster|keyslot');
      return R.int(keySlot(args[2]));
    case 'countkeysinslot': {
      if (args.length !== 3) return arity('cluster|countkeysinslot');
      const slot = Number(td.decode(args[2]));
      if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) return R.error('ERR Invalid slot');
      return R.int(keysInSlot(server.db, c.client, slot, Infinity).length);
    }
    case 'getkeysinslot': {
      if (args.length !== 4) return arity('cluster|getkeysinslot');
      const slot = Number(td.decode(args[2]));
      const count = Number(td.decode(args[3]));
      if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) return R.error('ERR Invalid slot');
      if (!Number.isInteger(count) || count < 0) return R.error('ERR Invalid number of keys');
      return R.array(keysInSlot(server.db, c.client, slot, count).map(R.bulk));
    }
    default:
      return R.error(`ERR unknown subcommand '${td.decode(args[1])}'. Try CLUSTER HELP.`);
  }
}
