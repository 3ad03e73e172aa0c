// One studio runs a project at a time. Two on one project would each build into the same
// output file and take the other's build for a save (a rebuild loop that never ends), write
// the same traffic files, and share data folders that refuse the second studio only once
// they exist. So a project's session owns `.wash/studio/owner` (a pid and start time, as the
// stores' owner files) from its start to its stop, and a second studio is refused with
// `project-in-use`, naming the first. A studio that was killed is taken over at once: its
// process is gone. A .wasm file served as it is is not claimed: it is never built.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import { StoreError } from '../stores/store-error.ts';
import { claimFolder, CONTESTED, releaseStoreRoot, storeRootOwner } from '../stores/store-owner.ts';

const CLAIM_FILE = 'owner';

/** Claims the project at `root`; the result releases it. */
export function claimProject(root: string): Result<() => void> {
  const folder = claimFolderOf(root);
  const token = Math.floor(Math.random() * 0x7fffffff);
  try {
    mkdirSync(folder, { recursive: true });
    // The store context only words file-system errors, which are let go below.
    claimFolder(folder, CLAIM_FILE, token, { store: 'keyvalue', action: 'open', path: join(folder, CLAIM_FILE) }, (_who, pid) => new ProjectInUse(root, pid));
  } catch (error) {
    if (error instanceof ProjectInUse) return fail('project-in-use', error.message, error.hint);
    // A folder the studio may not write (a read-only checkout, say) runs unclaimed: the claim
    // guards against a second studio, and must not keep the first from running.
    return ok(() => {});
  }
  return ok(() => releaseStoreRoot(folder, token, CLAIM_FILE));
}

/**
 * Refuses a project another live process has open, without claiming it: the Studio API asks
 * before it stops the project that serves now, so a refused Open leaves that one running.
 */
export function checkProjectFree(root: string): Result<void> {
  const pid = storeRootOwner(claimFolderOf(root), CLAIM_FILE);
  if (pid === undefined || pid === process.pid) return ok(undefined);
  const refused = new ProjectInUse(root, pid);
  return fail('project-in-use', refused.message, refused.hint);
}

function claimFolderOf(root: string): string {
  return join(root, '.wash', 'studio');
}

class ProjectInUse extends StoreError {
  constructor(root: string, pid: number) {
    super(
      'in-use',
      pid === process.pid ? `The project ${root} is already open in this studio.` : pid === CONTESTED ? `The project ${root} is being opened by other studios at the same time.` : `The project ${root} is open in another Component Studio (process ${pid}).`,
      pid === process.pid ? 'Close it first, or open a copy of it.' : pid === CONTESTED ? 'Stop the other studios, then open it in one.' : `Use that studio, or stop it (process ${pid}) first. Two studios on one project would each take the other's build for a save and rebuild for ever.`,
    );
  }
}
