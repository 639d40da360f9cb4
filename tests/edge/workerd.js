// workerd.js - starts the `workerd` npm package's binary on a free
// loopback port with the edge example's configuration, for the edge tests
// and bench/edge.js.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { freePort, waitForPort } from '../net.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONFIG = join(root, 'examples', 'edge', 'workerd.capnp');

export function workerdBinary() {
  try {
    // The package exposes its platform binary's path.
    return require('workerd').default ?? join(dirname(require.resolve('workerd/package.json')), 'bin', 'workerd');
  } catch {
    return null;
  }
}

export { freePort };

/**
 * Serve `config` (default: the edge example) with workerd; resolves once
 * the socket accepts connections.  { url, port, stop(), startedAt }.
 */
export async function startWorkerd({ kvDir, config = CONFIG, socket = 'http', extra = [] } = {}) {
  const port = await freePort();
  const args = ['serve', config, `--socket-addr=${socket}=127.0.0.1:${port}`, ...extra];
  if (kvDir) args.push(`--directory-path=kv-files=${kvDir}`);
  const startedAt = performance.now();
  const child = spawn(workerdBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((r) => child.once('exit', r));
  if (!(await waitForPort(port, { alive: () => child.exitCode === null }))) throw new Error(`workerd did not start: ${log}`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    startedAt,
    log: () => log,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
