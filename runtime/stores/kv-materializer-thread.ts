// The materializer's thread (see kv-materializer.ts): writes journaled values to their files
// as writers flush them, until told to stop.
import { workerData } from 'node:worker_threads';
import { KeyValueStore } from './key-value-store.ts';
import type { MaterializerJob } from './kv-materializer.ts';
import { SharedWord, StoreLocks } from './store-locks.ts';

/** Sleep between checks when nothing is flushed (a flush wakes it at once). */
const IDLE_MS = 1000;
/** How long writes gather after the first one wakes the thread. */
const GATHER_MS = 20;
/** Wait before trying again after a file could not be written (a full disk, a locked file). */
const RETRY_MS = 1000;

const job = (workerData as { data: MaterializerJob }).data;
const locks = new StoreLocks(job.buffer);
const store = new KeyValueStore(job.root, { locks, guest: true, journalCapacity: job.journalCapacity });

while (locks.load(SharedWord.materializerStop) === job.id) {
  const synced = locks.load(SharedWord.journalSynced);
  let written: number;
  try {
    written = store.writeJournaled();
  } catch {
    // The journal still holds the value and reads use it; a checkpoint reports the error to a caller.
    locks.wait(SharedWord.materializerStop, job.id, RETRY_MS);
    continue;
  }
  if (written > 0) continue;
  locks.wait(SharedWord.journalSynced, synced, IDLE_MS);
  // Let a burst of writes gather: fewer file writes for keys written again, and the disk
  // sees them together rather than between every flush of the writers.
  locks.wait(SharedWord.materializerStop, job.id, GATHER_MS);
}
