// node.js - Vessel's entry point under Node.js (the package's "node"
// export condition): everything js/index.js exports, plus file storage,
// so `open({ dir: './data' })` persists to a directory.
//
//   import { open } from 'vessel';
//   const db = await open({ dir: './data', durability: 'always' });

import { FileStorage } from './storage/files.js';
import { open as openStore } from './vessel.js';

export * from './index.js';
export { FileStorage };

/**
 * open() with `dir`: a FileStorage over that directory.
 * @param {import('./index.js').OpenOptions} [options]
 */
export function open(options = {}) {
  if (options.dir && !options.storage) return openStore({ ...options, storage: new FileStorage(options.dir) });
  return openStore(options);
}
