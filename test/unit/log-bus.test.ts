// The log bus keeps the newest records in a ring buffer, answers queries over them, and fans
// new records out to subscribers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLogLevel, LogBus, loggerFor, type LogInput, type LogLevel } from '../../runtime/logs/log-bus.ts';
import { LineSplitter, MAX_LINE_CHARS } from '../../runtime/logs/line-splitter.ts';
import { terminalSafe } from '../../runtime/logs/terminal-printer.ts';

function busWith(records: Partial<LogInput>[], capacity?: number): LogBus {
  const bus = new LogBus(capacity);
  for (const r of records) bus.append({ level: r.level ?? 'info', source: r.source ?? 'studio', text: r.text ?? '' });
  return bus;
}

const textsOf = (bus: LogBus, q?: Parameters<LogBus['query']>[0]) => bus.query(q).map((r) => r.text);

describe('LogBus', () => {
  it('returns what was appended, oldest first', () => {
    const bus = busWith([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
    assert.deepEqual(textsOf(bus), ['one', 'two', 'three']);
  });

  it('gives records increasing sequence numbers starting at 1', () => {
    const bus = busWith([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    assert.deepEqual(bus.query().map((r) => r.seq), [1, 2, 3]);
  });

  it('stamps the current time unless a time is given', () => {
    const bus = new LogBus();
    const before = Date.now();
    const stamped = bus.append({ level: 'info', source: 's', text: 'now' });
    assert.ok(stamped.time >= before && stamped.time <= Date.now());
    assert.equal(bus.append({ level: 'info', source: 's', text: 'then', time: 1234 }).time, 1234);
  });

  it('keeps only the newest records once it wraps at capacity', () => {
    const bus = busWith(Array.from({ length: 7 }, (_, i) => ({ text: `r${i + 1}` })), 3);
    assert.deepEqual(textsOf(bus), ['r5', 'r6', 'r7']);
    assert.equal(bus.size, 3);
  });

  it('keeps counting sequence numbers across a wrap', () => {
    const bus = busWith(Array.from({ length: 5 }, (_, i) => ({ text: `r${i}` })), 2);
    assert.deepEqual(bus.query().map((r) => r.seq), [4, 5]);
  });

  it('filters by minimum level, including the levels above', () => {
    const levels: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];
    const bus = busWith(levels.map((level) => ({ level, text: level })));
    assert.deepEqual(textsOf(bus, { minLevel: 'warn' }), ['warn', 'error', 'critical']);
    assert.deepEqual(textsOf(bus, { minLevel: 'trace' }), levels);
  });

  it('filters by sources', () => {
    const bus = busWith([{ source: 'build', text: 'b' }, { source: 'gateway', text: 'g' }, { source: 'app', text: 'a' }]);
    assert.deepEqual(textsOf(bus, { sources: ['app', 'build'] }), ['b', 'a']);
  });

  it('treats an empty source list as every source', () => {
    const bus = busWith([{ source: 'build', text: 'b' }, { source: 'app', text: 'a' }]);
    assert.deepEqual(textsOf(bus, { sources: [] }), ['b', 'a']);
  });

  it('filters by text, ignoring case', () => {
    const bus = busWith([{ text: 'Server STARTED' }, { text: 'request served' }, { text: 'stopped' }]);
    assert.deepEqual(textsOf(bus, { text: 'started' }), ['Server STARTED']);
    assert.deepEqual(textsOf(bus, { text: 'SERVE' }), ['Server STARTED', 'request served']);
  });

  it('filters by text as the line shows, across colour changes', () => {
    const bus = busWith([{ text: '\x1b[31mline 1234\x1b[0m \x1b[1mbold\x1b[0m plain' }, { text: 'other' }]);
    for (const text of ['bold plain', '1234 bold', 'line 1234 ']) assert.equal(bus.query({ text }).length, 1, text);
  });

  it('returns only records after a sequence number', () => {
    const bus = busWith([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    assert.deepEqual(textsOf(bus, { afterSeq: 1 }), ['b', 'c']);
    assert.deepEqual(textsOf(bus, { afterSeq: 3 }), []);
  });

  it('limits to the newest matches', () => {
    const bus = busWith([{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'd' }]);
    assert.deepEqual(textsOf(bus, { limit: 2 }), ['c', 'd']);
  });

  it('applies the limit after the other filters', () => {
    const bus = busWith([{ level: 'error', text: 'e1' }, { text: 'i1' }, { level: 'error', text: 'e2' }, { text: 'i2' }, { level: 'error', text: 'e3' }]);
    assert.deepEqual(textsOf(bus, { minLevel: 'error', limit: 2 }), ['e2', 'e3']);
  });

  it('combines filters', () => {
    const bus = busWith([
      { level: 'error', source: 'app', text: 'disk full' },
      { level: 'info', source: 'app', text: 'disk ok' },
      { level: 'error', source: 'build', text: 'disk gone' },
      { level: 'error', source: 'app', text: 'net down' },
    ]);
    assert.deepEqual(textsOf(bus, { minLevel: 'warn', sources: ['app'], text: 'DISK' }), ['disk full']);
  });

  it('keeps the stream a line was printed on, and leaves it off other records', () => {
    const bus = new LogBus();
    bus.append({ level: 'info', source: 'app', text: 'to stderr', stream: 'stderr' });
    bus.append({ level: 'info', source: 'studio', text: 'serving' });
    const [printed, said] = bus.query();
    assert.equal(printed?.stream, 'stderr');
    assert.equal(said && 'stream' in said, false);
  });

  it('filters by stream, leaving out records that have none', () => {
    const bus = new LogBus();
    bus.append({ level: 'info', source: 'app', text: 'out', stream: 'stdout' });
    bus.append({ level: 'info', source: 'app', text: 'err', stream: 'stderr' });
    bus.append({ level: 'warn', source: 'app', text: 'logged' });
    assert.deepEqual(textsOf(bus, { stream: 'stderr' }), ['err']);
    assert.deepEqual(textsOf(bus, { stream: 'stdout' }), ['out']);
    assert.deepEqual(textsOf(bus), ['out', 'err', 'logged']);
  });

  it('tells subscribers about each new record', () => {
    const bus = new LogBus();
    const seen: string[] = [];
    bus.subscribe((r) => seen.push(`${r.seq}:${r.text}`));
    bus.append({ level: 'info', source: 's', text: 'a' });
    bus.append({ level: 'info', source: 's', text: 'b' });
    assert.deepEqual(seen, ['1:a', '2:b']);
  });

  it('stops telling a subscriber once it unsubscribes', () => {
    const bus = new LogBus();
    const seen: string[] = [];
    const unsubscribe = bus.subscribe((r) => seen.push(r.text));
    bus.append({ level: 'info', source: 's', text: 'before' });
    unsubscribe();
    bus.append({ level: 'info', source: 's', text: 'after' });
    assert.deepEqual(seen, ['before']);
  });

  it('cuts a line past 64 Ki characters, saying how much more there was', () => {
    const bus = new LogBus();
    const record = bus.append({ level: 'info', source: 'app', text: 'x'.repeat(MAX_LINE_CHARS + 1000) });
    assert.equal(record.text, `${'x'.repeat(MAX_LINE_CHARS)} … (1000 more characters of this line not shown)`);
    // A line cut before (by a splitter) keeps its own note.
    assert.equal(bus.append({ level: 'info', source: 'app', text: record.text }).text, record.text);
  });

  it('lets the oldest records go once their text passes its budget, however few they are', () => {
    const bus = new LogBus(1000, 2500);
    for (let i = 0; i < 5; i++) bus.append({ level: 'info', source: 'app', text: String(i).repeat(1000) });
    assert.deepEqual(textsOf(bus).map((t) => t[0]), ['3', '4']);
    assert.equal(bus.size, 2);
    // The newest stays even alone past the budget.
    bus.append({ level: 'info', source: 'app', text: 'z'.repeat(3000) });
    assert.deepEqual(textsOf(bus).map((t) => t[0]), ['z']);
  });

  it('forgets every record on clear', () => {
    const bus = busWith([{ text: 'a' }, { text: 'b' }], 5);
    bus.clear();
    assert.deepEqual(bus.query(), []);
    assert.equal(bus.size, 0);
  });

  it('keeps counting sequence numbers after a clear, so clients can resume', () => {
    const bus = busWith([{ text: 'a' }, { text: 'b' }]);
    bus.clear();
    assert.equal(bus.append({ level: 'info', source: 's', text: 'c' }).seq, 3);
    assert.deepEqual(textsOf(bus), ['c']);
  });
});

describe('loggerFor', () => {
  it('appends records at each level under its source', () => {
    const bus = new LogBus();
    const log = loggerFor(bus, 'gateway');
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(bus.query().map((r) => [r.level, r.source, r.text]), [
      ['trace', 'gateway', 't'],
      ['debug', 'gateway', 'd'],
      ['info', 'gateway', 'i'],
      ['warn', 'gateway', 'w'],
      ['error', 'gateway', 'e'],
    ]);
  });
});

describe('isLogLevel', () => {
  it('accepts the six levels and nothing else', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'critical']) assert.equal(isLogLevel(level), true);
    for (const other of ['INFO', 'warning', '', 3, undefined]) assert.equal(isLogLevel(other), false);
  });
});

describe('LineSplitter', () => {
  const split = (chunks: string[], end = true) => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    for (const chunk of chunks) splitter.write(chunk);
    if (end) splitter.end();
    return lines;
  };

  it('cuts text into lines however it arrives, dropping a \\r before each newline', () => {
    assert.deepEqual(split(['a', 'b\r\nc', '\n', 'd']), ['ab', 'c', 'd']);
    assert.deepEqual(split(['no newline'], false), []);
  });

  it('keeps the start of a line longer than 64 Ki characters and counts the rest, in any chunks', () => {
    const chunks = Array.from({ length: 40 }, () => 'y'.repeat(10_000));
    const [line, next] = split([...chunks, '\nafter\n']);
    assert.equal(line, `${'y'.repeat(MAX_LINE_CHARS)} … (${400_000 - MAX_LINE_CHARS} more characters of this line not shown)`);
    assert.equal(next, 'after');
  });
});

describe('terminalSafe', () => {
  it('keeps colours and drops every other escape sequence, showing other control characters as \\xNN', () => {
    assert.equal(terminalSafe('\x1b[31mred\x1b[0m'), '\x1b[31mred\x1b[0m');
    assert.equal(terminalSafe('a\x1b[2Jb\x1b[Hc\x1b[?1049hd'), 'abcd');
    assert.equal(terminalSafe('x\x1b]0;title\x07y'), 'xy');
    assert.equal(terminalSafe('l\x1b]8;;http://evil.example/\x1b\\text\x1b]8;;\x1b\\'), 'ltext');
    assert.equal(terminalSafe('cr\rnul\0del\x7f tab\tkept'), 'cr\\x0dnul\\x00del\\x7f tab\tkept');
  });
});
