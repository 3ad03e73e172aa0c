// Watches a store root (chokidar) and reports changes as decoded names, whoever made them:
// a component through the studio, or another program (wash, an editor, a script) writing
// the folders directly. The studio's own temp files, trash folders and journal are ignored.
// Changes are collected for a few milliseconds and delivered as one batch, latest kind per
// key, so a burst of writes becomes one UI update.
//
// A root that does not exist yet (stores make their folders at the first write) is checked
// for every half second; once it appears it is watched, and what is already in it by then
// (a component's first bucket) is reported as created.
//
// Layouts: key-value `<root>/<bucket>/<key>` (files in the root are keys of the bucket "");
// blob `<root>/<container>/<object/name>`. Anything else (deeper folders in a key-value root,
// files directly in a blob root) is not part of the store and is not reported.
import { watch, type FSWatcher } from 'chokidar';
import { existsSync, readdirSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { decodeSegment, isInternalFileName, keyOfFileName, objectNameFromSegments } from './safe-names.ts';
import { StoreError, isErrno, storeWords } from './store-error.ts';
import { locateStoreRoot } from './store-root.ts';

export interface StoreChange {
  store: 'keyvalue' | 'blobstore';
  bucket: string;
  /** The key or object name; absent for bucket events. */
  key?: string;
  kind: 'set' | 'delete' | 'bucket-created' | 'bucket-deleted';
}

export interface StoreWatcherOptions {
  root: string;
  store: 'keyvalue' | 'blobstore';
  onChanges: (changes: StoreChange[]) => void;
  onError?: (error: StoreError) => void;
  /** How long to collect changes before delivering them; default 50 ms. */
  debounceMs?: number;
}

type RawEvent = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

/** How often a root that does not exist yet is looked for. */
const APPEAR_POLL_MS = 500;

export class StoreWatcher {
  private pending = new Map<string, StoreChange>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private watcher: FSWatcher | undefined;
  private polling = false;
  private appearTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: StoreWatcherOptions,
    private readonly root: string,
  ) {}

  /** Starts watching; resolves once the initial scan is done (existing files are not reported). */
  static async start(options: StoreWatcherOptions): Promise<StoreWatcher> {
    const located = locateStoreRoot(options.root, options.store);
    const self = new StoreWatcher(options, located.path);
    if (located.exists) await self.watch();
    else self.waitForRoot();
    return self;
  }

  /** True when the system ran out of file watches and the folder is polled instead. */
  get isPolling(): boolean {
    return this.polling;
  }

  private async watch(): Promise<void> {
    const root = this.root;
    const watcher = watch(root, {
      ignoreInitial: true,
      persistent: true,
      ...(this.options.store === 'keyvalue' ? { depth: 1 } : {}),
      ...(this.polling ? { usePolling: true, interval: 300, binaryInterval: 300 } : {}),
      ignored: (path: string) => path !== root && isInternalFileName(basename(path)),
    });
    this.watcher = watcher;
    for (const event of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) {
      watcher.on(event, (path: string) => this.onEvent(event, path));
    }
    watcher.on('error', (error: unknown) => void this.onWatchError(watcher, error));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  private waitForRoot(): void {
    this.appearTimer = setInterval(() => {
      if (this.closed || !existsSync(this.root)) return;
      clearInterval(this.appearTimer);
      this.appearTimer = undefined;
      void this.watch().then(() => {
        // What was made before the watch began (a component's first bucket and key) would
        // otherwise never be announced; the folder is new, so this is a small walk.
        this.announceExisting(this.root, 0);
      }, (error: unknown) => void this.onWatchError(this.watcher!, error));
    }, APPEAR_POLL_MS);
    this.appearTimer.unref();
  }

  private announceExisting(dir: string, depth: number): void {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // gone again: its removal shows as a change of its own
    }
    for (const entry of entries) {
      const path = `${dir}${sep}${entry.name}`;
      if (entry.isFile()) this.onEvent('add', path);
      else if (entry.isDirectory() && !isInternalFileName(entry.name)) {
        this.onEvent('addDir', path);
        if (this.options.store === 'blobstore' || depth === 0) this.announceExisting(path, depth + 1);
      }
    }
  }

  private async onWatchError(watcher: FSWatcher, error: unknown): Promise<void> {
    const what = storeWords(this.options.store);
    const message = error instanceof Error ? error.message : String(error);
    // Linux limits inotify instances and watches per user (128 / 8192 by default on many
    // systems); when they run out, polling still sees changes, a little later.
    if (!this.polling && !this.closed && watcher === this.watcher && isErrno(error, 'EMFILE', 'ENOSPC')) {
      this.polling = true;
      this.options.onError?.(new StoreError('busy', `The system ran out of file watches for the ${what} store folder ${this.root}; checking it for changes every 300 ms instead.`, 'Raise fs.inotify.max_user_instances / max_user_watches (sysctl) for instant updates.', { cause: error }));
      await watcher.close();
      if (!this.closed) await this.watch();
      return;
    }
    this.options.onError?.(new StoreError('io', `Watching the ${what} store folder ${this.root} failed: ${message}`, 'Changes made by other programs may not show until you reload.', { cause: error }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.appearTimer) clearInterval(this.appearTimer);
    this.timer = undefined;
    this.pending.clear();
    await this.watcher?.close();
  }

  private onEvent(event: RawEvent, path: string): void {
    if (this.closed) return;
    const change = this.toChange(event, path);
    if (!change) return;
    const id = change.key === undefined ? `bucket\u0000${change.bucket}` : `key\u0000${change.bucket}\u0000${change.key}`;
    if (change.kind === 'bucket-deleted') {
      // The keys went with the bucket; one event says it.
      for (const [pendingId, pendingChange] of this.pending) if (pendingChange.bucket === change.bucket && pendingChange.key !== undefined) this.pending.delete(pendingId);
    }
    this.pending.delete(id);
    this.pending.set(id, change);
    this.timer ??= setTimeout(() => this.deliver(), this.options.debounceMs ?? 50);
  }

  private deliver(): void {
    this.timer = undefined;
    if (this.closed || this.pending.size === 0) return;
    const changes = [...this.pending.values()];
    this.pending.clear();
    this.options.onChanges(changes);
  }

  private toChange(event: RawEvent, path: string): StoreChange | undefined {
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..')) return undefined;
    const parts = rel.split(sep);
    if (parts.some(isInternalFileName)) return undefined;
    const store = this.options.store;
    const isDir = event === 'addDir' || event === 'unlinkDir';
    if (isDir) {
      if (parts.length !== 1) return undefined;
      return { store, bucket: decodeSegment(parts[0]!), kind: event === 'addDir' ? 'bucket-created' : 'bucket-deleted' };
    }
    const kind = event === 'unlink' ? 'delete' : 'set';
    if (store === 'keyvalue') {
      if (parts.length === 1) return { store, bucket: '', key: keyOfFileName(parts[0]!), kind };
      if (parts.length === 2) return { store, bucket: decodeSegment(parts[0]!), key: keyOfFileName(parts[1]!), kind };
      return undefined;
    }
    if (parts.length < 2) return undefined;
    return { store, bucket: decodeSegment(parts[0]!), key: objectNameFromSegments(parts.slice(1)), kind };
  }
}
