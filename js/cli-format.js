// cli-format.js - replies printed as redis-cli prints them, from their
// RESP bytes: the TTY form ("(integer) 1", quoted strings with \xHH
// escapes, numbered nested arrays, "(error) ...", "(nil)") and the raw
// form redis-cli uses when its output is not a terminal (--raw).

import { concat } from './bytes.js';

const td = new TextDecoder();

/** Parse one RESP value keeping its type: { t, v } (t: '+', '-', ':', '$', '*', '_', ',', '#', '%', '~'). */
export function parseTyped(u8, pos = 0) {
  const type = String.fromCharCode(u8[pos]);
  let e = pos + 1;
  while (u8[e] !== 13) e++;
  const line = td.decode(u8.subarray(pos + 1, e));
  let p = e + 2;
  switch (type) {
    case '+':
    case '-':
      return [{ t: type, v: u8.subarray(pos + 1, e) }, p];
    case ':':
      return [{ t: ':', v: line }, p];
    case ',':
      return [{ t: ',', v: line }, p];
    case '#':
      return [{ t: '#', v: line === 't' }, p];
    case '_':
      return [{ t: '_' }, p];
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return [{ t: '_' }, p];
      const v = u8.subarray(p + (type === '=' ? 4 : 0), p + n);
      return [{ t: '$', v }, p + n + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const n = Number(line);
      if (n < 0) return [{ t: '_' }, p];
      const count = type === '%' ? n * 2 : n;
      const items = [];
      for (let i = 0; i < count; i++) {
        let item;
        [item, p] = parseTyped(u8, p);
        items.push(item);
      }
      return [{ t: type === '>' ? '*' : type, v: items }, p];
    }
    default:
      throw new Error(`vessel-cli: bad reply type ${type}`);
  }
}

/** sdscatrepr: a double-quoted string with C escapes and \xHH for the rest. */
export function repr(bytes) {
  let s = '"';
  for (const c of bytes) {
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x22) s += '\\"';
    else if (c === 10) s += '\\n';
    else if (c === 13) s += '\\r';
    else if (c === 9) s += '\\t';
    else if (c === 7) s += '\\a';
    else if (c === 8) s += '\\b';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${s}"`;
}

/** redis-cli's TTY form of one reply (cliFormatReplyTTY). */
export function formatTTY(r, prefix = '') {
  switch (r.t) {
    case '-':
      return `(error) ${td.decode(r.v)}\n`;
    case '+':
      return `${td.decode(r.v)}\n`;
    case ':':
      return `(integer) ${r.v}\n`;
    case ',':
      return `(double) ${r.v}\n`;
    case '$':
      return `${repr(r.v)}\n`;
    case '_':
      return '(nil)\n';
    case '#':
      return r.v ? '(true)\n' : '(false)\n';
    default: {
      const items = r.v;
      if (items.length === 0) return r.t === '%' ? '(empty hash)\n' : r.t === '~' ? '(empty set)\n' : '(empty array)\n';
      const count = r.t === '%' ? items.length / 2 : items.length;
      const width = String(count).length;
      const inner = prefix + ' '.repeat(width + 2);
      const sep = r.t === '~' ? '~' : r.t === '%' ? '#' : ')';
      let out = '';
      for (let i = 0; i < items.length; i++) {
        const idx = (r.t === '%' ? Math.floor(i / 2) : i) + 1;
        out += `${i === 0 ? '' : prefix}${String(idx).padStart(width)}${sep} ${formatTTY(items[i], inner)}`;
      }
      return out;
    }
  }
}

/** redis-cli's raw form (cliFormatReplyRaw): values as they are, one per line. */
export function formatRawBytes(r) {
  const enc = new TextEncoder();
  switch (r.t) {
    case '-':
      return Uint8Array.from([...r.v, 10]); // redis-cli ends an error with its own newline
    case '+':
    case '$':
      return r.v;
    case ':':
    case ',':
      return enc.encode(r.v);
    case '#':
      return enc.encode(r.v ? '1' : '0');
    case '_':
      return new Uint8Array(0);
    default: {
      const parts = [];
      r.v.forEach((x, i) => {
        if (i > 0) parts.push(enc.encode('\n'));
        parts.push(formatRawBytes(x));
      });
      return concat(parts);
    }
  }
}
