// The traffic store's bounds: the ring keeps the newest N records, its spill folder never
// holds much more than that, a new store on the folder (a restart) finds the newest N with
// their bodies, a line a crash cut short is skipped, a line that is no record is left out
// with a warning, and log lines join the request they were
// logged for, even one that arrives after the answer.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import type { TrafficRecord } from '../../runtime/traffic/traffic-record.ts';
import { TrafficStore } from '../../runtime/traffic/traffic-store.ts';

function record(id: number, path = `/r/${id}`): TrafficRecord {
  return { id, time: Date.now(), method: 'GET', path, authority: 'localhost', scheme: 'http', requestHeaders: [], responseHeaders: [], status: 200, durationMs: 1, requestBytes: 0, responseBytes: 4, requestCut: false, responseCut: false, origin: 'client', notes: [], logs: [], outbound: [] };
}

const body = (id: number) => ({ request: new Uint8Array(0), response: new TextEncoder().encode(`#${id}`.padEnd(4)) });

describe('the traffic store', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const folder = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'traffic-store-'));
    dirs.push(dir);
    return dir;
  };

  it('keeps the newest records up to its capacity, and its folder to about that many', async () => {
    const dir = await folder();
    const store = new TrafficStore({ logs: new LogBus(), capacity: 400 });
    await store.open(dir);
    for (let id = 1; id <= 3000; id++) {
      store.add(record(id), body(id));
      if (id % 500 === 0) await store.flush();
    }
    await store.flush();
    assert.equal(store.size, 400);
    const all = store.matchingIds({});
    assert.equal(all.length, 400);
    assert.equal(all[0], 3000);
    assert.equal(all.at(-1), 2601);
    assert.equal(await store.get(2600), undefined);
    assert.equal((await store.get(2700))?.path, '/r/2700');
    // Segments of a quarter of the ring: the folder holds the ring and at most one more segment.
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    assert.ok(segments.length <= 6, `${segments.length} segments`);
    await store.close();
  });

  it('finds the newest records and their bodies again when a store opens the folder after a restart', async () => {
    const dir = await folder();
    const first = new TrafficStore({ logs: new LogBus(), capacity: 300, memoryBytes: 0 });
    await first.open(dir);
    for (let id = 1; id <= 1000; id++) first.add(record(id), body(id));
    await first.close();

    const second = new TrafficStore({ logs: new LogBus(), capacity: 300 });
    await second.open(dir);
    const all = second.matchingIds({});
    assert.equal(all.length, 300);
    assert.deepEqual([all[0], all.at(-1)], [1000, 701]);
    assert.equal((await second.get(777))?.path, '/r/777', 'read back from its line');
    const bodies = await second.bodiesOf(777);
    assert.equal(new TextDecoder().decode(bodies!.response), '#777');
    await second.close();
  });

  it('skips a line a crash cut short, and keeps the ones before it', async () => {
    const dir = await folder();
    const store = new TrafficStore({ logs: new LogBus(), capacity: 100 });
    await store.open(dir);
    for (let id = 1; id <= 5; id++) store.add(record(id), body(id));
    await store.close();
    const [segment] = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    await appendFile(join(dir, segment!), '{"record":{"id":6,"method":"GE');
    const again = new TrafficStore({ logs: new LogBus(), capacity: 100 });
    await again.open(dir);
    assert.deepEqual(again.matchingIds({}), [5, 4, 3, 2, 1]);
    await again.close();
  });

  it('leaves out lines that are not records it wrote, says so once per file, and loads the rest', async () => {
    const dir = await folder();
    const store = new TrafficStore({ logs: new LogBus(), capacity: 100 });
    await store.open(dir);
    for (let id = 1; id <= 3; id++) store.add(record(id), body(id));
    await store.close();
    const [segment] = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    const { logs: _, ...noLogs } = record(7);
    const damaged = [
      { record: { id: 99 } },
      { record: noLogs, request: [0, 0], response: [0, 4] },
      { record: record(1e300), request: [0, 0], response: [0, 4] },
      { record: { ...record(8), status: 'ok' }, request: [0, 0], response: [0, 4] },
      { record: record(9), request: [-5, 0], response: [0, 4] },
    ];
    await appendFile(join(dir, segment!), `${damaged.map((line) => JSON.stringify(line)).join('\n')}\nnot json at all\n\n`);
    const logs = new LogBus();
    const again = new TrafficStore({ logs, capacity: 100 });
    await again.open(dir);
    assert.deepEqual(again.matchingIds({}), [3, 2, 1]);
    const warnings = logs.query({}).filter((line) => line.level === 'warn').map((line) => line.text);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, new RegExp(`^7 lines of .*${segment} are not a captured request the studio can read`));
    await again.close();
  });

  it('gives a request the lines logged for it while it ran, and those that arrive just after', async () => {
    const logs = new LogBus();
    const store = new TrafficStore({ logs });
    store.begin(41);
    store.begin(42);
    logs.append({ level: 'info', source: 'app', text: 'for 42', request: 42 });
    logs.append({ level: 'info', source: 'app', text: 'for 41', request: 41 });
    logs.append({ level: 'info', source: 'studio', text: 'for nobody' });
    store.add(record(42), body(42));
    logs.append({ level: 'warn', source: 'app', text: 'late for 42', request: 42 });
    store.add(record(41), body(41));
    assert.deepEqual((await store.get(42))!.logs.map((l) => l.text), ['for 42', 'late for 42']);
    assert.deepEqual((await store.get(41))!.logs.map((l) => l.text), ['for 41']);
    assert.deepEqual(store.matchingIds({ hasLogs: true }), [41, 42]);
  });
});
