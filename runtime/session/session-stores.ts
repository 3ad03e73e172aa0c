// The data folders of a session: which key-value and blob folders the config names (or the
// defaults in .wash/data), the studio's own handles on them for the browsers, and one
// StoreLocks per folder for the session's whole life, shared with every worker.
//
// Opening a folder creates nothing (the stores make their folders at the first write), takes
// ownership of an existing one (refusing a folder another live studio is using, as an error
// value naming it) and reports what opening found wrong, as warnings naming each key.
import { join, resolve } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import type { Logger } from '../logs/log-bus.ts';
import { BlobStore } from '../stores/blob-store.ts';
import { KeyValueStore } from '../stores/key-value-store.ts';
import { StoreError } from '../stores/store-error.ts';
import { StoreLocks } from '../stores/store-locks.ts';

/** The data folders of a session and the studio's own handles on them (for the browsers). */
export interface SessionStores {
  keyvalue: KeyValueStore;
  blobstore: BlobStore;
  keyvaluePath: string;
  blobstorePath: string;
  keyvalueFrom: 'config' | 'default';
  blobstoreFrom: 'config' | 'default';
  /** Shared with every worker, so increments and batches stay atomic across threads. */
  locks: StoreLocks;
}

/** Where a session's data lives: the config's paths (relative to `base`) or the defaults under `dataDir`. */
export interface DataPaths {
  base: string;
  dataDir: string;
  keyvaluePath?: string | undefined;
  blobstorePath?: string | undefined;
}

export class SessionData {
  private current: SessionStores | undefined;
  /**
   * A folder keeps its StoreLocks when the config points away and back: the locks carry the
   * journal's positions, and the folder's owner file names their token.
   */
  private readonly locksByFolder = new Map<string, StoreLocks>();

  constructor(private readonly log: Logger) {}

  get stores(): SessionStores | undefined {
    return this.current;
  }

  /** Opens the folders `paths` name, reusing the open ones when they did not change. */
  open(paths: DataPaths): Result<SessionStores> {
    const keyvaluePath = paths.keyvaluePath ? resolve(paths.base, paths.keyvaluePath) : join(paths.dataDir, 'keyvalue');
    const blobstorePath = paths.blobstorePath ? resolve(paths.base, paths.blobstorePath) : join(paths.dataDir, 'blobstore');
    const current = this.current;
    if (current && current.keyvaluePath === keyvaluePath && current.blobstorePath === blobstorePath) return ok(current);
    this.close();
    // One StoreLocks serves one key-value folder (and the blob folder opened with it).
    let locks = this.locksByFolder.get(keyvaluePath);
    if (!locks) this.locksByFolder.set(keyvaluePath, (locks = new StoreLocks()));
    let keyvalue: KeyValueStore | undefined;
    try {
      keyvalue = new KeyValueStore(keyvaluePath, { locks });
      const blobstore = new BlobStore(blobstorePath, { locks });
      this.current = {
        keyvalue,
        blobstore,
        keyvaluePath,
        blobstorePath,
        keyvalueFrom: paths.keyvaluePath ? 'config' : 'default',
        blobstoreFrom: paths.blobstorePath ? 'config' : 'default',
        locks,
      };
    } catch (error) {
      keyvalue?.close();
      if (!(error instanceof StoreError)) throw error;
      return fail(error.code === 'in-use' ? 'data-in-use' : 'data-unusable', error.message, error.hint);
    }
    const { replayed = 0, warnings = [] } = this.current.keyvalue.openReport ?? {};
    if (replayed > 0) this.log.info(`keyvalue: replayed ${replayed} journaled write${replayed === 1 ? '' : 's'} after an unclean stop`);
    for (const warning of [...warnings, ...this.current.blobstore.openWarnings]) this.log.warn(warning);
    return ok(this.current);
  }

  /** Checkpoints the key-value journal and lets the folders go (a clean stop leaves it empty). */
  close(): void {
    this.current?.keyvalue.close();
    this.current?.blobstore.close();
    this.current = undefined;
  }
}
