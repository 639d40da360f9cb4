// net.js - loopback helpers for the tests and benchmarks that start servers.
import { spawn } from 'node:child_process';
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Does 127.0.0.1:port accept a connection? */
export function accepts(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    }).on('error', () => resolve(false));
  });
}

/** Wait until 127.0.0.1:port accepts connections (or `alive()` says the server died). */
export async function waitForPort(port, { tries = 200, alive = () => true } = {}) {
  for (let i = 0; i < tries; i++) {
    if (await accepts(port)) return true;
    if (!alive()) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/**
 * Start Debian's redis-server on a free loopback port (`args` after
 * --port and --bind).  A port freePort() gave may be taken by another
 * process before redis-server binds it (test files run at the same time
 * pick ports too): redis-server then exits and another port is tried.
 * Ready when redis-server's own log says so, so that whatever else
 * listens on the port is never taken for it.  Resolves to { port, proc, log() }.
 */
export async function startRedisServer(args = [], { tries = 5 } = {}) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const ready = await new Promise((resolve) => {
      const onData = (d) => {
        log += d;
        if (/Ready to accept connections/.test(log)) resolve(true);
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', () => resolve(false));
    });
    if (ready) return { port, proc, log: () => log };
    if (attempt >= tries || !/Address already in use/.test(log)) throw new Error(`redis-server did not start: ${log}`);
  }
}
