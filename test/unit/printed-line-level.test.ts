// What a component prints is logged at info, whatever the stream, except the first line of
// the crash report a language runtime prints on stderr.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSink, printedLineLevel } from '../../runtime/host/cli.ts';
import type { HostState } from '../../runtime/host/host-state.ts';

describe('the level of a printed line', () => {
  it('is error for the first line of a crash report on stderr, from each language runtime', () => {
    for (const line of [
      "thread 'main' panicked at src/lib.rs:12:5:",
      "thread '<unnamed>' panicked at library/core/src/panicking.rs:221:5:",
      'panic: runtime error: index out of range [3] with length 3',
      'uncaught exception: InvalidStateError: FetchEvent#respondWith can\'t be called twice on the same event',
      'Exception while Exception in event listener for fetch',
      'Traceback (most recent call last):',
    ]) assert.equal(printedLineLevel(line, 'stderr'), 'error', line);
  });

  it('is info for anything else on stderr (debug prints), and for everything on stdout', () => {
    assert.equal(printedLineLevel('connecting to the database', 'stderr'), 'info');
    assert.equal(printedLineLevel('src/component.ts:12:56 Error: boom', 'stderr'), 'info');
    assert.equal(printedLineLevel("thread 'main' panicked at src/lib.rs:12:5:", 'stdout'), 'info');
    assert.equal(printedLineLevel('  panic: is quoted here', 'stderr'), 'info');
  });

  it("is debug for SpiderMonkey's notice that it aborts, which follows every uncaught exception", () => {
    assert.equal(printedLineLevel('Redirecting call to abort() to mozalloc_abort', 'stderr'), 'debug');
    assert.equal(printedLineLevel('Redirecting call to abort() to mozalloc_abort', 'stdout'), 'info');
  });
});

describe('lines a component prints', () => {
  it('become one record each, without the blank lines a runtime puts between parts of a report', () => {
    const logged: [string, string][] = [];
    const sink = new LineSink({ log: (level: string, text: string) => logged.push([level, text]) } as unknown as HostState, 'stderr');
    sink.write(new TextEncoder().encode('uncaught exception: Error: kaboom\n\nStack:\n  \n  handle@src/component.ts:20:62\n'));
    sink.end();
    assert.deepEqual(logged, [
      ['error', 'uncaught exception: Error: kaboom'],
      ['info', 'Stack:'],
      ['info', '  handle@src/component.ts:20:62'],
    ]);
  });
});
