// What a folder must hold to be opened as a project, decided once for `component-studio dev`
// and the studio's Open (session-target.ts, project-marks.ts): a folder of prebuilt .wasm files
// is refused naming them and saying to open the file, also after serving one of them left its
// `.wash/studio` and `.wash/data` there; an empty folder is refused saying how to start a
// project in it, in words that fit the UI (Create) and the command line (`new`).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findProjectRoot } from '../../runtime/project/project-config.ts';
import { resolveTarget } from '../../runtime/session/session-target.ts';
import { dataFoldersFor } from '../../runtime/snapshots/data-folders.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-marks-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
/** A folder holding `files` (a name ending in / is a folder). */
const folder = (files: string[]) => {
  const dir = join(scratch, `f${counter++}`);
  mkdirSync(dir);
  for (const file of files) {
    if (file.endsWith('/')) mkdirSync(join(dir, file), { recursive: true });
    else {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), file.endsWith('.wasm') ? wasmHeader(file.includes('module') ? 'core' : 'component') : '');
    }
  }
  return dir;
};

/** The 8 bytes that make a file a component or a core module. */
const wasmHeader = (kind: 'component' | 'core') => Buffer.from([0x00, 0x61, 0x73, 0x6d, ...(kind === 'component' ? [0x0d, 0x00, 0x01, 0x00] : [0x01, 0x00, 0x00, 0x00])]);

describe('a folder that is no project', () => {
  it('holding a .wasm file: refused, naming the file and saying to open it', async () => {
    const dir = folder(['counter.wasm', 'notes.txt']);
    const result = await resolveTarget(dir);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'not-a-project');
    assert.match(result.error.message, /is not a component project .*but it holds the component counter\.wasm\./);
    assert.match(result.error.hint ?? '', new RegExp(`open ${join(dir, 'counter.wasm').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} itself \\(Open in the studio, or component-studio dev `));
  });

  it('holding several: names them, a few at most', async () => {
    const dir = folder(['a.wasm', 'b.wasm', 'c.wasm', 'd.wasm', 'e.wasm']);
    const result = await resolveTarget(dir);
    assert.ok(!result.ok);
    assert.match(result.error.message, /holds the components a\.wasm, b\.wasm, c\.wasm and 2 more\./);
    assert.match(result.error.hint ?? '', /open one of them, e\.g\. .*a\.wasm itself/);
  });

  it('holding core modules beside a component: names the component only', async () => {
    const dir = folder(['a-module.wasm', 'counter.wasm']);
    const result = await resolveTarget(dir);
    assert.ok(!result.ok);
    assert.match(result.error.message, /but it holds the component counter\.wasm\.$/);
    assert.match(result.error.hint ?? '', /open .*counter\.wasm itself/);
  });

  it('holding only core modules and other .wasm files: says none is a component, and how a module becomes one', async () => {
    const dir = folder(['a-module.wasm', 'b-module.wasm']);
    writeFileSync(join(dir, 'notes.wasm'), 'text');
    const result = await resolveTarget(dir);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'not-a-project');
    assert.match(result.error.message, /and none of its \.wasm files \(a-module\.wasm, b-module\.wasm and notes\.wasm\) is a component: core modules, or no WebAssembly at all\.$/);
    assert.match(result.error.hint ?? '', /wasm-tools component new/);
  });

  it('with what serving its .wasm left in .wash/ (studio/, data/): still no project', async () => {
    const dir = folder(['counter.wasm', '.wash/studio/traffic/', '.wash/data/keyvalue/']);
    assert.equal(await findProjectRoot(dir), dir);
    const result = await resolveTarget(dir);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'not-a-project');
    assert.match(result.error.message, /counter\.wasm/);
  });

  it('with those leftovers inside a project: belongs to the project above it', async () => {
    const project = folder(['.wash/config.yaml']);
    const inside = join(project, 'components');
    mkdirSync(join(inside, '.wash', 'studio'), { recursive: true });
    writeFileSync(join(inside, 'counter.wasm'), '');
    assert.equal(await findProjectRoot(inside), project);
  });

  it('empty: refused, saying how to start a project in it, for the UI and the command line', async () => {
    const dir = folder([]);
    const result = await resolveTarget(dir);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'not-a-project');
    assert.equal(result.error.message, `${dir} is empty, so it is no component project yet.`);
    assert.equal(result.error.hint, `To start one in it from an example, use Create in the studio's Settings, or run component-studio new ${dir}.`);
  });

  it('with other files: refused with what a project holds, and no "New project" button that does not exist', async () => {
    const result = await resolveTarget(folder(['notes.txt']));
    assert.ok(!result.ok);
    assert.match(result.error.message, /is not a component project: it has no \.wash\/ folder \(in it or above it\), no entry file \(src\/component\.ts, .*\) and no package\.json, Cargo\.toml, go\.mod or wit\//);
    assert.doesNotMatch(result.error.hint ?? '', /New project/);
    assert.match(result.error.hint ?? '', /Create in the studio's Settings, or run component-studio new <new folder>/);
  });
});

describe('a folder that is a project', () => {
  it('by its .wash/ alone, even one holding only data/ and studio/ when no .wasm lies beside it (a project without config that has run)', async () => {
    for (const dir of [folder(['.wash/']), folder(['.wash/studio/', '.wash/data/'])]) {
      const result = await resolveTarget(dir);
      assert.ok(result.ok && result.value.kind === 'project' && result.value.root === dir, JSON.stringify(result));
    }
  });

  it('by an entry file, package.json, Cargo.toml, go.mod or wit/, with or without .wasm files beside', async () => {
    for (const mark of ['src/index.ts', 'package.json', 'Cargo.toml', 'go.mod', 'wit/']) {
      const dir = folder([mark, 'prebuilt.wasm', '.wash/studio/']);
      const result = await resolveTarget(dir);
      assert.ok(result.ok && result.value.kind === 'project' && result.value.root === dir, `${mark}: ${JSON.stringify(result)}`);
    }
  });
});

describe('snapshot commands in a folder of .wasm files', () => {
  it('still find the data the files were served with, in the .wash/data beside them', async () => {
    const dir = folder(['counter.wasm', '.wash/data/keyvalue/']);
    const folders = await dataFoldersFor(dir);
    assert.equal(folders.keyvalue, join(dir, '.wash', 'data', 'keyvalue'));
    assert.equal(folders.blobstore, join(dir, '.wash', 'data', 'blobstore'));
  });
});
