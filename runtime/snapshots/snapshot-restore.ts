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
import { discardSwap, stageSwap, swapRootContents, undoSwap, type StagedSwap } from '../stores/root-swap.ts';
import { GateLevel } from '../stores/store-locks.ts';
import { copyTree, removeTree, syncTree } from './file-tree.ts';
import type { LiveData } from './live-data.ts';
import type { CatalogueEntry, SnapshotCatalogue } from './snapshot-catalogue.ts';
import { snapshotErrorFrom } from './snapshot-error.ts';
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
  const staged: Staged[] = [];
  let before: Awaited<ReturnType<SnapshotCatalogue['begin']>> | undefined;
  try {
    // The folders exist and are ours from here on, as after a first write.
    live.keyvalue.claim();
    live.blobstore.claim();
    const stage = async (root: string, from: string, link: boolean, skipInternal: boolean): Promise<void> => {
      const swap = stageSwap(root);
      staged.push({ root, swap });
      await copyTree(from, swap.newContents, { link, skipInternal });
    };
    await stage(live.folders.keyvalue, join(entry.dir, 'keyvalue'), true, true);
    await stage(live.folders.blobstore, join(entry.dir, 'blobstore'), true, true);
    const volumes = description.volumes.flatMap((saved, index) => {
      const volume = live.folders.volumes.find((v) => v.guestPath === saved.guestPath);
      return volume ? [{ volume, index, from: join(entry.dir, 'volumes', String(index)) }] : [];
    });
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
      const swapped: Staged[] = [];
      try {
        // Said at the next open if a crash cuts this short: each folder is finished on its own.
        const advice = `Other data folders of the project may hold the data from before the restore of ${JSON.stringify(name)} or from after it: restore ${JSON.stringify(name)} again, or ${JSON.stringify(beforeName)} to go back.`;
        for (const item of staged) {
          swapRootContents(item.root, item.swap, advice);
          swapped.push(item);
        }
      } catch (error) {
        for (const item of swapped.reverse()) undoSwap(item.root, item.swap);
        throw error;
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
    // The old contents are kept in the "before" snapshot; what is left here are links.
    await Promise.all(staged.map(({ swap }) => removeTree(swap.dir).catch(() => discardSwap(swap))));
  }
}
