// The thread that writes acknowledged key-value writes to their files.
//
// A set is acknowledged once its journal record is durable (one flush, shared by writers that
// arrive together); the value file in wash's layout comes after, written by this thread from
// the journal in order with a temp file and a rename each, never flushed one by one: the
// journal stays the durable record until a checkpoint flushes the files and empties it. So
// other programs see a file a few milliseconds after the set (docs/stores.md gives the
// measured lag), and readers in the studio find the value in the journal meanwhile
// (pending-index.ts). If this thread is missing or stuck, nothing is lost: a checkpoint (the
// journal full, a snapshot, the store closing) writes whatever it had not.
//
// One thread per key-value root per process, started by the store that owns the root and
// stopped when the last one closes; threads of other roots never share it.
import { spawnWorker } from '../threads/spawn-worker.ts';
import { SharedWord, type StoreLocks } from './store-locks.ts';

export interface MaterializerJob {
  root: string;
  buffer: SharedArrayBuffer;
  journalCapacity: number;
  /** The id in SharedWord.materializerStop while this thread should run. */
  id: number;
}

/** From the thread: values it cannot write to their files, and why (it keeps trying). */
export interface MaterializerTrouble {
  text: string;
}

let nextId = 1;

/** Starts the root's materializer unless one runs for these locks already. */
export function startMaterializer(root: string, locks: StoreLocks, journalCapacity: number, onTrouble?: (text: string) => void): void {
  const id = (process.pid * 1000 + nextId++) & 0x7fffffff || 1;
  if (locks.compareExchange(SharedWord.materializerStop, 0, id) !== 0) return;
  let thread: ReturnType<typeof spawnWorker>;
  try {
    thread = spawnWorker(new URL('./kv-materializer-thread.ts', import.meta.url), {
      // Bundled (a tenth of a second, once per process, while the store opens): loading the
      // TypeScript in the thread instead costs three times that CPU just after start,
      // beside the first requests.
      data: { root, buffer: locks.buffer, journalCapacity, id } satisfies MaterializerJob,
      name: 'key-value materializer',
    });
  } catch {
    // Without the thread, checkpoints write the files: later, but nothing is lost.
    locks.store(SharedWord.materializerStop, 0);
    return;
  }
  thread.unref();
  thread.once('error', () => locks.compareExchange(SharedWord.materializerStop, id, 0));
  if (onTrouble) thread.on('message', (message: MaterializerTrouble) => onTrouble(message.text));
}

/** Stops the root's materializer (after a checkpoint wrote everything it would have). */
export function stopMaterializer(locks: StoreLocks): void {
  locks.store(SharedWord.materializerStop, 0);
  // It sleeps on the journal's synced offset between batches.
  locks.notify(SharedWord.journalSynced);
}
