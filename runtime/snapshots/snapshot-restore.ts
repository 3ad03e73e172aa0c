// Restoring a snapshot while the workload keeps running. The snapshot's files are staged
// inside each data folder first (hard links: quick, and on the same disk), with no pause.
// Then writes are paused, the journal checkpointed and the current data kept as a "before
// restoring …" snapshot, so a restore can be undone. Then reads are paused too, for the
// moment the staged contents are swapped in (one rename per bucket or container, see
// stores/root-swap.ts) and the stores told to drop what they cached. Every store call sees
// the old data or the new, never a mix; calls that came meanwhile waited, none failed.
//
// Volumes are restored from copies (components write their files in place, which must not
// reach the snapshot), swapped in the same moment; components reading them directly (not
// through the stores) are not paused.
import { join } from 'node:path';
import { discardSwap, stageSwap, swapRootContents, swapsStay, undoSwap, type StagedSwap } from '../stores/root-swap.ts';
import { GateLevel } from '../stores/store-locks.ts';
import { copyTree, removeTree, syncTree } from './file-tree.ts';
import { checkFoldersApart } from './data-folders.ts';
import type { LiveData } from './live-data.ts';
import { checkSnapshotParts, type CatalogueEntry, type SnapshotCatalogue } from './snapshot-catalogue.ts';
import { SnapshotError, snapshotErrorFrom } from './snapshot-error.ts';
import { messageOf } from '../errors.ts';
import { captureStores, captureVolumes } from './snapshot-take.ts';

export interface RestoreResult {
  restored: CatalogueEntry;
  /** The data as it was before, kept so the restore can be undone. */
  before: CatalogueEntry;
}

export interface RestoreHooks {
  /** Runs once the new data is in place, before writes resume (the studio re-reads its views). */
  onSwapped?: () => void;
}

interface Staged {
  root: string;
  swap: StagedSwap;
}

export async function restoreSnapshot(live: LiveData, catalogue: SnapshotCatalogue, name: string, hooks: RestoreHooks = {}): Promise<RestoreResult> {
  const entry = catalogue.usable(name);
  const description = entry.description;
  // Only the volumes it restores: a volume of the whole project (host_path: .) holds .wash/data.
  checkFoldersApart({ ...live.folders, volumes: live.folders.volumes.filter((v) => description.volumes.some((saved) => saved.guestPath === v.guestPath)) });
  // The volumes the project has; a snapshot's others are left out.
  const volumes = description.volumes.flatMap((saved, index) => {
    const volume = live.folders.volumes.find((v) => v.guestPath === saved.guestPath);
    return volume ? [{ volume, index, from: join(entry.dir, 'volumes', String(index)) }] : [];
  });
  const staged: Staged[] = [];
  /** Swaps whose undo failed: their staging folders hold live data and must stay. */
  const stuck = new Set<StagedSwap>();
  let before: Awaited<ReturnType<SnapshotCatalogue['begin']>> | undefined;
  try {
    // A part removed from the snapshot would be staged as an empty folder and swapped in.
    checkSnapshotParts(entry, 'restore', volumes.map(({ index }) => index));
    // The folders exist and are ours from here on, as after a first write.
    live.keyvalue.claim();
    live.blobstore.claim();
    const stage = async (root: string, from: string, link: boolean, skipInternal: boolean): Promise<void> => {
      const swap = stageSwap(root, skipInternal ? undefined : swapsStay);
      staged.push({ root, swap });
      await copyTree(from, swap.newContents, { link, skipInternal });
    };
    await stage(live.folders.keyvalue, join(entry.dir, 'keyvalue'), true, true);
    await stage(live.folders.blobstore, join(entry.dir, 'blobstore'), true, true);
    for (const { volume, from } of volumes) await stage(volume.hostPath, from, false, false);
    const beforeName = catalogue.freeName(`before restoring ${name}`);
    before = await catalogue.begin(beforeName);
    await live.locks.pause(GateLevel.writes);
    try {
      live.keyvalue.checkpoint();
      const stores = await captureStores(live, before.dir);
      const keptVolumes = await captureVolumes(volumes.map(({ volume }, index) => ({ volume, index })), before.dir);
      await syncTree(before.dir, { copied: stores.copied > 0 || keptVolumes.length > 0 });
      const kept = await before.commit({
        name: beforeName,
        note: `The data as it was before ${JSON.stringify(name)} was restored.`,
        kind: 'before-restore',
        createdAt: Date.now(),
        project: live.folders.project,
        keyvalue: stores.keyvalue,
        blobstore: stores.blobstore,
        volumes: keptVolumes,
        linked: stores.linked,
        copied: stores.copied,
      });
      await live.locks.pause(GateLevel.all);
      const started: Staged[] = [];
      try {
        // Said at the next open if a crash cuts this short: each folder is finished on its own.
        const advice = `Other data folders of the project may hold the data from before the restore of ${JSON.stringify(name)} or from after it: restore ${JSON.stringify(name)} again, or ${JSON.stringify(beforeName)} to go back.`;
        for (const item of staged) {
          // Counted before it starts: a swap that fails halfway has moved some entries already.
          started.push(item);
          swapRootContents(item.root, item.swap, advice);
        }
      } catch (error) {
        throw undoSwaps(started.reverse(), error, beforeName, stuck);
      }
      live.locks.bumpDataGeneration();
      hooks.onSwapped?.();
      return { restored: entry, before: kept };
    } finally {
      live.locks.resume();
    }
  } catch (error) {
    await before?.abort();
    throw snapshotErrorFrom(error, `restore the snapshot ${JSON.stringify(name)}`);
  } finally {
    // The old contents are kept in the "before" snapshot; what is left here are links. A swap
    // that could not be undone keeps its folder: it holds the data that is not back in place.
    await Promise.all(staged.filter(({ swap }) => !stuck.has(swap)).map(({ swap }) => removeTree(swap.dir).catch(() => discardSwap(swap))));
  }
}

/**
 * Puts back the old contents of swaps that started (the last first), and returns the error to
 * throw: the swap's own, or one that names the folders left as they are when an undo fails
 * (added to `stuck`).
 */
function undoSwaps(started: readonly Staged[], error: unknown, beforeName: string, stuck: Set<StagedSwap>): unknown {
  const left: string[] = [];
  for (const item of started) {
    try {
      undoSwap(item.root, item.swap);
    } catch {
      stuck.add(item.swap);
      left.push(item.swap.oldContents);
    }
  }
  if (left.length === 0) return error;
  return new SnapshotError(
    'snapshot-failed',
    `The restore failed (${messageOf(error)}) and could not put all of the data back: what was there before is in ${left.join(' and ')}.`,
    `Restore the snapshot ${JSON.stringify(beforeName)} (the same data), or move the contents of that folder back by hand.`,
  );
}
