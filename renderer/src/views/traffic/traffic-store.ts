// The Traffic view's state. The list lives in the studio process (traffic.query filters and
// pages it, newest first); this store keeps the pages on screen, pinned to the newest id seen
// when the filter was last applied (`maxId`), so rows stay put while requests arrive: new
// ones are counted and shown when the user scrolls to the top or asks for them. It is the open
// project's traffic: it starts again when another project opens (projectScope).
import { create } from 'zustand';
import { describeError, StudioApiError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import { projectScope } from '../../stores/project-scope.ts';
import type { PinKindView, ReplayReport, TrafficDetailView, TrafficFilterView, TrafficOrigin, TrafficSettingsView, TrafficSummaryView } from '../../api/types.ts';
import { useUi } from '../../stores/ui-store.ts';
import { useChecks } from '../../stores/checks-store.ts';

export const PAGE = 200;
const IGNORED_KEY = 'component-studio.traffic.ignoredHeaders';

export interface TrafficFilter {
  statusClasses: number[];
  method: string;
  text: string;
  build: number | undefined;
  hasLogs: boolean;
  origins: TrafficOrigin[];
}

export const EMPTY_FILTER: TrafficFilter = { statusClasses: [], method: '', text: '', build: undefined, hasLogs: false, origins: [] };

/** A record's origin as a tag: the playground is the HTTP view, as the filter names it; the others as they are. */
export function originTag(origin: TrafficOrigin): string {
  return origin === 'playground' ? 'HTTP view' : origin;
}

export function filterArgs(filter: TrafficFilter, maxId?: number): TrafficFilterView {
  return {
    ...(filter.statusClasses.length ? { statusClasses: filter.statusClasses } : {}),
    ...(filter.method ? { methods: [filter.method] } : {}),
    ...(filter.text ? { text: filter.text } : {}),
    ...(filter.build !== undefined ? { build: filter.build } : {}),
    ...(filter.hasLogs ? { hasLogs: true } : {}),
    ...(filter.origins.length ? { origins: filter.origins } : {}),
    ...(maxId !== undefined ? { maxId } : {}),
  };
}

/** What the view shows: the project's, dropped for another's (see NOTHING_LOADED). */
interface TrafficShown {
  filter: TrafficFilter;
  total: number;
  /** Loaded pages by index (PAGE rows each). */
  pages: Map<number, TrafficSummaryView[]>;
  maxId: number | undefined;
  /** Records that arrived since the list was pinned. */
  fresh: number;
  size: number;
  capacity: number;
  builds: number[];
  loading: boolean;
  error: string | undefined;
  selected: Set<number>;
  /** The record in the detail pane. */
  current: number | undefined;
  detail: TrafficDetailView | undefined;
  settings: TrafficSettingsView | undefined;
  ignoredHeaders: string[];
  replaying: boolean;
  report: ReplayReport | undefined;
  /** The replay result whose diff is open. */
  diffOf: number | undefined;
}

interface TrafficState extends TrafficShown {
  setFilter(patch: Partial<TrafficFilter>): void;
  refresh(): Promise<void>;
  loadPage(index: number): Promise<void>;
  row(index: number): TrafficSummaryView | undefined;
  open(id: number | undefined): Promise<void>;
  toggle(id: number, on: boolean): void;
  clearSelection(): void;
  replay(target: { ids: number[] } | { build: number }, data: 'live' | 'copy'): Promise<void>;
  pin(ids: number[], kind: PinKindView): Promise<void>;
  setIgnoredHeaders(headers: string[]): void;
  configure(change: { enabled?: boolean; bodyLimit?: number }): Promise<void>;
  clear(): Promise<void>;
  start(): void;
}

let querySeq = 0;
let debounce: ReturnType<typeof setTimeout> | undefined;
let started = false;
const loadingPages = new Set<number>();

/** Sets a check file to run on a throwaway copy of the data (its `data: copy`), as it stands on disk. */
async function checksOnCopy(file: string): Promise<void> {
  try {
    const view = await studio.call('checks.list', {});
    // A check file that does not parse hides the others (the list is all or nothing): that is the news then.
    if (view.error) throw new StudioApiError(view.error);
    const found = view.files.find((f) => f.name === file);
    if (!found) throw new Error(`.wash/checks/${file} is gone.`);
    await studio.call('checks.save', { file, text: JSON.stringify({ ...found.content, data: 'copy' }, null, 2) });
    useUi.getState().toast({ tone: 'success', title: 'Checks run on a copy of the data', detail: `.wash/checks/${file} has "data": "copy": each run works on a throwaway copy of the data folders.` });
    void useChecks.getState().load();
  } catch (err) {
    toastError('Could not change the check file', err);
  }
}

function toastError(title: string, err: unknown): void {
  useUi.getState().toast({ tone: 'error', title, detail: describeError(err).message }, 8000);
}

/** A list that has loaded nothing (a filter on the old project's builds means nothing in another). */
function nothingLoaded(): TrafficShown {
  return {
    filter: EMPTY_FILTER,
    total: 0,
    pages: new Map(),
    maxId: undefined,
    fresh: 0,
    size: 0,
    capacity: 0,
    builds: [],
    loading: true,
    error: undefined,
    selected: new Set(),
    current: undefined,
    detail: undefined,
    settings: undefined,
    ignoredHeaders: [],
    replaying: false,
    report: undefined,
    diffOf: undefined,
  };
}

export const useTraffic = create<TrafficState>((set, get) => ({
  ...nothingLoaded(),

  setFilter(patch) {
    set({ filter: { ...get().filter, ...patch } });
    clearTimeout(debounce);
    debounce = setTimeout(() => void get().refresh(), 80);
  },

  async refresh() {
    const seq = ++querySeq;
    loadingPages.clear();
    set({ loading: true });
    try {
      const result = await projectScope.call('traffic.query', { filter: filterArgs(get().filter), limit: PAGE });
      if (seq !== querySeq) return;
      set({ total: result.total, pages: new Map([[0, result.records]]), maxId: result.newestId, fresh: 0, size: result.size, capacity: result.capacity, builds: result.builds, loading: false, error: undefined });
    } catch (err) {
      if (seq === querySeq) set({ loading: false, error: describeError(err).message });
    }
  },

  async loadPage(index) {
    if (get().pages.has(index) || loadingPages.has(index)) return;
    loadingPages.add(index);
    const seq = querySeq;
    try {
      const result = await projectScope.call('traffic.query', { filter: filterArgs(get().filter, get().maxId), offset: index * PAGE, limit: PAGE });
      if (seq !== querySeq) return;
      const pages = new Map(get().pages);
      pages.set(index, result.records);
      set({ pages });
    } catch (err) {
      if (seq === querySeq) set({ error: describeError(err).message });
    } finally {
      loadingPages.delete(index);
    }
  },

  row(index) {
    return get().pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  },

  async open(id) {
    set({ current: id, detail: undefined, diffOf: undefined });
    if (id === undefined) return;
    try {
      const detail = await projectScope.call('traffic.get', { id });
      if (get().current === id) set({ detail: detail ?? undefined });
    } catch (err) {
      toastError('Could not load the request', err);
    }
  },

  toggle(id, on) {
    const selected = new Set(get().selected);
    if (on) selected.add(id);
    else selected.delete(id);
    set({ selected });
  },

  clearSelection: () => set({ selected: new Set() }),

  async replay(target, data) {
    set({ replaying: true });
    try {
      const report = await projectScope.call('traffic.replay', { ...target, data, ignoreHeaders: get().ignoredHeaders });
      set({ report, replaying: false, diffOf: report.results.find((r) => r.outcome !== 'matched')?.id ?? report.results[0]?.id });
      useUi.getState().toast({ tone: report.changed + report.failed > 0 ? 'error' : 'success', title: `Replayed ${report.results.length}: ${report.matched} matched, ${report.changed} changed, ${report.failed} failed` });
    } catch (err) {
      set({ replaying: false });
      toastError('Could not replay', err);
    }
  },

  async pin(ids, kind) {
    try {
      const pinned = await studio.call('checks.pin', { ids, kind, ignoreHeaders: get().ignoredHeaders });
      const again = ids.length - pinned.added;
      const title = `Pinned ${pinned.added} as ${pinned.added === 1 ? 'a check' : 'checks'}`;
      const already = again > 0 ? ` ${again} ${again === 1 ? 'was' : 'were'} pinned already.` : '';
      useUi.getState().toast(
        pinned.added === 0
          ? { tone: 'info', title: ids.length === 1 ? 'Already pinned' : 'All already pinned', detail: `.wash/checks/${pinned.file} has ${ids.length === 1 ? 'this check' : 'these checks'} already.` }
          : pinned.liveWrites > 0
            ? {
                tone: 'info',
                title,
                detail: `.wash/checks/${pinned.file}: they run after every reload, on your live data, and ${pinned.liveWrites === pinned.added ? (pinned.added === 1 ? 'it is' : 'they are') : `${pinned.liveWrites} of them are`} not GET: what ${pinned.liveWrites === 1 ? 'it changes' : 'they change'} (adding, replacing, deleting) happens to your data on every run.${already}`,
                action: { label: 'Run on a copy of the data', run: () => void checksOnCopy(pinned.file) },
              }
            : { tone: 'success', title, detail: `.wash/checks/${pinned.file}: they run after every reload.${already}` },
        pinned.liveWrites > 0 ? 15_000 : 4000,
      );
      // The Checks tab lists the files: it shows the new check now, not after a reload of the page.
      void useChecks.getState().load();
    } catch (err) {
      toastError('Could not pin the check', err);
    }
  },

  setIgnoredHeaders(headers) {
    set({ ignoredHeaders: headers });
    void studio.call('ui.state.set', { key: IGNORED_KEY, value: headers }).catch(() => {});
  },

  async configure(change) {
    try {
      set({ settings: await projectScope.call('traffic.configure', change) });
    } catch (err) {
      toastError('Could not change the capture', err);
    }
  },

  async clear() {
    try {
      await studio.call('traffic.clear', {});
    } catch (err) {
      toastError('Could not clear the list', err);
    }
  },

  start() {
    if (started) return;
    started = true;
    const load = async () => {
      await get().refresh();
      try {
        const settings = await projectScope.call('traffic.settings', {});
        const saved = (await projectScope.call('ui.state.get', { key: IGNORED_KEY })).value;
        set({ settings, ignoredHeaders: Array.isArray(saved) ? saved.filter((h): h is string => typeof h === 'string') : settings.defaultIgnoredHeaders });
      } catch {
        // The list's error says what is wrong; settings follow on the next connection.
      }
    };
    studio.on('traffic.appended', (records) => set({ fresh: get().fresh + records.length, size: Math.min(get().capacity || Infinity, get().size + records.length) }));
    studio.on('traffic.cleared', () => {
      set({ selected: new Set(), current: undefined, detail: undefined, report: undefined });
      void get().refresh();
    });
    projectScope.follow({
      reset() {
        querySeq++;
        loadingPages.clear();
        clearTimeout(debounce);
        set(nothingLoaded());
      },
      load: () => void load(),
    });
  },
}));
