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

/** Opens a project's stores in this process; `close` checkpoints them and lets the folders go. */
export function openLiveData(folders: DataFolders): LiveData & { close(): void } {
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
