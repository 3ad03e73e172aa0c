// Taking a snapshot at a consistent point. Store writes are paused through the stores' gate
// (StoreLocks.pause): writes in flight finish, later ones wait (no request fails, none is
// lost), reads go on. The key-value journal is checkpointed, so every acknowledged write is
// in its value file, and the folders are copied by hard links: that takes a moment per file
// and costs no data, since a later write replaces a file rather than changing it. Volumes,
// which components write in place, are copied after the stores are running again.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GateLevel } from '../stores/store-locks.ts';
import { checkFoldersApart, type Volume } from './data-folders.ts';
import { copyTree, syncTree, type CopyStats } from './file-tree.ts';
import type { LiveData } from './live-data.ts';
import type { CatalogueEntry, SnapshotCatalogue, SnapshotDescription, SnapshotKind, StoreSummary } from './snapshot-catalogue.ts';
import { SnapshotError, snapshotErrorFrom } from './snapshot-error.ts';

export interface TakeOptions {
  name: string;
  note?: string;
  /** Guest paths of the dev.volumes to include (the user ticks them). */
  volumes?: readonly string[];
  kind?: SnapshotKind;
}

/** What capturing the stores and volumes into a snapshot folder found. */
export interface Captured {
  keyvalue: StoreSummary;
  blobstore: StoreSummary;
  volumes: SnapshotDescription['volumes'];
  linked: number;
  copied: number;
}

function summaryOf(stats: CopyStats, present: boolean, folders: number): StoreSummary {
  return { present, folders, files: stats.files, bytes: stats.bytes };
}

async function captureStore(root: string, into: string, filesAtTopAreABucket: boolean): Promise<{ summary: StoreSummary; stats: CopyStats }> {
  const present = existsSync(root);
  const stats = await copyTree(root, into, { link: true, skipInternal: true });
  const top = readdirSync(into, { withFileTypes: true });
  // Keys at the top of the key-value folder are wash's bucket "".
  const rootBucket = filesAtTopAreABucket && top.some((e) => e.isFile()) ? 1 : 0;
  return { summary: summaryOf(stats, present, top.filter((e) => e.isDirectory()).length + rootBucket), stats };
}

/**
 * Copies the stores into `dir`/keyvalue and `dir`/blobstore by hard links. The caller has
 * paused writes (and checkpointed the journal): what is copied is one consistent state.
 */
export async function captureStores(live: LiveData, dir: string): Promise<Pick<Captured, 'keyvalue' | 'blobstore' | 'linked' | 'copied'>> {
  const kv = await captureStore(live.folders.keyvalue, join(dir, 'keyvalue'), true);
  const blobs = await captureStore(live.folders.blobstore, join(dir, 'blobstore'), false);
  return { keyvalue: kv.summary, blobstore: blobs.summary, linked: kv.stats.linked + blobs.stats.linked, copied: kv.stats.copied + blobs.stats.copied };
}

/** The dev.volumes named by guest path, or `snapshot-failed` naming one the project does not have. */
export function chosenVolumes(all: readonly Volume[], guestPaths: readonly string[] | undefined): { volume: Volume; index: number }[] {
  return (guestPaths ?? []).map((guestPath, index) => {
    const volume = all.find((v) => v.guestPath === guestPath || v.hostPath === guestPath);
    if (!volume) {
      throw new SnapshotError('snapshot-failed', `The project has no volume ${JSON.stringify(guestPath)}.`, all.length ? `Its dev.volumes are: ${all.map((v) => v.guestPath).join(', ')}.` : 'It has no dev.volumes.');
    }
    return { volume, index };
  });
}

/** Copies volumes into `dir`/volumes/<n> (copies, not links: components change their files in place). */
export async function captureVolumes(volumes: readonly { volume: Volume; index: number }[], dir: string): Promise<Captured['volumes']> {
  const out: Captured['volumes'] = [];
  for (const { volume, index } of volumes) {
    const stats = await copyTree(volume.hostPath, join(dir, 'volumes', String(index)), { link: false, skipInternal: false, skipSwaps: true });
    out.push({ guestPath: volume.guestPath, files: stats.files, bytes: stats.bytes });
  }
  return out;
}

/** Takes a snapshot of the live data under a new name. */
export async function takeSnapshot(live: LiveData, catalogue: SnapshotCatalogue, options: TakeOptions): Promise<CatalogueEntry> {
  const volumes = chosenVolumes(live.folders.volumes, options.volumes);
  // Only the volumes taken: a volume of the whole project (host_path: .) holds .wash/data.
  checkFoldersApart({ ...live.folders, volumes: volumes.map(({ volume }) => volume) });
  const made = await catalogue.begin(options.name);
  try {
    await live.locks.pause(GateLevel.writes);
    let stores;
    try {
      live.keyvalue.checkpoint();
      stores = await captureStores(live, made.dir);
    } finally {
      live.locks.resume();
    }
    const captured = await captureVolumes(volumes, made.dir);
    await syncTree(made.dir, { copied: stores.copied > 0 || captured.length > 0 });
    return await made.commit({
      name: options.name,
      note: options.note ?? '',
      kind: options.kind ?? 'manual',
      createdAt: Date.now(),
      project: live.folders.project,
      keyvalue: stores.keyvalue,
      blobstore: stores.blobstore,
      volumes: captured,
      linked: stores.linked,
      copied: stores.copied + captured.reduce((sum, v) => sum + v.files, 0),
    });
  } catch (error) {
    await made.abort();
    throw snapshotErrorFrom(error, `take the snapshot ${JSON.stringify(options.name)}`);
  }
}
