// The data folders of a session (wasi:keyvalue and wasi:blobstore) and the studio's own
// handles on them, for the data browsers. Owns which folders the config names, keeping one
// set open while those names do not change, and one StoreLocks per folder for the session's
// whole life, shared with every worker. Must not decide how the stores behave: that is
// runtime/stores/.
//
// Opening a folder creates nothing (the stores make their folders at the first write), takes
// ownership of an existing one (refusing, as an error value, a folder another live studio is
// using) and logs what opening found wrong, as warnings naming each key.
import { join, resolve } from 'node:path';
import { fail, messageOf, ok, type Result } from '../errors.ts';
import type { Logger } from '../logs/log-bus.ts';
import { checkCreatableFolder } from '../project/config-paths.ts';
import type { WashConfig } from '../project/project-config.ts';
import { BlobStore } from '../stores/blob-store.ts';
import { KeyValueStore } from '../stores/key-value-store.ts';
import { StoreError } from '../stores/store-error.ts';
import { StoreLocks } from '../stores/store-locks.ts';
import type { WorkloadStores } from '../workloads/worker-protocol.ts';
import { baseDirOf, type Target } from './session-target.ts';

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

export class SessionStoreFolders {
  private open: SessionStores | undefined;
  /**
   * A folder keeps its StoreLocks when the config points away and back: the locks carry the
   * journal's positions, and the folder's owner file names their token.
   */
  private readonly locksByFolder = new Map<string, StoreLocks>();

  constructor(
    private readonly target: Target,
    /** Called when other folders were opened, so the browsers follow. */
    private readonly onOpened: (stores: SessionStores) => void,
    private readonly log: Logger,
  ) {}

  /** The folders in use; undefined until the config was first read. */
  get current(): SessionStores | undefined {
    return this.open;
  }

  /**
   * Opens the folders named by the config (dev.wasi_keyvalue_path, dev.wasi_blobstore_path,
   * relative to the project) or the defaults in .wash/data, reusing the open ones when the
   * paths did not change. A configured path that can never be a folder is an error naming
   * its key; so is anything else that goes wrong while opening (never an exception).
   */
  async openFor(config: WashConfig | undefined): Promise<Result<SessionStores>> {
    const { keyvaluePath, blobstorePath } = storeFolderPaths(this.target, config);
    const kvConfigured = config?.dev?.wasi_keyvalue_path;
    const blobConfigured = config?.dev?.wasi_blobstore_path;
    const current = this.open;
    if (current && current.keyvaluePath === keyvaluePath && current.blobstorePath === blobstorePath) return ok(current);
    for (const [key, configured, path] of [
      ['dev.wasi_keyvalue_path', kvConfigured, keyvaluePath],
      ['dev.wasi_blobstore_path', blobConfigured, blobstorePath],
    ] as const) {
      if (!configured) continue;
      const usable = await checkCreatableFolder(key, path);
      if (!usable.ok) return usable;
    }
    this.close();
    // One StoreLocks serves one key-value folder (and the blob folder opened with it).
    let locks = this.locksByFolder.get(keyvaluePath);
    if (!locks) this.locksByFolder.set(keyvaluePath, (locks = new StoreLocks()));
    let keyvalue: KeyValueStore | undefined;
    let stores: SessionStores;
    try {
      keyvalue = new KeyValueStore(keyvaluePath, { locks, onFileTrouble: (text) => this.log.warn(text) });
      stores = {
        keyvalue,
        blobstore: new BlobStore(blobstorePath, { locks }),
        keyvaluePath,
        blobstorePath,
        keyvalueFrom: kvConfigured ? 'config' : 'default',
        blobstoreFrom: blobConfigured ? 'config' : 'default',
        locks,
      };
    } catch (error) {
      keyvalue?.close();
      // The key-value store opens first: with it open, the blob folder is the one that failed.
      const failed = keyvalue ? { key: 'dev.wasi_blobstore_path', configured: blobConfigured, path: blobstorePath } : { key: 'dev.wasi_keyvalue_path', configured: kvConfigured, path: keyvaluePath };
      const prefix = failed.configured ? `${failed.key}: ` : '';
      if (!(error instanceof StoreError)) return fail('data-unusable', `${prefix}Cannot open the data folder ${failed.path}: ${messageOf(error)}.`, 'Check the folder and its permissions.');
      return fail(error.code === 'in-use' ? 'data-in-use' : 'data-unusable', `${prefix}${error.message}`, error.hint);
    }
    this.open = stores;
    const { replayed = 0, warnings = [] } = stores.keyvalue.openReport ?? {};
    if (replayed > 0) this.log.info(`keyvalue: replayed ${replayed} journaled write${replayed === 1 ? '' : 's'} after an unclean stop`);
    for (const warning of [...warnings, ...stores.blobstore.openWarnings]) this.log.warn(warning);
    this.onOpened(stores);
    return ok(stores);
  }

  /** Checkpoints the key-value journal and lets the folders go (a clean stop leaves it empty). */
  close(): void {
    this.open?.keyvalue.close();
    this.open?.blobstore.close();
    this.open = undefined;
  }
}

/**
 * The data folders a config names (dev.wasi_keyvalue_path, dev.wasi_blobstore_path, relative
 * to the project or the .wasm file's folder), or the defaults in .wash/data. The CLI's
 * snapshot commands find a project's data with it, exactly as a session does.
 */
export function storeFolderPaths(target: Target, config: WashConfig | undefined): { keyvaluePath: string; blobstorePath: string } {
  const base = baseDirOf(target);
  const kvConfigured = config?.dev?.wasi_keyvalue_path;
  const blobConfigured = config?.dev?.wasi_blobstore_path;
  return {
    keyvaluePath: kvConfigured ? resolve(base, kvConfigured) : join(target.dataDir, 'keyvalue'),
    blobstorePath: blobConfigured ? resolve(base, blobConfigured) : join(target.dataDir, 'blobstore'),
  };
}

/** What a workload's workers need of the stores: the folders and the shared locks. */
export function workloadStoresOf(stores: SessionStores): WorkloadStores {
  return { keyvaluePath: stores.keyvaluePath, blobstorePath: stores.blobstorePath, locks: stores.locks.buffer };
}
