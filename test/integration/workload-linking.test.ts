// Workloads of several components, below the session: a chain of three componentize-js
// components linked over custom interfaces (records, variants, lists, errors and a resource
// crossing each link) answers over a real HTTP gateway; a service calls a component's export
// on a timer, sleeps without burning CPU, and is restarted when it fails; linking errors
// name the interface and the components before anything starts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpGateway } from '../../runtime/gateway/http-gateway.ts';
import { LogBus, loggerFor } from '../../runtime/logs/log-bus.ts';
import { startComposition, type Composition, type CompositionSpec } from '../../runtime/workloads/composition.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { buildWorkloadPart, type WorkloadPart } from '../fixtures/js/build.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { testCacheDir } from '../helpers/studio-process.ts';

const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 1 };

/** The fixture's components, built one at a time (componentize-js needs ~800 MB each). */
async function parts(...names: WorkloadPart[]): Promise<{ name: string; wasmPath: string }[]> {
  const built: { name: string; wasmPath: string }[] = [];
  for (const name of names) built.push({ name, wasmPath: await buildWorkloadPart(name) });
  return built;
}

async function compose(spec: CompositionSpec, logs = new LogBus()): Promise<Composition> {
  const started = await startComposition(spec, settings, logs);
  assert.ok(started.ok, started.ok ? '' : `${started.error.code}: ${started.error.message}`);
  return started.value;
}

/** Serves a composition's first served component on a real gateway; returns its URL. */
async function serveOver(composition: Composition): Promise<{ url: string; close(): Promise<void> }> {
  const gateway = new HttpGateway({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1 << 20, log: loggerFor(new LogBus(), 'gateway'), route: () => composition.served[0]! });
  const { port } = await gateway.listen();
  return { url: `http://127.0.0.1:${port}`, close: () => gateway.close() };
}

/** Waits until `check` holds, polling the log; fails with the log after `ms`. */
async function until(logs: LogBus, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out; the log:\n${logs.query({}).map((r) => `${r.source}: ${r.text}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a chain of three linked components', () => {
  let composition: Composition;
  let server: { url: string; close(): Promise<void> };

  before(async () => {
    composition = await compose({ components: await parts('front', 'middleware', 'receiver'), config: [] });
    server = await serveOver(composition);
  });
  after(async () => {
    await server?.close();
    await Promise.all(composition?.served.map((w) => w.stop()) ?? []);
  });

  it('routes only the HTTP component, with the others linked into its chain', () => {
    assert.deepEqual(
      composition.served.map((w) => w.info.name),
      ['front'],
    );
    assert.deepEqual(
      composition.served[0]!.info.chain.map((c) => c.name),
      ['receiver', 'middleware', 'front'],
    );
    // The front imports the receiver too: the middleware's interface uses its `item` type.
    assert.deepEqual(composition.served[0]!.info.chain[2]!.links, [
      { import: 'acme:chain/receiver@0.1.0', component: 'receiver', export: 'acme:chain/receiver@0.1.0' },
      { import: 'acme:chain/middleware@0.1.0', component: 'middleware', export: 'acme:chain/middleware@0.1.0' },
    ]);
    assert.deepEqual(composition.idle, []);
  });

  it('answers through the middleware and the receiver: lists and records in, a resource used across the link', async () => {
    const res = await fetch(`${server.url}/?items=apples:3,pears:4`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '2 items (apples, pears), 7 in all\n');
  });

  it('carries a variant and an error back across both links', async () => {
    const rejected = await fetch(`${server.url}/?items=apples:3,plums:500`);
    assert.equal(rejected.status, 422);
    assert.equal(await rejected.text(), 'rejected: plums: 500 is too many\n');
    const refused = await fetch(`${server.url}/?items=figs:0`);
    assert.equal(refused.status, 422);
    assert.equal(await refused.text(), 'refused: figs has no quantity\n');
  });
});

describe('linking errors, before anything starts', () => {
  it('names an import nobody provides', async () => {
    const started = await startComposition({ components: await parts('front', 'receiver'), config: [] }, settings, new LogBus());
    assert.ok(!started.ok);
    assert.equal(started.error.code, 'missing-imports');
    assert.match(started.error.message, /front imports acme:chain\/middleware@0\.1\.0/);
  });

  it('names two providers of one interface', async () => {
    const [front, middleware, receiver] = await parts('front', 'middleware', 'receiver');
    const started = await startComposition({ components: [front!, middleware!, { ...middleware!, name: 'middleware-copy' }, receiver!], config: [] }, settings, new LogBus());
    assert.ok(!started.ok);
    assert.equal(started.error.code, 'link-ambiguous');
    assert.match(started.error.message, /"front" imports acme:chain\/middleware@0\.1\.0, and both "middleware" and "middleware-copy" export it/);
  });

  it('refuses a service that does not export wasi:cli/run', async () => {
    const started = await startComposition({ components: [{ name: 'hello', wasmPath: await watFixture('hello') }], service: 'hello', config: [] }, settings, new LogBus());
    assert.ok(!started.ok);
    assert.equal(started.error.code, 'service-not-runnable');
  });
});

describe('a service in the workload', () => {
  it('calls a component export on a timer, and its lines and the component\'s arrive under their names', async () => {
    const logs = new LogBus();
    const composition = await compose({ components: await parts('ticking-service', 'ticks'), service: 'ticking-service', config: [['tick_ms', '100']] }, logs);
    try {
      await until(logs, () => logs.query({ sources: ['ticking-service'], text: 'tick 3 -> 6' }).length > 0);
      assert.ok(logs.query({ sources: ['ticks'], text: 'ticks: tick 3' }).length > 0, 'the linked component logs under its own name');
      assert.deepEqual(composition.served, [], 'a workload with no HTTP export serves no route');
      assert.equal(composition.service!.state.kind, 'running');
    } finally {
      await composition.service?.stop();
    }
  });

  it('sleeps without burning CPU', async () => {
    const logs = new LogBus();
    const composition = await compose({ components: await parts('ticking-service', 'ticks'), service: 'ticking-service', config: [['tick_ms', '5000']] }, logs);
    try {
      await until(logs, () => logs.query({ sources: ['ticking-service'], text: 'service: started' }).length > 0);
      const before = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000;
      // A busy wait would use about 1500 ms of CPU here; this process does little else but
      // finish starting (a burst of about 200 ms right after the service starts, more on a
      // slow machine), then about 4 ms a second.
      assert.ok(ms < 750, `the studio used ${ms.toFixed(0)} ms of CPU in 1.5 s while the service slept`);
    } finally {
      await composition.service?.stop();
    }
  });

  it('is started again after it fails, and says how it ended', async () => {
    const logs = new LogBus();
    const states: string[] = [];
    const composition = await compose(
      { components: await parts('ticking-service', 'ticks'), service: 'ticking-service', config: [['tick_ms', '50'], ['crash_after', '2']], onServiceState: (s) => states.push(s.kind) },
      logs,
    );
    try {
      await until(logs, () => composition.service!.starts >= 2);
      assert.ok(logs.query({ sources: ['ticking-service'], text: 'starting it again in 1 s' }).length > 0);
      assert.ok(states.includes('restarting'), `states: ${states.join(', ')}`);
    } finally {
      await composition.service?.stop();
    }
  });
});
