// bytes.js - byte helpers shared across the JS layer.

/** One Uint8Array holding `parts` one after another. */
export function concat(parts, total) {
  let n = total ?? 0;
  if (total === undefined) for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
