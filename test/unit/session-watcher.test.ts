// What a session's watcher says and does when part of a project cannot be watched: a link loop
// is left out with a warning naming it, once, and saves elsewhere still rebuild. The hint about
// the system's file-watch limit is given for those limits only.
import assert from 'node:assert/strict';
import { open, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { BuildOutputs } from '../../runtime/session/build-outputs.ts';
import { SessionNotes } from '../../runtime/session/session-notes.ts';
import { limitHint, watchTarget } from '../../runtime/session/session-watcher.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const scratches: string[] = [];
after(() => Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Long enough for a change event to arrive and its batch to end. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('watchTarget on a project with a link loop in it', () => {
  it('leaves the loop out with one warning per link, naming it, and still rebuilds on a save, before and after the loop is removed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cs-session-loop-'));
    scratches.push(root);
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'component.ts'), 'export const a = 1;\n');
    await symlink('loopb', join(root, 'src', 'loopa'));
    await symlink('loopa', join(root, 'src', 'loopb'));
    const logs = new LogBus();
    let changes = 0;
    const watcher = await watchTarget(
      { kind: 'project', root, dataDir: join(root, '.wash', 'data') },
      { onChange: () => changes++, outputs: new BuildOutputs(() => {}), dataDirs: () => [], notes: new SessionNotes(logs) },
    );
    const warnings = () => logs.query().filter((r) => r.level === 'warn').map((r) => r.text);
    try {
      assert.ok(watcher, `watching started; warned: ${JSON.stringify(warnings())}`);
      await writeFile(join(root, 'src', 'component.ts'), 'export const a = 2;\n');
      await waitUntil(() => changes === 1, () => `the save was a change; warned: ${JSON.stringify(warnings())}`, 10_000);
      // Each change in src/ reads the folder again, and meets the loop again: still said once.
      await writeFile(join(root, 'src', 'other.ts'), 'export const b = 1;\n');
      await settle();
      for (const link of ['loopa', 'loopb']) {
        const about = warnings().filter((w) => w.includes(join('src', link)));
        assert.equal(about.length, 1, JSON.stringify(warnings()));
        assert.match(about[0]!, /link loop/);
      }
      assert.ok(warnings().every((w) => !w.includes('max_user_watches')), JSON.stringify(warnings()));
      await unlink(join(root, 'src', 'loopa'));
      await unlink(join(root, 'src', 'loopb'));
      await settle();
      const before = changes;
      await writeFile(join(root, 'src', 'component.ts'), 'export const a = 3;\n');
      await waitUntil(() => changes > before, () => 'the save after the loop was removed was a change', 10_000);
    } finally {
      await watcher?.close();
    }
  });
});

describe('limitHint', () => {
  it('names the inotify watch limit for ENOSPC from a watch', () => {
    // As Node reports inotify's limit: fs.watch fails with ENOSPC, syscall "watch".
    const error = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached, watch \'/p\''), { code: 'ENOSPC', syscall: 'watch' });
    assert.match(limitHint(error), /fs\.inotify\.max_user_watches/);
  });

  it('names the open-file limit for EMFILE', () => {
    const error = Object.assign(new Error('EMFILE: too many open files, watch'), { code: 'EMFILE', syscall: 'watch' });
    assert.match(limitHint(error), /ulimit -n/);
  });

  it('says nothing of limits for a full disk (ENOSPC from a write) or a link loop', async () => {
    const full = await open('/dev/full', 'w').catch(() => undefined);
    if (full) {
      const error = await full.write('x').then(() => undefined, (err: unknown) => err);
      await full.close();
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
      assert.equal(limitHint(error), '');
    }
    const root = await mkdtemp(join(tmpdir(), 'cs-limit-loop-'));
    scratches.push(root);
    await symlink('loop', join(root, 'loop'));
    const loop = await open(join(root, 'loop')).then(() => undefined, (err: unknown) => err);
    assert.equal((loop as NodeJS.ErrnoException).code, 'ELOOP');
    assert.equal(limitHint(loop), '');
  });
});
