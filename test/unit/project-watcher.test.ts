// The project watcher reports a save once, however many events the file system sends for it,
// and still reports every save that changes the file, its time, or only its bytes.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProjectWatcher, type ChangeBatch } from '../../runtime/watch/project-watcher.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const scratches: string[] = [];
after(() => Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Long enough for a change event to arrive and its batch to end. */
const SETTLE_MS = 400;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** A minute ago in whole seconds, so setting a file's time to it restores the time exactly. */
const aMinuteAgo = () => new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);

/** Writes `text` and gives the file the time `at`, as a save on a coarse-timed file system may leave it. */
async function writeAt(file: string, text: string, at: Date): Promise<void> {
  await writeFile(file, text);
  await utimes(file, at, at);
}

async function watching() {
  const root = await mkdtemp(join(tmpdir(), 'cs-project-watch-'));
  scratches.push(root);
  await writeFile(join(root, 'main.txt'), 'first\n');
  const batches: ChangeBatch[] = [];
  const errors: Error[] = [];
  const watcher = new ProjectWatcher(root, { ignore: [join(root, 'data')], runtimeData: () => [join(root, 'store')], debounceMs: 20, onError: (e) => errors.push(e) }, (batch) => batches.push(batch));
  await watcher.start();
  const nextBatch = async (count: number) => {
    await waitUntil(() => batches.length >= count, () => `${count} batches arrived; saw ${JSON.stringify(batches)}`, 10_000);
    return batches[count - 1]!.paths;
  };
  return { root, watcher, batches, errors, nextBatch };
}

describe('ProjectWatcher', () => {
  it('reports a save once: more events for a file that did not change since are not changes', async () => {
    const { root, watcher, batches, nextBatch } = await watching();
    try {
      const file = join(root, 'main.txt');
      const then = aMinuteAgo();
      await writeAt(file, 'second\n', then);
      assert.deepEqual(await nextBatch(1), ['main.txt']);
      await settle();
      // Rewriting the same bytes and putting the time back sends events for a file that ends as it was.
      await writeAt(file, 'second\n', then);
      await settle();
      assert.equal(batches.length, 1, JSON.stringify(batches));
      await writeFile(file, 'third\n');
      assert.deepEqual(await nextBatch(2), ['main.txt']);
    } finally {
      await watcher.close();
    }
  });

  it('reports a save that only moves the time (a save without edits rebuilds, as with wash)', async () => {
    const { root, watcher, nextBatch } = await watching();
    try {
      const file = join(root, 'main.txt');
      await writeFile(file, 'second\n');
      await nextBatch(1);
      await settle();
      const later = new Date(Date.now() + 5_000);
      await utimes(file, later, later);
      assert.deepEqual(await nextBatch(2), ['main.txt']);
    } finally {
      await watcher.close();
    }
  });

  it('reports new bytes even when size and time stay the same (file systems with coarse times)', async () => {
    const { root, watcher, nextBatch } = await watching();
    try {
      const file = join(root, 'main.txt');
      const then = aMinuteAgo();
      await writeAt(file, 'aaaa\n', then);
      await nextBatch(1);
      await settle();
      await writeAt(file, 'bbbb\n', then);
      assert.deepEqual(await nextBatch(2), ['main.txt']);
    } finally {
      await watcher.close();
    }
  });

  it('reports a deleted file and a new file, and nothing from ignored folders, run-time data, editor litter or log files', async () => {
    const { root, watcher, batches, errors } = await watching();
    try {
      await mkdir(join(root, 'data'));
      await mkdir(join(root, 'target'));
      await mkdir(join(root, 'store'));
      await writeFile(join(root, 'data', 'k'), 'v');
      await writeFile(join(root, 'store', 'counter'), '1');
      await writeFile(join(root, 'target', 'x.o'), 'x');
      await writeFile(join(root, 'main.txt~'), 'backup');
      // The studio's own output redirected into the project: `dev > dev.log`.
      await writeFile(join(root, 'dev.log'), 'serving http://127.0.0.1:8000/\n');
      await writeFile(join(root, 'Build.LOG'), 'line\n');
      await settle();
      assert.equal(batches.length, 0, JSON.stringify(batches));
      await rm(join(root, 'main.txt'));
      await writeFile(join(root, 'other.txt'), 'new\n');
      // The watcher holds a deletion back a moment (it may be half of an atomic rewrite).
      const reported = () => [...new Set(batches.flatMap((b) => b.paths))].sort();
      await waitUntil(() => reported().length === 2, () => `both were reported; saw ${JSON.stringify(batches)}`, 10_000);
      await settle();
      assert.deepEqual(reported(), ['main.txt', 'other.txt']);
      assert.deepEqual(errors, []);
    } finally {
      await watcher.close();
    }
  });
});

describe('a project with a link loop in it', () => {
  it('starts, skips each link of the loop once (naming it), and reports saves of everything else', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cs-project-loop-'));
    scratches.push(root);
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'main.txt'), 'first\n');
    await symlink('b', join(root, 'src', 'a'));
    await symlink('a', join(root, 'src', 'b'));
    const skipped: string[] = [];
    const errors: Error[] = [];
    const batches: ChangeBatch[] = [];
    const watcher = new ProjectWatcher(root, { ignore: [], debounceMs: 20, onError: (e) => errors.push(e), onSkip: (path, e) => skipped.push(`${path} ${e.code}`) }, (batch) => batches.push(batch));
    try {
      await watcher.start();
      await writeFile(join(root, 'src', 'main.txt'), 'second\n');
      await waitUntil(() => batches.some((b) => b.paths.includes(join('src', 'main.txt'))), () => `the save was reported; saw ${JSON.stringify(batches)}`, 10_000);
      // A new file makes the watcher read src/ again, and meet the loop again.
      await writeFile(join(root, 'src', 'other.txt'), 'new\n');
      await settle();
      assert.deepEqual(skipped.sort(), [`${join(root, 'src', 'a')} ELOOP`, `${join(root, 'src', 'b')} ELOOP`]);
      assert.deepEqual(errors, []);
    } finally {
      await watcher.close();
    }
  });

  it('fails to start watching, or watches, and never ends the process with an error nobody hears, once closed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cs-project-loop-'));
    scratches.push(root);
    await mkdir(join(root, 'src'));
    await symlink('a', join(root, 'src', 'b'));
    await symlink('b', join(root, 'src', 'a'));
    const crashes: unknown[] = [];
    const onUncaught = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      for (let run = 0; run < 3; run++) {
        const watcher = new ProjectWatcher(root, { ignore: [], onError: () => {} }, () => {});
        await watcher.start().catch(() => {});
        await watcher.close();
        await settle();
      }
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.deepEqual(crashes, []);
  });
});
