// The blob browser's state: containers, the folder being looked at (a `/` prefix listed with
// delimiter '/', page after page), the checked objects (loaded or not: "select all" lists the
// rest of the folder for their names), the object being previewed, and uploads in progress.
// 'blob.changed' keeps the listing current. It is the data folder's state: it starts again when
// another project (or folder) opens (dataScope), and an upload of the old project's stops.
import { create } from 'zustand';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import { dataScope } from '../../stores/project-scope.ts';
import type { BlobListResult, BlobObjectView } from '../../api/types.ts';
import { base64ToBytes, bytesToBase64, PREVIEW_BYTES } from '../../lib/bytes.ts';
import { pagedList, type PagedList } from '../../lib/paged-list.ts';

export const OBJECT_PAGE = 500;
/** The most names a blob.list answers with: "select all" walks a folder in pages this big. */
const NAME_PAGE = 10_000;
/** Names per blob.delete, so deleting a huge folder is several calls of a bearable size. */
const DELETE_BATCH = 10_000;
/** An image is shown whole or not at all, so it may be bigger than PREVIEW_BYTES. */
const IMAGE_PREVIEW_CAP = 16 * 1024 * 1024;
const UPLOAD_PART = 1024 * 1024;
const DOWNLOAD_PART = 4 * 1024 * 1024;

export interface Upload {
  id: number;
  name: string;
  size: number;
  sent: number;
  state: 'uploading' | 'done' | 'failed';
  error?: string;
}

/** Files that would replace objects of the same name, waiting for the user's word. */
export interface UploadQuestion {
  container: string;
  folder: string;
  files: File[];
  /** The objects that are already there, by their full names. */
  existing: string[];
}

/** What the user said to an UploadQuestion: replace the objects, upload only the new files, or nothing. */
export type UploadAnswer = 'replace' | 'skip' | 'cancel';

export interface Preview {
  object: BlobObjectView;
  bytes: Uint8Array | undefined;
  loading: boolean;
  error: string | undefined;
}

/** What the browser shows: the data folder's, dropped for another (see nothingLoaded). */
interface BlobData {
  containers: { name: string; createdAt: number }[];
  containersLoaded: boolean;
  containersError: string | undefined;
  container: string | undefined;
  /** The folder: '' or ending in '/'. */
  folder: string;
  filter: string;
  folders: string[];
  objects: BlobObjectView[];
  cursor: string | undefined;
  listing: boolean;
  listError: string | undefined;
  checked: Set<string>;
  /** "Select all" is listing the folder's objects not loaded yet: how many it has found so far. */
  selectingAll: number | undefined;
  /** Every object of the folder (and filter) is checked, loaded or not, as of the last "select all". */
  allChecked: boolean;
  preview: Preview | undefined;
  uploads: Upload[];
  uploadQuestion: UploadQuestion | undefined;
}

interface BlobState extends BlobData {
  loadContainers(): Promise<void>;
  selectContainer(container: string | undefined): void;
  openFolder(folder: string): void;
  setFilter(filter: string): void;
  list(reset: boolean): Promise<void>;
  /** Loads every page not loaded yet (End in the list goes to the real last object). */
  listRest(): Promise<void>;
  toggleChecked(name: string, on?: boolean): void;
  setChecked(names: string[]): void;
  /** Checks every object of the folder (and filter), listing the ones not loaded yet. */
  checkAll(): Promise<void>;
  /** Deletes the checked objects, loaded or not; resolves to how many went. */
  deleteChecked(): Promise<number>;
  openPreview(object: BlobObjectView): Promise<void>;
  closePreview(): void;
  /** Uploads into the folder shown; asks first (uploadQuestion) when a name is taken, as file managers do. */
  upload(files: File[]): Promise<void>;
  answerUpload(answer: UploadAnswer): void;
  download(object: BlobObjectView): Promise<Uint8Array>;
  start(): void;
}

/** Bumped when the selection is dropped, so a "select all" still listing stops. */
let checkAllSeq = 0;
let filterTimer: ReturnType<typeof setTimeout> | undefined;
/** Lists the first page again once a burst of changes is over. */
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let nextUpload = 1;
let started = false;

/** An empty selection, for another container, folder or filter (what was checked may not show there). */
function nothingChecked(): Pick<BlobData, 'checked' | 'allChecked' | 'selectingAll'> {
  checkAllSeq++;
  return { checked: new Set(), allChecked: false, selectingAll: undefined };
}

/** A browser that has loaded nothing: where it starts, and starts again for another data folder. */
function nothingLoaded(): BlobData {
  return {
    containers: [],
    containersLoaded: false,
    containersError: undefined,
    container: undefined,
    folder: '',
    filter: '',
    folders: [],
    objects: [],
    cursor: undefined,
    listing: false,
    listError: undefined,
    ...nothingChecked(),
    preview: undefined,
    uploads: [],
    uploadQuestion: undefined,
  };
}

export const useBlobs = create<BlobState>((set, get) => ({
  ...nothingLoaded(),

  async loadContainers() {
    try {
      const containers = (await dataScope.call('blob.containers', {})).sort((a, b) => a.name.localeCompare(b.name));
      set({ containers, containersLoaded: true, containersError: undefined });
      const current = get().container;
      if (current === undefined || !containers.some((c) => c.name === current)) get().selectContainer(containers[0]?.name);
    } catch (err) {
      set({ containersLoaded: true, containersError: describeError(err).message });
    }
  },

  selectContainer(container) {
    set({ container, folder: '', filter: '', folders: [], objects: [], cursor: undefined, ...nothingChecked(), preview: undefined, listError: undefined });
    if (container !== undefined) void get().list(true);
  },

  openFolder(folder) {
    set({ folder, filter: '', folders: [], objects: [], cursor: undefined, ...nothingChecked(), preview: undefined });
    void get().list(true);
  },

  setFilter(filter) {
    // What was checked under the old filter may not show under the new one: nothing is deleted unseen.
    set({ filter, ...nothingChecked() });
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => void get().list(true), 150);
  },

  list: (reset) => objectPages.list(reset),
  listRest: () => objectPages.listRest(),

  toggleChecked(name, on) {
    const checked = new Set(get().checked);
    if (on ?? !checked.has(name)) checked.add(name);
    else checked.delete(name);
    set({ checked, allChecked: get().allChecked && checked.has(name) });
  },
  setChecked: (names) => set({ ...nothingChecked(), checked: new Set(names) }),

  async checkAll() {
    const { container, folder, filter, selectingAll } = get();
    if (container === undefined || selectingAll !== undefined) return;
    const mine = ++checkAllSeq;
    const prefix = folder + filter;
    const names: string[] = [];
    set({ selectingAll: 0 });
    try {
      let cursor: string | undefined;
      do {
        const page = await dataScope.call('blob.list', { container, ...(prefix ? { prefix } : {}), delimiter: '/', ...(cursor !== undefined ? { cursor } : {}), limit: NAME_PAGE });
        if (mine !== checkAllSeq) return;
        for (const o of page.objects) names.push(o.name);
        cursor = page.cursor;
        set({ selectingAll: names.length });
      } while (cursor !== undefined);
      set({ checked: new Set(names), allChecked: true, selectingAll: undefined });
    } catch (err) {
      if (mine !== checkAllSeq) return;
      set({ selectingAll: undefined });
      throw err;
    }
  },

  async deleteChecked() {
    const { container, checked } = get();
    if (container === undefined) return 0;
    const names = [...checked];
    let deleted = 0;
    try {
      for (let at = 0; at < names.length; at += DELETE_BATCH) {
        await dataScope.call('blob.delete', { container, names: names.slice(at, at + DELETE_BATCH) });
        deleted = Math.min(names.length, at + DELETE_BATCH);
      }
    } finally {
      // What did go is gone from the list, even when a later batch failed.
      const gone = new Set(names.slice(0, deleted));
      const s = get();
      const checkedLeft = new Set([...s.checked].filter((n) => !gone.has(n)));
      set({ objects: s.objects.filter((o) => !gone.has(o.name)), checked: checkedLeft, allChecked: false, preview: s.preview && gone.has(s.preview.object.name) ? undefined : s.preview });
    }
    return deleted;
  },

  async openPreview(object) {
    const { container } = get();
    if (!container) return;
    set({ preview: { object, bytes: undefined, loading: true, error: undefined } });
    try {
      const isImage = /^image\//.test(object.contentType);
      const cap = isImage ? IMAGE_PREVIEW_CAP : PREVIEW_BYTES;
      const result = await dataScope.call('blob.get', { container, name: object.name, start: 0, ...(object.size > cap ? { end: cap } : {}) });
      if (get().preview?.object.name !== object.name) return;
      set({ preview: { object: result.object, bytes: base64ToBytes(result.data), loading: false, error: undefined } });
    } catch (err) {
      if (get().preview?.object.name !== object.name) return;
      set({ preview: { object, bytes: undefined, loading: false, error: describeError(err).message } });
    }
  },
  closePreview: () => set({ preview: undefined }),

  async download(object) {
    const { container } = get();
    if (!container) throw new Error('No container is open.');
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let start = 0; start < object.size || (object.size === 0 && start === 0); start += DOWNLOAD_PART) {
      const end = Math.min(start + DOWNLOAD_PART, object.size);
      const result = await studio.call('blob.get', { container, name: object.name, start, end });
      const bytes = base64ToBytes(result.data);
      parts.push(bytes);
      total += bytes.length;
      if (bytes.length === 0) break;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  },

  async upload(files) {
    const { container, folder } = get();
    if (!container) return;
    let existing: string[];
    try {
      existing = await takenNames(container, files.map((f) => folder + f.name));
    } catch (err) {
      // Not knowing what is there, nothing is sent: it could overwrite.
      const error = `Could not check what is in ${container} already: ${describeError(err).message}`;
      set({ uploads: [...get().uploads, ...files.map((f): Upload => ({ id: nextUpload++, name: folder + f.name, size: f.size, sent: 0, state: 'failed', error }))] });
      return;
    }
    if (existing.length > 0) set({ uploadQuestion: { container, folder, files, existing } });
    else await sendFiles(container, folder, files);
  },

  answerUpload(answer) {
    const question = get().uploadQuestion;
    set({ uploadQuestion: undefined });
    if (!question || answer === 'cancel') return;
    const files = answer === 'replace' ? question.files : question.files.filter((f) => !question.existing.includes(question.folder + f.name));
    if (files.length > 0) void sendFiles(question.container, question.folder, files);
  },

  start() {
    if (started) return;
    started = true;
    studio.on('blob.changed', (change) => {
      const state = get();
      if (change.kind === 'bucket-created' || change.kind === 'bucket-deleted') {
        void state.loadContainers();
        // The container shown was put in place again (a snapshot was restored): read it anew.
        if (change.kind === 'bucket-created' && change.container === state.container) {
          void state.list(true);
          if (state.preview) void state.openPreview(state.preview.object);
        }
        return;
      }
      if (change.container !== state.container || change.name === undefined) return;
      const name = change.name;
      if (state.preview?.object.name === name) {
        if (change.kind === 'delete') set({ preview: { ...state.preview, error: 'This object was deleted.', bytes: undefined, loading: false } });
        else void state.openPreview(state.preview.object);
      }
      if (!name.startsWith(state.folder + state.filter)) return;
      if (change.kind === 'delete') {
        const checked = new Set(state.checked);
        checked.delete(name);
        set({ objects: state.objects.filter((o) => o.name !== name), checked });
      } else if (state.allChecked && !state.checked.has(name) && !name.slice(state.folder.length).includes('/')) {
        // An object that came after "select all" is not in it: the view must not say "all" any more.
        set({ allChecked: false });
      }
      // A new or changed object (or one in a new sub-folder): list the first page again, once
      // per burst of changes. Objects beyond the first page stay as they were loaded.
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => {
        const s = get();
        if (s.cursor === undefined || s.objects.length <= OBJECT_PAGE) void s.list(true);
      }, 300);
    });
    dataScope.follow({
      reset() {
        clearTimeout(filterTimer);
        clearTimeout(refreshTimer);
        set(nothingLoaded());
      },
      load() {
        void get().loadContainers();
        // The folder shown, if its container stays, is listed again (it may have changed while disconnected).
        void get().list(true);
      },
    });
  },
}));

/** The open folder's objects (and the folders in it), page by page. */
const objectPages: PagedList = pagedList<BlobState, BlobListResult>(useBlobs, {
  pageSize: OBJECT_PAGE,
  restPageSize: NAME_PAGE,
  fetch: ({ container, folder, filter }, cursor, limit) => {
    if (container === undefined) return undefined;
    const prefix = folder + filter;
    return dataScope.call('blob.list', { container, ...(prefix ? { prefix } : {}), delimiter: '/', ...(cursor !== undefined ? { cursor } : {}), limit });
  },
  apply: ({ folders, objects }, page, reset) => ({
    folders: reset ? page.prefixes : [...folders, ...page.prefixes.filter((p) => !folders.includes(p))],
    objects: reset ? page.objects : [...objects, ...page.objects],
  }),
});

/** Which of these object names `container` holds already (a listing from each name finds it first, if it is there). */
async function takenNames(container: string, names: string[]): Promise<string[]> {
  const found = await Promise.all(names.map((name) => dataScope.call('blob.list', { container, prefix: name, limit: 1 }).then((r) => (r.objects[0]?.name === name ? name : undefined))));
  return found.filter((name) => name !== undefined);
}

/** Sends files in parts, one after the other, each with its progress in `uploads`. */
async function sendFiles(container: string, folder: string, files: File[]): Promise<void> {
  const { getState: get, setState: set } = useBlobs;
  for (const file of files) {
    const upload: Upload = { id: nextUpload++, name: folder + file.name, size: file.size, sent: 0, state: 'uploading' };
    const update = (patch: Partial<Upload>) => set({ uploads: get().uploads.map((u) => (u.id === upload.id ? { ...u, ...patch } : u)) });
    set({ uploads: [...get().uploads.filter((u) => u.state !== 'done'), upload] });
    try {
      let offset = 0;
      do {
        const part = new Uint8Array(await file.slice(offset, offset + UPLOAD_PART).arrayBuffer());
        const last = offset + part.length >= file.size;
        await dataScope.call('blob.put', { container, name: upload.name, data: bytesToBase64(part), offset, last });
        offset += part.length;
        update({ sent: offset });
      } while (offset < file.size);
      update({ state: 'done', sent: file.size });
    } catch (err) {
      update({ state: 'failed', error: describeError(err).message });
    }
  }
  void get().list(true);
  setTimeout(() => set({ uploads: get().uploads.filter((u) => u.state !== 'done') }), 4000);
}
