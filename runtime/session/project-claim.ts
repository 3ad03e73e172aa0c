// One studio runs a project at a time. Two on one project would each build into the same
// output file and take the other's build for a save (a rebuild loop that never ends), write
// the same traffic files, and share data folders that refuse the second studio only once
// they exist. So a project's session owns `.wash/studio/owner` (a pid and start time, as the
// stores' owner files) from its start to its stop, and a second studio is refused with
// `project-in-use`, naming the first. A studio that was killed is taken over at once: its
// process is gone. A .wasm file served as it is is not claimed: it is never built.
//
// Beside the claim, `.wash/studio/owner-address` notes where the owner serves the project
// (its gateway URL, once it listens), so the refusal can say where to find that studio. It
// never holds the studio UI's address: that carries the UI's secret token.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import { StoreError } from '../stores/store-error.ts';
import { claimFolder, CONTESTED, releaseStoreRoot, storeRootOwner, UNNAMED } from '../stores/store-owner.ts';

const CLAIM_FILE = 'owner';
const ADDRESS_FILE = 'owner-address';

export interface ProjectClaim {
  /** Lets the project go (and the address note with it). */
  release(): void;
  /** Notes the gateway URL this studio serves the project at; a failure to write it costs only the note. */
  recordAddress(url: string): void;
}

/** Claims the project at `root`. */
export function claimProject(root: string): Result<ProjectClaim> {
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
    return ok({ release: () => {}, recordAddress: () => {} });
  }
  const addressFile = join(folder, ADDRESS_FILE);
  return ok({
    release: () => {
      if (addressOf(root, process.pid) !== undefined) {
        try {
          unlinkSync(addressFile);
        } catch {
          // Gone already; a stale note names a pid that no longer owns the project, and is not read.
        }
      }
      releaseStoreRoot(folder, token, CLAIM_FILE);
    },
    recordAddress: (url) => {
      const temp = `${addressFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, `${JSON.stringify({ pid: process.pid, url })}\n`);
        renameSync(temp, addressFile);
      } catch {
        // Without the note a second studio still names this one's process.
      }
    },
  });
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

/** The gateway URL the studio with `pid` noted for the project, if it is that studio's note. */
function addressOf(root: string, pid: number): string | undefined {
  try {
    const note = JSON.parse(readFileSync(join(claimFolderOf(root), ADDRESS_FILE), 'utf8')) as { pid?: unknown; url?: unknown };
    return note.pid === pid && typeof note.url === 'string' && /^https?:\/\//.test(note.url) ? note.url : undefined;
  } catch {
    return undefined;
  }
}

class ProjectInUse extends StoreError {
  constructor(root: string, pid: number) {
    const url = pid > 0 && pid !== process.pid ? addressOf(root, pid) : undefined;
    const serving = url ? `, which serves it at ${url}` : '';
    super(
      'in-use',
      pid === process.pid
        ? `The project ${root} is already open in this studio.`
        : pid === CONTESTED
          ? `The project ${root} is being opened by other studios at the same time.`
          : pid === UNNAMED
            ? `The project ${root} may be open in another Component Studio: its claim file ${join(claimFolderOf(root), CLAIM_FILE)} holds something that names no studio.`
            : `The project ${root} is open in another Component Studio (process ${pid})${serving}.`,
      pid === process.pid
        ? 'Close it first, or open a copy of it.'
        : pid === CONTESTED
          ? 'Stop the other studios, then open it in one.'
          : pid === UNNAMED
            ? 'If no other studio has it open, delete that file and open the project again.'
            : `Use that studio, or stop it (process ${pid}) first. Two studios on one project would each take the other's build for a save and rebuild for ever.`,
    );
  }
}
