// vectors.js - vector values in each element type a VECTOR field can have
// (FT.CREATE ... TYPE FLOAT32 | FLOAT16 | BFLOAT16 | INT8 | UINT8): numbers
// to the little-endian bytes a hash stores and a query sends, and back.
//
//   vectorBytes([0.5, -1, 2], 'FLOAT16')   -> Uint8Array(6)
//   vectorValues(bytes, 'FLOAT16')         -> Float32Array [0.5, -1, 2]
//
// FLOAT16 is IEEE binary16 and BFLOAT16 the top 16 bits of a binary32; both
// are rounded to nearest, ties to even, as the engine's own conversions.
// INT8 and UINT8 take integers in their range and refuse anything else
// (no silent wrapping or clamping).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bits of Math.fround(x) as a binary16, rounded to nearest even. */
export function float16Bits(x) {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf, NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: infinity
  if (e <= 0) {
    // Subnormal (or zero) half: shift the mantissa with its implicit bit.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent: correct
  return sign | h;
}

/** A binary16's value. */
export function float16Value(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** The bits of Math.fround(x) as a bfloat16, rounded to nearest even. */
export function bfloat16Bits(x) {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) | 0x40) & 0xffff; // NaN stays NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bfloat16Value(h) {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

const TYPES = {
  FLOAT32: 4,
  FLOAT16: 2,
  BFLOAT16: 2,
  INT8: 1,
  UINT8: 1,
};

function typeName(type) {
  const t = String(type ?? 'FLOAT32').toUpperCase();
  if (!(t in TYPES)) throw new TypeError(`vessel: unknown vector type ${type} (FLOAT32, FLOAT16, BFLOAT16, INT8 or UINT8)`);
  return t;
}

/** Bytes per component of a vector type. */
export function vectorElementSize(type) {
  return TYPES[typeName(type)];
}

/**
 * A vector's bytes in the given element type.
 * @param {ArrayLike<number>} values
 * @param {'FLOAT32'|'FLOAT16'|'BFLOAT16'|'INT8'|'UINT8'} [type]
 * @returns {Uint8Array}
 */
export function vectorBytes(values, type = 'FLOAT32') {
  const t = typeName(type);
  const n = values.length;
  const out = new Uint8Array(n * TYPES[t]);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = Number(values[i]);
    switch (t) {
      case 'FLOAT32': dv.setFloat32(i * 4, x, true); break;
      case 'FLOAT16': dv.setUint16(i * 2, float16Bits(x), true); break;
      case 'BFLOAT16': dv.setUint16(i * 2, bfloat16Bits(x), true); break;
      case 'INT8':
      case 'UINT8': {
        const lo = t === 'INT8' ? -128 : 0;
        if (!Number.isInteger(x) || x < lo || x > lo + 255) throw new RangeError(`vessel: ${t} vector component ${i} is ${values[i]}, not an integer in [${lo}, ${lo + 255}]`);
        if (t === 'INT8') dv.setInt8(i, x);
        else dv.setUint8(i, x);
        break;
      }
    }
  }
  return out;
}

/**
 * A vector's values from its bytes: Float32Array for the float types
 * (FLOAT16 and BFLOAT16 widened exactly), Int8Array, Uint8Array.
 * @param {Uint8Array} bytes
 * @param {string} [type]
 */
export function vectorValues(bytes, type = 'FLOAT32') {
  const t = typeName(type);
  const size = TYPES[t];
  if (bytes.byteLength % size !== 0) throw new RangeError(`vessel: ${bytes.byteLength} bytes is not a whole ${t} vector`);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (t === 'FLOAT32') return new Float32Array(copy);
  if (t === 'INT8') return new Int8Array(copy);
  if (t === 'UINT8') return new Uint8Array(copy);
  const dv = new DataView(copy);
  const out = new Float32Array(bytes.byteLength / 2);
  const conv = t === 'FLOAT16' ? float16Value : bfloat16Value;
  for (let i = 0; i < out.length; i++) out[i] = conv(dv.getUint16(i * 2, true));
  return out;
}
