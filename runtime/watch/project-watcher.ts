// Watches a project's sources and reports bursts of changes as one event. It ignores what
// wash ignores, plus the studio's own outputs (build output, data folders), so a build or a
// component writing data never triggers another build. Files it is told to keep (the
// component a build writes) are watched wherever they are, even inside ignored folders: the
// session decides whether a build or something else changed them.
//
// A watcher may report one save twice (a truncate and a write seen apart on a busy machine):
// a path is reported again only once the file differs from what was last reported, so one
// save is one build. A save that changes nothing still moves the file's time, and rebuilds;
// each batch says which of its files kept their bytes, for the session to tell a build that
// regenerates a source the same from a person who touched it.
//
// A path that cannot be watched (a link loop, a link to something the user may not read) is
// left out and said once: one bad link must not turn watching off for the whole project.
//
// The studio's own terminal output is no source either: `component-studio dev . > out.txt`
// (or nohup's nohup.out) writes a file in the project at every line the studio prints, and
// each would start a build that prints more lines.
import { fstatSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isWithin } from '../path-within.ts';
import { contentSignature, sameContent } from './file-signature.ts';

/** Folder names wash's watcher skips wherever they appear. */
export const WASH_IGNORED_DIRS = ['.git', 'target', 'node_modules', 'dist', 'build', '.next', '.nuxt', 'bin', 'pkg', 'vendor'];

/** Quiet time that ends a burst of changes: long enough for an editor's save, short enough not to show. */
const DEBOUNCE_MS = 40;

// Editors write swap and backup files beside the real ones; they are not changes. Nor are
// log files, the studio's own (`dev | tee dev.log`, which no file descriptor of it shows) or
// a tool's.
const NOT_SOURCES = /(~|\.swp|\.swx|\.tmp|^4913|\.log)$|^\.#/i;

/**
 * Errors about one path rather than the watcher: a link loop (ELOOP), something the user may
 * not read (EACCES, EPERM). The watcher goes on without that path.
 */
const ONE_PATH_ERRORS = new Set(['ELOOP', 'EACCES', 'EPERM']);

export interface WatchOptions {
  /** Absolute paths (files or folders) to ignore besides WASH_IGNORED_DIRS. */
  ignore: string[];
  /**
   * Folders the component writes at run time (its stores, volumes): their changes are not
   * reported. Asked at each change, since a reload can move them; still watched, so a folder
   * that stops being one is a source again.
   */
  runtimeData?: () => string[];
  /** Watching failed after it started (e.g. the system's file-watch limit was reached). */
  onError?: (error: Error) => void;
  /** A path left out, absolute, and why (ONE_PATH_ERRORS): told once per path, the rest is still watched. */
  onSkip?: (path: string, error: NodeJS.ErrnoException) => void;
  /** Quiet time that ends a burst of changes. */
  debounceMs?: number;
}

export interface ChangeBatch {
  /** Paths relative to the root, sorted. */
  paths: string[];
  /** Those of `paths` rewritten with the very bytes they had (a touch, or a build regenerating a file the same). */
  sameBytes: string[];
  /** performance.now() of the first change in the batch: when the user saved. */
  firstAt: number;
}

export class ProjectWatcher {
  private watcher: FSWatcher | undefined;
  private pending = new Set<string>();
  private firstAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ignored: string[];
  private kept: string[] = [];
  /** Each reported path's signature when it was reported. */
  private readonly reported = new Map<string, string>();
  /** Batches are checked against the disk one after another, so they are reported in order. */
  private reporting = Promise.resolve();
  /** Paths already told to onSkip: the watcher tries them again each time their folder changes. */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly options: WatchOptions,
    private readonly onChange: (batch: ChangeBatch) => void,
  ) {
    this.ignored = options.ignore.map((p) => resolve(p));
  }

  isIgnored(path: string): boolean {
    const absolute = resolve(this.root, path);
    if (this.kept.includes(absolute) || this.leadsToKept(absolute)) return false;
    if (this.ignored.some((p) => isWithin(p, absolute))) return true;
    const parts = relative(this.root, absolute).split(sep);
    const name = parts[parts.length - 1] ?? '';
    return parts.some((part) => WASH_IGNORED_DIRS.includes(part)) || NOT_SOURCES.test(name);
  }

  /**
   * Watches these files (absolute paths) wherever they are, even inside ignored folders or
   * before they exist; the folders on the way to them are entered, nothing else in them.
   */
  keep(paths: string[]): void {
    const added = paths.filter((p) => !this.kept.includes(p));
    this.kept = [...paths];
    if (added.length > 0) this.watcher?.add(added);
  }

  /** Starts watching; resolves once the initial scan is done, so later edits are seen. */
  start(): Promise<void> {
    const watcher = watch(this.root, {
      ignored: (path) => path !== this.root && this.isIgnored(path),
      // No waiting for writes to settle: that would delay every reload, and a build that
      // starts on a half-written file is cancelled by the next change event anyway.
      ignoreInitial: true,
    });
    this.watcher = watcher;
    watcher.on('all', (_event, path) => this.record(path));
    return new Promise((started, failed) => {
      let ready = false;
      watcher.once('ready', () => {
        ready = true;
        started();
      });
      // An emitter's unheard 'error' would end the process: report it instead.
      watcher.on('error', (error) => {
        const failure = error as NodeJS.ErrnoException;
        if (failure.path !== undefined && ONE_PATH_ERRORS.has(failure.code ?? '')) this.skip(resolve(this.root, failure.path), failure);
        else if (ready) this.options.onError?.(failure);
        else failed(failure);
      });
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    const watcher = this.watcher;
    if (!watcher) return;
    await watcher.close();
    // Closing drops every listener, but a scan still under way (a link loop's ELOOP) may yet
    // report an error: unheard, it would end the studio.
    watcher.on('error', () => {});
  }

  private skip(path: string, error: NodeJS.ErrnoException): void {
    if (this.skipped.has(path)) return;
    this.skipped.add(path);
    this.options.onSkip?.(path, error);
  }

  /** A folder on the way to a kept file: entered to reach it, not a change of its own. */
  private leadsToKept(absolute: string): boolean {
    return this.kept.some((p) => p.startsWith(absolute + sep));
  }

  private inRuntimeData(absolute: string): boolean {
    return (this.options.runtimeData?.() ?? []).some((dir) => isWithin(dir, absolute));
  }

  private record(path: string): void {
    const absolute = resolve(this.root, path);
    // Run-time writes are never signed (read and hashed) below: a store under load writes often.
    if (this.leadsToKept(absolute) || this.inRuntimeData(absolute)) return;
    if (this.pending.size === 0) this.firstAt = performance.now();
    this.pending.add(relative(this.root, path));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? DEBOUNCE_MS);
  }

  private flush(): void {
    const paths = [...this.pending].sort();
    const firstAt = this.firstAt;
    this.pending.clear();
    this.reporting = this.reporting
      .then(async () => {
        const { changed, sameBytes } = await this.changedSinceReported(paths);
        if (changed.length > 0) this.onChange({ paths: changed, sameBytes, firstAt });
      })
      .catch((error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error))));
  }

  private async changedSinceReported(all: string[]): Promise<{ changed: string[]; sameBytes: string[] }> {
    const paths = all.filter((p) => !isOwnOutput(resolve(this.root, p)));
    const signatures = await Promise.all(paths.map((p) => contentSignature(resolve(this.root, p))));
    const sameBytes: string[] = [];
    const changed = paths.filter((path, i) => {
      const before = this.reported.get(path);
      if (before === signatures[i]) return false;
      if (before !== undefined && sameContent(before, signatures[i]!)) sameBytes.push(path);
      this.reported.set(path, signatures[i]!);
      return true;
    });
    return { changed, sameBytes };
  }
}

/** The files this process's stdout and stderr are redirected to, as device:inode (none on a terminal or pipe). */
const ownOutputs = new Set(
  [1, 2].flatMap((fd) => {
    try {
      const stats = fstatSync(fd);
      return stats.isFile() ? [`${stats.dev}:${stats.ino}`] : [];
    } catch {
      return []; // closed, or not a file descriptor this platform can stat
    }
  }),
);

function isOwnOutput(path: string): boolean {
  if (ownOutputs.size === 0) return false;
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats !== undefined && ownOutputs.has(`${stats.dev}:${stats.ino}`);
}
