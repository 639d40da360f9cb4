// protocol.js - the request side of the Redis protocol, as a server reads
// it: RESP arrays of bulk strings and inline commands, with Redis's limits
// and its exact protocol error texts; and sdssplitargs, the quoting rules
// of inline commands and of redis-cli's prompt.
//
// Used by vessel-cli (--pipe, the prompt) and vessel-server.  Pure JS, no
// engine: the parser never holds more than the request being read.

const enc = new TextEncoder();

export const LIMITS = {
  maxArgs: 1024 * 1024, // a larger multibulk count is "invalid multibulk length"
  maxBulk: 512 * 1024 * 1024, // proto-max-bulk-len
  inlineMax: 64 * 1024, // PROTO_INLINE_MAX_SIZE
};

const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
const isHex = (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const hexVal = (c) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/**
 * Split a line into arguments as Redis's sdssplitargs does: spaces
 * separate; "double quotes" take \xHH, \n, \r, \t, \b, \a and \<any>;
 * 'single quotes' take \'; a closing quote must be followed by a space or
 * the end.  Returns an array of Uint8Array, or null for unbalanced quotes.
 * @param {Uint8Array|string} line
 */
export function splitArgs(line) {
  const p = typeof line === 'string' ? enc.encode(line) : line;
  const out = [];
  let i = 0;
  const n = p.length;
  for (;;) {
    while (i < n && isSpace(p[i])) i++;
    if (i >= n) return out;
    const cur = [];
    let inq = false; // "
    let insq = false; // '
    let done = false;
    while (!done) {
      if (inq) {
        if (i >= n) return null;
        if (p[i] === 0x5c && i + 3 < n && p[i + 1] === 0x78 && isHex(p[i + 2]) && isHex(p[i + 3])) {
          cur.push(hexVal(p[i + 2]) * 16 + hexVal(p[i + 3]));
          i += 3;
        } else if (p[i] === 0x5c && i + 1 < n) {
          i++;
          const c = p[i];
          cur.push(c === 0x6e ? 10 : c === 0x72 ? 13 : c === 0x74 ? 9 : c === 0x62 ? 8 : c === 0x61 ? 7 : c);
        } else if (p[i] === 0x22) {
          if (i + 1 < n && !isSpace(p[i + 1])) return null; // closing quote must be followed by a space
          done = true;
        } else {
          cur.push(p[i]);
        }
      } else if (insq) {
        if (i >= n) return null;
        if (p[i] === 0x5c && i + 1 < n && p[i + 1] === 0x27) {
          i++;
          cur.push(0x27);
        } else if (p[i] === 0x27) {
          if (i + 1 < n && !isSpace(p[i + 1])) return null;
          done = true;
        } else {
          cur.push(p[i]);
        }
      } else if (i >= n || isSpace(p[i])) {
        done = true;
      } else if (p[i] === 0x22) {
        inq = true;
      } else if (p[i] === 0x27) {
        insq = true;
      } else {
        cur.push(p[i]);
      }
      if (i < n) i++;
    }
    out.push(Uint8Array.from(cur));
  }
}

/**
 * A streaming parser of requests.  push() bytes as they arrive; next()
 * returns { args } (an array of Uint8Array), { error } (the protocol error
 * reply text; the connection must then be closed), or null when more bytes
 * are needed.  Empty requests (a blank inline line, "*0") are skipped.
 *
 * The result does not depend on how the bytes were split between push()
 * calls: a multibulk still incomplete is kept whole in the buffer (its
 * arguments as offsets, made into arrays only once it is complete), and
 * the length limits of header and inline lines apply to the line, not to
 * what happened to have arrived.
 */
export class RequestParser {
  /**
   * @param {{ maxArgs?: number, maxBulk?: number, inlineMax?: number, copy?: boolean }} [limits]
   *   copy: false returns arguments as views into the parser's buffer, valid
   *   until the next push() (a server that runs each request before reading
   *   more saves a copy per argument)
   */
  constructor(limits = {}) {
    this.limits = { ...LIMITS, ...limits };
    this.copy = limits.copy !== false;
    this.buf = new Uint8Array(0);
    this.pos = 0; // read position in buf
    this.len = 0; // bytes in buf
    this.scan = 0; // where the search for CR/LF resumes (keeps slow arrivals linear)
    this.start = 0; // where the multibulk being read starts in buf
    this.offs = null; // its arguments so far: [offset from start, length] pairs; null between requests
    this.want = 0; // arguments still expected
    this.bulk = -1; // length of the bulk being read, -1 when at its header
    this.failed = null;
  }

  /** Bytes buffered and not yet returned as requests (for a query buffer limit). */
  get pending() {
    return this.len - (this.offs ? this.start : this.pos);
  }

  /**
   * The unparsed bytes, when the parser is between requests (else null):
   * a caller may consume whole requests from them itself, then skip().
   */
  unparsed() {
    return this.offs === null && !this.failed ? this.buf.subarray(this.pos, this.len) : null;
  }

  /** Mark n bytes of unparsed() as consumed (whole requests only). */
  skip(n) {
    this.pos += n;
    this.scan = this.pos;
  }

  /**
   * Append bytes.  Views returned by next() (copy: false) stay valid until
   * this is called; the bytes of a request not yet complete are kept.
   */
  push(chunk) {
    if (this.failed) return;
    // Everything before base has been returned; from base on is live.
    let base = this.offs ? this.start : this.pos;
    if (base === this.len) {
      // Everything was consumed: start over, and give back a large buffer.
      this.pos = this.len = this.scan = this.start = base = 0;
      if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0);
    }
    if (this.len + chunk.length > this.buf.length) {
      const live = this.len - base;
      let cap = Math.max(4096, this.buf.length);
      while (cap < live + chunk.length) cap *= 2;
      if (cap > this.buf.length) {
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(base, this.len), 0);
        this.buf = nb;
      } else {
        this.buf.copyWithin(0, base, this.len);
      }
      this.pos -= base;
      this.scan = Math.max(this.pos, this.scan - base);
      this.start = Math.max(0, this.start - base);
      this.len = live;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  fail(msg) {
    this.failed = `ERR Protocol error: ${msg}`;
    return { error: this.failed };
  }

  /** Index of the next CR at or after pos, or -1. */
  findCR() {
    const from = Math.max(this.pos, this.scan);
    const i = this.buf.indexOf(13, from);
    if (i < 0 || i >= this.len) {
      this.scan = this.len;
      return -1;
    }
    return i;
  }

  /** Parse a decimal integer in buf[a, b) as Redis's string2ll; NaN if invalid. */
  int(a, b) {
    const n = b - a;
    if (n === 0 || n > 20) return NaN;
    let i = a;
    let neg = false;
    if (this.buf[i] === 0x2d) {
      neg = true;
      i++;
      if (i === b) return NaN;
    }
    if (this.buf[i] === 0x30 && b - i > 1) return NaN;
    let v = 0;
    for (; i < b; i++) {
      const c = this.buf[i] - 0x30;
      if (c < 0 || c > 9) return NaN;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }

  next() {
    if (this.failed) return { error: this.failed };
    const max = this.limits.inlineMax;
    for (;;) {
      if (this.offs === null) {
        if (this.pos >= this.len) return null;
        if (this.buf[this.pos] !== 0x2a) {
          const r = this.inline();
          if (r === null || r.error) return r;
          if (r.args.length) return r;
          continue;
        }
        // A header line longer than inlineMax is an error however it
        // arrives: before its CR when that much is buffered, or after.
        const cr = this.findCR();
        if ((cr < 0 ? this.len : cr) - this.pos > max) return this.fail('too big mbulk count string');
        if (cr < 0 || cr + 1 >= this.len) return null; // the LF has not come yet
        const count = this.int(this.pos + 1, cr);
        if (Number.isNaN(count) || count > this.limits.maxArgs) return this.fail('invalid multibulk length');
        this.start = this.pos;
        this.pos = cr + 2;
        this.scan = this.pos;
        if (count <= 0) continue;
        this.offs = [];
        this.want = count;
        this.bulk = -1;
      }
      while (this.want > 0) {
        if (this.bulk < 0) {
          const cr = this.findCR();
          if ((cr < 0 ? this.len : cr) - this.pos > max) return this.fail('too big bulk count string');
          if (cr < 0 || cr + 1 >= this.len) return null;
          if (this.buf[this.pos] !== 0x24) {
            const c = this.buf[this.pos];
            return this.fail(`expected '$', got '${c === 13 || c === 10 ? ' ' : String.fromCharCode(c)}'`);
          }
          const n = this.int(this.pos + 1, cr);
          if (Number.isNaN(n) || n < 0 || n > this.limits.maxBulk) return this.fail('invalid bulk length');
          this.pos = cr + 2;
          this.scan = this.pos;
          this.bulk = n;
        }
        if (this.len - this.pos < this.bulk + 2) return null;
        this.offs.push(this.pos - this.start, this.bulk);
        this.pos += this.bulk + 2;
        this.scan = this.pos;
        this.bulk = -1;
        this.want--;
      }
      // Complete: only now are the arguments made, from offsets into the
      // buffer as it is at this moment.
      const { offs, buf, start } = this;
      const args = new Array(offs.length >> 1);
      for (let i = 0, j = 0; i < offs.length; i += 2, j++) {
        const a = start + offs[i];
        args[j] = this.copy ? buf.slice(a, a + offs[i + 1]) : buf.subarray(a, a + offs[i + 1]);
      }
      this.offs = null;
      return { args };
    }
  }

  /** An inline command: one line (LF or CRLF), split as sdssplitargs. */
  inline() {
    const from = Math.max(this.pos, this.scan);
    const lf = this.buf.indexOf(10, from);
    if (lf < 0 || lf >= this.len) {
      this.scan = this.len;
      if (this.len - this.pos > this.limits.inlineMax) return this.fail('too big inline request');
      return null;
    }
    // As long a line is refused when its LF has come too (however it arrived).
    if (lf - this.pos > this.limits.inlineMax) return this.fail('too big inline request');
    let end = lf;
    const next = end + 1;
    if (end > this.pos && this.buf[end - 1] === 13) end--;
    const args = splitArgs(this.buf.subarray(this.pos, end));
    this.pos = next;
    this.scan = next;
    if (args === null) return this.fail('unbalanced quotes in request');
    return { args };
  }
}
