// Where a snapshot archive's entries go on each system: names Windows refuses are written in
// the stores' escaped form (read back as the same key or object), and names that a
// case-insensitive or normalizing file system would fold into one are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localNames, sameFileName } from '../../runtime/snapshots/local-names.ts';
import { decodeSegment, keyOfFileName } from '../../runtime/stores/safe-names.ts';
import { SnapshotError } from '../../runtime/snapshots/snapshot-error.ts';

const files = ['keyvalue/b/user:1', 'keyvalue/b/CON', 'keyvalue/b/trail.', 'keyvalue/b/plain', 'blobstore/c/dir:x/a?.txt', 'volumes/0/odd:name'];

describe('localNames', () => {
  it('leaves every name as it is on Linux', () => {
    const local = localNames('a.tar.gz', files, ['keyvalue/empty:bucket']);
    for (const path of [...files, 'keyvalue/empty:bucket']) assert.equal(local.get(path), path);
  });

  it('on Windows, writes the names it refuses escaped, so they read as the same keys and objects; volumes are left alone', () => {
    const local = localNames('a.tar.gz', files, ['keyvalue/empty:bucket'], 'win32');
    assert.equal(local.get('keyvalue/b/user:1'), 'keyvalue/b/user%3A1');
    assert.equal(keyOfFileName('user%3A1'), 'user:1');
    assert.equal(local.get('keyvalue/b/CON'), 'keyvalue/b/%43ON');
    assert.equal(keyOfFileName('%43ON'), 'CON');
    assert.equal(local.get('keyvalue/b/trail.'), 'keyvalue/b/trail%2E');
    assert.equal(local.get('keyvalue/b/plain'), 'keyvalue/b/plain');
    assert.equal(local.get('blobstore/c/dir:x/a?.txt'), 'blobstore/c/dir%3Ax/a%3F.txt');
    assert.equal(decodeSegment('dir%3Ax'), 'dir:x');
    assert.equal(local.get('keyvalue/empty:bucket'), 'keyvalue/empty%3Abucket');
    assert.equal(local.get('volumes/0/odd:name'), 'volumes/0/odd:name');
  });

  it('refuses, on Windows, a raw name and its escaped form together, as files or as folders: they are one there', () => {
    for (const [files, folders] of [
      [['keyvalue/b/user%3A1', 'keyvalue/b/user:1'], []],
      [['keyvalue/b:1/k1', 'keyvalue/b%3A1/k2'], []],
      [['keyvalue/b/k'], ['keyvalue/b:1', 'keyvalue/b%3A1']],
    ] as const) {
      assert.throws(() => localNames('a.tar.gz', files, folders, 'win32'), (error: unknown) => error instanceof SnapshotError && error.code === 'archive-unsafe' && /name the same key, object or folder here/.test(error.message), files.join(' / '));
    }
  });

  it('refuses an entry that would make one name both a file and a folder', () => {
    assert.throws(() => localNames('a.tar.gz', ['blobstore/c/x%3A', 'blobstore/c/x:/f'], [], 'win32'), (error: unknown) => error instanceof SnapshotError && error.code === 'archive-unsafe');
    assert.throws(() => localNames('a.tar.gz', ['blobstore/c/x', 'blobstore/c/x/f'], []), (error: unknown) => error instanceof SnapshotError && /both a file and a folder/.test(error.message));
  });

  for (const platform of ['darwin', 'win32'] as const) {
    it(`refuses, on ${platform}, names that differ only in case or normalization, naming both`, () => {
      for (const pair of [
        ['keyvalue/b/A', 'keyvalue/b/a'],
        ['keyvalue/users/k', 'keyvalue/Users/k2'],
        ['blobstore/photos/x', 'blobstore/Photos/y'],
        ['keyvalue/b/caf\u00e9', 'keyvalue/b/cafe\u0301'],
      ]) {
        assert.throws(
          () => localNames('a.tar.gz', pair, [], platform),
          (error: unknown) => error instanceof SnapshotError && error.code === 'archive-unsafe' && error.message.includes(JSON.stringify(pair[0]).slice(0, 12)) && /letter case or Unicode normalization/.test(error.message),
          pair.join(' / '),
        );
      }
      assert.equal(localNames('a.tar.gz', ['keyvalue/b/a', 'keyvalue/c/a'], [], platform).size, 2, 'the same name in two buckets is fine');
    });
  }

  it('tells when two names are one file: folded on macOS and Windows (a snapshot "Demo" beside "demo"), exact on Linux', () => {
    assert.equal(sameFileName('Demo', 'demo', 'darwin'), true);
    assert.equal(sameFileName('caf\u00e9', 'CAFE\u0301', 'win32'), true);
    assert.equal(sameFileName('Demo', 'demo', 'linux'), false);
    assert.equal(sameFileName('demo', 'demo', 'linux'), true);
  });
});
