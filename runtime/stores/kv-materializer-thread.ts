// The materializer's thread (see kv-materializer.ts): writes journaled values to their files
// as writers flush them, until told to stop.
import { sep } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { KeyValueStore } from './key-value-store.ts';
import type { MaterializerJob, MaterializerTrouble } from './kv-materializer.ts';
import { messageOf } from '../errors.ts';
import { SharedWord, StoreLocks } from './store-locks.ts';
import { JOURNAL_FILE } from './kv-journal.ts';

/** Sleep between checks when nothing is flushed (a flush wakes it at once). */
const IDLE_MS = 1000;
/** How long writes gather after the first one wakes the thread. */
const GATHER_MS = 20;
/** Wait before trying again after a file could not be written (a full disk, a locked file). */
const RETRY_MS = 1000;

const job = (workerData as { data: MaterializerJob }).data;
const locks = new StoreLocks(job.buffer);
const store = new KeyValueStore(job.root, { locks, guest: true, journalCapacity: job.journalCapacity });

/** The last problem reported, so a file that stays locked is said once, not every second. */
let reported: string | undefined;

/** Says what another program's emptying or overwriting of the journal took (see SharedWord.journalLost). */
function reportLostWrites(): void {
  const lost = locks.exchange(SharedWord.journalLost, 0);
  if (lost <= 0) return;
  const text = `The key-value journal ${store.root}${sep}${JOURNAL_FILE} was emptied or cut short by another program while the studio ran. It held the only copy of the writes acknowledged just before (${lost} bytes of records) that were not in their value files yet: they are lost, and those keys read as they did before them. A new journal took over; writes since are safe. Leave the studio's .cs- files to it.`;
  parentPort?.postMessage({ text } satisfies MaterializerTrouble);
}

while (locks.load(SharedWord.materializerStop) === job.id) {
  reportLostWrites();
  const synced = locks.load(SharedWord.journalSynced);
  let written: number;
  try {
    written = store.writeJournaled();
  } catch (error) {
    // The journal still holds the value and reads use it; values after it wait their turn,
    // so other programs see stale files until this clears: said once, then retried.
    const text = `${messageOf(error)} The studio keeps the journaled values and retries every second; until then other programs see the files as they were.`;
    if (text !== reported) parentPort?.postMessage({ text } satisfies MaterializerTrouble);
    reported = text;
    locks.wait(SharedWord.materializerStop, job.id, RETRY_MS);
    continue;
  }
  reported = undefined;
  if (written > 0) continue;
  locks.wait(SharedWord.journalSynced, synced, IDLE_MS);
  // Let a burst of writes gather: fewer file writes for keys written again, and the disk
  // sees them together rather than between every flush of the writers.
  locks.wait(SharedWord.materializerStop, job.id, GATHER_MS);
}
