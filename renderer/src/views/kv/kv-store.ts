// The key-value browser's state: buckets, one page after another of keys (kv.list with a
// cursor; the prefix filter runs on the Node side), and the selected value. 'kv.changed'
// keeps it current, including changes other programs make in the data folder. It is the data
// folder's state: it starts again when another project (or folder) opens (dataScope).
import { create } from 'zustand';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import { base64ToBytes, PREVIEW_BYTES } from '../../lib/bytes.ts';
import { dataScope } from '../../stores/project-scope.ts';
import { pagedList, type PagedList } from '../../lib/paged-list.ts';
import type { KvListResult } from '../../api/types.ts';

export const KEY_PAGE = 500;
/** The most keys a kv.list answers with: End loads the rest of a bucket in pages this big. */
const REST_PAGE = 10_000;

export interface SelectedValue {
  key: string;
  /** The value, or its first PREVIEW_BYTES when `size` is larger. */
  bytes: Uint8Array | undefined;
  size: number;
  loading: boolean;
  error: string | undefined;
  /** The key is gone (deleted here or by another program). */
  missing: boolean;
  /** Changed on disk while the user edits it. */
  changedElsewhere: boolean;
}

interface KvState {
  buckets: string[];
  bucketsLoaded: boolean;
  bucketsError: string | undefined;
  bucket: string | undefined;
  prefix: string;
  keys: string[];
  cursor: string | undefined;
  total: number | undefined;
  listing: boolean;
  listError: string | undefined;
  selected: SelectedValue | undefined;
  editing: boolean;
  loadBuckets(): Promise<void>;
  selectBucket(bucket: string | undefined): void;
  setPrefix(prefix: string): void;
  list(reset: boolean): Promise<void>;
  /** Loads every key not loaded yet (for End); a failure shows as listError. */
  listRest(): Promise<void>;
  selectKey(key: string | undefined): Promise<void>;
  reloadValue(): Promise<void>;
  setEditing(editing: boolean): void;
  start(): void;
}

let valueSeq = 0;
let prefixTimer: ReturnType<typeof setTimeout> | undefined;
let started = false;

function insertSorted(keys: string[], key: string): string[] {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  if (keys[lo] === key) return keys;
  return [...keys.slice(0, lo), key, ...keys.slice(lo)];
}

/** A browser that has loaded nothing: where it starts, and starts again for another data folder. */
const NOTHING_LOADED = {
  buckets: [],
  bucketsLoaded: false,
  bucketsError: undefined,
  bucket: undefined,
  prefix: '',
  keys: [],
  cursor: undefined,
  total: undefined,
  listing: false,
  listError: undefined,
  selected: undefined,
  editing: false,
} satisfies Partial<KvState>;

export const useKv = create<KvState>((set, get) => ({
  ...NOTHING_LOADED,

  async loadBuckets() {
    try {
      const buckets = (await dataScope.call('kv.buckets', {})).sort();
      set({ buckets, bucketsLoaded: true, bucketsError: undefined });
      const current = get().bucket;
      if (current === undefined || !buckets.includes(current)) get().selectBucket(buckets[0]);
    } catch (err) {
      set({ bucketsLoaded: true, bucketsError: describeError(err).message });
    }
  },

  selectBucket(bucket) {
    set({ bucket, keys: [], cursor: undefined, total: undefined, selected: undefined, editing: false, listError: undefined });
    if (bucket !== undefined) void get().list(true);
  },

  setPrefix(prefix) {
    set({ prefix });
    clearTimeout(prefixTimer);
    prefixTimer = setTimeout(() => void get().list(true), 150);
  },

  list: (reset) => keyPages.list(reset),
  listRest: () => keyPages.listRest(),

  async selectKey(key) {
    if (key === undefined) return set({ selected: undefined, editing: false });
    set({ selected: { key, bytes: undefined, size: 0, loading: true, error: undefined, missing: false, changedElsewhere: false }, editing: false });
    await get().reloadValue();
  },

  async reloadValue() {
    const { bucket, selected } = get();
    if (bucket === undefined || !selected) return;
    const mine = ++valueSeq;
    try {
      const value = await dataScope.call('kv.get', { bucket, key: selected.key, limit: PREVIEW_BYTES });
      if (mine !== valueSeq || get().selected?.key !== selected.key) return;
      set({
        selected: value
          ? { key: selected.key, bytes: base64ToBytes(value.value), size: value.size, loading: false, error: undefined, missing: false, changedElsewhere: false }
          : { key: selected.key, bytes: undefined, size: 0, loading: false, error: undefined, missing: true, changedElsewhere: false },
      });
    } catch (err) {
      if (mine !== valueSeq) return;
      set({ selected: { ...selected, loading: false, error: describeError(err).message } });
    }
  },

  setEditing: (editing) => set({ editing }),

  start() {
    if (started) return;
    started = true;
    studio.on('kv.changed', (change) => {
      const state = get();
      if (change.kind === 'bucket-created' || change.kind === 'bucket-deleted') {
        void state.loadBuckets();
        // The bucket shown was put in place again (a snapshot was restored): read it anew.
        if (change.kind === 'bucket-created' && change.bucket === state.bucket) {
          void state.list(true);
          if (state.selected && !state.editing) void state.reloadValue();
          else if (state.selected) set({ selected: { ...state.selected, changedElsewhere: true } });
        }
        return;
      }
      // A key of a bucket not listed yet: the bucket "" has no folder to announce it.
      if (change.kind === 'set' && !state.buckets.includes(change.bucket)) void state.loadBuckets();
      if (change.bucket !== state.bucket || change.key === undefined) return;
      const key = change.key;
      if (change.kind === 'delete') {
        set({ keys: state.keys.filter((k) => k !== key), total: state.total !== undefined && state.keys.includes(key) ? state.total - 1 : state.total });
      } else if (key.startsWith(state.prefix) && !state.keys.includes(key)) {
        // Only within the loaded range; later pages will bring it otherwise.
        const last = state.keys[state.keys.length - 1];
        if (state.cursor === undefined || (last !== undefined && key < last)) set({ keys: insertSorted(state.keys, key), total: state.total !== undefined ? state.total + 1 : undefined });
      }
      if (state.selected?.key === key) {
        if (state.editing) set({ selected: { ...state.selected, changedElsewhere: true } });
        else void state.reloadValue();
      }
    });
    dataScope.follow({
      reset() {
        clearTimeout(prefixTimer);
        valueSeq++;
        set(NOTHING_LOADED);
      },
      load() {
        void get().loadBuckets();
        // The bucket shown, if it stays, is listed again (keys may have changed while disconnected).
        void get().list(true);
      },
    });
  },
}));

/** The open bucket's keys, page by page. */
const keyPages: PagedList = pagedList<KvState, KvListResult>(useKv, {
  pageSize: KEY_PAGE,
  restPageSize: REST_PAGE,
  fetch: ({ bucket, prefix }, cursor, limit) =>
    bucket === undefined ? undefined : dataScope.call('kv.list', { bucket, ...(prefix ? { prefix } : {}), ...(cursor !== undefined ? { cursor } : {}), limit }),
  apply: ({ keys }, page, reset) => ({ keys: reset ? page.keys : [...keys, ...page.keys], total: page.total }),
});
