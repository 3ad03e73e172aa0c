// A session's events become log records under `studio`, and a terminal printing the log shows
// them as progress lines, once each; other records print as log lines, above a running step.
// (Serving and the start of real workloads are checked end to end in integration/logs.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { plainText, TerminalPrinter } from '../../runtime/logs/terminal-printer.ts';
import type { BuildRecord, SessionEvent } from '../../runtime/session/session-events.ts';
import { SessionLog, sessionLines } from '../../runtime/session/session-log.ts';
import type { Workload } from '../../runtime/workloads/workload.ts';

const build = (number: number, extra: Partial<BuildRecord> = {}): BuildRecord => ({ number, reason: 'start', startedAt: 0, outcome: 'running', ...extra });
const texts = (events: SessionEvent[], reloading = false) => {
  const state = { reloading, interactive: true };
  return events.flatMap((event) => sessionLines(event, state)).map((line) => plainText(line));
};

/** A session stand-in that reports the events it is given, as a DevSession does. */
class FakeSession {
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  subscribe(listener: (event: SessionEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  report(event: SessionEvent) {
    for (const listener of this.listeners) listener(event);
  }
}

/** A terminal that keeps what is written, without colours (CI may turn them on). */
const terminal = (isTTY = false) => {
  const out = { written: [] as string[], isTTY, write: (text: string) => void out.written.push(text.replace(/\x1b\[[0-9;]*m/g, '')) };
  return out;
};

describe('sessionLines', () => {
  it('says the first build\'s steps, each step ending in an ellipsis', () => {
    assert.deepEqual(
      texts([
        { kind: 'build-started', build: build(1), builder: 'command' },
        { kind: 'build-finished', build: build(1, { buildMs: 1500 }), cached: false },
        { kind: 'phase', phase: 'transpiling' },
        { kind: 'phase', phase: 'starting' },
      ]),
      ['building with build.command…', '✓ built in 1.5 s', 'preparing the component (jco transpile, about 1 s the first time; cached after)…', 'starting workers…'],
    );
  });

  it('says a cached build was taken from the cache', () => {
    assert.deepEqual(texts([{ kind: 'build-finished', build: build(1), cached: true }]), ['✓ build: unchanged, taken from the cache']);
  });

  it('says a reload\'s build while it runs, then one line with its times', () => {
    const reload = build(2, { reason: 'change', buildMs: 120.4, totalMs: 310.6, outcome: 'ok' });
    assert.deepEqual(
      texts(
        [
          { kind: 'build-started', build: reload, builder: 'command' },
          { kind: 'build-finished', build: reload, cached: false },
          { kind: 'phase', phase: 'transpiling' },
          { kind: 'phase', phase: 'starting' },
          { kind: 'reloaded', build: reload, first: false },
        ],
        true,
      ),
      ['↻ build 2: a change was saved, building…', '↻ build 2: reloaded in 311 ms (build 120 ms)'],
    );
  });

  it('says a failed build at error level with its hint, then what happens next', () => {
    const failed = build(3, { outcome: 'failed' });
    const lines = sessionLines({ kind: 'build-failed', build: failed, error: { code: 'build-failed', message: 'The build failed.', hint: 'Fix it.' }, first: false }, { reloading: true, interactive: true });
    assert.deepEqual(
      lines.map((line) => [line.level, plainText(line)]),
      [
        ['error', '✗ build 3 failed: The build failed.\n  hint: Fix it.'],
        ['info', 'the last good version keeps serving; waiting for a fix'],
      ],
    );
  });

  it('says a .wasm file served as it is cannot start, not that a build failed', () => {
    const state = { reloading: false, interactive: true };
    sessionLines({ kind: 'build-started', build: build(1), builder: 'none' }, state);
    const lines = sessionLines({ kind: 'build-failed', build: build(1, { outcome: 'failed' }), error: { code: 'missing-imports', message: 'It imports wasi:webgpu/webgpu@0.0.1.' }, first: true }, state);
    assert.equal(plainText(lines[0]!), '✗ version 1 cannot start: It imports wasi:webgpu/webgpu@0.0.1.');
    assert.equal(plainText(lines[1]!), 'waiting for a new version of the file (r + Enter loads it again · Ctrl+C stops)');
    // The keys are the terminal's; the Logs view gets what the studio waits for.
    assert.equal(lines[1]!.logText, 'waiting for a new version of the file');
  });

  it('says a reload\'s build that a newer change stopped, and nothing of a bare .wasm file\'s build', () => {
    assert.deepEqual(texts([{ kind: 'build-cancelled', build: build(2), by: 'change' }, { kind: 'build-started', build: build(1), builder: 'none' }, { kind: 'build-started', build: build(3), builder: 'none' }]), ['build 2 stopped: a newer change came during it']);
  });

  it('says what stopped a build: a rebuild asked for, or the studio stopping, not a change that never came', () => {
    assert.deepEqual(texts([{ kind: 'build-cancelled', build: build(2), by: 'manual' }]), ['build 2 stopped: a rebuild was asked for during it']);
    assert.deepEqual(texts([{ kind: 'build-cancelled', build: build(3), by: 'stop' }]), ['build 3 stopped: the studio is stopping']);
  });
});

describe('plainText', () => {
  it('drops colours and ends a step with an ellipsis', () => {
    assert.equal(plainText({ text: '\x1b[32m✓\x1b[39m started' }), '✓ started');
    assert.equal(plainText({ text: '\x1b[1mstarting\x1b[22m workers', step: true }), 'starting workers…');
  });
});

describe('SessionLog', () => {
  it('appends what a session reports to the log, under studio, as plain text', () => {
    const logs = new LogBus();
    const session = new FakeSession();
    assert.equal(new SessionLog(logs).follow(session), session);
    session.report({ kind: 'target', description: 'project demo', dataDir: '/data' });
    session.report({ kind: 'build-started', build: build(1), builder: 'command' });
    assert.deepEqual(
      logs.query().map((r) => [r.level, r.source, r.text]),
      [
        ['info', 'studio', 'Component Studio dev · project demo'],
        ['info', 'studio', 'building with build.command…'],
      ],
    );
  });

  it('keeps each session\'s progress apart: a new session starts with its first build\'s steps', () => {
    const logs = new LogBus();
    const sessionLog = new SessionLog(logs);
    const first = sessionLog.follow(new FakeSession());
    first.report({ kind: 'reloaded', build: build(1), first: true });
    first.report({ kind: 'serving', url: 'http://127.0.0.1:8000/', workloads: [], root: undefined, watching: 'on' });
    const second = sessionLog.follow(new FakeSession());
    second.report({ kind: 'phase', phase: 'starting' });
    assert.equal(logs.query().at(-1)?.text, 'starting workers…');
  });

  it('names the root address only for a component that answers there', () => {
    const logs = new LogBus();
    const sessionLog = new SessionLog(logs);
    const workload = (name: string) => ({ info: { name, world: { exports: ['wasi:http/incoming-handler@0.2.0'], imports: [] } } }) as unknown as Workload;
    const [app, caller] = [workload('app'), workload('caller')];
    const served = sessionLog.follow(new FakeSession());
    served.report({ kind: 'serving', url: 'http://127.0.0.1:8000/', workloads: [app, caller], root: app, watching: 'on' });
    const lines = logs.query().map((r) => r.text);
    assert.ok(lines.includes('serving   http://127.0.0.1:8000/ (app)'), lines.join('\n'));
    assert.ok(lines.includes('serving   http://caller.localhost:8000/ (caller)'));
    // The project's own component serves no HTTP: only the others' addresses, and why the root answers 503.
    const noRoot = sessionLog.follow(new FakeSession());
    noRoot.report({ kind: 'serving', url: 'http://127.0.0.1:8000/', workloads: [caller], root: undefined, watching: 'on' });
    const after = logs.query().map((r) => r.text).slice(lines.length);
    assert.ok(!after.some((line) => line.startsWith('serving   http://127.0.0.1:8000/')), after.join('\n'));
    assert.ok(after.includes('serving   http://caller.localhost:8000/ (caller)'));
    assert.ok(after.some((line) => /itself answers 503: the project's own component serves no HTTP/.test(line)));
  });

  it('says saves do not rebuild when the session does not watch (--no-watch)', () => {
    const logs = new LogBus();
    const sessionLog = new SessionLog(logs);
    const watched = sessionLog.follow(new FakeSession());
    watched.report({ kind: 'serving', url: 'http://127.0.0.1:8000/', workloads: [], root: undefined, watching: 'on' });
    // The keys are the terminal's: the Logs view gets the state alone (the terminal's line is tested below).
    assert.equal(logs.query().at(-1)?.text, 'watching for changes');
    const unwatched = sessionLog.follow(new FakeSession());
    unwatched.report({ kind: 'no-http', service: 'svc', watching: 'off' });
    assert.equal(logs.query().at(-1)?.text, 'not watching for changes (--no-watch)');
    // Watching was asked for, but the watcher could not start (its warning came before).
    sessionLog.follow(new FakeSession()).report({ kind: 'no-http', service: 'svc', watching: 'failed' });
    assert.equal(logs.query().at(-1)?.text, 'not watching for changes (it could not start: see above)');
  });

  it('prints its records on a terminal as progress lines, once, and other records as log lines', () => {
    const logs = new LogBus();
    const out = terminal();
    const sessionLog = new SessionLog(logs);
    sessionLog.printTo(new TerminalPrinter(out));
    const session = sessionLog.follow(new FakeSession());
    session.report({ kind: 'build-started', build: build(1), builder: 'command' });
    logs.append({ level: 'info', source: 'build', text: 'compiling', time: Date.UTC(2026, 0, 1, 10, 20, 30, 456) });
    session.report({ kind: 'build-finished', build: build(1, { buildMs: 800 }), cached: false });
    assert.deepEqual(out.written, ['building with build.command…\n', '10:20:30.456 INFO  build compiling\n', '✓ built in 800 ms\n']);
  });

  it('prints the keys to press on the terminal only', () => {
    const logs = new LogBus();
    const out = terminal();
    const sessionLog = new SessionLog(logs);
    sessionLog.printTo(new TerminalPrinter(out));
    sessionLog.follow(new FakeSession()).report({ kind: 'no-http', service: 'svc', watching: 'on' });
    assert.ok(out.written.some((line) => plainText({ text: line }) === 'watching for changes · r + Enter rebuilds · Ctrl+C stops\n'), out.written.join(''));
    assert.equal(logs.query().at(-1)?.text, 'watching for changes');
  });

  it('marks the lines a component logged for a pinned check or a replay', () => {
    const logs = new LogBus();
    const out = terminal();
    new SessionLog(logs).printTo(new TerminalPrinter(out));
    logs.append({ level: 'error', source: 'qrcode', text: 'payload too long', time: Date.UTC(2026, 0, 1, 0, 0, 0, 0), request: 7, by: 'check' });
    assert.deepEqual(out.written, ['00:00:00.000 ERROR qrcode [check] payload too long\n']);
  });

  it('prints a studio record it did not write as a log line', () => {
    const logs = new LogBus();
    const out = terminal();
    new SessionLog(logs).printTo(new TerminalPrinter(out));
    logs.append({ level: 'warn', source: 'studio', text: 'dev.service is not yet supported', time: Date.UTC(2026, 0, 1, 0, 0, 0, 0) });
    assert.deepEqual(out.written, ['00:00:00.000 WARN  studio dev.service is not yet supported\n']);
  });
});

describe('TerminalPrinter on a TTY', () => {
  const record = { seq: 1, time: Date.UTC(2026, 0, 1), level: 'info' as const, source: 'build', text: 'compiling' };

  it('puts a log line above a running step and draws the step again under it', () => {
    const out = terminal(true);
    const printer = new TerminalPrinter(out);
    printer.record({ ...record, source: 'studio', text: 'starting workers…' }, { text: 'starting workers', step: true });
    printer.record(record);
    printer.close();
    assert.match(out.written[0]!, /^\r• starting workers… \d+ ms$/);
    assert.equal(out.written[1], '\r\x1b[2K');
    assert.equal(out.written[2], '00:00:00.000 INFO  build compiling\n');
    assert.match(out.written[3]!, /^\r• starting workers… \d+ ms$/);
    assert.equal(out.written[4], '\r\x1b[2K', 'closing clears the step line');
  });

  it('ends a step with the next progress line, on a line of its own', () => {
    const out = terminal(true);
    const printer = new TerminalPrinter(out);
    printer.record({ ...record, source: 'studio' }, { text: 'starting workers', step: true });
    printer.record({ ...record, source: 'studio' }, { text: '✓ started' });
    assert.deepEqual(out.written.slice(1), ['\r\x1b[2K', '✓ started\n']);
  });
});
