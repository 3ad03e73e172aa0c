// What a session serves, resolved from the path the user gave: a project folder or a .wasm
// file, and the clear errors for nothing there, a file that is no component, and a project
// folder the studio cannot write to (its build and data go inside it, as with wash).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveTarget } from '../../runtime/session/session-target.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-target-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function project(name: string): string {
  const root = join(scratch, name);
  mkdirSync(join(root, '.wash'), { recursive: true });
  writeFileSync(join(root, '.wash', 'config.yaml'), 'build:\n  command: "true"\n');
  return root;
}

/**
 * Makes `dir` read-only for this process: by its mode for a normal user; for root, whom modes
 * do not stop, by a read-only bind mount. Returns the undo, or a reason when neither works.
 */
function makeReadOnly(dir: string): (() => void) | string {
  if (process.platform === 'win32') return 'folder modes do not make a folder read-only on Windows';
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  const bind = spawnSync('mount', ['--bind', dir, dir]);
  if (bind.status !== 0) return `root, and no bind mount here (${bind.stderr?.toString().trim() || bind.error?.message})`;
  const remount = spawnSync('mount', ['-o', 'remount,ro,bind', dir]);
  if (remount.status !== 0) {
    spawnSync('umount', [dir]);
    return `root, and no read-only remount here (${remount.stderr?.toString().trim()})`;
  }
  return () => void spawnSync('umount', [dir]);
}

describe('the session target', () => {
  it('is a project folder, or a .wasm file with its data beside it', async () => {
    const root = project('writable');
    assert.deepEqual(await resolveTarget(join(root, '.wash')), { ok: true, value: { kind: 'project', root, dataDir: join(root, '.wash', 'data') } });
    const wasm = join(scratch, 'app.wasm');
    writeFileSync(wasm, 'not checked here');
    const file = await resolveTarget(wasm);
    assert.ok(file.ok && file.value.kind === 'file' && file.value.dataDir === join(scratch, '.wash', 'data'));
  });

  it('names what is wrong: nothing there, or a file that is not .wasm', async () => {
    const missing = await resolveTarget(join(scratch, 'nope'));
    assert.ok(!missing.ok && missing.error.code === 'target-not-found');
    writeFileSync(join(scratch, 'notes.txt'), '');
    const text = await resolveTarget(join(scratch, 'notes.txt'));
    assert.ok(!text.ok && text.error.code === 'target-not-wasm');
  });

  it('takes COUNTER.WASM as a .wasm file: the case of the name says nothing', async () => {
    const upper = join(scratch, 'COUNTER.WASM');
    writeFileSync(upper, 'not checked here');
    const file = await resolveTarget(upper);
    assert.ok(file.ok && file.value.kind === 'file' && file.value.name === 'COUNTER', JSON.stringify(file));
  });

  it('says what a path is when it is neither a file nor a folder: a link to nowhere, a link loop, a named pipe', async (t) => {
    if (process.platform === 'win32') return t.skip('links need a privilege on Windows, and named pipes are not files there');
    const dangling = join(scratch, 'dangling.wasm');
    symlinkSync(join(scratch, 'unmounted', 'x.wasm'), dangling);
    const gone = await resolveTarget(dangling);
    assert.ok(!gone.ok && gone.error.code === 'target-not-found');
    assert.equal(gone.error.message, `${dangling} is a symbolic link to ${join(scratch, 'unmounted', 'x.wasm')}, which does not exist.`);
    symlinkSync('loop-b.wasm', join(scratch, 'loop-a.wasm'));
    symlinkSync('loop-a.wasm', join(scratch, 'loop-b.wasm'));
    const loop = await resolveTarget(join(scratch, 'loop-a.wasm'));
    assert.ok(!loop.ok && loop.error.code === 'target-not-found');
    assert.match(loop.error.message, /is a symbolic link that leads back to itself \(a link loop\)\.$/);
    const fifo = join(scratch, 'fifo.wasm');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const pipe = await resolveTarget(fifo);
    assert.ok(!pipe.ok && pipe.error.code === 'component-unreadable');
    assert.equal(pipe.error.message, `${fifo} is a named pipe, not a file or a folder.`);
  });

  it('refuses a read-only project folder, saying why and to open a copy', async (t) => {
    const root = project('read-only');
    const undo = makeReadOnly(root);
    if (typeof undo === 'string') return t.skip(`cannot make a read-only folder: ${undo}`);
    try {
      const result = await resolveTarget(root);
      assert.ok(!result.ok, 'a read-only project is refused');
      assert.equal(result.error.code, 'project-read-only');
      assert.match(result.error.message, /read-only here: the studio keeps a project's build \(dist\/\) and data \(\.wash\/data\) inside it/);
      assert.match(result.error.hint ?? '', /Copy the project to a folder you can write to and open the copy/);
    } finally {
      undo();
    }
  });
});
