// wasi:keyvalue for components: store, atomics and batch, at 0.2.0-draft (what wash rc.6
// provides) and 0.2.0-draft2 (string cursors, signed increments, compare-and-swap), on the
// studio's file-backed KeyValueStore. jco keys imports without versions, so the worker picks
// the draft the component imports and this module builds that draft's functions.
//
// Counters are decimal text, as wash's file-backed keyvalue keeps them (KeyValueStore.increment),
// so a folder moves between wash and the studio with its counts intact.
import { StoreError } from '../stores/store-error.ts';
import type { KeyValueStore } from '../stores/key-value-store.ts';
import { storeGuard } from './store-guard.ts';

export type KeyvalueDraft = '0.2.0-draft' | '0.2.0-draft2';

type KvError = { tag: 'no-such-store' } | { tag: 'access-denied' } | { tag: 'other'; val: string };

/** A page of list-keys, as wash pages it. */
const PAGE = 1000;

function toKvError(err: unknown): KvError {
  if (err instanceof StoreError) {
    if (err.code === 'no-such-store') return { tag: 'no-such-store' };
    if (err.code === 'access-denied') return { tag: 'access-denied' };
    return { tag: 'other', val: err.hint ? `${err.message} (${err.hint})` : err.message };
  }
  return { tag: 'other', val: err instanceof Error ? err.message : String(err) };
}

/** `report` hears every error before the component does (see storeTroubleReporter). */
export function keyvalueImports(store: KeyValueStore | undefined, draft: KeyvalueDraft, report: (err: unknown) => void) {
  const guarded = storeGuard(report, toKvError);
  const need = (): KeyValueStore => {
    if (!store) throw { tag: 'other', val: 'this workload has no keyvalue store configured' } satisfies KvError;
    return store;
  };

  class Bucket {
    constructor(readonly name: string) {}
    get(key: string): Uint8Array | undefined {
      return guarded(() => need().get(this.name, key));
    }
    set(key: string, value: Uint8Array): void {
      guarded(() => need().set(this.name, key, value));
    }
    delete(key: string): void {
      guarded(() => need().delete(this.name, key));
    }
    exists(key: string): boolean {
      return guarded(() => need().exists(this.name, key));
    }
    listKeys(cursor: bigint | string | undefined): { keys: string[]; cursor: bigint | string | undefined } {
      return guarded(() => {
        if (draft === '0.2.0-draft2') {
          const page = need().list(this.name, { limit: PAGE, ...(cursor ? { cursor: String(cursor) } : {}) });
          return { keys: page.keys, cursor: page.cursor };
        }
        // draft: the cursor counts keys already returned.
        const offset = Number(cursor ?? 0n);
        const keys: string[] = [];
        let skipped = 0;
        let more = false;
        let next: string | undefined;
        do {
          const page = need().list(this.name, { limit: PAGE, ...(next ? { cursor: next } : {}) });
          for (const key of page.keys) {
            if (skipped < offset) skipped++;
            else if (keys.length < PAGE) keys.push(key);
            else {
              more = true;
              break;
            }
          }
          next = page.cursor;
        } while (next && !more);
        if (keys.length === PAGE && next !== undefined) more = true;
        return { keys, cursor: more ? BigInt(offset + PAGE) : undefined };
      });
    }
  }

  const open = (identifier: string): Bucket => guarded(() => {
    need().createBucket(identifier);
    return new Bucket(identifier);
  });

  const increment = (bucket: Bucket, key: string, delta: bigint): bigint =>
    guarded(() => need().increment(bucket.name, key, delta, { signed: draft === '0.2.0-draft2' }));

  class Cas {
    constructor(
      readonly bucket: Bucket,
      readonly key: string,
      readonly seen: Uint8Array | undefined,
    ) {}
    static new(bucket: Bucket, key: string): Cas {
      return new Cas(bucket, key, bucket.get(key));
    }
    current(): Uint8Array | undefined {
      return this.seen;
    }
  }

  const swap = (cas: Cas, value: Uint8Array): void => {
    const swapped = guarded(() =>
      need().update(cas.bucket.name, cas.key, (current) => {
        const same = current === undefined ? cas.seen === undefined : cas.seen !== undefined && Buffer.compare(current, cas.seen) === 0;
        return same ? { value, result: true } : { value: current, result: false };
      }),
    );
    if (!swapped) throw { tag: 'cas-failed', val: Cas.new(cas.bucket, cas.key) };
  };

  const getMany = (bucket: Bucket, keys: string[]) =>
    guarded(() => {
      const values = need().getMany(bucket.name, keys);
      return draft === '0.2.0-draft2'
        ? keys.map((key, i) => [key, values[i]] as [string, Uint8Array | undefined])
        : keys.map((key, i) => (values[i] === undefined ? undefined : ([key, values[i]] as [string, Uint8Array])));
    });

  return {
    'wasi:keyvalue/store': { open, Bucket },
    'wasi:keyvalue/atomics': draft === '0.2.0-draft2' ? { increment, Cas, swap } : { increment },
    'wasi:keyvalue/batch': {
      getMany,
      setMany: (bucket: Bucket, entries: [string, Uint8Array][]) => guarded(() => need().setMany(bucket.name, entries)),
      deleteMany: (bucket: Bucket, keys: string[]) => guarded(() => need().deleteMany(bucket.name, keys)),
    },
  };
}
