// File-system failures become StoreErrors a person can act on: a code the host maps to the
// WIT error variants, a message naming the bucket and key, and a hint naming the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError, storeErrorFrom } from '../../runtime/stores/store-error.ts';

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

const context = { store: 'keyvalue' as const, action: 'write', bucket: 'sessions', key: 'user:1', path: '/data/keyvalue/sessions' };

describe('storeErrorFrom', () => {
  it('maps a full disk to storage-full, with a hint to free space', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) {
      const error = storeErrorFrom(errno(code), context);
      assert.equal(error.code, 'storage-full');
      assert.equal(error.message, 'Cannot write key "user:1" in bucket "sessions": the disk is full.');
      assert.match(error.hint!, /Free some space.*\/data\/keyvalue\/sessions/);
    }
  });

  it('maps permission errors to access-denied', () => {
    for (const code of ['EACCES', 'EPERM']) assert.equal(storeErrorFrom(errno(code), context).code, 'access-denied');
  });

  it('maps a file in place of a folder to not-a-folder, and the reverse to not-a-file', () => {
    assert.equal(storeErrorFrom(errno('ENOTDIR'), context).code, 'not-a-folder');
    assert.equal(storeErrorFrom(errno('EISDIR'), context).code, 'not-a-file');
  });

  it('maps a read-only file system and other failures', () => {
    assert.equal(storeErrorFrom(errno('EROFS'), context).code, 'read-only');
    assert.equal(storeErrorFrom(errno('EMFILE'), context).code, 'busy');
    const other = storeErrorFrom(errno('EIO'), context);
    assert.equal(other.code, 'io');
    assert.match(other.message, /EIO: simulated/);
  });

  it('names objects and containers for the blob store', () => {
    const error = storeErrorFrom(errno('ENOSPC'), { store: 'blobstore', action: 'write', bucket: 'photos', key: 'a/b.jpg' });
    assert.equal(error.message, 'Cannot write object "a/b.jpg" in container "photos": the disk is full.');
  });

  it('keeps the errno error as the cause and crosses the API as { code, message, hint }', () => {
    const cause = errno('EACCES');
    const error = storeErrorFrom(cause, context);
    assert.equal(error.cause, cause);
    assert.deepEqual(Object.keys(error.toStudioError()), ['code', 'message', 'hint']);
  });

  it('passes StoreErrors through unchanged', () => {
    const original = new StoreError('no-such-store', 'gone', 'hint');
    assert.equal(storeErrorFrom(original, context), original);
  });
});
