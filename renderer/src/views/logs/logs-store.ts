// The Logs view's state. Filtering happens on the Node side (logs.query, debounced); this store
// holds the newest page that matches, loads older pages on demand (beforeSeq), and appends
// records from 'logs.appended' that pass the same filter (matches() mirrors the Node side's
// query, on the text as shown: a colour code does not split a match). While paused, new
// records wait in a buffer and join when the user resumes.
import { create } from 'zustand';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { LogLevel, LogRecordView, LogStream } from '../../api/types.ts';
import { visibleAnsiText } from '../../lib/ansi.ts';

export const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];
export const PAGE = 2000;
/** Records kept in memory at most; older ones are dropped from the top (and can be loaded again). */
export const MAX_LOADED = 250_000;

export interface LogFilter {
  minLevel: LogLevel;
  sources: string[];
  text: string;
  /** Only what components printed on this stream; undefined keeps every record. */
  stream: LogStream | undefined;
}

interface LogsState {
  filter: LogFilter;
  records: LogRecordView[];
  /** Records matching the filter on the Node side when last queried, plus appended ones. */
  total: number;
  sources: string[];
  loading: boolean;
  loadingOlder: boolean;
  error: string | undefined;
  paused: boolean;
  pending: LogRecordView[];
  /** Rows added at the top by the last older-page load, so the list can keep its place. */
  prependedRecords: number;
  setFilter(patch: Partial<LogFilter>): void;
  query(): Promise<void>;
  loadOlder(): Promise<void>;
  setPaused(paused: boolean): void;
  clear(): Promise<void>;
  start(): void;
}

export function matches(record: LogRecordView, filter: LogFilter): boolean {
  if (LEVELS.indexOf(record.level) < LEVELS.indexOf(filter.minLevel)) return false;
  if (filter.sources.length > 0 && !filter.sources.includes(record.source)) return false;
  if (filter.text && !visibleAnsiText(record.text).toLowerCase().includes(filter.text.toLowerCase())) return false;
  if (filter.stream && record.stream !== filter.stream) return false;
  return true;
}

/** The logs.query arguments for a filter, leaving out what keeps everything. */
export function queryArgs(filter: LogFilter) {
  return {
    ...(filter.minLevel !== 'trace' ? { minLevel: filter.minLevel } : {}),
    ...(filter.sources.length > 0 ? { sources: filter.sources } : {}),
    ...(filter.text ? { text: filter.text } : {}),
    ...(filter.stream ? { stream: filter.stream } : {}),
  };
}

export function isFiltered(filter: LogFilter): boolean {
  return Object.keys(queryArgs(filter)).length > 0;
}

let querySeq = 0;
let debounce: ReturnType<typeof setTimeout> | undefined;
let started = false;

export const useLogs = create<LogsState>((set, get) => ({
  filter: { minLevel: 'trace', sources: [], text: '', stream: undefined },
  records: [],
  total: 0,
  sources: [],
  loading: true,
  loadingOlder: false,
  error: undefined,
  paused: false,
  pending: [],
  prependedRecords: 0,

  setFilter(patch) {
    // 'loading' at once, so what is on screen is never taken for the answer to the new filter.
    set({ filter: { ...get().filter, ...patch }, loading: true });
    clearTimeout(debounce);
    debounce = setTimeout(() => void get().query(), patch.text !== undefined ? 200 : 0);
  },

  async query() {
    const mine = ++querySeq;
    set({ loading: true });
    try {
      const filter = get().filter;
      const result = await studio.call('logs.query', { ...queryArgs(filter), limit: PAGE });
      if (mine !== querySeq) return;
      set({ records: result.records, total: result.total, sources: result.sources, loading: false, error: undefined, pending: [], prependedRecords: 0 });
    } catch (err) {
      if (mine !== querySeq) return;
      set({ loading: false, error: describeError(err).message });
    }
  },

  async loadOlder() {
    const { records, total, loadingOlder, filter } = get();
    const first = records[0];
    if (loadingOlder || !first || records.length >= total) return;
    const mine = querySeq;
    set({ loadingOlder: true });
    try {
      const result = await studio.call('logs.query', { ...queryArgs(filter), beforeSeq: first.seq, limit: PAGE });
      if (mine !== querySeq) return;
      const older = result.records.filter((r) => r.seq < first.seq);
      if (older.length === 0) {
        // Nothing older any more (the ring buffer dropped it): stop asking.
        set({ loadingOlder: false, total: get().records.length });
        return;
      }
      set({ records: [...older, ...get().records], loadingOlder: false, prependedRecords: older.length });
    } catch (err) {
      set({ loadingOlder: false, error: describeError(err).message });
    }
  },

  setPaused(paused) {
    if (paused) return set({ paused });
    const { pending } = get();
    set({ paused: false, pending: [] });
    if (pending.length) append(pending);
  },

  async clear() {
    await studio.call('logs.clear', {});
    set({ records: [], total: 0, pending: [], prependedRecords: 0 });
  },

  start() {
    if (started) return;
    started = true;
    studio.on('logs.appended', (batch) => {
      const { filter, paused, sources } = get();
      const newSources = batch.map((r) => r.source).filter((s, i, a) => !sources.includes(s) && a.indexOf(s) === i);
      if (newSources.length) set({ sources: [...sources, ...newSources].sort() });
      const wanted = batch.filter((r) => matches(r, filter));
      if (wanted.length === 0) return;
      if (paused) set({ pending: [...get().pending, ...wanted].slice(-MAX_LOADED) });
      else append(wanted);
    });
    studio.on('logs.cleared', () => set({ records: [], total: 0, pending: [], prependedRecords: 0 }));
    studio.onConnection((state) => state === 'open' && void get().query());
    void get().query();
  },
}));

function append(records: LogRecordView[]) {
  const state = useLogs.getState();
  const last = state.records[state.records.length - 1];
  const fresh = last ? records.filter((r) => r.seq > last.seq) : records;
  if (fresh.length === 0) return;
  let next = state.records.concat(fresh);
  if (next.length > MAX_LOADED) next = next.slice(next.length - MAX_LOADED);
  useLogs.setState({ records: next, total: state.total + fresh.length, prependedRecords: 0 });
}
