// What the studio opens when started without a project (runtime/studio/launch-state.ts), the
// same for the desktop app and for browser mode (`npm start` without Electron): the last
// project while it can still be opened, else the studio's own copy of the QR example in its
// data folder, made the first time: never the example where the studio is installed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lastProject, LAUNCH_EXAMPLE, launchStateFile, projectToOpen, rememberProject, userExample } from '../../runtime/studio/launch-state.ts';
import { repoRoot } from '../helpers/studio-process.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs launch ü-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = () => {
  const dir = join(scratch, `data ${counter++}`);
  mkdirSync(dir);
  return dir;
};
/** A project folder (a `.wash/` with a config). */
const aProject = () => {
  const dir = join(scratch, `a project ${counter++}`);
  mkdirSync(join(dir, '.wash'), { recursive: true });
  writeFileSync(join(dir, '.wash', 'config.yaml'), 'build:\n  command: "true"\n');
  return dir;
};
const places = (dataDir: string) => ({ bundledExample: LAUNCH_EXAMPLE, dataDir });

describe('the project opened without one given', () => {
  it('is the bundled QR example, as installed with the studio', () => {
    assert.equal(LAUNCH_EXAMPLE, join(repoRoot, 'assets', 'examples', 'qrcode'));
  });

  it('is at first a copy of the example in the data folder, without build output or data', async () => {
    const dataDir = fresh();
    const opened = await projectToOpen(undefined, places(dataDir), () => assert.fail('no warning expected'));
    assert.equal(opened, join(dataDir, 'examples', 'qrcode'));
    assert.ok(existsSync(join(opened, 'src', 'component.ts')));
    assert.ok(existsSync(join(opened, '.wash', 'config.yaml')));
    assert.ok(!existsSync(join(opened, 'dist')));
    assert.ok(!existsSync(join(opened, '.wash', 'data')));
    assert.ok(!existsSync(join(opened, '.wash', 'studio')));
    assert.deepEqual(readdirSync(join(dataDir, 'examples')), ['qrcode'], 'no staging folder is left');
  });

  it('keeps a copy the user changed', async () => {
    const dataDir = fresh();
    const example = await userExample(LAUNCH_EXAMPLE, dataDir);
    writeFileSync(join(example, 'src', 'component.ts'), '// mine');
    assert.equal(await userExample(LAUNCH_EXAMPLE, dataDir), example);
    assert.equal(readFileSync(join(example, 'src', 'component.ts'), 'utf8'), '// mine');
  });

  it('is the last project after that, and the one given when there is one', async () => {
    const dataDir = fresh();
    const project = aProject();
    await rememberProject(launchStateFile(dataDir), project);
    assert.equal(await projectToOpen(undefined, places(dataDir), () => {}), project);
    assert.equal(await projectToOpen('/given', places(dataDir), () => {}), '/given');
  });

  it('falls back to the example, saying why, when the last project is gone or the file is corrupt', async () => {
    const dataDir = fresh();
    const warnings: string[] = [];
    await rememberProject(launchStateFile(dataDir), join(scratch, 'deleted since'));
    assert.equal(await lastProject(launchStateFile(dataDir), (w) => warnings.push(w)), undefined);
    writeFileSync(launchStateFile(dataDir), '{ not json');
    assert.equal(await projectToOpen(undefined, places(dataDir), (w) => warnings.push(w)), join(dataDir, 'examples', 'qrcode'));
    assert.match(warnings[0]!, /The last project, .*deleted since, is gone/);
    assert.match(warnings[1]!, /launch\.json is not valid JSON; it is ignored/);
  });

  it('falls back to the example when the last project can no longer be opened, rather than failing every start', async () => {
    const dataDir = fresh();
    const emptied = join(scratch, `emptied ${counter++}`);
    mkdirSync(emptied);
    await rememberProject(launchStateFile(dataDir), emptied);
    const warnings: string[] = [];
    assert.equal(await projectToOpen(undefined, places(dataDir), (w) => warnings.push(w)), join(dataDir, 'examples', 'qrcode'));
    assert.match(warnings[0]!, /^The last project cannot be opened: .*emptied.* is empty, so it is no component project yet\. Opening the example instead\.$/);
  });
});
