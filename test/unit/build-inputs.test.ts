// The JS builder's memo of what a build read: trusted only while every input file and the
// folders they sit in are as recorded, and never recorded while one is fresh enough that a
// change in the same clock tick could go unseen.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inputsMemoFile, rememberInputs, unchangedKey } from '../../runtime/builders/build-inputs.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-build-inputs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A project with two source files, all an hour old, and its memo file. */
function project(): { src: string; files: string[]; memo: string; age(): void } {
  const root = join(scratch, `p${counter++}`);
  const src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  const files = [join(src, 'a.ts'), join(src, 'b.ts')];
  for (const file of files) writeFileSync(file, `export const x = '${file}';\n`);
  const age = () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const path of [...files, src, root]) utimesSync(path, hourAgo, hourAgo);
  };
  age();
  return { src, files, memo: inputsMemoFile(join(scratch, 'cache'), root, files[0]!, join(root, 'wit')), age };
}

describe('the build inputs memo', () => {
  mkdirSync(join(scratch, 'cache'));

  it('gives the recorded key while nothing changed, and nothing for another setup', async () => {
    const p = project();
    assert.equal(await unchangedKey(p.memo, 'v1'), undefined, 'no memo yet');
    await rememberInputs(p.memo, 'v1', 'key-1', p.files);
    assert.equal(await unchangedKey(p.memo, 'v1'), 'key-1');
    assert.equal(await unchangedKey(p.memo, 'v2'), undefined, 'a new builder or componentize-js version');
  });

  it('gives nothing once a file changed, even with its old size and time', async () => {
    const p = project();
    await rememberInputs(p.memo, 'v1', 'key-1', p.files);
    writeFileSync(p.files[1]!, 'export const x = 2;\n');
    assert.equal(await unchangedKey(p.memo, 'v1'), undefined);
    p.age(); // the mtime back as it was; the change time (ctime) still tells
    assert.equal(await unchangedKey(p.memo, 'v1'), undefined);
  });

  it('gives nothing once a file is added beside the inputs or one is removed', async () => {
    const p = project();
    await rememberInputs(p.memo, 'v1', 'key-1', p.files);
    writeFileSync(join(p.src, 'c.ts'), '');
    assert.equal(await unchangedKey(p.memo, 'v1'), undefined, 'a new file could change what an import resolves to');
    const q = project();
    await rememberInputs(q.memo, 'v1', 'key-1', q.files);
    rmSync(q.files[1]!);
    assert.equal(await unchangedKey(q.memo, 'v1'), undefined);
  });

  it('records nothing while an input is fresh, and ignores a corrupt memo', async () => {
    const p = project();
    writeFileSync(p.files[0]!, 'export const fresh = 1;\n');
    await rememberInputs(p.memo, 'v1', 'key-1', p.files);
    assert.equal(await unchangedKey(p.memo, 'v1'), undefined);
    writeFileSync(p.memo, '{ not json');
    assert.equal(await unchangedKey(p.memo, 'v1'), undefined);
  });
});
