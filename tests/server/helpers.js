// helpers.js - start vessel-server (the real bin, as a child process) on a
// free loopback port, and talk raw RESP to it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { decode, encodeCommand } from '../../js/resp.js';

const SERVER = new URL('../../js/server.js', import.meta.url).pathname;

/** Start vessel-server with `args`; resolves to { port, proc, log(), stop(signal), exited }. */
export function startServer(args = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SERVER, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    const onData = (d) => {
      log += d;
      const m = /ready on [^:]+:(\d+)/.exec(log);
      if (m) {
        proc.stderr.off('data', onData);
        proc.stderr.on('data', (x) => (log += x));
        resolve({
          port: Number(m[1]),
          proc,
          exited,
          log: () => log,
          async stop(signal = 'SIGTERM') {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    };
    proc.stderr.on('data', onData);
    proc.stdout.on('data', (d) => (log += d));
    proc.once('exit', (code) => reject(new Error(`vessel-server exited (${code}): ${log}`)));
  });
}

/** A raw RESP connection: send(args) -> decoded reply (binary bulks as Buffers with binary=true). */
export async function connect(port) {
  const sock = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s)).on('error', reject);
  });
  let buf = Buffer.alloc(0);
  const waiters = [];
  let closed = false;
  const pump = () => {
    while (waiters.length) {
      let value;
      let end;
      try {
        [value, end] = decode(buf, 0, waiters[0].binary);
      } catch {
        return;
      }
      if (Number.isNaN(end) || end > buf.length) return;
      buf = buf.subarray(end);
      waiters.shift().resolve(value);
    }
  };
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    pump();
  });
  sock.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w.resolve(Symbol.for('closed'));
  });
  return {
    sock,
    get closed() {
      return closed;
    },
    send(args, binary = false) {
      return new Promise((resolve) => {
        waiters.push({ resolve, binary });
        sock.write(encodeCommand(args.map((a) => (typeof a === 'number' ? String(a) : a))));
      });
    },
    raw(bytes) {
      sock.write(bytes);
    },
    /** The next reply without sending anything. */
    next(binary = false) {
      return new Promise((resolve) => {
        waiters.push({ resolve, binary });
        pump();
      });
    },
    close() {
      sock.destroy();
    },
  };
}

export function rssOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(s)[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * A raw connection that returns each reply's exact bytes: write(bytes),
 * replies(n) -> the next n replies as Buffers (framed with resp.js's
 * decode), in order.  Bytes arriving before they are asked for are kept.
 */
export async function rawClient(port) {
  const sock = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s)).on('error', reject);
  });
  sock.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let want = null; // { n, out, resolve }
  let closed = false;
  const pump = () => {
    while (want && want.out.length < want.n && buf.length) {
      const end = decode(buf, 0, true)[1];
      if (Number.isNaN(end) || end > buf.length) break;
      want.out.push(Buffer.from(buf.subarray(0, end)));
      buf = buf.subarray(end);
    }
    if (want && (want.out.length === want.n || closed)) {
      const w = want;
      want = null;
      w.resolve(w.out);
    }
  };
  sock.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    pump();
  });
  sock.on('close', () => {
    closed = true;
    pump();
  });
  sock.on('error', () => {});
  return {
    sock,
    get closed() {
      return closed;
    },
    get buffered() {
      return buf.length;
    },
    write(bytes) {
      return new Promise((resolve) => sock.write(bytes, () => resolve()));
    },
    /** The next n replies (fewer if the connection closes first). */
    replies(n) {
      return new Promise((resolve) => {
        want = { n, out: [], resolve };
        pump();
      });
    },
    close() {
      sock.destroy();
    },
  };
}
