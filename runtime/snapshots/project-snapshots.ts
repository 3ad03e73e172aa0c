// The snapshots of one project's data, as the studio and the CLI use them: list, take,
// restore, delete, compare, export, import, and the seed data a project ships. One operation
// runs at a time (they pause the same stores); each failure is a SnapshotError.
import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { open } from 'node:fs/promises';
import { isInternalFileName } from '../stores/safe-names.ts';
import type { DataFolders } from './data-folders.ts';
import type { LiveData } from './live-data.ts';
import { exportSnapshot, stageImport, type ExportedSnapshot, type StagedImport } from './snapshot-archive.ts';
import { SnapshotCatalogue, type CatalogueEntry } from './snapshot-catalogue.ts';
import { compareStates, snapshotState, type Comparison, type DataState } from './snapshot-compare.ts';
import { SnapshotError, snapshotErrorFrom } from './snapshot-error.ts';
import { restoreSnapshot, type RestoreHooks, type RestoreResult } from './snapshot-restore.ts';
import { takeSnapshot, type TakeOptions } from './snapshot-take.ts';

/** A side of a comparison: a snapshot by name, or the live data (undefined). */
export type DataSource = string | undefined;

/** What the project ships as seed data, and whether the studio should offer it now. */
export interface SeedOffer {
  file: string;
  /** True while the data folders hold nothing: the first open of a project. */
  dataEmpty: boolean;
}

/** The buckets and containers the live data holds: what loading the seed data over it replaces. */
export interface LiveFolders {
  buckets: string[];
  containers: string[];
}

/** At most this many names of each store in a message; the rest are counted. */
const NAMES_SAID = 5;

/** Largest value range one read returns (the UI reads larger ones in parts). */
const MAX_VALUE_READ = 32 * 2 ** 20;

export class ProjectSnapshots {
  readonly catalogue: SnapshotCatalogue;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly live: () => LiveData) {
    this.catalogue = new SnapshotCatalogue(live().folders.catalogue);
  }

  get folders(): DataFolders {
    return this.live().folders;
  }

  /** Runs operations that touch the data one after another. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  list(): CatalogueEntry[] {
    return this.catalogue.list();
  }

  save(options: TakeOptions): Promise<CatalogueEntry> {
    return this.serial(() => takeSnapshot(this.live(), this.catalogue, options));
  }

  restore(name: string, hooks: RestoreHooks = {}): Promise<RestoreResult> {
    return this.serial(() => restoreSnapshot(this.live(), this.catalogue, name, hooks));
  }

  delete(name: string): Promise<void> {
    return this.serial(async () => {
      try {
        await this.catalogue.remove(name);
      } catch (error) {
        throw snapshotErrorFrom(error, `delete the snapshot ${JSON.stringify(name)}`);
      }
    });
  }

  /** The changes from one state to another (`undefined` is the live data). */
  async compare(from: DataSource, to: DataSource, limit?: number): Promise<Comparison> {
    try {
      return await compareStates(this.stateOf(from), this.stateOf(to), limit);
    } catch (error) {
      throw snapshotErrorFrom(error, 'compare the data');
    }
  }

  /** What restoring the snapshot folder `dir` (an import being looked at) would change in the live data. */
  async compareWithLive(dir: string): Promise<Comparison> {
    try {
      return await compareStates(this.stateOf(undefined), snapshotState(dir), 0);
    } catch (error) {
      throw snapshotErrorFrom(error, 'compare the archive with the data');
    }
  }

  /**
   * The bytes of one value in a state, by its path in the snapshot layout (from a
   * comparison); undefined when it is not there. The path must name a file inside the state.
   */
  async readValue(source: DataSource, path: string, range: { start?: number; end?: number } = {}): Promise<{ data: Buffer; size: number } | undefined> {
    const parts = path.split('/');
    const store = parts[0];
    if ((store !== 'keyvalue' && store !== 'blobstore') || parts.length < 2 || parts.some((p) => p === '' || p === '.' || p === '..' || isInternalFileName(p) || p.includes('\\'))) {
      throw new SnapshotError('snapshot-failed', `${JSON.stringify(path)} is not the path of a key or object.`, 'Use a path from a comparison, such as keyvalue/<bucket>/<key>.');
    }
    const root = this.stateOf(source)[store];
    const file = resolve(root, ...parts.slice(1));
    if (!file.startsWith(root + sep) || relative(root, file).startsWith('..')) throw new SnapshotError('snapshot-failed', `${JSON.stringify(path)} leads out of the data.`, 'Use a path from a comparison.');
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw snapshotErrorFrom(error, `read ${path}`);
    }
    try {
      const { size } = await handle.stat();
      const start = Math.min(range.start ?? 0, size);
      const end = Math.min(range.end ?? size, size, start + MAX_VALUE_READ);
      const data = Buffer.alloc(Math.max(0, end - start));
      if (data.length > 0) await handle.read(data, 0, data.length, start);
      return { data, size };
    } finally {
      await handle.close();
    }
  }

  export(name: string, file: string, options: { overwrite?: boolean } = {}): Promise<ExportedSnapshot> {
    return this.serial(() => exportSnapshot(this.catalogue.usable(name), file, options));
  }

  /** Reads and checks an archive; the caller commits (under a name) or discards it. */
  stageImport(file: string): Promise<StagedImport> {
    return this.serial(() => stageImport(file, this.catalogue));
  }

  /** Imports an archive as a snapshot in one step (the CLI). */
  async import(file: string, name?: string): Promise<CatalogueEntry> {
    const staged = await this.stageImport(file);
    try {
      return await staged.commit(name);
    } catch (error) {
      await staged.discard();
      throw snapshotErrorFrom(error, `import ${file}`);
    }
  }

  /**
   * The buckets and containers there are now, as the browsers list them: a key still only in
   * the journal counts (its bucket's folder may not be written yet), the studio's own files do not.
   */
  liveFolders(): LiveFolders {
    const live = this.live();
    return { buckets: live.keyvalue.buckets(), containers: live.blobstore.containers().map((c) => c.name) };
  }

  /** The seed data file, and whether the data is empty enough to offer it. */
  seedOffer(): SeedOffer | undefined {
    const seed = this.seedAndLive();
    return seed && { file: seed.file, dataEmpty: seed.dataEmpty };
  }

  /** The seed data file with what the live data holds now (listed once), or undefined when the project ships none. */
  private seedAndLive(): (SeedOffer & { live: LiveFolders }) | undefined {
    const { seedFile } = this.folders;
    if (!seedFile || !existsSync(seedFile)) return undefined;
    const live = this.liveFolders();
    return { file: seedFile, dataEmpty: live.buckets.length === 0 && live.containers.length === 0, live };
  }

  /**
   * The seed data loadSeed would load, or the error it would refuse with: there is none, or the
   * data folders are not empty and `replace` was not given. A click on an offer made while they
   * were empty must not throw away what was written since.
   */
  seedToLoad(options: { replace?: boolean } = {}): SeedOffer {
    const seed = this.seedAndLive();
    if (!seed) throw new SnapshotError('seed-not-found', `${this.folders.project} ships no seed data.`, 'A project ships seed data as .wash/seed-data.tar.gz, a snapshot exported with `component-studio snapshot export`.');
    if (!seed.dataEmpty && options.replace !== true) {
      throw new SnapshotError(
        'seed-would-replace',
        `The data folders are not empty (${describeFolders(seed.live)}): loading the seed data would replace what they hold.`,
        'Load it anyway to replace that data (the Data view asks first; through the Studio API, pass `replace: true`). The data replaced is kept first as the snapshot "before restoring seed data".',
      );
    }
    return { file: seed.file, dataEmpty: seed.dataEmpty };
  }

  /**
   * Loads the seed data: imported as a snapshot ("seed data", or the existing one) and
   * restored. Over data folders that are not empty only with `replace` (see seedToLoad); the
   * data replaced is kept as "before restoring seed data", as for any restore.
   */
  async loadSeed(hooks: RestoreHooks = {}, options: { replace?: boolean } = {}): Promise<RestoreResult> {
    const offer = this.seedToLoad(options);
    const name = 'seed data';
    if (!this.catalogue.exists(name)) await this.import(offer.file, name);
    return this.restore(name, hooks);
  }

  private stateOf(source: DataSource): DataState {
    if (source === undefined) {
      // The live folders, with every acknowledged value in its file (they follow the journal by a moment).
      this.live().keyvalue.writeJournaled();
      return { keyvalue: this.folders.keyvalue, blobstore: this.folders.blobstore };
    }
    return snapshotState(this.catalogue.usable(source).dir);
  }
}

/** `key-value buckets "a", "b"; blob container "c"`, the names cut after a few. */
function describeFolders({ buckets, containers }: LiveFolders): string {
  const names = (what: string, list: string[]) => {
    if (list.length === 0) return undefined;
    const said = list.slice(0, NAMES_SAID).map((n) => JSON.stringify(n)).join(', ');
    return `${what}${list.length === 1 ? '' : 's'} ${said}${list.length > NAMES_SAID ? ` and ${list.length - NAMES_SAID} more` : ''}`;
  };
  return [names('key-value bucket', buckets), names('blob container', containers)].filter(Boolean).join('; ');
}

