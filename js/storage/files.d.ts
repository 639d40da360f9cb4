// Type declarations for js/storage/files.js (Node.js).
import type { Storage } from '../index.js';

/** Blobs as files in a directory: temporary file, fsync, rename, directory fsync. */
export interface FileStorage extends Storage {}
export class FileStorage {
  constructor(dir: string);
}
