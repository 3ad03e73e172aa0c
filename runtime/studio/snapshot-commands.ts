// The snapshots.* commands of the Studio API over the current session's data, and the
// 'snapshots.changed' event. The UI calls them, and so does the CLI through the snapshot
// channel when a studio runs on the project. A restore quiets the store watchers while the
// folders are swapped (they would report every key) and then tells the browsers, bucket by
// bucket, through the usual kv.changed / blob.changed events.
//
// Archives cross the API in parts, like blob uploads: an upload goes to a temp file, is
// inspected (checked and unpacked, with what restoring it would change), then imported or
// discarded; an export for the UI goes to a temp file read back with snapshots.download.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StudioFailure } from '../errors.ts';
import { volumesOf } from '../project/config-paths.ts';
import type { DevSession } from '../session/dev-session.ts';
import type { Target } from '../session/session-target.ts';
import { dataFoldersOf, type DataFolders } from '../snapshots/data-folders.ts';
import type { LiveData } from '../snapshots/live-data.ts';
import { ProjectSnapshots } from '../snapshots/project-snapshots.ts';
import type { StagedImport } from '../snapshots/snapshot-archive.ts';
import type { CatalogueEntry } from '../snapshots/snapshot-catalogue.ts';
import { SnapshotError } from '../snapshots/snapshot-error.ts';
import type { CommandArgs, CommandName, CommandResult, SnapshotView, SnapshotsView } from './api.ts';
import type { StoreCommands } from './store-commands.ts';
import type { StudioEvent } from './studio-service.ts';

type SnapshotCommandName = Extract<CommandName, `snapshots.${string}`>;
export type SnapshotHandlers = { [C in SnapshotCommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> };

/** Uploads, staged imports and downloads not touched for this long are dropped. */
const IDLE_MS = 10 * 60_000;
/** Largest part of a download one call returns. */
const MAX_PART = 32 * 2 ** 20;

/** A snapshot as the API shows it. */
export function snapshotView(entry: CatalogueEntry): SnapshotView {
  const d = entry.description;
  if (!d) {
    const none = { present: false, folders: 0, files: 0, bytes: 0 };
    return { name: entry.name, note: '', kind: 'manual', createdAt: 0, project: '', keyvalue: none, blobstore: none, volumes: [], problem: entry.problem ?? 'It cannot be read.' };
  }
  return { name: entry.name, note: d.note, kind: d.kind, createdAt: d.createdAt, project: d.project, keyvalue: d.keyvalue, blobstore: d.blobstore, volumes: d.volumes };
}

interface Parked<T> {
  value: T;
  timer: NodeJS.Timeout;
}

export class SnapshotCommands {
  private project: { key: string; snapshots: ProjectSnapshots; live: LiveData } | undefined;
  private scratchDir: string | undefined;
  private readonly uploads = new Map<string, Parked<{ file: string; size: number }>>();
  private readonly staged = new Map<string, Parked<StagedImport>>();
  private readonly downloads = new Map<string, Parked<{ file: string; size: number }>>();

  constructor(
    private readonly session: () => DevSession | undefined,
    private readonly emit: (event: StudioEvent) => void,
    /** The store commands, whose watchers a restore quiets; absent without a UI. */
    private readonly storeCommands?: StoreCommands,
  ) {}

  /** Drops temp files (the studio is closing). */
  close(): void {
    for (const parked of [...this.uploads.values(), ...this.downloads.values()]) clearTimeout(parked.timer);
    for (const parked of this.staged.values()) {
      clearTimeout(parked.timer);
      void parked.value.discard();
    }
    if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
  }

  /** Where uploads and downloads wait, made at the first one. */
  private get scratch(): string {
    this.scratchDir ??= mkdtempSync(join(tmpdir(), 'component-studio-snapshots-'));
    return this.scratchDir;
  }

  /** The current session's data and its snapshots (made again when the session's folders change). */
  async current(): Promise<ProjectSnapshots> {
    const session = this.session();
    const stores = session?.stores();
    const described = session?.describe();
    if (!session || !stores || !described) {
      throw new StudioFailure({ code: 'stores-unavailable', message: 'The data stores are not open yet.', hint: 'They open when the project has been read; wait for the first build.' });
    }
    const target: Target = described.kind === 'project' ? { kind: 'project', root: described.path, dataDir: described.dataDir } : { kind: 'file', name: described.name, wasmPath: described.path, dataDir: described.dataDir };
    const volumes = described.kind === 'project' && described.config ? await volumesOf(described.config, described.path) : undefined;
    const folders: DataFolders = dataFoldersOf(target, described.config, volumes?.ok ? volumes.value : []);
    const live: LiveData = { folders, locks: stores.locks, keyvalue: stores.keyvalue, blobstore: stores.blobstore };
    const key = `${folders.keyvalue}\u0000${folders.blobstore}\u0000${folders.catalogue}`;
    if (this.project?.key === key) {
      this.project.live = live;
      return this.project.snapshots;
    }
    // The snapshots read `entry.live`, which later calls refresh (the stores reopen on a reload).
    const entry = { key, live } as { key: string; live: LiveData; snapshots: ProjectSnapshots };
    entry.snapshots = new ProjectSnapshots(() => entry.live);
    this.project = entry;
    return entry.snapshots;
  }

  private async listView(): Promise<SnapshotsView> {
    const snapshots = await this.current();
    const seed = snapshots.seedOffer();
    return {
      folder: snapshots.catalogue.dir,
      snapshots: snapshots.list().map(snapshotView),
      volumes: snapshots.folders.volumes.map(({ guestPath, hostPath }) => ({ guestPath, hostPath })),
      ...(seed ? { seed } : {}),
    };
  }

  private async changed(): Promise<void> {
    this.emit({ event: 'snapshots.changed', payload: await this.listView() });
  }

  private async restoring<T>(run: () => Promise<T>): Promise<T> {
    const stores = this.session()?.stores();
    const before = { buckets: stores?.keyvalue.buckets() ?? [], containers: stores?.blobstore.containers().map((c) => c.name) ?? [] };
    await this.storeCommands?.quiet();
    try {
      return await run();
    } finally {
      this.storeCommands?.afterRestore(before);
      await this.changed();
    }
  }

  private park<T>(map: Map<string, Parked<T>>, value: T, drop: (value: T) => void): string {
    const id = randomUUID();
    const timer = setTimeout(() => {
      map.delete(id);
      drop(value);
    }, IDLE_MS).unref();
    map.set(id, { value, timer });
    return id;
  }

  private take<T>(map: Map<string, Parked<T>>, id: string, what: string): T {
    const parked = map.get(id);
    if (!parked) throw new StudioFailure({ code: 'bad-arguments', message: `There is no ${what} ${JSON.stringify(id)} (it may have been dropped after 10 minutes).`, hint: 'Start again.' });
    return parked.value;
  }

  handlers(): SnapshotHandlers {
    return {
      'snapshots.list': () => this.listView(),
      'snapshots.save': async ({ name, note, volumes }) => {
        const entry = await (await this.current()).save({ name, ...(note !== undefined ? { note } : {}), ...(volumes ? { volumes } : {}) });
        await this.changed();
        return snapshotView(entry);
      },
      'snapshots.restore': async ({ name }) => {
        const snapshots = await this.current();
        const done = await this.restoring(() => snapshots.restore(name));
        return { restored: snapshotView(done.restored), before: snapshotView(done.before) };
      },
      'snapshots.delete': async ({ name }) => {
        await (await this.current()).delete(name);
        await this.changed();
        return null;
      },
      'snapshots.compare': async ({ from, to }) => (await this.current()).compare(from, to),
      'snapshots.value': async ({ source, path, start, end }) => {
        const value = await (await this.current()).readValue(source, path, { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) });
        return value ? { data: value.data.toString('base64'), size: value.size } : null;
      },
      'snapshots.export': async ({ name, file, overwrite }) => {
        const snapshots = await this.current();
        const fileName = `${name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'snapshot'}.tar.gz`;
        if (file) {
          const done = await snapshots.export(name, file, { overwrite: overwrite === true });
          return { fileName, bytes: done.bytes, leftOut: done.leftOut, file: done.file };
        }
        const target = join(this.scratch, `${randomUUID()}.tar.gz`);
        const done = await snapshots.export(name, target);
        const download = this.park(this.downloads, { file: target, size: done.bytes }, (d) => rmSync(d.file, { force: true }));
        return { fileName, bytes: done.bytes, leftOut: done.leftOut, download };
      },
      'snapshots.download': async ({ download, start, end }) => {
        const { file, size } = this.take(this.downloads, download, 'download');
        const stop = Math.min(end, size, start + MAX_PART);
        const data = Buffer.alloc(Math.max(0, stop - start));
        const handle = await open(file, 'r');
        try {
          if (data.length > 0) await handle.read(data, 0, data.length, start);
        } finally {
          await handle.close();
        }
        return { data: data.toString('base64') };
      },
      'snapshots.upload': async ({ upload, data, offset, last }) => {
        const bytes = Buffer.from(data, 'base64');
        let id = upload;
        if (offset === 0 || !id) {
          const file = join(this.scratch, `${randomUUID()}.upload`);
          await writeFile(file, bytes);
          id = this.park(this.uploads, { file, size: bytes.length }, (u) => rmSync(u.file, { force: true }));
        } else {
          const current = this.take(this.uploads, id, 'upload');
          if (current.size !== offset) {
            throw new StudioFailure({ code: 'upload-out-of-order', message: `This part starts at byte ${offset}, but ${current.size} bytes were uploaded so far.`, hint: 'Start the upload again from offset 0.' });
          }
          await appendFile(current.file, bytes);
          current.size += bytes.length;
        }
        void last;
        return { upload: id };
      },
      'snapshots.inspect': async ({ upload, file }) => {
        const source = upload ? this.take(this.uploads, upload, 'upload').file : file;
        if (!source) throw new StudioFailure({ code: 'bad-arguments', message: 'snapshots.inspect needs an upload or a file.', hint: 'Upload the archive with snapshots.upload first.' });
        const snapshots = await this.current();
        let staged;
        try {
          staged = await snapshots.stageImport(source);
        } catch (error) {
          // An upload's temp path means nothing to the user: the message names the upload instead.
          if (upload && error instanceof SnapshotError) throw new SnapshotError(error.code, error.message.replaceAll(source, 'The uploaded file'), error.hint, { cause: error });
          throw error;
        }
        const id = this.park(this.staged, staged, (s) => void s.discard());
        const would = await snapshots.compareWithLive(staged.dir);
        const view = snapshotView({ name: staged.manifest.snapshot.name, dir: staged.dir, description: staged.manifest.snapshot });
        const volumes = view.volumes.map((v) => v.guestPath).filter((guestPath) => snapshots.folders.volumes.some((v) => v.guestPath === guestPath));
        return { staged: id, snapshot: view, exportedAt: staged.manifest.exportedAt, nameTaken: snapshots.catalogue.exists(view.name), restoreWould: { added: would.added, removed: would.removed, changed: would.changed, volumes } };
      },
      'snapshots.import': async ({ staged, file, name }) => {
        const snapshots = await this.current();
        let entry: CatalogueEntry;
        if (staged) {
          const parked = this.take(this.staged, staged, 'staged import');
          entry = await parked.commit(name);
          clearTimeout(this.staged.get(staged)?.timer);
          this.staged.delete(staged);
        } else if (file) {
          entry = await snapshots.import(file, name);
        } else {
          throw new StudioFailure({ code: 'bad-arguments', message: 'snapshots.import needs a staged import or a file.', hint: 'Inspect the archive first.' });
        }
        await this.changed();
        return snapshotView(entry);
      },
      'snapshots.discardImport': async ({ staged }) => {
        const parked = this.staged.get(staged);
        if (parked) {
          clearTimeout(parked.timer);
          this.staged.delete(staged);
          await parked.value.discard();
        }
        return null;
      },
      'snapshots.seed': async ({ replace }) => {
        const snapshots = await this.current();
        // Refused before the restore quiets the watchers and announces every bucket: a refusal changes nothing.
        snapshots.seedToLoad({ replace: replace === true });
        const done = await this.restoring(() => snapshots.loadSeed({}, { replace: replace === true }));
        return { restored: snapshotView(done.restored), before: snapshotView(done.before) };
      },
    };
  }
}
