// Loading the seed data a project ships (.wash/seed-data.tar.gz), in process on real folders:
// offered while the data folders are empty, however the data came (a key still only in the
// journal counts); loaded at once into empty folders; refused over data unless the caller
// says to replace it, with the buckets and containers it would replace named, and then the
// data replaced kept as "before restoring seed data".
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dataFoldersFor } from '../../runtime/snapshots/data-folders.ts';
import { openLiveData, type LiveData } from '../../runtime/snapshots/live-data.ts';
import { ProjectSnapshots } from '../../runtime/snapshots/project-snapshots.ts';
import { SnapshotError } from '../../runtime/snapshots/snapshot-error.ts';
import { repoRoot } from '../helpers/studio-process.ts';

const temp = mkdtempSync(join(tmpdir(), 'studio-seed-'));
const opened: (LiveData & { close(): void })[] = [];
after(() => {
  for (const live of opened) live.close();
  rmSync(temp, { recursive: true, force: true });
});

let projects = 0;
/** A project that ships the QR example's seed data, its data opened in this process. */
async function project(): Promise<{ live: LiveData; snapshots: ProjectSnapshots }> {
  const dir = join(temp, `p${projects++}`);
  mkdirSync(join(dir, '.wash'), { recursive: true });
  writeFileSync(join(dir, '.wash', 'config.yaml'), 'version: 1\n');
  copyFileSync(join(repoRoot, 'assets', 'examples', 'qrcode', '.wash', 'seed-data.tar.gz'), join(dir, '.wash', 'seed-data.tar.gz'));
  const live = openLiveData(await dataFoldersFor(dir));
  opened.push(live);
  return { live, snapshots: new ProjectSnapshots(() => live) };
}

const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString());

describe('seed data', () => {
  it('is offered while the data folders are empty, and loads at once into them', async () => {
    const { live, snapshots } = await project();
    assert.equal(snapshots.seedOffer()?.dataEmpty, true);
    const done = await snapshots.loadSeed();
    assert.equal(done.restored.name, 'seed data');
    assert.equal(text(live.keyvalue.get('qrcode', 'generated')), '3');
    assert.equal(snapshots.seedOffer()?.dataEmpty, false);
  });

  it('is not offered once anything is written, even a key the journal holds and no file yet', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('', 'at-the-root', Buffer.from('x'));
    assert.equal(snapshots.seedOffer()?.dataEmpty, false);
  });

  it('is refused over data, naming the buckets and containers it would replace, and changes nothing', async () => {
    const { live, snapshots } = await project();
    live.keyvalue.set('qrcode', 'generated', Buffer.from('1'));
    live.blobstore.createContainer('qrcodes');
    live.blobstore.put('qrcodes', '000001-mine.png', Buffer.from('mine'));
    await assert.rejects(snapshots.loadSeed(), (error: unknown) => {
      assert.ok(error instanceof SnapshotError);
      assert.equal(error.code, 'seed-would-replace');
      assert.match(error.message, /key-value bucket "qrcode"; blob container "qrcodes"/);
      assert.match(error.hint ?? '', /replace: true/);
      return true;
    });
    assert.throws(() => snapshots.seedToLoad(), /not empty/);
    assert.equal(text(live.keyvalue.get('qrcode', 'generated')), '1');
    assert.deepEqual(snapshots.list().map((s) => s.name), [], 'not even the seed was imported');
  });

  it('replaces the data when the caller says so, keeping it as "before restoring seed data"', async () => {
    const { live, snapshots } = await project();
    live.blobstore.createContainer('qrcodes');
    live.blobstore.put('qrcodes', '000001-mine.png', Buffer.from('mine'));
    const done = await snapshots.loadSeed({}, { replace: true });
    assert.equal(done.before.name, 'before restoring seed data');
    assert.equal(live.blobstore.list('qrcodes').objects.some((o) => o.name === '000001-mine.png'), false);
    assert.equal(text(live.keyvalue.get('qrcode', 'generated')), '3');
  });
});
