// Which folders hold a project's data, and where its snapshots and seed data live. The
// stores' folders come from the config exactly as a session finds them (storeFolderPaths),
// so the CLI, working on the folders directly, and a running studio agree.
//
// Snapshots live in `.wash/data/snapshots` beside the default data folders: the project
// watcher ignores .wash/data (taking a snapshot starts no build), and the folder is on the
// same disk as the default data, so files can be hard links. Where a configured data folder
// is .wash/data itself, the catalogue takes the hidden name `.cs-snapshots`, which the stores
// never list. A project may ship seed data as `.wash/seed-data.tar.gz` (an exported snapshot).
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { loadProject } from '../project/project-config.ts';
import { wasmFilesIn } from '../project/project-marks.ts';
import { volumesOf } from '../project/config-paths.ts';
import type { WashConfig } from '../project/config-schema.ts';
import { storeFolderPaths } from '../session/session-stores.ts';
import { resolveTarget, type Target } from '../session/session-target.ts';
import { SnapshotError } from './snapshot-error.ts';
import { isWithin } from '../path-within.ts';

export interface Volume {
  hostPath: string;
  guestPath: string;
}

export interface DataFolders {
  /** The project's name (its folder, or the .wasm file's name). */
  project: string;
  keyvalue: string;
  blobstore: string;
  /** dev.volumes, which a snapshot holds when the user ticks them. */
  volumes: Volume[];
  /** Where the snapshots are kept. */
  catalogue: string;
  /** The seed data file the project ships, when it does. */
  seedFile: string | undefined;
}

export const SEED_FILE_NAME = 'seed-data.tar.gz';

/** The snapshot catalogue for data whose default folder is `dataDir`. */
export function catalogueDirOf(dataDir: string, dataRoots: readonly string[]): string {
  const visible = join(dataDir, 'snapshots');
  return dataRoots.some((root) => isWithin(resolve(root), visible)) ? join(dataDir, '.cs-snapshots') : visible;
}

/** The data folders of a resolved target with its config (a running session's, or one just read). */
export function dataFoldersOf(target: Target, config: WashConfig | undefined, volumes: Volume[]): DataFolders {
  const { keyvaluePath, blobstorePath } = storeFolderPaths(target, config);
  const seed = join(dirname(target.dataDir), SEED_FILE_NAME);
  return {
    project: target.kind === 'project' ? target.root.split(sep).filter(Boolean).pop() ?? target.root : target.name,
    keyvalue: keyvaluePath,
    blobstore: blobstorePath,
    volumes,
    catalogue: catalogueDirOf(target.dataDir, [keyvaluePath, blobstorePath, ...volumes.map((v) => v.hostPath)]),
    seedFile: existsSync(seed) ? seed : undefined,
  };
}

/** The data folders of the project (or .wasm file) at `dir`, reading its config as a session would. */
export async function dataFoldersFor(dir: string): Promise<DataFolders> {
  let target = await resolveTarget(dir);
  // A folder of .wasm files served as they are is no project, but its .wash/data is theirs
  // (every .wasm file in a folder keeps its data there): a snapshot command run in it means that.
  const [servedFile] = !target.ok && target.error.code === 'not-a-project' ? await wasmFilesIn(resolve(dir)) : [];
  if (servedFile) target = await resolveTarget(join(resolve(dir), servedFile));
  if (!target.ok) throw new SnapshotError('snapshot-failed', target.error.message, target.error.hint);
  if (target.value.kind === 'file') return dataFoldersOf(target.value, undefined, []);
  const project = await loadProject(target.value.root);
  if (!project.ok) throw new SnapshotError('snapshot-failed', project.error.message, project.error.hint);
  const volumes = await volumesOf(project.value.config, project.value.root);
  return dataFoldersOf(target.value, project.value.config, volumes.ok ? volumes.value : []);
}

/**
 * Refuses data folders that lie one inside another (a key-value folder set to `.wash/data`,
 * with the blob folder's default inside it): a snapshot of the outer one would hold the inner
 * one's files too, and a restore, which moves the outer folder's entries away, would take the
 * inner folder with it and delete it.
 */
export function checkFoldersApart(folders: Pick<DataFolders, 'keyvalue' | 'blobstore' | 'volumes'>): void {
  const named: [string, string][] = [
    ['the key-value folder', folders.keyvalue],
    ['the blob folder', folders.blobstore],
    ...folders.volumes.map((volume): [string, string] => [`the volume ${volume.guestPath}`, volume.hostPath]),
  ];
  for (const [outer, outerPath] of named) {
    for (const [inner, innerPath] of named) {
      if (inner === outer || !isWithin(resolve(outerPath), resolve(innerPath))) continue;
      throw new SnapshotError(
        'data-folders-nested',
        `${inner[0]!.toUpperCase()}${inner.slice(1)} (${innerPath}) is ${resolve(innerPath) === resolve(outerPath) ? 'the same folder as' : 'inside'} ${outer} (${outerPath}), so snapshots cannot keep them apart: a restore of one would move the other away.`,
        'Point dev.wasi_keyvalue_path, dev.wasi_blobstore_path and dev.volumes at folders that do not contain one another (e.g. .wash/data/keyvalue and .wash/data/blobstore, the defaults), then take the snapshot.',
      );
    }
  }
}
