// Exported snapshots on real folders: an export imports back with every checksum verified
// (and removes what a killed export to the same file left), and an archive that was tampered
// with, names a path out of the data, holds a link, or is not an archive at all is refused
// with a clear error and nothing changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { extract, pack, type Header } from 'tar-stream';
import { dataFoldersFor } from '../../runtime/snapshots/data-folders.ts';
import { openLiveData, type LiveData } from '../../runtime/snapshots/live-data.ts';
import { ProjectSnapshots } from '../../runtime/snapshots/project-snapshots.ts';

const temp = mkdtempSync(join(tmpdir(), 'studio-snapshot-archive-'));
let live: LiveData & { close(): void };
let snapshots: ProjectSnapshots;
let exported: string;

before(async () => {
  const dir = join(temp, 'project');
  mkdirSync(join(dir, '.wash'), { recursive: true });
  writeFileSync(join(dir, '.wash', 'config.yaml'), 'version: 1\n');
  live = openLiveData(await dataFoldersFor(dir));
  snapshots = new ProjectSnapshots(() => live);
  live.keyvalue.set('boards', 'board:1', Buffer.from('{"title":"one"}'));
  live.keyvalue.set('boards', 'empty', new Uint8Array(0));
  live.keyvalue.createBucket('no-keys');
  live.blobstore.createContainer('files');
  live.blobstore.put('files', 'deep/er/file.bin', Buffer.alloc(300_000, 7));
  await snapshots.save({ name: 'demo', note: 'three boards' });
  exported = join(temp, 'demo.tar.gz');
  await snapshots.export('demo', exported);
});
after(() => {
  live?.close();
  rmSync(temp, { recursive: true, force: true });
});

interface Item {
  header: Header;
  data: Buffer;
}

/** The entries of a .tar.gz, to change and pack again. */
async function entries(file: string): Promise<Item[]> {
  const reader = extract();
  const items: Item[] = [];
  const done = (async () => {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      items.push({ header: entry.header, data: Buffer.concat(chunks) });
    }
  })();
  reader.end(gunzipSync(readFileSync(file)));
  await done;
  return items;
}

async function packed(items: Item[], name: string): Promise<string> {
  const tar = pack({});
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of tar as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const item of items) {
    await new Promise<void>((resolve, reject) => tar.entry({ ...item.header, size: item.data.length }, item.data, (error) => (error ? reject(error) : resolve())));
  }
  tar.finalize();
  await collected;
  const file = join(temp, name);
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
  return file;
}

const manifestOf = (items: Item[]) => JSON.parse(items[0]!.data.toString()) as { files: { path: string; size: number; sha256: string }[] };

/** Nothing changed: the same snapshots, and no working folder left behind. */
function assertUnchanged(): void {
  assert.deepEqual(snapshots.list().map((s) => s.name), ['demo']);
  assert.deepEqual(readdirSync(snapshots.catalogue.dir).filter((n) => n.startsWith('.cs-')), []);
}

describe('snapshot archives', () => {
  it('hold a manifest first, with each file\'s size and SHA-256', async () => {
    const items = await entries(exported);
    assert.equal(items[0]!.header.name, 'snapshot.json');
    const manifest = manifestOf(items) as ReturnType<typeof manifestOf> & { format: string; snapshot: { name: string; note: string }; folders: string[] };
    assert.equal(manifest.format, 'component-studio-snapshot');
    assert.equal(manifest.snapshot.note, 'three boards');
    assert.deepEqual(manifest.folders, ['keyvalue/no-keys']);
    const file = manifest.files.find((f) => f.path === 'blobstore/files/deep/er/file.bin')!;
    assert.equal(file.size, 300_000);
    assert.equal(file.sha256, createHash('sha256').update(Buffer.alloc(300_000, 7)).digest('hex'));
    assert.ok(manifest.files.some((f) => f.path === 'keyvalue/boards/board%3A1'));
  });

  it('import back whole, under the name in the archive or another', async () => {
    await assert.rejects(snapshots.import(exported), { code: 'snapshot-exists' });
    const copy = await snapshots.import(exported, 'demo copy');
    assert.equal(copy.description?.kind, 'imported');
    assert.equal(copy.description?.note, 'three boards');
    const comparison = await snapshots.compare('demo', 'demo copy');
    assert.deepEqual([comparison.added, comparison.removed, comparison.changed, comparison.unchanged], [0, 0, 0, 3]);
    assert.ok(existsSync(join(copy.dir, 'keyvalue', 'no-keys')), 'an empty bucket travels too');
    await snapshots.delete('demo copy');
  });

  it('name what an archive cannot hold (a link, a name that is not UTF-8) and hold the rest', { skip: process.platform !== 'linux' && 'names that are not UTF-8 are a Linux matter' }, async () => {
    const bucket = join(live.folders.keyvalue, 'odd');
    mkdirSync(bucket);
    writeFileSync(join(bucket, 'plain'), 'kept');
    symlinkSync(join(temp, 'outside.txt'), join(bucket, 'link'));
    writeFileSync(Buffer.concat([Buffer.from(`${bucket}/b`), Buffer.of(0xff)]), 'raw name');
    try {
      await snapshots.save({ name: 'odd' });
      const archive = join(temp, 'odd.tar.gz');
      const done = await snapshots.export('odd', archive);
      assert.deepEqual(done.leftOut.sort(), ['keyvalue/odd/b\ufffd', 'keyvalue/odd/link']);
      const names = (await entries(archive)).map((item) => item.header.name);
      assert.ok(names.includes('keyvalue/odd/plain'), names.join(', '));
      assert.ok(!names.some((name) => name.startsWith('keyvalue/odd/') && name !== 'keyvalue/odd/plain'), names.join(', '));
      assert.deepEqual((await snapshots.export('demo', join(temp, 'demo-again.tar.gz'))).leftOut, [], 'a plain snapshot leaves nothing out');
    } finally {
      rmSync(bucket, { recursive: true, force: true });
      await snapshots.delete('odd').catch(() => {});
    }
  });

  it('say what an archive holds from its entries, not from the counts its description gives', async () => {
    const items = await entries(exported);
    const manifest = JSON.parse(items[0]!.data.toString()) as { snapshot: { keyvalue: Record<string, unknown>; blobstore: Record<string, unknown> } };
    manifest.snapshot.keyvalue = { present: true, folders: 40, files: 9_000, bytes: 1 };
    manifest.snapshot.blobstore = { present: false, folders: 0, files: 0, bytes: 0 };
    items[0]!.data = Buffer.from(JSON.stringify(manifest));
    const imported = await snapshots.import(await packed(items, 'boasting.tar.gz'), 'counted');
    assert.deepEqual(imported.description?.keyvalue, { present: true, folders: 2, files: 2, bytes: Buffer.byteLength('{"title":"one"}') });
    assert.deepEqual(imported.description?.blobstore, { present: true, folders: 1, files: 1, bytes: 300_000 });
    await snapshots.delete('counted');
  });

  it('make no folder the manifest does not list (a folder entry added to the archive)', async () => {
    const items = await entries(exported);
    items.splice(1, 0, { header: { name: 'keyvalue/stray/', type: 'directory', mode: 0o755 } as Header, data: Buffer.alloc(0) });
    const imported = await snapshots.import(await packed(items, 'stray.tar.gz'), 'stray');
    assert.equal(existsSync(join(imported.dir, 'keyvalue', 'stray')), false);
    assert.equal(imported.description?.keyvalue.folders, 2);
    await snapshots.delete('stray');
  });

  it('refuse a file whose bytes were changed, naming it', async () => {
    const items = await entries(exported);
    const target = items.find((i) => i.header.name === 'keyvalue/boards/board%3A1')!;
    target.data = Buffer.from('{"title":"TWO"}');
    await assert.rejects(snapshots.import(await packed(items, 'tampered.tar.gz'), 'x'), { code: 'archive-tampered', message: /"keyvalue\/boards\/board%3A1": its checksum does not match the manifest/ });
    assertUnchanged();
  });

  it('refuse a file that is not in the manifest, or missing from the archive', async () => {
    const items = await entries(exported);
    await assert.rejects(snapshots.import(await packed([...items, { header: { name: 'keyvalue/boards/extra', type: 'file', mode: 0o644 } as Header, data: Buffer.from('x') }], 'extra.tar.gz'), 'x'), { code: 'archive-tampered', message: /is not in its manifest/ });
    await assert.rejects(snapshots.import(await packed(items.filter((i) => !i.header.name.endsWith('file.bin')), 'missing.tar.gz'), 'x'), { code: 'archive-tampered', message: /in the manifest but not in the archive/ });
    assertUnchanged();
  });

  it('refuse paths that would escape the data, and links', async () => {
    const items = await entries(exported);
    const manifest = manifestOf(items);
    const evil = (path: string, extra: Partial<Header> = {}) => {
      const data = Buffer.from('pwned');
      const withEntry = { ...manifest, files: [...manifest.files, { path, size: data.length, sha256: createHash('sha256').update(data).digest('hex') }] };
      return [{ header: items[0]!.header, data: Buffer.from(JSON.stringify(withEntry)) }, ...items.slice(1), { header: { name: path, type: 'file', mode: 0o644, ...extra } as Header, data }];
    };
    for (const path of ['keyvalue/../../escaped', '../escaped', '/etc/escaped', 'keyvalue/boards/.cs-journal', 'elsewhere/file', 'volumes/0/.cs-restore-1-x/new/f']) {
      await assert.rejects(snapshots.import(await packed(evil(path), 'evil.tar.gz'), 'x'), { code: 'archive-unsafe', message: /cannot be part of a snapshot/ }, path);
    }
    const link = [...items, { header: { name: 'keyvalue/boards/link', type: 'symlink', linkname: '/etc/passwd', mode: 0o777 } as Header, data: Buffer.alloc(0) }];
    await assert.rejects(snapshots.import(await packed(link, 'link.tar.gz'), 'x'), { code: 'archive-unsafe', message: /symlink, not a plain file/ });
    assert.equal(existsSync(join(temp, 'escaped')), false);
    assert.equal(existsSync(join(snapshots.catalogue.dir, '..', 'escaped')), false);
    assertUnchanged();
  });

  it('refuse an archive whose files would not fit on the disk, before writing any', async () => {
    const items = await entries(exported);
    const manifest = manifestOf(items);
    // A small archive may declare a huge file (of zeros, say): its manifest is read first.
    manifest.files[0]!.size = 2 ** 50;
    const bomb = [{ header: items[0]!.header, data: Buffer.from(JSON.stringify(manifest)) }, ...items.slice(1)];
    await assert.rejects(snapshots.import(await packed(bomb, 'bomb.tar.gz'), 'x'), { code: 'archive-too-large', message: /unpacks to 1048576\.0 GiB, and the disk that holds the snapshots has/ });
    assertUnchanged();
  });

  it('refuse what is not a snapshot archive', async () => {
    const notGzip = join(temp, 'not.tar.gz');
    writeFileSync(notGzip, 'hello, not an archive');
    await assert.rejects(snapshots.import(notGzip, 'x'), { code: 'archive-invalid', message: /is not a readable snapshot archive/ });
    const items = await entries(exported);
    await assert.rejects(snapshots.import(await packed(items.slice(1), 'no-manifest.tar.gz'), 'x'), { code: 'archive-invalid', message: /does not start with snapshot.json/ });
    await assert.rejects(snapshots.import(join(temp, 'nowhere.tar.gz'), 'x'), { code: 'archive-not-found' });
    assertUnchanged();
  });

  it('remove the partial files that killed exports to the same file left, keeping a running export\'s', async () => {
    const target = join(temp, 'again.tar.gz');
    // As `snapshot export` killed mid-write leaves it: the temp file of a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const killed = `${target}.${gone}.partial`;
    const running = `${target}.${process.ppid}.partial`;
    const otherTarget = join(temp, `other.tar.gz.${gone}.partial`);
    for (const file of [killed, running, otherTarget]) writeFileSync(file, 'half an archive');
    await snapshots.export('demo', target);
    assert.equal(existsSync(killed), false, 'the killed export\'s partial file is still there');
    assert.equal(existsSync(running), true);
    assert.equal(existsSync(otherTarget), true, 'only partial files of the same target are removed');
    assert.ok(existsSync(target));
  });

  it('say a full disk is full, leave no partial file, and do not end the process', async () => {
    live.blobstore.put('files', 'noise.bin', randomBytes(4 * 2 ** 20));
    await snapshots.save({ name: 'noisy' });
    live.blobstore.delete('files', ['noise.bin']);
    const target = join(temp, 'full.tar.gz');
    // The export writes to this temp name first: /dev/full fails every write with ENOSPC.
    const partial = `${target}.${process.pid}.partial`;
    symlinkSync('/dev/full', partial);
    await assert.rejects(snapshots.export('noisy', target), (error: { code?: string; hint?: string }) => error.code === 'snapshot-failed' && /Free some space/.test(error.hint ?? ''));
    assert.equal(lstatSync(partial, { throwIfNoEntry: false }), undefined);
    assert.equal(existsSync(target), false);
    await snapshots.delete('noisy');
  });
});
