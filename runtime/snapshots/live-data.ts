// The data a snapshot is taken from and restored into: a project's folders and this
// process's open stores on them, with the StoreLocks whose gate pauses them. A running studio
// hands over its session's stores; the CLI, when no studio runs on the project, opens them
// itself, which makes it the folders' owner for the moment (a studio starting meanwhile is
// refused with data-in-use, as a second studio would be).
import { BlobStore } from '../stores/blob-store.ts';
import { KeyValueStore } from '../stores/key-value-store.ts';
import { StoreLocks } from '../stores/store-locks.ts';
import type { DataFolders } from './data-folders.ts';
import { snapshotErrorFrom } from './snapshot-error.ts';

export interface LiveData {
  folders: DataFolders;
  locks: StoreLocks;
  keyvalue: KeyValueStore;
  blobstore: BlobStore;
}

/** What opening the folders found and repaired, as the stores report it. */
export interface OpenedData {
  /** Journaled writes replayed after an unclean stop. */
  replayed: number;
  /** One sentence each: a restore a kill cut short (finished or undone), a damaged journal, files out of place. */
  warnings: string[];
}

/**
 * Opens a project's stores in this process; `close` checkpoints them and lets the folders go.
 * `opened` says what the opening repaired, for the caller to tell the user: nothing here prints.
 */
export function openLiveData(folders: DataFolders): LiveData & { opened: OpenedData; close(): void } {
  const locks = new StoreLocks();
  let keyvalue: KeyValueStore | undefined;
  try {
    keyvalue = new KeyValueStore(folders.keyvalue, { locks });
    const blobstore = new BlobStore(folders.blobstore, { locks });
    const opened = keyvalue;
    return {
      folders,
      locks,
      keyvalue: opened,
      blobstore,
      opened: { replayed: opened.openReport?.replayed ?? 0, warnings: [...(opened.openReport?.warnings ?? []), ...blobstore.openWarnings] },
      close() {
        opened.close();
        blobstore.close();
      },
    };
  } catch (error) {
    keyvalue?.close();
    throw snapshotErrorFrom(error, `open the data folders of ${folders.project}`);
  }
}
