// net.js - loopback helpers for the tests and benchmarks that start servers.
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
