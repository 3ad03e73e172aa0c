// Snapshots of a running studio's data, through the CLI as a user runs it: the CLI asks the
// studio (its channel takes only its own token, never a web page), a restore under a steady
// request load fails no request and the component reads the restored data at once, and the
// same commands work on the folders directly when no studio runs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeProject, probe } from '../helpers/store-probe.ts';
import { repoRoot, runStudio, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

let tempDir: string;
let dir: string;
let studio: StudioProcess;
const kv = probe(() => studio);

before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'studio-snapshots-cli-'));
  dir = await makeProject(tempDir, 'version: 1\n');
  studio = await startStudio(dir);
});
after(async () => {
  await studio?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

const snapshot = (...args: string[]) => runStudio(['snapshot', ...args]);

describe('snapshot commands with a studio running', () => {
  it('are done by the studio, and restore while requests are served, failing none', async () => {
    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'b1' }, 'three boards');
    await kv.ok('POST', '/kv/increment', { bucket: 'counters', key: 'n', delta: 5 });
    const saved = await snapshot('save', 'three boards', dir, '--note', 'the demo state');
    assert.equal(saved.code, 0, saved.output);
    assert.match(saved.output, new RegExp(`saved "three boards": 2 keys in 2 buckets, 0 objects in 0 containers .* \\(by the studio, process ${studio.child.pid}\\)`));

    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'b1' }, 'changed');
    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'b2' }, 'added');

    // A steady load of reads and writes while the data is swapped underneath.
    let stop = false;
    const failures: string[] = [];
    let requests = 0;
    const load = Array.from({ length: 4 }, async (_, n) => {
      while (!stop) {
        const res = n % 2 === 0 ? await fetch(new URL('/kv/get?bucket=boards&key=b1', studio.url)) : await fetch(new URL(`/kv/increment?bucket=counters&key=load${n}&delta=1`, studio.url), { method: 'POST' });
        requests++;
        const body = await res.text();
        if (res.status !== 200 || body.includes('"err"')) failures.push(`${res.status} ${body}`);
      }
    });
    const restored = await snapshot('restore', 'three boards', dir);
    stop = true;
    await Promise.all(load);
    assert.equal(restored.code, 0, restored.output);
    assert.match(restored.output, /restored "three boards" .*by the studio.*; the data before it is kept as "before restoring three boards"/);
    assert.ok(requests > 0);
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed during the restore`);

    const value = await kv.ok<{ text: string } | null>('GET', '/kv/get', { bucket: 'boards', key: 'b1' });
    assert.equal(value?.text, 'three boards');
    assert.equal(await kv.ok('GET', '/kv/get', { bucket: 'boards', key: 'b2' }), null);
    assert.equal(await kv.ok('POST', '/kv/increment', { bucket: 'counters', key: 'n', delta: 1 }), 6);

    const listed = await snapshot('list', dir);
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, /three boards .*\n {4}the demo state/);
    assert.match(listed.output, /before restoring three boards/);
  });

  it('export and import through the studio, saying what a restore would replace', async () => {
    const file = join(tempDir, 'demo.tar.gz');
    const exported = await snapshot('export', 'three boards', file, dir);
    assert.equal(exported.code, 0, exported.output);
    await kv.ok('PUT', '/kv/set', { bucket: 'boards', key: 'b9' }, 'new since');
    const taken = await snapshot('import', file, dir);
    assert.notEqual(taken.code, 0);
    assert.match(taken.output, /A snapshot named "three boards" already exists[\s\S]*--name NAME/);
    const imported = await snapshot('import', file, dir, '--name', 'shared');
    assert.equal(imported.code, 0, imported.output);
    assert.match(imported.output, /imported "shared" from .*demo\.tar\.gz: 2 keys in 2 buckets/);
    assert.match(imported.output, /restoring it would replace the current data: \d+ changed, \d+ removed, \d+ added/);
    const deleted = await snapshot('delete', 'shared', dir);
    assert.equal(deleted.code, 0, deleted.output);
  });

  it('export names what the archive cannot hold: a link in the data', { skip: process.platform === 'win32' && 'links need privileges' }, async () => {
    const link = join(dir, '.wash', 'data', 'keyvalue', 'boards', 'link');
    symlinkSync(join(tempDir, 'elsewhere.txt'), link);
    try {
      assert.equal((await snapshot('save', 'with a link', dir)).code, 0);
      const exported = await snapshot('export', 'with a link', join(tempDir, 'link.tar.gz'), dir);
      assert.equal(exported.code, 0, exported.output);
      assert.match(exported.output, /warn\S* left out of the archive, which cannot hold links, pipes or names that are not UTF-8: keyvalue\/boards\/link\. The snapshot itself still has it/);
    } finally {
      unlinkSync(link);
      await snapshot('delete', 'with a link', dir);
    }
  });

  it('fail with a clear message and a non-zero exit', async () => {
    const missing = await snapshot('restore', 'no such', dir);
    assert.equal(missing.code, 1);
    assert.match(missing.output, /There is no snapshot named "no such" in .*snapshots\.\n {2}hint: The snapshots are: /);
    const usage = await snapshot('export', 'only-a-name');
    assert.equal(usage.code, 2);
    assert.match(usage.output, /snapshot export needs a NAME and a FILE/);
    const flag = await snapshot('save', 'x', dir, '--name', 'y');
    assert.equal(flag.code, 2);
    assert.match(flag.output, /snapshot save does not take --name/);
    // An export to a folder that does not exist, or to a folder, fails; the studio serves on.
    const nowhere = await snapshot('export', 'three boards', join(tempDir, 'no', 'such', 'x.tar.gz'), dir);
    assert.equal(nowhere.code, 1, nowhere.output);
    assert.match(nowhere.output, /the folder .*no[/\\]such does not exist\.\n {2}hint: Create the folder first/);
    // A file that exists is replaced only when asked.
    const taken = join(tempDir, 'notes.txt');
    writeFileSync(taken, 'my notes');
    const refused = await snapshot('export', 'three boards', taken, dir);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /that file already exists\.\n {2}hint: Give another file name, or pass --force to replace it\./);
    assert.equal(readFileSync(taken, 'utf8'), 'my notes');
    const forced = await snapshot('export', 'three boards', taken, dir, '--force');
    assert.equal(forced.code, 0, forced.output);
    assert.notEqual(readFileSync(taken, 'utf8'), 'my notes');
    const folder = await snapshot('export', 'three boards', tempDir, dir);
    assert.equal(folder.code, 1, folder.output);
    assert.match(folder.output, /it is a folder\.\n {2}hint: Give the file to write/);
    assert.equal((await kv.ok<{ text: string } | null>('GET', '/kv/get', { bucket: 'boards', key: 'b1' }))?.text, 'three boards');
  });

  it('reach the studio only with its token, and never from a web page', async () => {
    const notes = join(repoRoot, '.cache', 'config', 'studios');
    const note = JSON.parse(readFileSync(join(notes, `${studio.child.pid}.json`), 'utf8')) as { port: number; token: string };
    const body = JSON.stringify({ command: 'snapshots.list', args: {}, keyvalue: join(dir, '.wash', 'data', 'keyvalue') });
    const url = `http://127.0.0.1:${note.port}/snapshots`;
    const good = await fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${note.token}` } });
    assert.equal(good.status, 200);
    assert.equal(((await good.json()) as { ok: boolean }).ok, true);
    assert.equal((await fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${note.token.slice(1)}x` } })).status, 403);
    assert.equal((await fetch(url, { method: 'POST', body })).status, 403);
    assert.equal((await fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${note.token}`, origin: 'http://evil.example' } })).status, 403);
    const other = await fetch(url, { method: 'POST', body: JSON.stringify({ command: 'snapshots.list', args: {}, keyvalue: '/somewhere/else' }), headers: { authorization: `Bearer ${note.token}` } });
    assert.equal(other.status, 409);
    const refused = await fetch(url, { method: 'POST', body: JSON.stringify({ command: 'kv.set', args: {}, keyvalue: join(dir, '.wash', 'data', 'keyvalue') }), headers: { authorization: `Bearer ${note.token}` } });
    assert.equal(refused.status, 400);
    assert.equal(statSync(join(notes, `${studio.child.pid}.json`)).mode & 0o077, 0, 'the note is readable by its user only');
  });
});

describe('snapshot commands with no studio running', () => {
  it('work on the folders directly', async () => {
    const other = await makeProject(join(tempDir, 'direct'), 'version: 1\n');
    const empty = await snapshot('save', 'empty', other);
    assert.equal(empty.code, 0, empty.output);
    assert.doesNotMatch(empty.output, /by the studio/);
    assert.match(empty.output, /saved "empty": 0 keys in 0 buckets/);
    const listed = await snapshot('list', other);
    assert.match(listed.output, /^empty /m);
    const restored = await snapshot('restore', 'empty', other);
    assert.equal(restored.code, 0, restored.output);
  });

  it('remove the working folder a killed save left, before they exit', async () => {
    const other = await makeProject(join(tempDir, 'leftover'), 'version: 1\n');
    assert.equal((await snapshot('save', 'first', other)).code, 0);
    const catalogue = join(other, '.wash', 'data', 'snapshots');
    // As `snapshot save` killed mid-copy leaves it: the folder of a process that is gone.
    const leftover = join(catalogue, '.cs-making-999999999-x');
    for (let i = 0; i < 200; i++) await mkdir(join(leftover, 'keyvalue', `b${i}`), { recursive: true });
    const listed = await snapshot('list', other);
    assert.equal(listed.code, 0, listed.output);
    assert.equal(existsSync(leftover), false, 'the leftover is still there');
  });
});
