// Wording the command line prints: one format for the durations it measured (ms below a
// second, seconds with one decimal from there), the note about a componentize build that runs
// long (what is usual first), and the line `npm start` prints when it serves the UI to a
// browser instead of the Electron window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stillRunningNote } from '../../runtime/builders/js-component-builder.ts';
import { plainText } from '../../runtime/logs/terminal-printer.ts';
import type { BuildRecord, SessionEvent } from '../../runtime/session/session-events.ts';
import { sessionLines } from '../../runtime/session/session-log.ts';
import { browserModeNote } from '../../electron/binary.mjs';

const build = (number: number, extra: Partial<BuildRecord> = {}): BuildRecord => ({ number, reason: 'change', startedAt: 0, outcome: 'ok', ...extra });
const lines = (events: SessionEvent[], reloading: boolean) => {
  const state = { reloading, interactive: true };
  return events.flatMap((event) => sessionLines(event, state)).map((line) => plainText(line));
};

describe('durations in the session\'s lines', () => {
  it('a reload says its times in the unit the first build\'s line uses', () => {
    assert.deepEqual(lines([{ kind: 'build-finished', build: build(1, { buildMs: 19_930 }), cached: false }], false), ['✓ built in 19.9 s']);
    assert.deepEqual(lines([{ kind: 'reloaded', build: build(2, { buildMs: 47_712, totalMs: 48_809 }), first: false }], true), ['↻ build 2: reloaded in 48.8 s (build 47.7 s)']);
  });

  it('below a second in whole milliseconds, and a second from 999.5 ms up', () => {
    assert.deepEqual(lines([{ kind: 'reloaded', build: build(3, { buildMs: 999.6, totalMs: 310.4 }), first: false }], true), ['↻ build 3: reloaded in 310 ms (build 1.0 s)']);
  });
});

describe('a componentize build that runs long', () => {
  it('says what is usual before what to look for, and keeps the limit and the way out', () => {
    assert.equal(
      stillRunningNote(30_004),
      "componentize is still running after 30.0 s. That is usual on a busy machine or for a large bundle. It also runs the component's top-level code, so if that code loops, the build waits until it is stopped at 5 minutes; saving a fix stops it sooner.",
    );
  });
});

describe('npm start in browser mode', () => {
  it('names npx install-electron when only Electron\'s binary is missing', () => {
    assert.equal(browserModeNote('binary', undefined), "Electron's binary is not downloaded here (`npx install-electron` fetches it); opening the studio in your browser instead");
    assert.equal(
      browserModeNote('binary', 'no display: DISPLAY and WAYLAND_DISPLAY are unset'),
      "Electron's binary is not downloaded here (`npx install-electron` fetches it), and no window could open anyway (no display: DISPLAY and WAYLAND_DISPLAY are unset); open the studio URL below in a browser",
    );
  });

  it('says the package is missing when it is, and why no window can open when Electron is there', () => {
    assert.equal(browserModeNote('package', undefined), 'Electron is not installed here; opening the studio in your browser instead');
    assert.equal(browserModeNote(undefined, 'CI is set'), 'No window can open here for Electron (CI is set); open the studio URL below in a browser');
  });
});
