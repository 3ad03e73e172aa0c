// Mutual exclusion across the threads of one process, over a SharedArrayBuffer: 256 striped
// mutexes keyed by a hash of bucket + key (two keys may share a stripe; that only costs a
// little waiting), a few named locks, a few shared words the key-value journal keeps its
// positions in, and the journal's pending index (pending-index.ts). Pass `locks.buffer` to workers and wrap it there with `new StoreLocks(buffer)`.
//
// Lock order, to stay free of deadlocks: the materialize lock, then stripes in ascending
// order, then the journal lock. Locks are not re-entrant (taking a held one from the same thread
// throws). A lock word records its owner thread, so a pool that terminates a worker can free
// whatever it held with `releaseHeldBy(worker.threadId)`.
//
// One StoreLocks serves one key-value store root (the journal words are per root) and may
// also serve that project's blob store. Atomics.wait is allowed on Node's main thread.
//
// The gate: every store call runs inside `reading` or `writing`, and `pause` stops them at a
// consistent point for snapshots and restores. Pausing writes lets reads go on (a snapshot
// links files while requests read); pausing everything (the moment a restore swaps folders)
// makes every thread see the old data or the new, never a mix. Each thread's state sits in
// a slot of its own, so a worker terminated inside a store call is forgotten by
// `releaseHeldBy` instead of holding the gate shut. A data generation word tells stores
// that the folders were swapped under them, so they drop what they cached.
import { threadId } from 'node:worker_threads';
import { INDEX_BYTES, PendingIndex } from './pending-index.ts';
import { StoreError } from './store-error.ts';

const STRIPES = 256;

/** Named lock slots, after the stripes. */
export const LockSlot = {
  journal: STRIPES,
  /** Opening (creating, claiming) the blob root. */
  blobRoot: STRIPES + 2,
  /** Writing journaled values to their files (kv-materializer.ts); taken before any stripe. */
  materialize: STRIPES + 3,
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
  /**
   * Bytes of acknowledged journal records lost before their files were written, when another
   * program emptied or cut the journal; the materializer reports them and takes them off.
   */
  journalLost: STRIPES + 13,
  /** A hash of the blob root this process opened (owns, and removed leftovers from). */
  blobRootOpened: STRIPES + 14,
  /** Key-value store instances open on this buffer, guests aside; the last to close lets the root go. */
  openStores: STRIPES + 15,
  /** A random id of this buffer, written to the stores' owner files. */
  ownerToken: STRIPES + 16,
  /** Blob store instances open on this buffer, guests aside. */
  openBlobStores: STRIPES + 17,
  /** The gate: 0 open, 1 writes paused, 2 reads and writes paused. */
  gate: STRIPES + 18,
  /** The lock tag of the thread that paused the gate. */
  gateHolder: STRIPES + 19,
  /** Bumped when the data folders' contents were swapped (a restore): caches of names and folders are stale. */
  dataGeneration: STRIPES + 20,
  /** Byte offset up to which journal records are in their value files (see kv-materializer.ts). */
  journalWritten: STRIPES + 21,
  /** The id of the thread that writes journaled values to their files while it should run; 0 stops it. */
  materializerStop: STRIPES + 22,
  /** Bumped when the journal file was made anew (the old one was deleted): every thread opens the new one. */
  journalEpoch: STRIPES + 23,
} as const;

/** What a pause stops: writes only, or reads too. */
export const enum GateLevel {
  open = 0,
  writes = 1,
  all = 2,
}

/** Threads that may use the stores at once (workers, services, the main thread). */
const THREAD_SLOTS = 128;
/** Each thread slot: its lock tag, and what it does now (0 idle, 1 reading, 2 writing). */
const THREAD_BASE = STRIPES + 24;
const SLOTS = THREAD_BASE + THREAD_SLOTS * 2;
/** The locks and words, then the pending index of the key-value journal. */
const BUFFER_BYTES = SLOTS * 4 + INDEX_BYTES;
const IDLE = 0;
const READING = 1;
const WRITING = 2;
/** How long a store call waits for a paused gate before it fails. */
const MAX_GATE_WAIT_MS = 10 * 60_000;

/** This thread's slot and nesting depth, per shared buffer (module state is per thread). */
interface ThreadGate {
  slot: number;
  depth: number;
  state: number;
}
const threadGates = new Map<SharedArrayBuffer, ThreadGate>();
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

/**
 * Runs an async wait on Atomics.waitAsync with a timer holding the event loop open: a pending
 * waitAsync does not, and the thread that will wake it (the store's materializer) does not
 * either, so a process with nothing else to do would end in the middle of the wait.
 */
async function keepingAlive<T>(wait: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 60_000);
  try {
    return await wait();
  } finally {
    clearInterval(timer);
  }
}

export class StoreLocks {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly tag = (threadId + 1) << 1;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(BUFFER_BYTES);
    if (this.buffer.byteLength < BUFFER_BYTES) throw new Error(`A StoreLocks buffer needs ${BUFFER_BYTES} bytes; this one has ${this.buffer.byteLength}.`);
    this.words = new Int32Array(this.buffer, 0, SLOTS);
    this.pending = new PendingIndex(this.buffer, SLOTS * 4);
  }

  /** The key-value root's keys with journaled writes not yet in their files, shared by all threads. */
  readonly pending: PendingIndex;

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

  /** Wakes threads waiting in `wait` on a shared word. */
  notify(word: number): void {
    Atomics.notify(this.words, word);
  }

  /** Sleeps while a shared word still holds `value`, at most `ms` (not on a thread that must stay responsive). */
  wait(word: number, value: number, ms: number): void {
    Atomics.wait(this.words, word, value, ms);
  }

  /** Puts `value` in a shared word and returns what it held. */
  exchange(word: number, value: number): number {
    return Atomics.exchange(this.words, word, value);
  }

  /** Adds `delta` to a shared word and returns its previous value. */
  add(word: number, delta: number): number {
    return Atomics.add(this.words, word, delta);
  }

  /** Frees every lock held by a thread that was terminated while holding it, and its gate slot. */
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
    for (let i = 0; i < THREAD_SLOTS; i++) {
      const at = THREAD_BASE + i * 2;
      if (Atomics.load(this.words, at) !== tag) continue;
      Atomics.store(this.words, at + 1, IDLE);
      Atomics.notify(this.words, at + 1);
      Atomics.store(this.words, at, 0);
    }
    return released;
  }

  // ---- the gate -----------------------------------------------------------------------

  /** Runs a store read: waits while everything is paused (the moment of a restore's swap). */
  reading<T>(fn: () => T): T {
    return this.inGate(READING, GateLevel.all, fn);
  }

  /** Runs a store write: waits while writes are paused (a snapshot or a restore is under way). */
  writing<T>(fn: () => T): T {
    return this.inGate(WRITING, GateLevel.writes, fn);
  }

  /** The gate's level now. */
  gateLevel(): GateLevel {
    return Atomics.load(this.words, SharedWord.gate) as GateLevel;
  }

  /**
   * Closes the gate to `level` and resolves once no thread is inside a call it stops:
   * writes (and reads, for `all`) that started before have finished, later ones wait. The
   * thread that paused may raise the level; it must call `resume` when done. Fails with
   * `busy` when another pause is under way.
   */
  async pause(level: GateLevel.writes | GateLevel.all): Promise<void> {
    const current = Atomics.load(this.words, SharedWord.gate);
    if (current !== GateLevel.open && Atomics.load(this.words, SharedWord.gateHolder) !== this.tag) {
      throw new StoreError('busy', 'Another snapshot or restore of this data is under way.', 'Wait for it to finish, then try again.');
    }
    if (current === GateLevel.open && Atomics.compareExchange(this.words, SharedWord.gate, GateLevel.open, level) !== GateLevel.open) {
      throw new StoreError('busy', 'Another snapshot or restore of this data is under way.', 'Wait for it to finish, then try again.');
    }
    Atomics.store(this.words, SharedWord.gateHolder, this.tag);
    if (current > level) return;
    Atomics.store(this.words, SharedWord.gate, level);
    const stopped = level === GateLevel.all ? READING : WRITING;
    const mine = threadGates.get(this.buffer)?.slot;
    await keepingAlive(async () => {
      for (let i = 0; i < THREAD_SLOTS; i++) {
        const at = THREAD_BASE + i * 2 + 1;
        if (at - 1 === mine) continue;
        for (;;) {
          const state = Atomics.load(this.words, at);
          if (state < stopped) break;
          // Calls are short (a file or two); waiting asynchronously keeps this thread's event loop turning.
          const waited = Atomics.waitAsync(this.words, at, state, 50);
          if (waited.async) await waited.value;
        }
      }
    });
  }

  /** Opens the gate again and wakes the calls that wait. */
  resume(): void {
    Atomics.store(this.words, SharedWord.gateHolder, 0);
    Atomics.store(this.words, SharedWord.gate, GateLevel.open);
    Atomics.notify(this.words, SharedWord.gate);
  }

  /**
   * Resolves when calls of this kind may run: writes when writes are not paused, reads when
   * reads are not. For callers on a thread that must not block (the main thread, which may be
   * the one that paused).
   */
  async whenOpen(kind: 'read' | 'write'): Promise<void> {
    const stoppedAt = kind === 'write' ? GateLevel.writes : GateLevel.all;
    await keepingAlive(async () => {
      for (;;) {
        const level = Atomics.load(this.words, SharedWord.gate);
        if (level < stoppedAt) return;
        const waited = Atomics.waitAsync(this.words, SharedWord.gate, level, 1000);
        if (waited.async) await waited.value;
      }
    });
  }

  /** Marks the data as swapped: every store on this buffer drops its cached names and folders. */
  bumpDataGeneration(): void {
    Atomics.add(this.words, SharedWord.dataGeneration, 1);
  }

  private threadGate(): ThreadGate {
    let gate = threadGates.get(this.buffer);
    if (gate) return gate;
    for (let i = 0; i < THREAD_SLOTS; i++) {
      const at = THREAD_BASE + i * 2;
      if (Atomics.load(this.words, at) === this.tag || Atomics.compareExchange(this.words, at, 0, this.tag) === 0) {
        gate = { slot: at, depth: 0, state: IDLE };
        threadGates.set(this.buffer, gate);
        return gate;
      }
    }
    throw new StoreError('busy', `More than ${THREAD_SLOTS} threads use this store at once.`, 'Use fewer workers (--workers).');
  }

  private inGate<T>(state: number, stoppedAt: GateLevel, fn: () => T): T {
    const gate = this.threadGate();
    // A call inside a call (set inside a batch) is already counted; a read inside a write too.
    if (gate.depth > 0 && gate.state >= state) {
      gate.depth++;
      try {
        return fn();
      } finally {
        gate.depth--;
      }
    }
    const word = gate.slot + 1;
    const before = gate.state;
    let deadline = 0;
    for (;;) {
      const level = Atomics.load(this.words, SharedWord.gate);
      if (level >= stoppedAt) {
        if (Atomics.load(this.words, SharedWord.gateHolder) === this.tag) {
          // The thread that paused cannot wait for itself; its callers wait with whenOpen.
          throw new StoreError('busy', 'The data is paused for a snapshot or a restore on this thread.', 'Wait for the snapshot or restore to finish, then try again.');
        }
        if (deadline === 0) deadline = Date.now() + MAX_GATE_WAIT_MS;
        else if (Date.now() > deadline) throw new StoreError('busy', 'The data stayed paused for a snapshot or restore for over ten minutes.', 'Check the studio log for a snapshot or restore that is stuck.');
        Atomics.wait(this.words, SharedWord.gate, level, WAIT_SLICE_MS);
        continue;
      }
      Atomics.store(this.words, word, state);
      // The pauser sets the gate, then reads our state; we set our state, then read the gate:
      // one of us sees the other (sequentially consistent atomics).
      if (Atomics.load(this.words, SharedWord.gate) < stoppedAt) break;
      Atomics.store(this.words, word, before);
      Atomics.notify(this.words, word);
    }
    const depth = gate.depth;
    gate.state = state;
    gate.depth = depth + 1;
    try {
      return fn();
    } finally {
      gate.depth = depth;
      gate.state = before;
      Atomics.store(this.words, word, before);
      // Only a pauser waits on this word, and it set the gate before looking: with the gate
      // open, no one is waiting (and a notify costs a third of a cached read).
      if (Atomics.load(this.words, SharedWord.gate) !== GateLevel.open) Atomics.notify(this.words, word);
    }
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

/**
 * A store's way through its StoreLocks' gate: each call as a read or a write, and the caches
 * it drops when a restore swapped the data under it (the data generation moved).
 */
export class GatedCalls {
  private generation: number;

  constructor(
    private readonly locks: StoreLocks,
    private readonly dropCaches: () => void,
  ) {
    this.generation = locks.load(SharedWord.dataGeneration);
  }

  read<T>(fn: () => T): T {
    return this.locks.reading(() => this.followed(fn));
  }

  write<T>(fn: () => T): T {
    return this.locks.writing(() => this.followed(fn));
  }

  private followed<T>(fn: () => T): T {
    const generation = this.locks.load(SharedWord.dataGeneration);
    if (generation !== this.generation) {
      this.generation = generation;
      this.dropCaches();
    }
    return fn();
  }
}
