// Type declarations for js/storage/opfs.js (browsers).
import type { Storage } from '../index.js';

/**
 * Blobs as files in the Origin Private File System: sync access handles in a
 * dedicated worker ('sync' mode), the asynchronous API elsewhere ('async').
 */
export interface OPFSStorage extends Storage {}
export class OPFSStorage {
  /**
   * The store is the OPFS directory "vessel-" + encodeURIComponent(name).
   * root: the directory holding stores (default navigator.storage.getDirectory());
   * sync: use sync access handles (default: when available here).
   */
  constructor(name: string, options?: { root?: FileSystemDirectoryHandle; locks?: LockManager; sync?: boolean });
  readonly name: string;
  readonly mode: 'sync' | 'async';
  /** True where sync access handles exist (a dedicated Web Worker). */
  static syncAvailable(): boolean;
  /** True when an OPFS store of that name exists (it holds a MANIFEST). */
  static exists(name: string, options?: { root?: FileSystemDirectoryHandle }): Promise<boolean>;
  /** Delete the whole store. */
  static destroy(name: string, options?: { root?: FileSystemDirectoryHandle }): Promise<void>;
}
