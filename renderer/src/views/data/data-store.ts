// The Data view's state: the project's snapshots (kept current by 'snapshots.changed', which
// the CLI's commands send too), whether the seed data is on offer (asked again when the data
// changes, and when the view is shown), the comparison on screen and the change whose values
// are diffed. Archives move in 1 MiB parts both ways. It is the data folders' state: it starts
// again when another project (or folder) opens (dataScope).
import { create } from 'zustand';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { ComparisonView, DataChangeView, ImportPreview, SnapshotsView } from '../../api/types.ts';
import { base64ToBytes, bytesToBase64 } from '../../lib/bytes.ts';
import { downloadBlob } from '../../lib/download.ts';
import { dataScope } from '../../stores/project-scope.ts';

const PART = 1024 * 1024;
/** Values larger than this are diffed on their first bytes. */
export const DIFF_BYTES = 2 * 1024 * 1024;

/** Writes come in bursts (a restore announces every bucket): the seed offer is asked about once a burst is over. */
const SEED_RECHECK_MS = 300;

/** A side of a comparison: a snapshot's name, or '' for the live data. */
export type Side = string;

export interface ValueSide {
  bytes: Uint8Array | undefined;
  size: number;
}

/** What the view shows: the data folders', dropped for others (see NOTHING_LOADED). */
interface DataShown {
  view: SnapshotsView | undefined;
  loadError: string | undefined;
  from: Side;
  to: Side;
  comparison: ComparisonView | undefined;
  comparing: boolean;
  /** The live data changed after the comparison with it was made. */
  stale: boolean;
  compareError: string | undefined;
  change: DataChangeView | undefined;
  values: { before: ValueSide; after: ValueSide } | undefined;
}

interface DataState extends DataShown {
  showView(view: SnapshotsView): void;
  load(): Promise<void>;
  compare(from: Side, to: Side): Promise<void>;
  showChange(change: DataChangeView | undefined): Promise<void>;
  start(): void;
}

const sideArg = (side: Side) => (side === '' ? undefined : side);

/** The name of the newest usable snapshot, or '' (live data) when there is none. */
function newestSnapshot(view: SnapshotsView): Side {
  let newest: SnapshotsView['snapshots'][number] | undefined;
  for (const s of view.snapshots) if (!s.problem && (!newest || s.createdAt > newest.createdAt)) newest = s;
  return newest?.name ?? '';
}
let started = false;
let compareSeq = 0;
let seedRecheck: ReturnType<typeof setTimeout> | undefined;

const NOTHING_LOADED: DataShown = {
  view: undefined,
  loadError: undefined,
  from: '',
  to: '',
  comparison: undefined,
  comparing: false,
  stale: false,
  compareError: undefined,
  change: undefined,
  values: undefined,
};

export const useData = create<DataState>((set, get) => ({
  ...NOTHING_LOADED,

  showView(view) {
    set({ view, loadError: undefined });
    // Until a comparison is asked for, offer the likely one: the newest snapshot to now.
    const { to, comparison, comparing } = get();
    if (to === '' && !comparison && !comparing) set({ from: newestSnapshot(view) });
  },

  async load() {
    try {
      get().showView(await dataScope.call('snapshots.list', {}));
    } catch (err) {
      set({ loadError: describeError(err).message });
    }
  },

  async compare(from, to) {
    const mine = ++compareSeq;
    set({ from, to, comparing: true, stale: false, compareError: undefined, change: undefined, values: undefined });
    try {
      const comparison = await dataScope.call('snapshots.compare', { ...(sideArg(from) ? { from } : {}), ...(sideArg(to) ? { to } : {}) });
      if (mine === compareSeq) set({ comparison, comparing: false });
    } catch (err) {
      if (mine === compareSeq) set({ comparison: undefined, comparing: false, compareError: describeError(err).message });
    }
  },

  async showChange(change) {
    set({ change, values: undefined });
    if (!change || change.key === undefined) return;
    const { from, to } = get();
    const read = async (side: Side): Promise<ValueSide> => {
      const value = await dataScope.call('snapshots.value', { ...(sideArg(side) ? { source: side } : {}), path: change.path, end: DIFF_BYTES });
      return value ? { bytes: base64ToBytes(value.data), size: value.size } : { bytes: undefined, size: 0 };
    };
    const [before, after] = await Promise.all([read(from), read(to)]);
    if (get().change === change) set({ values: { before, after } });
  },

  start() {
    if (started) return;
    started = true;
    studio.on('snapshots.changed', (view) => get().showView(view));
    // A write or a restore changes the live data: a comparison with it may be out of date, and
    // data folders that were empty may not be any more (or the other way round): the seed
    // offer is asked about again.
    const liveChanged = () => {
      const { comparison, comparing, from, to, view } = get();
      if (comparison && !comparing && (from === '' || to === '')) set({ stale: true });
      if (!view?.seed) return;
      clearTimeout(seedRecheck);
      seedRecheck = setTimeout(() => void get().load(), SEED_RECHECK_MS);
    };
    studio.on('kv.changed', liveChanged);
    studio.on('blob.changed', liveChanged);
    dataScope.follow({
      reset() {
        compareSeq++;
        clearTimeout(seedRecheck);
        set(NOTHING_LOADED);
      },
      load: () => void get().load(),
    });
  },
}));

/** Exports a snapshot and saves it as a file, reading the archive in parts; returns what the archive could not hold. */
export async function downloadSnapshot(name: string): Promise<string[]> {
  const exported = await studio.call('snapshots.export', { name });
  const parts: Uint8Array[] = [];
  for (let start = 0; start < exported.bytes; start += PART) {
    const { data } = await studio.call('snapshots.download', { download: exported.download!, start, end: Math.min(exported.bytes, start + PART) });
    parts.push(base64ToBytes(data));
  }
  downloadBlob(parts as BlobPart[], exported.fileName, 'application/gzip');
  return exported.leftOut;
}

/** Uploads an archive and has it checked: what it holds and what restoring it would change. */
export async function inspectArchive(file: File): Promise<ImportPreview> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let upload: string | undefined;
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += PART) {
    const part = bytes.subarray(offset, offset + PART);
    const last = offset + PART >= bytes.length;
    ({ upload } = await studio.call('snapshots.upload', { ...(upload ? { upload } : {}), data: bytesToBase64(part), offset, last }));
    if (last) break;
  }
  return studio.call('snapshots.inspect', { upload: upload! });
}
