// The desktop app's arguments (electron/launch.ts, plain Node): where they start in argv, what
// a second launch hands over, what a restart is given; and the login shell's PATH a packaged
// app starts with (electron/login-shell-path.ts). What it opens without an argument is
// runtime/studio/launch-state.ts, shared with browser mode: test/unit/launch-state.test.ts.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appArguments, launchRequest, parseLaunchArgs, relaunchArguments } from '../../electron/launch.ts';
import { loginShellPath, mergedPath } from '../../electron/login-shell-path.ts';

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

describe('where the app\'s arguments start', () => {
  const script = '/work/studio/dist/main.mjs';

  it('after the executable when packaged', () => {
    assert.deepEqual(appArguments(['/opt/Component Studio/component-studio', 'proj', '--port', '8001'], '/x'), ['proj', '--port', '8001']);
  });

  it('after the script when not, wherever switches before it put it (Playwright\'s --inspect=0), relative or not', () => {
    assert.deepEqual(appArguments(['/bin/electron', 'dist/main.mjs', 'proj'], '/work/studio', script), ['proj']);
    assert.deepEqual(appArguments(['/bin/electron', '--inspect=0', '--remote-debugging-port=0', '--no-sandbox', script, 'proj', '--port=0'], '/elsewhere', script), ['proj', '--port=0']);
    // A script not found (`electron .`): the second argument on, as before.
    assert.deepEqual(appArguments(['/bin/electron', '.', 'proj'], '/work/studio', script), ['proj']);
  });
});

describe('a second launch\'s request', () => {
  it('is what that launch read from its own arguments', () => {
    assert.deepEqual(launchRequest({ target: '/home/me/proj', port: 8001 }), { target: '/home/me/proj', port: 8001 });
    assert.deepEqual(launchRequest({}), {});
    assert.deepEqual(launchRequest({ error: '--port must be a whole number from 0 to 65535, not "x".' }), { error: '--port must be a whole number from 0 to 65535, not "x".' });
  });

  it('is none when the data is not one (an older version of the app sent nothing), so argv is read instead', () => {
    for (const data of [undefined, null, 'proj', { target: 42 }, { port: 70000 }, { port: 1.5 }]) assert.equal(launchRequest(data), undefined, JSON.stringify(data));
  });
});

describe('a restart\'s arguments', () => {
  it('reopen the project open now, on the port the app was started with', () => {
    assert.deepEqual(relaunchArguments('/home/me/other', 8001), ['/home/me/other', '--port=8001']);
    assert.deepEqual(relaunchArguments('/home/me/other', undefined, '/work/studio/dist/main.mjs'), ['/work/studio/dist/main.mjs', '/home/me/other']);
  });
});

describe('the login shell\'s PATH', { skip: process.platform === 'win32' && 'Windows apps get the user\'s PATH' }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cs login shell-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is read from a login shell, as a terminal starts it', async () => {
    const path = await loginShellPath('/bin/sh');
    assert.ok(path && path.split(delimiter).some((dir) => dir.endsWith('bin')), `a PATH: ${path}`);
  });

  it('is given up on, without waiting, when the shell does not answer in time or is no shell', async () => {
    const stuck = join(scratch, 'stuck-shell');
    writeFileSync(stuck, '#!/bin/sh\ntrap "" TERM\nexec sleep 30\n');
    chmodSync(stuck, 0o755);
    const started = Date.now();
    assert.equal(await loginShellPath(stuck, 300), undefined);
    assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
    assert.equal(await loginShellPath(join(scratch, 'no-such-shell')), undefined);
  });

  it('comes first, then the folders the app had that it lacks, each once', () => {
    const [a, b, c] = ['/opt/homebrew/bin', '/usr/bin', '/Users/me/.cargo/bin'];
    assert.equal(mergedPath([c, a, b].join(delimiter), [b, '/bin'].join(delimiter)), [c, a, b, '/bin'].join(delimiter));
    assert.equal(mergedPath(a, undefined), a);
  });
});
