// Snapshot failures as values a person can act on: a stable code (docs/errors.md lists each),
// a sentence naming the snapshot, file or folder, and a hint naming the fix. The transports
// and the CLI read `toStudioError()`, as they do for store errors.
import { messageOf, type StudioError } from '../errors.ts';
import { StoreError } from '../stores/store-error.ts';

export type SnapshotErrorCode =
  | 'snapshot-not-found'
  | 'snapshot-exists'
  | 'snapshot-invalid-name'
  | 'snapshot-damaged'
  | 'snapshot-incomplete'
  | 'snapshot-busy'
  | 'snapshot-failed'
  | 'file-exists'
  | 'archive-not-found'
  | 'archive-invalid'
  | 'archive-tampered'
  | 'archive-unsafe'
  | 'archive-too-large'
  | 'seed-not-found'
  | 'seed-would-replace'
  | 'data-in-use'
  | 'stores-unavailable'
  | 'data-folders-nested'
  | 'studio-unreachable';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';

  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toStudioError(): StudioError {
    return this.hint === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, hint: this.hint };
  }
}

/**
 * A SnapshotError for anything thrown while `doing` something ("take the snapshot demo"):
 * store errors keep their sentence (a paused gate is `snapshot-busy`, a folder another
 * studio owns `data-in-use`), file-system errors are said with the path.
 */
export function snapshotErrorFrom(thrown: unknown, doing: string): SnapshotError {
  if (thrown instanceof SnapshotError) return thrown;
  if (thrown instanceof StoreError) {
    if (thrown.code === 'busy') return new SnapshotError('snapshot-busy', `Cannot ${doing}: ${thrown.message}`, thrown.hint, { cause: thrown });
    if (thrown.code === 'in-use') return new SnapshotError('data-in-use', thrown.message, thrown.hint, { cause: thrown });
    return new SnapshotError('snapshot-failed', `Cannot ${doing}: ${thrown.message}`, thrown.hint, { cause: thrown });
  }
  const code = (thrown as NodeJS.ErrnoException | undefined)?.code;
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'Free some space on the disk that holds the project, then try again.'
      : code === 'EACCES' || code === 'EPERM'
        ? 'Check the permissions of the project and its data folders.'
        : 'Check the project and its data folders, then try again.';
  return new SnapshotError('snapshot-failed', `Cannot ${doing}: ${messageOf(thrown)}.`, hint, { cause: thrown });
}
