// Which keys have journaled writes whose value files may not be written yet, shared by every
// thread of one key-value root (it lives in the StoreLocks buffer, after the locks).
//
// A set is acknowledged once its journal record is durable; the value file follows a little
// later (see kv-materializer.ts). Until then a get must read the value from the journal, so
// each write records here the journal offset of its key's latest record, and the materializer
// marks that offset done once the file holds it. A reader that finds its key here with an
// offset not yet done reads the record at that offset; otherwise it reads the file.
//
// Open addressing on a 64-bit hash of bucket + key; entries are only ever added during one
// journal generation and the whole table is cleared with the journal (a checkpoint, under
// every stripe). A writer holds its key's stripe, so one key has one writer at a time; two
// writers of different keys may race for an empty slot, which a compare-exchange settles.
// Readers take no lock: what they find is checked against the journal record it points at.

/** Slots in the table; at most half are used before a checkpoint is due (probes stay short). */
export const INDEX_SLOTS = 32_768;
const MAX_KEYS = INDEX_SLOTS / 2;
/** Words per slot: state, hash low, hash high, latest record offset, offset whose file is written. */
const WORDS = 5;
const STATE = 0;
const HASH_LO = 1;
const HASH_HI = 2;
const LATEST = 3;
const WRITTEN = 4;
const EMPTY = 0;
const CLAIMING = 1;
const USED = 2;
const MAX_SPINS = 1_000_000;
/** One word after the slots: how many slots are used. */
export const INDEX_BYTES = (INDEX_SLOTS * WORDS + 1) * 4;

/** Where a key's latest write in this generation is, and whether its file has it yet. */
export interface PendingEntry {
  /** Journal offset of the key's latest record. */
  offset: number;
  /** True once the value file holds that record. */
  written: boolean;
}

/** Two FNV-1a lanes with different seeds over bucket, a separator and key: 64 bits. */
function keyHash(bucket: string, key: string): [number, number] {
  let lo = 0x811c9dc5;
  let hi = 0x050c5d1f;
  const mix = (code: number) => {
    lo = Math.imul(lo ^ code, 0x01000193);
    hi = Math.imul(hi ^ code, 0x01000193) ^ (hi >>> 15);
  };
  for (let i = 0; i < bucket.length; i++) mix(bucket.charCodeAt(i));
  mix(0x10000);
  for (let i = 0; i < key.length; i++) mix(key.charCodeAt(i));
  // Zero marks nothing; keep real hashes off it so a half-written slot never matches.
  return [lo | 1, hi];
}

export class PendingIndex {
  private readonly words: Int32Array;
  private readonly countWord = INDEX_SLOTS * WORDS;

  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    this.words = new Int32Array(buffer, byteOffset, INDEX_SLOTS * WORDS + 1);
  }

  /** True when the table is too full for `keys` more keys: a checkpoint should come first. */
  full(keys: number): boolean {
    return Atomics.load(this.words, this.countWord) + keys > MAX_KEYS;
  }

  /** The key's entry, or undefined when it has no write in this generation. */
  find(bucket: string, key: string): PendingEntry | undefined {
    // Nothing written since the last checkpoint (a store mostly read): no key to hash.
    if (Atomics.load(this.words, this.countWord) === 0) return undefined;
    const at = this.slotOf(bucket, key, false);
    if (at < 0) return undefined;
    const offset = Atomics.load(this.words, at + LATEST);
    // Claimed by a writer that has not noted its offset yet: that write is not acknowledged.
    if (offset === 0) return undefined;
    return { offset, written: Atomics.load(this.words, at + WRITTEN) === offset };
  }

  /** Records the key's latest journal record (caller holds the key's stripe and checked `full`). */
  noteWrite(bucket: string, key: string, offset: number): void {
    const at = this.slotOf(bucket, key, true);
    if (at < 0) throw new Error('The key-value pending index is full; a checkpoint should have come first.');
    Atomics.store(this.words, at + LATEST, offset);
  }

  /** Marks the record at `offset` as written to its file (caller holds the key's stripe). */
  noteWritten(bucket: string, key: string, offset: number): void {
    const at = this.slotOf(bucket, key, false);
    if (at >= 0) Atomics.store(this.words, at + WRITTEN, offset);
  }

  /** Forgets everything (caller holds every stripe: the journal starts a new generation). */
  clear(): void {
    if (Atomics.load(this.words, this.countWord) === 0) return;
    this.words.fill(0);
  }

  /** The word index of the key's slot; with `add`, claims an empty one for it. -1 when absent (or full). */
  private slotOf(bucket: string, key: string, add: boolean): number {
    const [lo, hi] = keyHash(bucket, key);
    const words = this.words;
    let slot = (lo >>> 0) % INDEX_SLOTS;
    for (let probes = 0; probes < INDEX_SLOTS; probes++, slot = (slot + 1) % INDEX_SLOTS) {
      const at = slot * WORDS;
      let state = Atomics.load(words, at + STATE);
      if (state === EMPTY) {
        if (!add) return -1;
        state = Atomics.compareExchange(words, at + STATE, EMPTY, CLAIMING);
        if (state === EMPTY) {
          Atomics.store(words, at + HASH_LO, lo);
          Atomics.store(words, at + HASH_HI, hi);
          // Nothing is written yet: an offset of 0 is never a record's (the header is there).
          Atomics.store(words, at + WRITTEN, -1);
          Atomics.store(words, at + STATE, USED);
          Atomics.add(words, this.countWord, 1);
          return at;
        }
      }
      // Another writer is filling this slot: its hash is about to appear (unless that thread
      // was terminated in between, a slot then skipped for the rest of the generation).
      for (let spins = 0; state === CLAIMING && spins < MAX_SPINS; spins++) state = Atomics.load(words, at + STATE);
      if (state === USED && Atomics.load(words, at + HASH_LO) === lo && Atomics.load(words, at + HASH_HI) === hi) return at;
    }
    return -1;
  }
}
