// Mutual exclusion across the threads of one process, over a SharedArrayBuffer: 256 striped
// mutexes keyed by a hash of bucket + key (two keys may share a stripe; that only costs a
// little waiting), a few named locks, and a few shared words the key-value journal keeps its
// position in. Pass `locks.buffer` to workers and wrap it there with `new StoreLocks(buffer)`.
//
// Lock order, to stay free of deadlocks: stripes in ascending order, then the journal lock,
// then the sync lock. Locks are not re-entrant (taking a held one from the same thread
// throws). A lock word records its owner thread, so a pool that terminates a worker can free
// whatever it held with `releaseHeldBy(worker.threadId)`.
//
// One StoreLocks serves one key-value store root (the journal words are per root) and may
// also serve that project's blob store. Atomics.wait is allowed on Node's main thread.
import { threadId } from 'node:worker_threads';
import { StoreError } from './store-error.ts';

const STRIPES = 256;

/** Named lock slots, after the stripes. */
export const LockSlot = {
  journal: STRIPES,
  sync: STRIPES + 1,
  /** Opening (creating, claiming) the blob root. */
  blobRoot: STRIPES + 2,
} as const;

/** Shared words (not locks) used by the key-value journal. */
export const SharedWord = {
  /** How far this process opened the key-value root: 0 not yet, 1 owned and recovered, 2 journal open too. */
  journalState: STRIPES + 8,
  /** Byte offset where the next journal record goes. */
  journalEnd: STRIPES + 9,
  /** Byte offset up to which the journal is known to be on disk. */
  journalSynced: STRIPES + 10,
  /** Generation of the journal's current contents (records carry it in their checksum). */
  journalGeneration: STRIPES + 11,
  /** A hash of the key-value root this buffer serves, to catch sharing across roots. */
  keyValueRoot: STRIPES + 12,
  /** A hash of the blob root this process opened (owns, and removed leftovers from). */
  blobRootOpened: STRIPES + 14,
  /** Key-value store instances open on this buffer, guests aside; the last to close lets the root go. */
  openStores: STRIPES + 15,
  /** A random id of this buffer, written to the stores' owner files. */
  ownerToken: STRIPES + 16,
  /** Blob store instances open on this buffer, guests aside. */
  openBlobStores: STRIPES + 17,
} as const;

const SLOTS = STRIPES + 24;
/** How long a lock may stay held by another thread before we give up. */
const MAX_WAIT_MS = 60_000;
const WAIT_SLICE_MS = 1_000;

/** FNV-1a over UTF-16 code units: a cheap, stable hash for stripes and root ids. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class StoreLocks {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly tag = (threadId + 1) << 1;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(SLOTS * 4);
    if (this.buffer.byteLength < SLOTS * 4) throw new Error(`A StoreLocks buffer needs ${SLOTS * 4} bytes; this one has ${this.buffer.byteLength}.`);
    this.words = new Int32Array(this.buffer, 0, SLOTS);
  }

  /** The stripe a bucket + key maps to. */
  stripeOf(bucket: string, key: string): number {
    return hashText(`${bucket}\u0000${key}`) % STRIPES;
  }

  /** Runs `fn` holding the lock for one key. */
  withKey<T>(bucket: string, key: string, fn: () => T): T {
    return this.withSlots([this.stripeOf(bucket, key)], fn);
  }

  /** Runs `fn` holding the locks for all `keys` of a bucket at once (a batch). */
  withKeys<T>(bucket: string, keys: Iterable<string>, fn: () => T): T {
    const stripes = new Set<number>();
    for (const key of keys) stripes.add(this.stripeOf(bucket, key));
    return this.withSlots([...stripes].sort((a, b) => a - b), fn);
  }

  /** Runs `fn` holding the locks of keys in several buckets (a copy or move between them). */
  withPairs<T>(pairs: Iterable<readonly [string, string]>, fn: () => T): T {
    const stripes = new Set<number>();
    for (const [bucket, key] of pairs) stripes.add(this.stripeOf(bucket, key));
    return this.withSlots([...stripes].sort((a, b) => a - b), fn);
  }

  /** Runs `fn` holding every stripe: no key operation runs meanwhile (checkpoints, recovery). */
  withAll<T>(fn: () => T): T {
    return this.withSlots(Array.from({ length: STRIPES }, (_, i) => i), fn);
  }

  /** Runs `fn` holding one named lock (see LockSlot); take it after any stripes. */
  withSlot<T>(slot: number, fn: () => T): T {
    return this.withSlots([slot], fn);
  }

  /** This buffer's random id, made on first use: the threads sharing it are one owner of a store root. */
  token(): number {
    const token = Atomics.load(this.words, SharedWord.ownerToken);
    if (token !== 0) return token;
    Atomics.compareExchange(this.words, SharedWord.ownerToken, 0, ((Math.random() * 0x7fffffff) | 1) >>> 0);
    return Atomics.load(this.words, SharedWord.ownerToken);
  }

  load(word: number): number {
    return Atomics.load(this.words, word);
  }

  store(word: number, value: number): void {
    Atomics.store(this.words, word, value);
  }

  compareExchange(word: number, expected: number, value: number): number {
    return Atomics.compareExchange(this.words, word, expected, value);
  }

  /** Adds `delta` to a shared word and returns its previous value. */
  add(word: number, delta: number): number {
    return Atomics.add(this.words, word, delta);
  }

  /** Frees every lock held by a thread that was terminated while holding it. */
  releaseHeldBy(deadThreadId: number): number {
    const tag = (deadThreadId + 1) << 1;
    let released = 0;
    for (let slot = 0; slot < SharedWord.journalState; slot++) {
      const word = Atomics.load(this.words, slot);
      if ((word & ~1) === tag && Atomics.compareExchange(this.words, slot, word, 0) === word) {
        Atomics.notify(this.words, slot);
        released++;
      }
    }
    return released;
  }

  private withSlots<T>(slots: readonly number[], fn: () => T): T {
    let taken = 0;
    try {
      for (const slot of slots) {
        this.lock(slot);
        taken++;
      }
      return fn();
    } finally {
      for (let i = taken - 1; i >= 0; i--) this.unlock(slots[i]!);
    }
  }

  private lock(slot: number): void {
    const words = this.words;
    let current = Atomics.compareExchange(words, slot, 0, this.tag);
    if (current === 0) return;
    const deadline = Date.now() + MAX_WAIT_MS;
    // Once we have waited, we take the lock with the waiters bit set, so our unlock wakes
    // whoever queued behind us (the classic three-state futex mutex).
    for (;;) {
      if ((current & ~1) === this.tag) throw new Error('Store lock taken twice by the same thread (locks are not re-entrant).');
      if ((current & 1) === 0 && Atomics.compareExchange(words, slot, current, current | 1) !== current) {
        current = Atomics.compareExchange(words, slot, 0, this.tag | 1);
        if (current === 0) return;
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreError('busy', 'The store stayed locked by another thread for over a minute.', 'A component may be stuck inside a store call; restart the workload.');
      }
      Atomics.wait(words, slot, current | 1, WAIT_SLICE_MS);
      current = Atomics.compareExchange(words, slot, 0, this.tag | 1);
      if (current === 0) return;
    }
  }

  private unlock(slot: number): void {
    const previous = Atomics.exchange(this.words, slot, 0);
    if (previous & 1) Atomics.notify(this.words, slot, 1);
  }
}
