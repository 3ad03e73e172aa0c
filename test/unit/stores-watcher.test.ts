// The store watcher reports changes by decoded name, including those made by other programs
// writing the folders directly, and keeps the studio's temp files out of them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlobStore } from '../../runtime/stores/blob-store.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { StoreWatcher, type StoreChange } from '../../runtime/stores/store-watcher.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-stores-watch-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** Starts a watcher that collects changes; `until` resolves once a matching change arrived. */
async function watching(store: StoreChange['store'], root: string) {
  const seen: StoreChange[] = [];
  const errors: string[] = [];
  const waiters: { match: (c: StoreChange) => boolean; resolve: () => void }[] = [];
  const watcher = await StoreWatcher.start({
    root,
    store,
    debounceMs: 20,
    onError: (error) => errors.push(error.message),
    onChanges: (changes) => {
      seen.push(...changes);
      for (const waiter of [...waiters]) if (seen.some(waiter.match)) waiter.resolve();
    },
  });
  const until = (match: (c: StoreChange) => boolean, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      if (seen.some(match)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no matching change within ${timeoutMs} ms; saw ${JSON.stringify(seen)}; errors: ${JSON.stringify(errors)}`)), timeoutMs);
      waiters.push({ match, resolve: () => (clearTimeout(timer), resolve()) });
    });
  return { watcher, seen, until };
}

describe('StoreWatcher', () => {
  it('sees another program write and delete a key, with its name decoded', async () => {
    const root = join(scratch, `kv-${counter++}`);
    mkdirSync(join(root, 'sessions'), { recursive: true });
    const { watcher, seen, until } = await watching('keyvalue', root);
    try {
      writeFileSync(join(root, 'sessions', 'user%3A1'), 'written by someone else');
      await until((c) => c.kind === 'set' && c.key === 'user:1');
      unlinkSync(join(root, 'sessions', 'user%3A1'));
      await until((c) => c.kind === 'delete' && c.key === 'user:1');
      assert.ok(seen.every((c) => c.store === 'keyvalue' && c.bucket === 'sessions'));
    } finally {
      await watcher.close();
    }
  });

  it('waits for a folder that does not exist yet, then reports what was already written into it', async () => {
    const root = join(scratch, `kv-${counter++}`, 'data', 'keyvalue');
    const { watcher, until } = await watching('keyvalue', root);
    try {
      mkdirSync(join(root, 'first'), { recursive: true });
      writeFileSync(join(root, 'first', 'key'), 'v');
      await until((c) => c.kind === 'set' && c.bucket === 'first' && c.key === 'key');
      writeFileSync(join(root, 'first', 'later'), 'v');
      await until((c) => c.kind === 'set' && c.key === 'later');
    } finally {
      await watcher.close();
    }
  });

  it('reports buckets created and deleted, and keys of the root bucket ""', async () => {
    const root = join(scratch, `kv-${counter++}`);
    mkdirSync(root, { recursive: true });
    const { watcher, until } = await watching('keyvalue', root);
    try {
      mkdirSync(join(root, 'my%3Abucket'));
      await until((c) => c.kind === 'bucket-created' && c.bucket === 'my:bucket');
      writeFileSync(join(root, 'top'), 'x');
      await until((c) => c.kind === 'set' && c.bucket === '' && c.key === 'top');
      rmSync(join(root, 'my%3Abucket'), { recursive: true });
      await until((c) => c.kind === 'bucket-deleted' && c.bucket === 'my:bucket');
    } finally {
      await watcher.close();
    }
  });

  it('reports a studio write once, as a set of the final name, never its temp file', async () => {
    const root = join(scratch, `blob-${counter++}`);
    const store = new BlobStore(root, { locks: new StoreLocks() });
    store.createContainer('c');
    const { watcher, seen, until } = await watching('blobstore', root);
    try {
      store.put('c', 'photos/2024/a.jpg', Buffer.from('jpeg'));
      await until((c) => c.kind === 'set' && c.key === 'photos/2024/a.jpg');
      store.delete('c', 'photos/2024/a.jpg');
      await until((c) => c.kind === 'delete' && c.key === 'photos/2024/a.jpg');
      // Every change the put made was reported before the delete's, which came after it.
      assert.equal(seen.filter((c) => c.kind === 'set' && c.key === 'photos/2024/a.jpg').length, 1, JSON.stringify(seen));
      assert.ok(seen.every((c) => !c.key?.includes('.cs-')), JSON.stringify(seen));
      assert.ok(seen.every((c) => c.bucket === 'c'));
    } finally {
      await watcher.close();
    }
  });

  it('sees an editor-style save (temp file renamed over the object) as a set', async () => {
    const root = join(scratch, `blob-${counter++}`);
    mkdirSync(join(root, 'c'), { recursive: true });
    writeFileSync(join(root, 'c', 'notes.txt'), 'v1');
    const { watcher, until } = await watching('blobstore', root);
    try {
      writeFileSync(join(root, 'c', 'notes.txt.swp'), 'v2');
      renameSync(join(root, 'c', 'notes.txt.swp'), join(root, 'c', 'notes.txt'));
      await until((c) => c.kind === 'set' && c.key === 'notes.txt');
    } finally {
      await watcher.close();
    }
  });
});
