// Store failures as values a person can act on: a stable code (the host maps it onto the WIT
// error variants, the UI onto its messages), a sentence naming the store, bucket and key, and
// a hint naming the fix. The raw errno error is kept as `cause` for the log.
import type { StudioError } from '../errors.ts';

export type StoreErrorCode =
  | 'no-such-store'
  | 'no-such-key'
  | 'invalid-name'
  | 'invalid-value'
  | 'access-denied'
  | 'not-a-folder'
  | 'not-a-file'
  | 'storage-full'
  | 'read-only'
  | 'busy'
  | 'in-use'
  | 'io';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
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
 * Errors that come from the data folder or the machine (a permission, a file in the way, a
 * full disk, a value that is not a number), not from what the caller asked: the user should
 * hear of them even when the component swallows them or words them vaguely.
 */
const FOLDER_TROUBLE: ReadonlySet<StoreErrorCode> = new Set(['invalid-value', 'access-denied', 'not-a-folder', 'not-a-file', 'storage-full', 'read-only', 'busy', 'in-use', 'io']);

export function isFolderTrouble(err: unknown): err is StoreError {
  return err instanceof StoreError && FOLDER_TROUBLE.has(err.code);
}

/** A store's name in a sentence: "key-value", "blob". */
export function storeWords(store: 'keyvalue' | 'blobstore'): string {
  return store === 'keyvalue' ? 'key-value' : 'blob';
}

/** What was being done when a file-system call failed, for the message. */
export interface StoreContext {
  store: 'keyvalue' | 'blobstore';
  /** A verb phrase: "write", "read", "list", "delete", "create". */
  action: string;
  bucket?: string;
  key?: string;
  /** The file or folder involved, shown in hints. */
  path?: string;
}

/** Names the thing being worked on: `key "a" in bucket "b"` / `object "x" in container "c"`. */
export function describeTarget(context: Pick<StoreContext, 'store' | 'bucket' | 'key'>): string {
  const [bucketWord, keyWord] = context.store === 'keyvalue' ? ['bucket', 'key'] : ['container', 'object'];
  const bucket = context.bucket === undefined ? undefined : `${bucketWord} ${quote(context.bucket)}`;
  if (context.key !== undefined) return bucket ? `${keyWord} ${quote(context.key)} in ${bucket}` : `${keyWord} ${quote(context.key)}`;
  return bucket ?? (context.store === 'keyvalue' ? 'the key-value store' : 'the blob store');
}

/** A bucket/key as it appears in a message: JSON-quoted so empty names and odd characters show. */
export function quote(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 77)}...` : name;
  return JSON.stringify(shown);
}

function errnoCode(thrown: unknown): string | undefined {
  if (thrown && typeof thrown === 'object' && 'code' in thrown && typeof thrown.code === 'string') return thrown.code;
  return undefined;
}

/**
 * The file or folder a Node system error names, for a message: a temp file of the studio's
 * own (`.cs-…`) is named by its folder, which is what the user can look at.
 */
export function errnoPath(thrown: unknown): string | undefined {
  const path = thrown && typeof thrown === 'object' && 'path' in thrown && typeof thrown.path === 'string' ? thrown.path : undefined;
  if (path === undefined) return undefined;
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1).startsWith('.cs-') ? path.slice(0, Math.max(slash, 0)) : path;
}

/** True when `thrown` is a Node system error with one of the given codes. */
export function isErrno(thrown: unknown, ...codes: string[]): boolean {
  const code = errnoCode(thrown);
  return code !== undefined && codes.includes(code);
}

/** Maps a thrown file-system error onto a StoreError; StoreErrors pass through unchanged. */
export function storeErrorFrom(thrown: unknown, context: StoreContext): StoreError {
  if (thrown instanceof StoreError) return thrown;
  const target = describeTarget(context);
  const where = context.path ? ` (${context.path})` : '';
  const cause = { cause: thrown };
  switch (errnoCode(thrown)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreError('storage-full', `Cannot ${context.action} ${target}: the disk is full.`, `Free some space on the disk that holds ${context.path ?? 'the store'}, then retry.`, cause);
    case 'EACCES':
    case 'EPERM':
      return new StoreError('access-denied', `Cannot ${context.action} ${target}: permission denied${where}.`, 'Check the owner and permissions of the store folder, or point the store at a folder you can write to.', cause);
    case 'EROFS':
      return new StoreError('read-only', `Cannot ${context.action} ${target}: the file system is read-only${where}.`, 'Point the store at a writable folder (dev.wasi_keyvalue_path / dev.wasi_blobstore_path).', cause);
    case 'ENOTDIR':
      return new StoreError('not-a-folder', `Cannot ${context.action} ${target}: a file is in the way where a folder is expected${where}.`, 'Move or delete that file so the store can use the folder.', cause);
    case 'EISDIR':
      return new StoreError('not-a-file', `Cannot ${context.action} ${target}: a folder is in the way where a file is expected${where}.`, 'Move or delete that folder; a key or object is stored as one file.', cause);
    case 'ENAMETOOLONG':
      return new StoreError('invalid-name', `Cannot ${context.action} ${target}: the name is too long for the file system.`, 'Use a shorter name.', cause);
    case 'ELOOP':
      return new StoreError('access-denied', `Cannot ${context.action} ${target}: too many symbolic links${where}.`, 'Replace the link with a real file or folder.', cause);
    case 'EMFILE':
    case 'ENFILE':
      return new StoreError('busy', `Cannot ${context.action} ${target}: too many open files.`, 'Close other programs or raise the open-file limit (ulimit -n).', cause);
    case 'ENOENT':
      return new StoreError('io', `Cannot ${context.action} ${target}: it disappeared while in use${where}.`, 'Another program may be changing the store folder; retry.', cause);
    default: {
      const detail = thrown instanceof Error ? thrown.message : String(thrown);
      return new StoreError('io', `Cannot ${context.action} ${target}: ${detail}`, 'Check the disk and the store folder, then retry.', cause);
    }
  }
}
