// What the desktop app opens at launch (electron/launch.ts, plain Node): its arguments, the
// example copied to the user's data folder on first launch, and the last project after that.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lastProject, launchStateFile, parseLaunchArgs, projectToOpen, rememberProject, userExample } from '../../electron/launch.ts';
import { repoRoot } from '../helpers/studio-process.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs launch ü-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = () => {
  const dir = join(scratch, `user data ${counter++}`);
  mkdirSync(dir);
  return dir;
};

describe('the desktop app\'s arguments', () => {
  it('take a project path and --port N or --port=N, as the CLI does', () => {
    assert.deepEqual(parseLaunchArgs(['my project', '--port', '8001'], '/home/me'), { target: '/home/me/my project', port: 8001 });
    assert.deepEqual(parseLaunchArgs(['--port=0', '/abs/app.wasm'], '/x'), { target: '/abs/app.wasm', port: 0 });
    assert.deepEqual(parseLaunchArgs([], '/x'), {});
  });

  it('leave Chromium and Electron switches alone', () => {
    assert.deepEqual(parseLaunchArgs(['--no-sandbox', '--inspect=9229', 'proj'], '/x'), { target: '/x/proj' });
  });

  it('refuse a port that is not a whole number in range, naming the option', () => {
    for (const args of [['--port', '1.5'], ['--port=70000'], ['--port'], ['--port', 'abc']]) {
      const parsed = parseLaunchArgs(args, '/x');
      assert.ok('error' in parsed, args.join(' '));
      assert.match(parsed.error, /^--port must be a whole number from 0 to 65535/);
    }
  });
});

describe('the project opened at launch', () => {
  const bundled = join(repoRoot, 'assets', 'examples', 'qrcode');

  it('is on first launch a copy of the example in the user data folder, without build output or data', async () => {
    const userData = fresh();
    const opened = await projectToOpen({}, { bundledExample: bundled, userData }, () => assert.fail('no warning expected'));
    assert.equal(opened, join(userData, 'examples', 'qrcode'));
    assert.ok(existsSync(join(opened, 'src', 'component.ts')));
    assert.ok(existsSync(join(opened, '.wash', 'config.yaml')));
    assert.ok(!existsSync(join(opened, 'dist')));
    assert.ok(!existsSync(join(opened, '.wash', 'data')));
    assert.ok(!existsSync(join(opened, '.wash', 'studio')));
    assert.deepEqual(readdirSync(join(userData, 'examples')), ['qrcode'], 'no staging folder is left');
  });

  it('keeps a copy the user changed', async () => {
    const userData = fresh();
    const example = await userExample(bundled, userData);
    writeFileSync(join(example, 'src', 'component.ts'), '// mine');
    assert.equal(await userExample(bundled, userData), example);
    assert.equal(readFileSync(join(example, 'src', 'component.ts'), 'utf8'), '// mine');
  });

  it('is the last project after that, and the command line\'s when it names one', async () => {
    const userData = fresh();
    const project = join(scratch, `a project ${counter++}`);
    mkdirSync(project);
    await rememberProject(launchStateFile(userData), project);
    assert.equal(await projectToOpen({}, { bundledExample: bundled, userData }, () => {}), project);
    assert.equal(await projectToOpen({ target: '/given' }, { bundledExample: bundled, userData }, () => {}), '/given');
  });

  it('falls back to the example, saying why, when the last project is gone or the file is corrupt', async () => {
    const userData = fresh();
    const warnings: string[] = [];
    await rememberProject(launchStateFile(userData), join(scratch, 'deleted since'));
    assert.equal(await lastProject(launchStateFile(userData), (w) => warnings.push(w)), undefined);
    writeFileSync(launchStateFile(userData), '{ not json');
    assert.equal(await projectToOpen({}, { bundledExample: bundled, userData }, (w) => warnings.push(w)), join(userData, 'examples', 'qrcode'));
    assert.match(warnings[0]!, /The last project, .*deleted since, is gone/);
    assert.match(warnings[1]!, /launch\.json is not valid JSON; it is ignored/);
  });
});
