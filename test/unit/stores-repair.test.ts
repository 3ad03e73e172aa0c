// What a store finds wrong when it opens is reported by name, and what cannot be read is kept
// aside, never replaced silently: a garbled or truncated journal, a folder where a key
// belongs, a journaled write that cannot be replayed, a stray file in a blob root, a counter
// holding garbage.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, { type PathLike, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BlobStore } from '../../runtime/stores/blob-store.ts';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { HEADER_BYTES } from '../../runtime/stores/kv-journal.ts';
import { startMaterializer, stopMaterializer } from '../../runtime/stores/kv-materializer.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { fails } from '../helpers/store-assertions.ts';
import { bundleForNode } from '../helpers/node-bundle.ts';
import { fileBecomes } from '../helpers/settled-files.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-stores-repair-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
// Bundled: through tsx each crashed store took a second or more to start.
let child: string;
before(async () => {
  child = await bundleForNode(fileURLToPath(new URL('../helpers/stores-crash-child.ts', import.meta.url)));
});

/** A root whose process set each key to its value in bucket (key, value, key, value...) and exited without closing: the journal keeps the records. */
function crashedAfterSet(bucket: string, ...pairs: string[]): string {
  const root = join(scratch, `kv-${counter++}`);
  const run = spawnSync(process.execPath, [child, 'set-and-exit', root, bucket, ...pairs], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.stdout.trim(), 'done', run.stderr);
  return root;
}

/** A crashed root whose journaled set of "k" in "b" ("precious") cannot be replayed: a folder is where its file belongs. */
function crashedWithFolderForKey(): string {
  const root = crashedAfterSet('b', 'k', 'precious');
  rmSync(join(root, 'b', 'k'));
  mkdirSync(join(root, 'b', 'k'));
  return root;
}

function open(root: string): KeyValueStore {
  return new KeyValueStore(root, { locks: new StoreLocks() });
}

/** A store whose value files wait for a checkpoint (its materializer thread stopped): new values are in the journal only. */
function journalOnly(): { root: string; locks: StoreLocks; store: KeyValueStore } {
  const root = join(scratch, `kv-${counter++}`);
  const locks = new StoreLocks();
  const store = new KeyValueStore(root, { locks });
  stopMaterializer(locks);
  return { root, locks, store };
}

/** Runs `fn` while `fs[call]` on a path matching `paths` fails with `code`: ENOSPC, as on a full disk, by default. */
function withFailing(call: 'openSync' | 'readdirSync', paths: RegExp, fn: () => void, code = 'ENOSPC'): void {
  const real = fs[call];
  (fs as Record<typeof call, unknown>)[call] = (path: PathLike, ...rest: never[]) => {
    if (paths.test(String(path))) throw Object.assign(new Error(`${code}: refused, ${call} '${String(path)}'`), { code, syscall: call, path: String(path) });
    return (real as (...args: unknown[]) => unknown)(path, ...rest);
  };
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    (fs as Record<typeof call, unknown>)[call] = real;
    syncBuiltinESMExports();
  }
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString());
const asides = (root: string, what: string) => readdirSync(root).filter((name) => name.startsWith(`.cs-journal.${what}-`));

describe('key-value repairs on open', () => {
  it('reports a garbled journal, keeps a copy of it, and starts a new one', () => {
    const root = crashedAfterSet('b', 'k', 'v');
    writeFileSync(join(root, '.cs-journal'), 'this is not a journal');
    const store = open(root);
    try {
      const warnings = store.openReport?.warnings ?? [];
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /journal .* was unreadable .* may be lost\. It was kept as .*\.cs-journal\.corrupt-/);
      const [copy] = asides(root, 'corrupt');
      assert.ok(copy, 'the unreadable journal is kept aside');
      assert.equal(readFileSync(join(root, copy)).toString(), 'this is not a journal');
      store.set('b', 'k2', Buffer.from('after'));
      assert.equal(text(store.get('b', 'k2')), 'after');
    } finally {
      store.close();
    }
  });

  it('reports a journal whose header was zeroed with writes after it, and keeps a copy; zeros alone (a reset cut short) say nothing', () => {
    const root = crashedAfterSet('b', 'k', 'v');
    const journal = join(root, '.cs-journal');
    const bytes = readFileSync(journal);
    bytes.fill(0, 0, HEADER_BYTES);
    writeFileSync(journal, bytes);
    const store = open(root);
    try {
      const warnings = store.openReport?.warnings ?? [];
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /was unreadable \(its header was overwritten with zeros, with journaled writes after it\); writes made since its last checkpoint may be lost\. It was kept as /);
      assert.equal(asides(root, 'corrupt').length, 1);
    } finally {
      store.close();
    }
    const reset = crashedAfterSet('b', 'k', 'v');
    writeFileSync(join(reset, '.cs-journal'), Buffer.alloc(bytes.length));
    const again = open(reset);
    try {
      assert.deepEqual(again.openReport?.warnings ?? [], []);
      assert.equal(asides(reset, 'corrupt').length, 0);
    } finally {
      again.close();
    }
  });

  it('reports a journal cut short, and still replays what it holds over files behind it', () => {
    const root = crashedAfterSet('b', 'k', 'first', 'k', 'journaled', 'gone', 'only in the journal');
    truncateSync(join(root, '.cs-journal'), 4096);
    // Files the materializer had not caught up with: an earlier journaled value, and none.
    writeFileSync(join(root, 'b', 'k'), 'first');
    rmSync(join(root, 'b', 'gone'));
    const store = open(root);
    try {
      assert.equal(text(store.get('b', 'k')), 'journaled');
      assert.equal(text(store.get('b', 'gone')), 'only in the journal');
      const warnings = store.openReport?.warnings ?? [];
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /was cut short \(4096 of \d+ bytes\); 3 journaled writes could still be read, later ones are lost\./);
      assert.equal(asides(root, 'corrupt').length, 1);
    } finally {
      store.close();
    }
  });

  it('never takes a file back to an older journaled value when the journal lost the writes after it', () => {
    // A counter incremented to 3 in the journal, whose file a later, lost write made 50.
    const root = crashedAfterSet('c', 'visits', '1', 'visits', '2', 'visits', '3');
    truncateSync(join(root, '.cs-journal'), 4096);
    writeFileSync(join(root, 'c', 'visits'), '50');
    const store = open(root);
    try {
      assert.equal(text(store.get('c', 'visits')), '50');
      const warnings = (store.openReport?.warnings ?? []).join('\n');
      assert.match(warnings, /1 key kept its value file instead of an older journaled write, since the journal lost writes and each file holds none of the values journaled for its key, so it may hold a later one: key "visits" in bucket "c" \(its journaled value is in \S+\.cs-journal\.unreplayed-[^/]+\/c\/visits\)/);
      const kept = asides(root, 'unreplayed');
      assert.equal(kept.length, 1);
      assert.equal(readFileSync(join(root, kept[0]!, 'c', 'visits'), 'utf8'), '3');
    } finally {
      store.close();
    }
  });

  it('replays the journaled writes that follow a damaged one, keeps a copy and says where the damage is', () => {
    const root = crashedAfterSet('b', 'first', 'one', 'second', 'two', 'third', 'three');
    const journal = join(root, '.cs-journal');
    const bytes = readFileSync(journal);
    // The first record's bucket name: its checksum fails, the records after it are intact.
    bytes[HEADER_BYTES + 24]! ^= 0xff;
    writeFileSync(journal, bytes);
    writeFileSync(join(root, 'b', 'second'), 'stale');
    writeFileSync(join(root, 'b', 'third'), 'stale');
    const store = open(root);
    try {
      assert.equal(text(store.get('b', 'second')), 'two');
      assert.equal(text(store.get('b', 'third')), 'three');
      const warnings = store.openReport?.warnings ?? [];
      assert.match(warnings.join('\n'), /journal .* is damaged at byte \d+: the journaled writes after the damage \(2\) could still be read/);
      assert.equal(asides(root, 'corrupt').length, 1);
    } finally {
      store.close();
    }
  });

  it('moves aside a journal that is a symbolic link, a folder or a pipe, and never writes through it', () => {
    for (const make of ['link', 'folder', 'fifo'] as const) {
      const root = join(scratch, `kv-${counter++}`);
      const outside = join(scratch, `outside-${counter}.txt`);
      mkdirSync(root, { recursive: true });
      writeFileSync(outside, 'not yours');
      const journal = join(root, '.cs-journal');
      if (make === 'link') symlinkSync(outside, journal);
      else if (make === 'folder') mkdirSync(journal);
      else if (spawnSync('mkfifo', [journal]).status !== 0) continue;
      const store = open(root);
      try {
        store.set('b', 'k', Buffer.from('v'));
        assert.equal(text(store.get('b', 'k')), 'v');
        assert.match(store.openReport?.warnings.join('\n') ?? '', /journal .* was (a symbolic link|a folder|not a regular file).* moved to .*\.cs-journal\.corrupt-/, make);
        assert.equal(readFileSync(outside, 'utf8'), 'not yours');
        assert.ok(lstatSync(journal).isFile(), `a new journal replaced the ${make}`);
      } finally {
        store.close();
      }
    }
  });

  it('refuses a pipe where a value belongs instead of waiting on it', () => {
    const root = join(scratch, `kv-${counter++}`);
    const store = open(root);
    try {
      store.set('b', 'k', Buffer.from('v'));
      if (spawnSync('mkfifo', [join(root, 'b', 'pipe')]).status !== 0) return;
      fails(() => store.get('b', 'pipe'), 'not-a-file');
    } finally {
      store.close();
    }
  });

  it('starts anew when its data folder or journal is deleted while open, and its files are written again', async () => {
    // 'replaced': another file renamed over the journal (a copy from a backup, say); the store still writes to the one it has open, now unlinked.
    for (const deleted of ['folder', 'journal', 'emptied', 'replaced'] as const) {
      const root = join(scratch, `kv-${counter++}`);
      const store = open(root);
      try {
        store.set('b', 'before', Buffer.from('1'));
        // What a cut journal held is gone with it; a value already in its file stays.
        if (deleted === 'emptied' || deleted === 'replaced') await fileBecomes(join(root, 'b', 'before'), '1');
        if (deleted === 'emptied') truncateSync(join(root, '.cs-journal'), 0);
        else if (deleted === 'replaced') {
          writeFileSync(join(root, 'copy'), 'not the journal the store has open');
          renameSync(join(root, 'copy'), join(root, '.cs-journal'));
        } else rmSync(deleted === 'folder' ? root : join(root, '.cs-journal'), { recursive: true, force: true });
        store.set('b', 'after', Buffer.from('2'));
        assert.equal(text(store.get('b', 'after')), '2');
        assert.equal(text(store.get('b', 'before')), deleted === 'folder' ? undefined : '1', deleted);
        assert.ok(lstatSync(join(root, '.cs-journal')).isFile(), `a new journal after the ${deleted} was deleted`);
        // Whole again, with a header a restart after a crash can read (not a sparse file that starts with zeros).
        assert.ok(statSync(join(root, '.cs-journal')).size >= 4 * 1024 * 1024, deleted);
        assert.notEqual(readFileSync(join(root, '.cs-journal')).readUInt32LE(0), 0, deleted);
        assert.ok(lstatSync(join(root, '.cs-owner')).isFile(), 'the folder is claimed again');
        // The materializer thread moved to the new journal: the value reaches its file.
        await fileBecomes(join(root, 'b', 'after'), '2');
        store.increment('b', 'count', 5n);
        assert.equal(store.increment('b', 'count', 1n), 6n);
      } finally {
        store.close();
      }
      const again = open(root);
      try {
        assert.equal(text(again.get('b', 'after')), '2');
        assert.equal(text(again.get('b', 'count')), '6');
      } finally {
        again.close();
      }
    }
  });

  it('says so when another program empties the journal before writes reached their files, and not when it deletes it or writes over its header', async () => {
    for (const damage of ['emptied', 'deleted', 'header'] as const) {
      const root = join(scratch, `kv-${counter++}`);
      const locks = new StoreLocks();
      const told: string[] = [];
      const journalCapacity = 1024 * 1024;
      const store = new KeyValueStore(root, { locks, journalCapacity, onFileTrouble: (text) => told.push(text) });
      try {
        // The files wait: the journal is the only copy of "early".
        stopMaterializer(locks);
        store.set('b', 'early', Buffer.from('only in the journal'));
        const journal = join(root, '.cs-journal');
        if (damage === 'emptied') truncateSync(journal, 0);
        else if (damage === 'deleted') rmSync(journal);
        else writeFileSync(journal, Buffer.alloc(HEADER_BYTES), { flag: 'r+' });
        store.set('b', 'late', Buffer.from('2'));
        startMaterializer(root, locks, journalCapacity, (text) => told.push(text));
        await fileBecomes(join(root, 'b', 'late'), '2');
        if (damage === 'emptied') {
          await waitUntil(() => told.length > 0, () => 'the loss was not reported');
          assert.match(told.join('\n'), /The key-value journal \S+\.cs-journal was emptied or cut short by another program while the studio ran\. It held the only copy of the writes acknowledged just before \(\d+ bytes of records\) .*they are lost/);
          assert.equal(store.get('b', 'early'), undefined);
        } else {
          // The records are still in the file this store has open: written out, and nothing to report.
          assert.equal(text(store.get('b', 'early')), 'only in the journal', damage);
          assert.deepEqual(told, [], damage);
        }
      } finally {
        store.close();
      }
    }
  });

  it('notices a journal written over or moved away while open: the next write goes to a new journal, and survives a crash', () => {
    // Before, the write went into the damaged or moved file, which a restart does not read.
    for (const damage of ['garbage', 'zeros', 'moved', 'link']) {
      const root = join(scratch, `kv-${counter++}`, 'kv');
      mkdirSync(root, { recursive: true });
      const run = spawnSync(process.execPath, [child, 'damage-and-exit', root, damage], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(run.stdout.trim(), 'done', run.stderr);
      assert.ok(lstatSync(join(root, '.cs-journal')).isFile(), `${damage}: a journal of its own, not the link`);
      const again = open(root);
      try {
        assert.equal(text(again.get('b', 'after')), '2', `${damage}: the write acknowledged after the damage`);
        assert.equal(text(again.get('b', 'before')), '1', damage);
      } finally {
        again.close();
      }
    }
  });

  it('starts anew from a thread that never opened the deleted journal (a new worker), and every thread reads and closes cleanly', async () => {
    for (const deleted of ['folder', 'journal'] as const) {
      // The value stays in the journal only: the case reads must get right.
      const { root, locks, store: host } = journalOnly();
      host.set('b', 'k', Buffer.from('journaled'));
      rmSync(deleted === 'folder' ? root : join(root, '.cs-journal'), { recursive: true, force: true });
      const reader = new KeyValueStore(root, { locks: new StoreLocks(locks.buffer), guest: true });
      // Until the next write the deleted journal's values are gone, for every thread alike.
      assert.equal(reader.get('b', 'k'), undefined, deleted);
      assert.equal(host.get('b', 'k'), undefined, deleted);
      assert.equal(reader.exists('b', 'k'), false);
      reader.close();
      const worker = new KeyValueStore(root, { locks: new StoreLocks(locks.buffer), guest: true });
      worker.set('b', 'k', Buffer.from('after'));
      assert.equal(text(host.get('b', 'k')), 'after', deleted);
      assert.equal(worker.increment('b', 'n', 2n), 2n);
      assert.equal(host.increment('b', 'n', 1n), 3n, 'the host moved to the new journal too');
      worker.close();
      host.close();
      const again = open(root);
      try {
        assert.equal(text(again.get('b', 'k')), 'after', deleted);
        assert.equal(text(again.get('b', 'n')), '3');
      } finally {
        again.close();
      }
    }
  });

  it('makes a bucket folder another program removed again at the next set, before the set returns', () => {
    // Without the materializer thread, only the set itself can make the folder again.
    const { root, store } = journalOnly();
    try {
      store.set('b', 'k', Buffer.from('v1'));
      store.checkpoint();
      rmSync(join(root, 'b'), { recursive: true });
      store.set('b', 'k', Buffer.from('v2'));
      assert.ok(statSync(join(root, 'b')).isDirectory());
      assert.deepEqual(store.list('b').keys, ['k']);
    } finally {
      store.close();
    }
  });

  it('lets go of its folder when closing after the folder was deleted, so the next store can write', () => {
    const { root, locks, store: host } = journalOnly();
    host.set('b', 'k', Buffer.from('v'));
    rmSync(root, { recursive: true, force: true });
    host.close();
    const next = new KeyValueStore(root, { locks });
    try {
      next.set('b', 'k', Buffer.from('w'));
      assert.equal(text(next.get('b', 'k')), 'w');
    } finally {
      next.close();
    }
  });

  it('says, once, when journaled values cannot be written to their files', async () => {
    const root = join(scratch, `kv-${counter++}`);
    const locks = new StoreLocks();
    const store = new KeyValueStore(root, { locks });
    try {
      // No thread writes files while the key's folder is swapped for a file.
      stopMaterializer(locks);
      await new Promise((r) => setTimeout(r, 50));
      store.set('b', 'k', Buffer.from('v'));
      rmSync(join(root, 'b'), { recursive: true, force: true });
      writeFileSync(join(root, 'b'), 'in the way');
      const told: string[] = [];
      startMaterializer(root, locks, 64 * 1024, (text) => told.push(text));
      await waitUntil(() => told.length > 0, () => 'the materializer says the bucket folder is a file');
      assert.match(told[0] ?? '', /bucket "b".*is a file, but it should be a folder.*retries every second/s);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(told.length, 1, 'said once, not at every retry');
      assert.equal(text(store.get('b', 'k')), 'v', 'reads still find the journaled value');
    } finally {
      stopMaterializer(locks);
      rmSync(join(root, 'b'), { force: true });
      mkdirSync(join(root, 'b'), { recursive: true });
      store.close();
    }
  });

  it('says nothing about a clean journal', () => {
    const root = join(scratch, `kv-${counter++}`);
    const first = open(root);
    first.set('b', 'k', Buffer.from('v'));
    first.close();
    const again = open(root);
    assert.equal(again.openReport, undefined);
    again.close();
  });

  it('names a folder that sits where a key belongs', () => {
    const root = join(scratch, `kv-${counter++}`);
    mkdirSync(join(root, 'users', 'alice'), { recursive: true });
    writeFileSync(join(root, 'users', 'bob'), 'ok');
    const store = open(root);
    try {
      const warnings = store.openReport?.warnings ?? [];
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /Key "alice" in bucket "users" is a folder .* writing that key fails until the folder is moved or deleted/);
      assert.deepEqual(store.list('users').keys, ['bob']);
      fails(() => store.set('users', 'alice', Buffer.from('x')), 'not-a-file');
      assert.ok(statSync(join(root, 'users', 'alice')).isDirectory(), 'the folder is left as it was');
    } finally {
      store.close();
    }
  });

  it('names a link leading out of the folder and a pipe where keys belong; a link to a file inside is fine', { skip: process.platform === 'win32' && 'no pipes as files, and links need privileges' }, () => {
    const root = join(scratch, `kv-${counter++}`);
    mkdirSync(join(root, 'users'), { recursive: true });
    writeFileSync(join(root, 'users', 'bob'), 'ok');
    symlinkSync(join(root, 'users', 'bob'), join(root, 'users', 'robert'));
    symlinkSync('/etc/hostname', join(root, 'users', 'eve'));
    assert.equal(spawnSync('mkfifo', [join(root, 'users', 'pipe')]).status, 0);
    const store = open(root);
    try {
      const warnings = store.openReport?.warnings ?? [];
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.ok(warnings.some((w) => /Key "eve" in bucket "users" is a symbolic link .* does not lead to a file inside the store folder/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /Key "pipe" in bucket "users" is not a regular file .*a pipe, socket or device/.test(w)), warnings.join('\n'));
      assert.equal(text(store.get('users', 'robert')), 'ok');
    } finally {
      store.close();
    }
  });

  it('keeps aside a journaled value it cannot replay, and names the key', () => {
    const root = crashedWithFolderForKey();
    const store = open(root);
    try {
      const warnings = (store.openReport?.warnings ?? []).join('\n');
      assert.match(warnings, /Could not replay the journaled set of key "k" in bucket "b": .* Until then the key reads as it did before that set\. The journaled value was kept as (\S+): copy it back over the key's file once the cause is fixed\./);
      assert.doesNotMatch(warnings, /EISDIR|\.cs-tmp-/, 'worded for a person, naming no temp file');
      const kept = /kept as (\S+):/.exec(warnings)![1]!;
      assert.equal(readFileSync(kept, 'utf8'), 'precious');
      assert.equal(asides(root, 'unreplayed').length, 1);
    } finally {
      store.close();
    }
  });

  it('stops replaying on a full disk and keeps the journal whole, to replay it once there is room', () => {
    const root = crashedAfterSet('b', 'k', 'precious', 'k2', 'second');
    rmSync(join(root, 'b', 'k'));
    rmSync(join(root, 'b', 'k2'));
    // Every new file fails as on a full disk: the values' temp files and any copy kept aside.
    withFailing('openSync', /\.cs-tmp-|unreplayed/, () => {
      assert.throws(
        () => open(root),
        (error: Error & { code?: string }) =>
          error.code === 'storage-full' && /the disk is full, while replaying the key-value journal after an unclean stop\. The journal is kept \(\S+\.cs-journal\) with every write it holds/.test(error.message),
      );
    });
    assert.deepEqual(asides(root, 'unreplayed'), []);
    const store = open(root);
    try {
      assert.equal(store.openReport?.replayed, 2);
      assert.equal(text(store.get('b', 'k')), 'precious');
      assert.equal(text(store.get('b', 'k2')), 'second');
    } finally {
      store.close();
    }
  });

  it('keeps the journal when a value it cannot replay cannot be kept aside either', () => {
    const root = crashedWithFolderForKey();
    withFailing('openSync', /unreplayed/, () => {
      assert.throws(() => open(root), (error: Error & { code?: string }) => error.code === 'storage-full' && /Cannot keep aside the journaled value of key "k" in bucket "b": the disk is full, .*The journal is kept/.test(error.message));
    });
    // No empty copy is left to pass for the value.
    assert.deepEqual(asides(root, 'unreplayed'), []);

    const store = open(root);
    try {
      const warnings = (store.openReport?.warnings ?? []).join('\n');
      const kept = /kept as (\S+):/.exec(warnings)?.[1];
      assert.ok(kept, warnings);
      assert.equal(readFileSync(kept, 'utf8'), 'precious');
    } finally {
      store.close();
    }
  });

  it('opens all the same when only that name is refused aside (not the whole disk), and says so', () => {
    const root = crashedWithFolderForKey();
    withFailing(
      'openSync',
      /unreplayed/,
      () => {
        const store = open(root);
        try {
          assert.match((store.openReport?.warnings ?? []).join('\n'), /Could not replay the journaled set of key "k" in bucket "b": .* Keeping the journaled value aside failed too: Cannot keep aside the journaled value of key "k" in bucket "b"/);
        } finally {
          store.close();
        }
      },
      'EINVAL',
    );
  });

  it('lets a blob folder it could not open go, so the next try in the same process opens it', () => {
    const root = join(scratch, `blobs-${counter++}`);
    mkdirSync(join(root, 'photos'), { recursive: true });
    const escaped = root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // The same locks, as a session's next try uses them: its close lets the folder go.
    const locks = new StoreLocks();
    withFailing('readdirSync', new RegExp(`^${escaped}$`), () => assert.throws(() => new BlobStore(root, { locks }), { code: 'io' }), 'EIO');
    const store = new BlobStore(root, { locks });
    try {
      assert.deepEqual(store.containers().map((c) => c.name), ['photos']);
    } finally {
      store.close();
    }
    assert.equal(readdirSync(root).includes('.cs-owner'), false, 'the folder is let go on close');
  });

  it('refuses to count on from a counter holding garbage, and leaves its bytes alone', () => {
    const root = join(scratch, `kv-${counter++}`);
    mkdirSync(join(root, 'qrcode'), { recursive: true });
    writeFileSync(join(root, 'qrcode', 'generated'), 'x17\u0000garbage');
    const store = open(root);
    try {
      fails(() => store.increment('qrcode', 'generated', 1n), 'invalid-value', /key "generated" in bucket "qrcode": it holds 11 bytes that are not a decimal number/);
      assert.equal(readFileSync(join(root, 'qrcode', 'generated'), 'utf8'), 'x17\u0000garbage');
    } finally {
      store.close();
    }
  });
});

describe('a data folder that is a link to nowhere', () => {
  it('names the link and its missing target, not "disappeared while in use"', () => {
    const base = join(scratch, `dangling-${counter++}`);
    mkdirSync(join(base, '.wash'), { recursive: true });
    symlinkSync(join(base, 'unmounted-disk', 'data'), join(base, '.wash', 'data'));
    const store = open(join(base, '.wash', 'data', 'keyvalue'));
    try {
      const error = (() => {
        try {
          store.set('b', 'k', Buffer.from('v'));
        } catch (thrown) {
          return thrown as Error & { hint?: string };
        }
        return undefined;
      })();
      assert.ok(error, 'the set failed');
      assert.match(error.message, /\.wash\/data is a symbolic link to .*unmounted-disk\/data, which does not exist\./);
      assert.match(error.hint ?? '', /Make the folder the link points to/);
    } finally {
      store.close();
    }
  });
});

describe('blob objects that are not files', () => {
  it('refuses a pipe where an object belongs instead of reading it as an empty object', () => {
    const root = join(scratch, `blob-${counter++}`);
    mkdirSync(join(root, 'c'), { recursive: true });
    if (spawnSync('mkfifo', [join(root, 'c', 'pipe')]).status !== 0) return;
    const store = new BlobStore(root, { locks: new StoreLocks() });
    try {
      fails(() => store.get('c', 'pipe'), 'not-a-file');
      fails(() => store.info('c', 'pipe'), 'not-a-file');
      assert.equal(store.has('c', 'pipe'), false);
      // One such file does not fail the container's listing: it is left out of it.
      store.put('c', 'real.txt', Buffer.from('x'));
      assert.deepEqual(store.list('c').objects.map((o) => o.name), ['real.txt']);
    } finally {
      store.close();
    }
  });
});

describe('blob repairs on open', () => {
  it('names files in the blob root that belong to no container', () => {
    const root = join(scratch, `blob-${counter++}`);
    mkdirSync(join(root, 'photos'), { recursive: true });
    writeFileSync(join(root, 'stray.png'), 'x');
    const store = new BlobStore(root, { locks: new StoreLocks() });
    try {
      assert.equal(store.openWarnings.length, 1);
      assert.match(store.openWarnings[0]!, /holds files outside any container \("stray\.png"\)/);
      assert.deepEqual(store.containers().map((c) => c.name), ['photos']);
    } finally {
      store.close();
    }
  });
});
