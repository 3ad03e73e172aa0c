// Dev-data snapshots on real folders, in process: what a snapshot holds and gives back,
// that it shares files by hard links and that no store write can change a linked file, the
// consistent point under a steady write load, restores that readers see whole, comparisons,
// and interrupted restores finished at the next open.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { dataFoldersFor } from '../../runtime/snapshots/data-folders.ts';
import { openLiveData, type LiveData } from '../../runtime/snapshots/live-data.ts';
import { ProjectSnapshots } from '../../runtime/snapshots/project-snapshots.ts';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { finishRootSwaps, stageSwap, swapRootContents, undoSwap } from '../../runtime/stores/root-swap.ts';
import { GateLevel } from '../../runtime/stores/store-locks.ts';
import { spawnWorker } from '../../runtime/threads/spawn-worker.ts';

const temp = mkdtempSync(join(tmpdir(), 'studio-snapshots-'));
const opened: (LiveData & { close(): void })[] = [];
after(() => {
  for (const live of opened) live.close();
  rmSync(temp, { recursive: true, force: true });
});

let projects = 0;
/** A project folder with a config, its data opened in this process, and its snapshots. */
async function project(): Promise<{ dir: string; live: LiveData & { close(): void }; snapshots: ProjectSnapshots }> {
  const dir = join(temp, `p${projects++}`);
  mkdirSync(join(dir, '.wash'), { recursive: true });
  writeFileSync(join(dir, '.wash', 'config.yaml'), 'version: 1\n');
  const live = openLiveData(await dataFoldersFor(dir));
  opened.push(live);
  return { dir, live, snapshots: new ProjectSnapshots(() => live) };
}

const bytes = (value: string) => Buffer.from(value);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString());
const workerEntry = new URL('../helpers/snapshot-load-worker.ts', import.meta.url);

function nextMessage<T>(worker: Worker, holds: (message: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (message: T) => {
      if (!holds(message)) return;
      worker.off('message', listener);
      resolve(message);
    };
    worker.on('message', listener);
    worker.once('error', reject);
  });
}

/** Names that need encoding, nested blob folders, an empty value and a 50 MB object. */
function fill(live: LiveData): Buffer {
  const big = Buffer.alloc(50 * 2 ** 20);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i ^ 0x9e3779b9) >>> 0, i);
  live.keyvalue.set('users', 'user:1', bytes('{"name":"alice"}'));
  live.keyvalue.set('users', 'a/b\\c?*', bytes('slashes'));
  live.keyvalue.set('users', 'empty', new Uint8Array(0));
  live.keyvalue.set('users', '.hidden', bytes('leading dot'));
  live.keyvalue.set('données', 'clé ünïcode', bytes('é'));
  live.keyvalue.set('', 'at-the-root', bytes('root key'));
  live.keyvalue.createBucket('empty-bucket');
  live.blobstore.createContainer('photos');
  live.blobstore.put('photos', '2024/summer/beach.png', bytes('png bytes'));
  live.blobstore.put('photos', 'a:b/c?.txt', bytes('encoded folder'));
  live.blobstore.put('photos', 'empty.bin', new Uint8Array(0));
  live.blobstore.put('photos', 'big.bin', big);
  live.blobstore.createContainer('nothing-here');
  return big;
}

function expectFilled(live: LiveData, big: Buffer): void {
  assert.deepEqual(live.keyvalue.buckets(), ['', 'données', 'empty-bucket', 'users']);
  assert.deepEqual(live.keyvalue.list('users').keys, ['.hidden', 'a/b\\c?*', 'empty', 'user:1']);
  assert.equal(text(live.keyvalue.get('users', 'user:1')), '{"name":"alice"}');
  assert.equal(text(live.keyvalue.get('users', 'a/b\\c?*')), 'slashes');
  assert.equal(live.keyvalue.get('users', 'empty')?.length, 0);
  assert.equal(text(live.keyvalue.get('données', 'clé ünïcode')), 'é');
  assert.equal(text(live.keyvalue.get('', 'at-the-root')), 'root key');
  assert.deepEqual(live.keyvalue.list('empty-bucket').keys, []);
  assert.deepEqual(live.blobstore.containers().map((c) => c.name), ['nothing-here', 'photos']);
  assert.deepEqual(live.blobstore.list('photos').objects.map((o) => o.name), ['2024/summer/beach.png', 'a:b/c?.txt', 'big.bin', 'empty.bin']);
  assert.equal(text(live.blobstore.get('photos', '2024/summer/beach.png')), 'png bytes');
  assert.equal(live.blobstore.get('photos', 'empty.bin').length, 0);
  assert.ok(Buffer.from(live.blobstore.get('photos', 'big.bin')).equals(big), 'the 50 MB object came back byte for byte');
}

describe('snapshots: save and restore', () => {
  it('give back keys and objects with names that need encoding, nested folders, empty values and a 50 MB object', async () => {
    const { live, snapshots } = await project();
    const big = fill(live);
    const saved = await snapshots.save({ name: 'filled', note: 'everything' });
    assert.equal(saved.description?.keyvalue.folders, 4, 'buckets, "" among them');
    live.keyvalue.deleteBucket('users');
    live.keyvalue.set('données', 'clé ünïcode', bytes('changed'));
    live.keyvalue.set('new', 'k', bytes('added later'));
    live.blobstore.deleteContainer('nothing-here');
    live.blobstore.put('photos', 'big.bin', bytes('small now'));
    const { before } = await snapshots.restore('filled');
    expectFilled(live, big);
    assert.equal(live.keyvalue.bucketExists('new'), false, 'a bucket made after the snapshot is gone');
    assert.equal(before.name, 'before restoring filled');
    const comparison = await snapshots.compare('filled', undefined);
    assert.deepEqual([comparison.added, comparison.removed, comparison.changed], [0, 0, 0]);
  });

  it('keep the data before a restore, so restoring that undoes it', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('b', 'k', bytes('one'));
    await snapshots.save({ name: 'one' });
    live.keyvalue.set('b', 'k', bytes('two'));
    const { before } = await snapshots.restore('one');
    assert.equal(text(live.keyvalue.get('b', 'k')), 'one');
    await snapshots.restore(before.name);
    assert.equal(text(live.keyvalue.get('b', 'k')), 'two');
    assert.deepEqual(snapshots.list().map((s) => [s.name, s.description?.kind]).sort(), [
      ['before restoring before restoring one', 'before-restore'],
      ['before restoring one', 'before-restore'],
      ['one', 'manual'],
    ]);
  });

  it('keep files whose names are not UTF-8 (no key or object can have them), instead of failing on them', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('b', 'k', bytes('one'));
    live.blobstore.createContainer('c');
    live.blobstore.put('c', 'sub/x', bytes('blob'));
    // Another program's names, as raw bytes: readdir gives them back with U+FFFD, which names nothing.
    const raw = (folder: string, name: string) => Buffer.concat([Buffer.from(`${folder}/`), Buffer.from(name, 'latin1')]);
    writeFileSync(raw(join(live.folders.keyvalue, 'b'), 'bad\xffname'), 'x');
    mkdirSync(raw(join(live.folders.blobstore, 'c'), 'sub\xffdir'));
    await snapshots.save({ name: 'odd' });
    live.keyvalue.set('b', 'k', bytes('two'));
    await snapshots.restore('odd');
    assert.equal(text(live.keyvalue.get('b', 'k')), 'one');
    const comparison = await snapshots.compare('odd', undefined);
    assert.equal(comparison.changed, 0);
    const names = readdirSync(join(live.folders.keyvalue, 'b'), { encoding: 'buffer' }).map((n) => n.toString('latin1'));
    assert.ok(names.includes('bad\xffname'), `the user's file is still there after the restore: ${JSON.stringify(names)}`);
  });

  it('restore over a bucket or container folder whose own name is not UTF-8, losing nothing', async () => {
    const { live, snapshots } = await project();
    for (const bucket of ['alpha', 'beta', 'gamma']) live.keyvalue.set(bucket, 'k', bytes(bucket));
    live.blobstore.createContainer('c');
    live.blobstore.put('c', 'o', bytes('blob'));
    await snapshots.save({ name: 's' });
    // Top-level entries named by another program, beside the buckets and containers.
    const raw = (folder: string, name: string) => Buffer.concat([Buffer.from(`${folder}/`), Buffer.from(name, 'latin1')]);
    writeFileSync(raw(live.folders.keyvalue, 'caf\xe9'), 'v');
    mkdirSync(raw(live.folders.blobstore, 'odd\xe9dir'));
    writeFileSync(Buffer.concat([raw(live.folders.blobstore, 'odd\xe9dir'), Buffer.from('/inside')]), 'kept');
    // A link another program made (the stores follow links inside their folder).
    symlinkSync('k', join(live.folders.keyvalue, 'alpha', 'alias'));
    live.keyvalue.set('alpha', 'k', bytes('changed'));
    await snapshots.restore('s');
    for (const bucket of ['alpha', 'beta', 'gamma']) assert.equal(text(live.keyvalue.get(bucket, 'k')), bucket);
    assert.equal(text(live.blobstore.get('c', 'o')), 'blob');
    // Not in the snapshot, so gone from the live folders, and kept in the one made before.
    const names = (folder: string) => readdirSync(folder, { encoding: 'buffer' }).map((n) => n.toString('latin1')).filter((n) => !n.startsWith('.cs-'));
    assert.deepEqual(names(live.folders.keyvalue).sort(), ['alpha', 'beta', 'gamma']);
    await snapshots.restore('before restoring s');
    assert.ok(names(live.folders.keyvalue).includes('caf\xe9'), JSON.stringify(names(live.folders.keyvalue)));
    assert.ok(names(live.folders.blobstore).includes('odd\xe9dir'));
    assert.equal(readFileSync(Buffer.concat([raw(live.folders.blobstore, 'odd\xe9dir'), Buffer.from('/inside')]), 'utf8'), 'kept');
    assert.equal(text(live.keyvalue.get('alpha', 'k')), 'changed');
    assert.equal(readlinkSync(join(live.folders.keyvalue, 'alpha', 'alias')), 'k');
    assert.equal(text(live.keyvalue.get('alpha', 'alias')), 'changed');
  });

  it('are refused, with the fix, while one data folder lies inside another, and change nothing', async () => {
    const dir = join(temp, `p${projects++}`);
    mkdirSync(join(dir, '.wash'), { recursive: true });
    // Only the key-value folder moved: the blob folder's default, .wash/data/blobstore, is inside it.
    writeFileSync(join(dir, '.wash', 'config.yaml'), 'dev:\n  wasi_keyvalue_path: .wash/data\n');
    const live = openLiveData(await dataFoldersFor(dir));
    opened.push(live);
    const snapshots = new ProjectSnapshots(() => live);
    live.blobstore.createContainer('c');
    live.blobstore.put('c', 'o', bytes('blob'));
    await assert.rejects(snapshots.save({ name: 'one' }), { code: 'data-folders-nested', message: /The blob folder \(.*blobstore\) is inside the key-value folder/, hint: /wasi_blobstore_path/ });
    assert.deepEqual(snapshots.list(), []);
    assert.equal(text(live.blobstore.get('c', 'o')), 'blob');
  });

  it('restore a snapshot whose name is as long as a name may be', async () => {
    const { live, snapshots } = await project();
    const name = 'y'.repeat(200);
    live.keyvalue.set('b', 'k', bytes('one'));
    await snapshots.save({ name });
    live.keyvalue.set('b', 'k', bytes('two'));
    const { before } = await snapshots.restore(name);
    assert.equal(text(live.keyvalue.get('b', 'k')), 'one');
    assert.match(before.name, /^before restoring y+…$/);
    assert.ok(Buffer.byteLength(before.name) <= 200, before.name);
    await snapshots.restore(before.name);
    assert.equal(text(live.keyvalue.get('b', 'k')), 'two');
  });

  it('of data nobody wrote yet is empty, and restoring it empties the folders', async () => {
    const { live, snapshots } = await project();
    const taken = await snapshots.save({ name: 'nothing' });
    assert.equal(taken.description?.keyvalue.present, false);
    live.keyvalue.set('b', 'k', bytes('v'));
    live.blobstore.createContainer('c');
    await snapshots.restore('nothing');
    assert.deepEqual(live.keyvalue.buckets(), []);
    assert.deepEqual(live.blobstore.containers(), []);
  });

  it('are refused by name when the name is taken or missing', async () => {
    const { snapshots } = await project();
    await snapshots.save({ name: 'demo' });
    await assert.rejects(snapshots.save({ name: 'demo' }), { code: 'snapshot-exists', message: /A snapshot named "demo" already exists/ });
    await assert.rejects(snapshots.restore('demo2'), { code: 'snapshot-not-found', hint: /The snapshots are: "demo"/ });
    await assert.rejects(snapshots.save({ name: 'a/b' }), { code: 'snapshot-invalid-name' });
    await assert.rejects(snapshots.save({ name: 'two\nlines' }), { code: 'snapshot-invalid-name', message: /is more than one line/ });
    for (const name of ['\x1b[31mred', 'title\x1b]0;pwned\x07', 'evil\u202etxt.exe']) {
      await assert.rejects(snapshots.save({ name }), { code: 'snapshot-invalid-name', message: /control or text-direction characters/ }, JSON.stringify(name));
    }
    await assert.rejects(snapshots.save({ name: 'x'.repeat(300) }), { code: 'snapshot-invalid-name', message: /is 300 bytes long; the limit is 200/ });
    await snapshots.delete('demo');
    assert.deepEqual(snapshots.list(), []);
  });
});

describe('snapshots: a snapshot another program damaged', () => {
  it('is refused before anything changes when a part its description counts is missing, not a folder or empty', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('boards', 'b1', bytes('saved'));
    live.blobstore.createContainer('files');
    live.blobstore.put('files', 'a.txt', bytes('saved'));
    const taken = await snapshots.save({ name: 'demo' });
    live.keyvalue.set('boards', 'b1', bytes('live'));
    const part = join(taken.dir, 'keyvalue');
    const refused = (problem: string) => ({
      code: 'snapshot-incomplete',
      message: new RegExp(`^Cannot restore the snapshot "demo": its key-value folder \\S+/keyvalue ${problem}, though its snapshot\\.json says it holds 1 key in 1 bucket\\. Nothing was changed\\.$`),
      hint: /Delete it and use another one, or import it again from an exported copy/,
    });
    rmSync(part, { recursive: true });
    await assert.rejects(snapshots.restore('demo'), refused('is missing'));
    writeFileSync(part, 'a file where the folder belongs');
    await assert.rejects(snapshots.restore('demo'), refused('is not a folder'));
    rmSync(part);
    mkdirSync(part);
    await assert.rejects(snapshots.restore('demo'), refused('is empty'));
    await assert.rejects(snapshots.export('demo', join(temp, 'damaged.tar.gz')), { code: 'snapshot-incomplete', message: /^Cannot export the snapshot "demo"/ });
    assert.equal(text(live.keyvalue.get('boards', 'b1')), 'live');
    assert.equal(text(live.blobstore.get('files', 'a.txt')), 'saved');
    assert.deepEqual(snapshots.list().map((e) => e.name), ['demo'], 'no "before restoring" snapshot was kept');
  });

  it('says so when a file stands where the snapshots folder goes, instead of failing as a bug', async () => {
    const { dir, snapshots } = await project();
    mkdirSync(join(dir, '.wash', 'data'), { recursive: true });
    writeFileSync(join(dir, '.wash', 'data', 'snapshots'), 'a file where the folder belongs');
    assert.throws(() => snapshots.list(), {
      code: 'snapshot-failed',
      message: /^The snapshots folder \S+snapshots is a file/,
      hint: /Move that file away/,
    });
  });

  it('restores when only parts holding nothing are absent, as an archive of empty stores leaves them', async () => {
    const { live, snapshots } = await project();
    const taken = await snapshots.save({ name: 'nothing' });
    rmSync(join(taken.dir, 'keyvalue'), { recursive: true });
    rmSync(join(taken.dir, 'blobstore'), { recursive: true });
    live.keyvalue.set('b', 'k', bytes('v'));
    await snapshots.restore('nothing');
    assert.deepEqual(live.keyvalue.buckets(), []);
  });
});

describe('snapshots: dev.volumes', () => {
  it('hold the volumes the user ticks, as copies, and restore them', async () => {
    const dir = join(temp, `p${projects++}`);
    mkdirSync(join(dir, '.wash'), { recursive: true });
    mkdirSync(join(dir, 'assets', 'nested'), { recursive: true });
    writeFileSync(join(dir, '.wash', 'config.yaml'), 'version: 1\ndev:\n  volumes:\n    - host_path: assets\n      guest_path: /data\n');
    writeFileSync(join(dir, 'assets', 'nested', 'notes.txt'), 'first notes');
    const live = openLiveData(await dataFoldersFor(dir));
    opened.push(live);
    const snapshots = new ProjectSnapshots(() => live);
    const without = await snapshots.save({ name: 'stores only' });
    assert.deepEqual(without.description?.volumes, []);
    const taken = await snapshots.save({ name: 'with assets', volumes: ['/data'] });
    assert.deepEqual(taken.description?.volumes, [{ guestPath: '/data', files: 1, bytes: 11 }]);
    const copy = join(taken.dir, 'volumes', '0', 'nested', 'notes.txt');
    assert.notEqual(statSync(copy).ino, statSync(join(dir, 'assets', 'nested', 'notes.txt')).ino, 'a volume file is copied, not linked: components write volumes in place');
    // A component writing its volume in place, then making a new file.
    writeFileSync(join(dir, 'assets', 'nested', 'notes.txt'), 'changed in place');
    writeFileSync(join(dir, 'assets', 'new.txt'), 'new');
    assert.equal(readFileSync(copy, 'utf8'), 'first notes');
    const { before } = await snapshots.restore('with assets');
    assert.equal(readFileSync(join(dir, 'assets', 'nested', 'notes.txt'), 'utf8'), 'first notes');
    assert.deepEqual(readdirSync(join(dir, 'assets')).sort(), ['nested']);
    // The restore staged its new contents inside the volume: that is not the user's data.
    assert.deepEqual(readdirSync(join(before.dir, 'volumes', '0')).sort(), ['nested', 'new.txt']);
    await assert.rejects(snapshots.save({ name: 'x', volumes: ['/nowhere'] }), { code: 'snapshot-failed', hint: /Its dev.volumes are: \/data/ });
  });

  it('export and import back a volume whatever its file names, and a bucket with a folder of its own in it', async () => {
    const dir = join(temp, `p${projects++}`);
    mkdirSync(join(dir, '.wash'), { recursive: true });
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, '.wash', 'config.yaml'), 'version: 1\ndev:\n  volumes:\n    - host_path: assets\n      guest_path: /data\n');
    // Names that are the user's in a volume, though the stores would take them for their own.
    writeFileSync(join(dir, 'assets', '.cs-notes'), 'mine');
    const live = openLiveData(await dataFoldersFor(dir));
    opened.push(live);
    const snapshots = new ProjectSnapshots(() => live);
    live.keyvalue.set('b', 'k', bytes('v'));
    // Another program's folder inside a bucket: no key, but data the snapshot keeps.
    mkdirSync(join(live.folders.keyvalue, 'b', 'extra'));
    writeFileSync(join(live.folders.keyvalue, 'b', 'extra', 'file'), 'x');
    await snapshots.save({ name: 'all', volumes: ['/data'] });
    const archive = join(dir, 'all.tar.gz');
    await snapshots.export('all', archive);
    const imported = await snapshots.import(archive, 'all again');
    assert.equal(readFileSync(join(imported.dir, 'volumes', '0', '.cs-notes'), 'utf8'), 'mine');
    assert.equal(readFileSync(join(imported.dir, 'keyvalue', 'b', 'extra', 'file'), 'utf8'), 'x');
    // And a restore puts the user's .cs- file back in the volume, as any other of its files.
    writeFileSync(join(dir, 'assets', '.cs-notes'), 'changed');
    await snapshots.restore('all again');
    assert.equal(readFileSync(join(dir, 'assets', '.cs-notes'), 'utf8'), 'mine');
  });
});

describe('snapshots: files shared by hard links', () => {
  it('cost no copy of unchanged files, and no store write changes a linked file', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('b', 'k', bytes('original'));
    live.keyvalue.set('b', 'n', bytes('1'));
    live.blobstore.createContainer('c');
    live.blobstore.put('c', 'o', bytes('original object'));
    live.blobstore.put('c', 'm', bytes('to move'));
    const taken = await snapshots.save({ name: 'linked' });
    assert.equal(taken.description?.linked, 4);
    assert.equal(taken.description?.copied, 0);
    const snapFile = (...parts: string[]) => join(taken.dir, ...parts);
    assert.equal(statSync(snapFile('keyvalue', 'b', 'k')).ino, statSync(join(live.keyvalue.root, 'b', 'k')).ino, 'the snapshot shares the value file');
    assert.equal(statSync(snapFile('keyvalue', 'b', 'k')).nlink, 2);
    // Every write path of the stores: each must replace the file, never write into it.
    live.keyvalue.set('b', 'k', bytes('overwritten by set'));
    live.keyvalue.setMany('b', [['k', bytes('overwritten by setMany')]]);
    live.keyvalue.increment('b', 'n', 41n);
    live.keyvalue.update('b', 'k', () => ({ value: bytes('overwritten by update'), result: null }));
    live.blobstore.put('c', 'o', bytes('overwritten by put'));
    const writer = live.blobstore.openWrite('c', 'o');
    writer.write(bytes('overwritten by a stream'));
    writer.commit();
    live.blobstore.copy({ container: 'c', name: 'm' }, { container: 'c', name: 'o' });
    live.blobstore.move({ container: 'c', name: 'm' }, { container: 'c', name: 'moved' });
    live.keyvalue.checkpoint();
    assert.equal(readFileSync(snapFile('keyvalue', 'b', 'k'), 'utf8'), 'original');
    assert.equal(readFileSync(snapFile('keyvalue', 'b', 'n'), 'utf8'), '1');
    assert.equal(readFileSync(snapFile('blobstore', 'c', 'o'), 'utf8'), 'original object');
    assert.equal(readFileSync(snapFile('blobstore', 'c', 'm'), 'utf8'), 'to move');
    const comparison = await snapshots.compare('linked', undefined);
    assert.deepEqual(
      comparison.changes.map((c) => `${c.change} ${c.store} ${c.bucket}/${c.key}`),
      ['changed blobstore c/o', 'removed blobstore c/m', 'added blobstore c/moved', 'changed keyvalue b/k', 'changed keyvalue b/n'].sort((a, b) => {
        const key = (s: string) => s.split(' ').slice(1).join(' ');
        return key(a) < key(b) ? -1 : 1;
      }),
    );
  });

  it('leave out the journal, the owner file and temp files', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('b', 'k', bytes('v'));
    writeFileSync(join(live.keyvalue.root, 'b', '.cs-tmp-1-1-x'), 'half written');
    const taken = await snapshots.save({ name: 's' });
    assert.deepEqual(readdirSync(join(taken.dir, 'keyvalue')), ['b']);
    assert.deepEqual(readdirSync(join(taken.dir, 'keyvalue', 'b')), ['k']);
  });
});

describe('snapshots: a consistent point', () => {
  it('under a steady write load loses no acknowledged write, fails no write, and restores to a consistent state', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.createBucket('load');
    const stop = new SharedArrayBuffer(4);
    const writers = ['w1', 'w2'].map((id) => spawnWorker(workerEntry, { data: { mode: 'write', root: live.keyvalue.root, locks: live.locks.buffer, stop, id } }));
    const acked = new Map<Worker, number>();
    for (const writer of writers) writer.on('message', (m: { acked: number }) => acked.set(writer, m.acked));
    try {
      await Promise.all(writers.map((w) => nextMessage<{ acked: number }>(w, (m) => m.acked >= 100)));
      const ackedBefore = writers.map((w) => acked.get(w)!);
      await snapshots.save({ name: 'under load' });
      Atomics.store(new Int32Array(stop), 0, 1);
      const ends = await Promise.all(writers.map((w) => nextMessage<{ acked: number; done?: boolean; error?: string }>(w, (m) => m.done === true)));
      for (const end of ends) assert.equal(end.error, undefined, 'a write failed while the snapshot was taken');
      const entry = snapshots.catalogue.usable('under load');
      const inSnapshot = readdirSync(join(entry.dir, 'keyvalue', 'load'));
      for (const [i, id] of ['w1', 'w2'].entries()) {
        const mine = inSnapshot.filter((k) => k.startsWith(`${id}-`)).sort();
        // A consistent cut of one writer's sequence is a prefix: 0..m-1, nothing after a gap.
        assert.deepEqual(mine, Array.from({ length: mine.length }, (_, n) => `${id}-${String(n).padStart(5, '0')}`));
        assert.ok(mine.length >= ackedBefore[i]!, `${id}: ${ackedBefore[i]} writes were acknowledged before the snapshot, it holds ${mine.length}`);
        for (const key of mine) assert.equal(readFileSync(join(entry.dir, 'keyvalue', 'load', key), 'utf8'), `value ${Number(key.slice(3))}`);
      }
      await snapshots.restore('under load');
      const restored = live.keyvalue.list('load', { limit: 10_000 }).keys;
      assert.deepEqual(restored, inSnapshot.sort());
    } finally {
      Atomics.store(new Int32Array(stop), 0, 1);
      await Promise.all(writers.map((w) => w.terminate()));
    }
  });

  it('makes a read that comes during a restore wait, and see the new data', async () => {
    const { live } = await project();
    live.keyvalue.set('probe', 'k', bytes('old'));
    // A restore writes the journal's values to their files before its moment (a checkpoint).
    live.keyvalue.checkpoint();
    const stop = new SharedArrayBuffer(4);
    const reader = spawnWorker(workerEntry, { data: { mode: 'probe', root: live.keyvalue.root, locks: live.locks.buffer, stop, id: 'r' } });
    try {
      await live.locks.pause(GateLevel.all);
      const reading = nextMessage<{ reading?: boolean }>(reader, (m) => m.reading === true);
      const value = nextMessage<{ value?: string }>(reader, (m) => 'value' in m);
      reader.postMessage('go');
      await reading;
      // What a restore does in its moment: the folder's contents change under the gate.
      const staged = stageSwap(live.keyvalue.root);
      mkdirSync(join(staged.newContents, 'probe'));
      writeFileSync(join(staged.newContents, 'probe', 'k'), 'new');
      swapRootContents(live.keyvalue.root, staged, '');
      live.locks.bumpDataGeneration();
      live.locks.resume();
      assert.equal((await value).value, 'new');
    } finally {
      live.locks.resume();
      await reader.terminate();
    }
  });

  it('restores so that readers see all old values or all new ones, never a mix', async () => {
    const { live, snapshots } = await project();
    const keys = Array.from({ length: 40 }, (_, i) => `p${i}`);
    live.keyvalue.setMany('pairs', keys.map((k) => [k, bytes('old')] as const));
    await snapshots.save({ name: 'old' });
    live.keyvalue.setMany('pairs', keys.map((k) => [k, bytes('new')] as const));
    await snapshots.save({ name: 'new' });
    const stop = new SharedArrayBuffer(4);
    const readers = [1, 2].map((n) => spawnWorker(workerEntry, { data: { mode: 'read', root: live.keyvalue.root, locks: live.locks.buffer, stop, id: `r${n}`, keys } }));
    try {
      for (let round = 0; round < 6; round++) await snapshots.restore(round % 2 === 0 ? 'old' : 'new');
      Atomics.store(new Int32Array(stop), 0, 1);
      const ends = await Promise.all(readers.map((r) => nextMessage<{ reads: number; mixed: number; seen?: string[]; error?: string; done?: boolean }>(r, (m) => m.done === true)));
      for (const end of ends) {
        assert.equal(end.error, undefined);
        assert.ok(end.reads > 0);
        assert.equal(end.mixed, 0, `${end.mixed} of ${end.reads} reads saw a mix of two states`);
      }
    } finally {
      Atomics.store(new Int32Array(stop), 0, 1);
      await Promise.all(readers.map((r) => r.terminate()));
    }
  });
});

describe('snapshots: comparing', () => {
  it('names the keys and objects added, removed and changed, and reads values from either side', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('users', 'alice', bytes('{"age":30}'));
    live.keyvalue.set('users', 'bob', bytes('{"age":40}'));
    live.keyvalue.set('users', 'same:size', bytes('aaaa'));
    live.blobstore.createContainer('docs');
    live.blobstore.put('docs', 'a/readme.txt', bytes('hello'));
    await snapshots.save({ name: 'before' });
    live.keyvalue.set('users', 'alice', bytes('{"age":31}'));
    live.keyvalue.delete('users', 'bob');
    live.keyvalue.set('users', 'carol', bytes('{"age":22}'));
    live.keyvalue.set('users', 'same:size', bytes('aaaa'));
    live.blobstore.put('docs', 'a/b/new.txt', bytes('new'));
    live.keyvalue.createBucket('empty');
    const comparison = await snapshots.compare('before', undefined);
    assert.deepEqual(
      comparison.changes.map(({ store, bucket, key, change, before, after }) => ({ store, bucket, key, change, before, after })),
      [
        { store: 'blobstore', bucket: 'docs', key: 'a/b/new.txt', change: 'added', before: undefined, after: 3 },
        { store: 'keyvalue', bucket: 'empty', key: undefined, change: 'added', before: undefined, after: undefined },
        { store: 'keyvalue', bucket: 'users', key: 'alice', change: 'changed', before: 10, after: 10 },
        { store: 'keyvalue', bucket: 'users', key: 'bob', change: 'removed', before: 10, after: undefined },
        { store: 'keyvalue', bucket: 'users', key: 'carol', change: 'added', before: undefined, after: 10 },
      ],
    );
    assert.equal(comparison.unchanged, 2, 'same bytes in a new file is no change');
    const alice = comparison.changes.find((c) => c.key === 'alice')!;
    assert.equal((await snapshots.readValue('before', alice.path))?.data.toString(), '{"age":30}');
    assert.equal((await snapshots.readValue(undefined, alice.path))?.data.toString(), '{"age":31}');
    assert.equal(await snapshots.readValue(undefined, comparison.changes.find((c) => c.key === 'bob')!.path), undefined);
    await assert.rejects(snapshots.readValue(undefined, 'keyvalue/../../etc/passwd'), { code: 'snapshot-failed' });
  });
});

describe('snapshots: an interrupted restore', () => {
  function stagedRoot(): { root: string; staged: ReturnType<typeof stageSwap> } {
    const root = join(temp, `swap${projects++}`);
    mkdirSync(join(root, 'old-bucket'), { recursive: true });
    writeFileSync(join(root, 'old-bucket', 'k'), 'old');
    writeFileSync(join(root, '.cs-journal'), 'journal');
    const staged = stageSwap(root);
    mkdirSync(join(staged.newContents, 'new-bucket'));
    writeFileSync(join(staged.newContents, 'new-bucket', 'k'), 'new');
    // As if another process (now gone) had made it: the staging folder names a dead pid.
    const dead = join(root, staged.dir.split('/').pop()!.replace(String(process.pid), '999999999'));
    renameSync(staged.dir, dead);
    return { root, staged: { dir: dead, newContents: join(dead, 'new'), oldContents: join(dead, 'old') } };
  }

  it('undone after failing while the old data moved out keeps every old entry, moving nothing of it aside', () => {
    const root = join(temp, `swap${projects++}`);
    for (const bucket of ['a', 'b', 'c']) {
      mkdirSync(join(root, bucket), { recursive: true });
      writeFileSync(join(root, bucket, 'k'), bucket);
    }
    const staged = stageSwap(root);
    mkdirSync(join(staged.newContents, 'n'));
    // Halfway out: a moved, b and c still in the root, when a rename failed.
    mkdirSync(staged.oldContents);
    renameSync(join(root, 'a'), join(staged.oldContents, 'a'));
    writeFileSync(join(staged.dir, 'state'), 'out');
    undoSwap(root, staged);
    assert.deepEqual(readdirSync(root).filter((n) => !n.startsWith('.cs-')).sort(), ['a', 'b', 'c']);
    assert.deepEqual(readdirSync(staged.newContents), ['n'], 'the new contents stay staged, the old data did not join them');
  });

  it('is finished when the pid in its name now belongs to another process, one that started at another time', { skip: process.platform !== 'linux' && 'process start times are read from /proc' }, () => {
    const { root, staged } = stagedRoot();
    mkdirSync(staged.oldContents);
    renameSync(join(root, 'old-bucket'), join(staged.oldContents, 'old-bucket'));
    writeFileSync(join(staged.dir, 'state'), 'out');
    // The parent of this test runs, but did not start at time 1.
    renameSync(staged.dir, join(root, `.cs-restore-${process.ppid}.1-reused-pid`));
    const notes = finishRootSwaps(root);
    assert.match(notes[0]!, /cut short before the new data moved in; the data from before it was put back/);
    assert.deepEqual(readdirSync(root).sort(), ['.cs-journal', 'old-bucket']);
  });

  it('is rolled back when the new data had not started moving in', () => {
    const { root, staged } = stagedRoot();
    mkdirSync(staged.oldContents);
    renameSync(join(root, 'old-bucket'), join(staged.oldContents, 'old-bucket'));
    writeFileSync(join(staged.dir, 'state'), 'out');
    const notes = finishRootSwaps(root);
    assert.match(notes[0]!, /cut short before the new data moved in; the data from before it was put back/);
    assert.deepEqual(readdirSync(root).sort(), ['.cs-journal', 'old-bucket']);
  });

  it('keeps both halves, and says where, when its record of how far it got is unreadable', () => {
    const { root, staged } = stagedRoot();
    mkdirSync(staged.oldContents);
    renameSync(join(root, 'old-bucket'), join(staged.oldContents, 'old-bucket'));
    writeFileSync(join(staged.dir, 'state'), '');
    writeFileSync(join(staged.dir, 'advice'), 'Restore "A" again.');
    const notes = finishRootSwaps(root);
    assert.match(notes[0]!, /its record of how far it got cannot be read: the data from before it is kept in .*old.* Restore "A" again\.$/);
    assert.equal(readFileSync(join(staged.oldContents, 'old-bucket', 'k'), 'utf8'), 'old', 'nothing was removed');
    assert.equal(readFileSync(join(staged.newContents, 'new-bucket', 'k'), 'utf8'), 'new');
  });

  it('says what to do when it finished in this folder but the restore as a whole had not ended', () => {
    const { root, staged } = stagedRoot();
    writeFileSync(join(staged.dir, 'state'), 'done');
    writeFileSync(join(staged.dir, 'advice'), 'Restore "A" again, or "before restoring A" to go back.');
    const notes = finishRootSwaps(root);
    assert.match(notes[0]!, /finished there, but the studio stopped before the whole restore had ended\. Restore "A" again/);
    assert.deepEqual(readdirSync(root).sort(), ['.cs-journal', 'old-bucket']);
  });

  it('is finished when the new data was moving in', () => {
    const { root, staged } = stagedRoot();
    mkdirSync(staged.oldContents);
    renameSync(join(root, 'old-bucket'), join(staged.oldContents, 'old-bucket'));
    writeFileSync(join(staged.dir, 'state'), 'in');
    const store = new KeyValueStore(root);
    try {
      assert.match(store.openReport?.warnings.join('\n') ?? '', /cut short while the new data moved in; it was finished/);
      assert.deepEqual(store.buckets(), ['new-bucket']);
      assert.equal(text(store.get('new-bucket', 'k')), 'new');
    } finally {
      store.close();
    }
  });
});
