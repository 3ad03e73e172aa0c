// The desktop app's arguments (electron/launch.ts, plain Node). What it opens without one is
// runtime/studio/launch-state.ts, shared with browser mode: test/unit/launch-state.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLaunchArgs } from '../../electron/launch.ts';

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
