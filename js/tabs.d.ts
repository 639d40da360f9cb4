// Type declarations for js/tabs.js: one store shared by every tab of an origin.
import type { VesselWorker, WorkerOpenOptions } from './worker-client.js';
export { ReplyError } from './index.js';

/** openWorker's options, with a persistent storage (a shared store cannot live in memory). */
export interface SharedOpenOptions extends Omit<WorkerOpenOptions, 'storage'> {
  storage: { browser: string } | { opfs: string } | { indexeddb: string };
}

/** The store as a tab sees it: VesselWorker's API (storage: the owner's), whichever tab runs the engine. */
export interface SharedVessel extends Omit<VesselWorker, 'onChange'> {}
export class SharedVessel {
  /** 'owner' while this tab runs the store (in its worker), 'follower' while it forwards to the owner. */
  readonly role: 'owner' | 'follower';
  /** The store's key ('indexeddb:NAME', 'opfs:NAME' or 'browser:NAME'). */
  readonly key: string;
  /** This tab's id in the messages. */
  readonly tabId: string;
  readonly closed: boolean;
  /** Call fn after writes made by any tab (coalesced); returns the function that stops it. */
  onChange(fn: () => void): () => void;
  /** Call fn(role) when this tab's role changes (to 'owner' on a takeover); returns the function that stops it. */
  onRole(fn: (role: 'owner' | 'follower') => void): () => void;
  /** Leave: a follower just goes; the owner closes the store (flushing it) and the next tab takes over. */
  close(): Promise<void>;
}

/** The methods resent to a new owner when the old one went (the others fail with code 'VESSEL_OWNER_LOST'). */
export const READ_ONLY: readonly string[];

/** The key naming a storage description; throws a TypeError for one that is not persistent. */
export function sharedKey(storage: SharedOpenOptions['storage']): string;

/** Open a store shared by the tabs of this origin (durability defaults to 'always'). */
export function openShared(
  options: SharedOpenOptions,
  how?: { locks?: LockManager; BroadcastChannel?: typeof BroadcastChannel; openWorker?: (o: object) => Promise<VesselWorker>; takeoverMs?: number },
): Promise<SharedVessel>;
