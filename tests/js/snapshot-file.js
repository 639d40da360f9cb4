// snapshot-file.js - snapshot files in tests: XXH64 (the snapshot's
// checksums), a file from its sections, every checksum right, to make
// well-formed files whose contents are wrong, and loading bytes into a store.

// XXH64 (the snapshot's checksums), to build well-formed files whose
// contents are wrong.
const M64 = (1n << 64n) - 1n;
const [P1, P2, P3, P4, P5] = [11400714785074694791n, 14029467366897019727n, 1609587929392839161n, 9650029242287828579n, 2870177450012600261n];
const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M64;
const xround = (acc, v) => (rotl((acc + v * P2) & M64, 31) * P1) & M64;
const xmerge = (acc, v) => (((((acc ^ xround(0n, v)) * P1) & M64) + P4) & M64);
export function xxh64(b, seed) {
  seed = BigInt(seed) & M64;
  let i = 0;
  let h;
  if (b.length >= 32) {
    const v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64];
    for (; i + 32 <= b.length; i += 32) for (let j = 0; j < 4; j++) v[j] = xround(v[j], b.readBigUInt64LE(i + 8 * j));
    h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M64;
    for (const x of v) h = xmerge(h, x);
  } else {
    h = (seed + P5) & M64;
  }
  h = (h + BigInt(b.length)) & M64;
  for (; i + 8 <= b.length; i += 8) h = (((rotl(h ^ xround(0n, b.readBigUInt64LE(i)), 27) * P1) & M64) + P4) & M64;
  for (; i + 4 <= b.length; i += 4) h = (((rotl(h ^ ((BigInt(b.readUInt32LE(i)) * P1) & M64), 23) * P2) & M64) + P3) & M64;
  for (; i < b.length; i++) h = (rotl(h ^ ((BigInt(b[i]) * P5) & M64), 11) * P1) & M64;
  h = ((h ^ (h >> 33n)) * P2) & M64;
  h = ((h ^ (h >> 29n)) * P3) & M64;
  return h ^ (h >> 32n);
}

/** A snapshot from its header's version and its sections ({ t, p }), every checksum right. */
export function buildSnapshot(head, version, secs) {
  const h0 = Buffer.from(head.subarray(0, 16));
  h0.writeUInt32LE(version, 8);
  const parts = [h0];
  for (const { t, p } of secs) {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(t);
    h.writeBigUInt64LE(BigInt(p.length), 4);
    const c = Buffer.alloc(8);
    c.writeBigUInt64LE(xxh64(p, t));
    parts.push(h, p, c);
  }
  const body = Buffer.concat(parts);
  const end = Buffer.alloc(28);
  end.writeUInt32LE(0xffffffff);
  end.writeBigUInt64LE(8n, 4);
  end.writeBigUInt64LE(xxh64(body, 0), 12);
  end.writeBigUInt64LE(xxh64(end.subarray(12, 20), 0xffffffff), 20);
  return Buffer.concat([body, end]);
}

/** Load a snapshot's bytes (declared `size`) into an open store's engine:
 * the error it refuses them with, or null. */
export function loadInto(db, bytes, size = bytes.length) {
  db.engine.loadBegin(size);
  try {
    db.engine.loadFeed(bytes);
    db.engine.loadEnd();
  } catch (err) {
    db.engine.loadAbort();
    return err;
  }
  return null;
}
