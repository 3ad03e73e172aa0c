// Workers that wait do not hold up the rest: a component parked in an outbound call uses no
// CPU, so the pool's cap on busy workers does not count it. Twelve requests whose component
// waits 1.5 s on a slow server, on a pool allowed two computing workers: every one is
// answered, and the slow server sees more than two of them at once (a fixed cap of two
// serves them two at a time). The request timeout is generous on purpose: how fast the pool
// grows depends on how fast threads start on a loaded machine, which this test does not time.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { HttpGateway } from '../../runtime/gateway/http-gateway.ts';
import { LogBus, loggerFor } from '../../runtime/logs/log-bus.ts';
import { OutboundHttp, outboundConfigFrom } from '../../runtime/network/outbound-service.ts';
import { startComposition, type Composition } from '../../runtime/workloads/composition.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { close, forward, listen } from '../helpers/outbound-servers.ts';
import { testCacheDir } from '../helpers/studio-process.ts';

let temp: string;
let http: OutboundHttp;
let composition: Composition;
let gateway: HttpGateway;
let url: string;
let waiting = 0;
let mostWaiting = 0;
const slow = createServer((_req, res) => {
  mostWaiting = Math.max(mostWaiting, ++waiting);
  setTimeout(() => {
    waiting--;
    res.end('slow answer');
  }, 1500);
});
let slowOrigin: string;

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'studio-waiting-'));
  slowOrigin = `http://127.0.0.1:${await listen(slow)}`;
  const logs = new LogBus();
  const config = outboundConfigFrom({}, temp);
  assert.ok(config.ok);
  http = new OutboundHttp(config.value, logs);
  const started = await startComposition(
    { components: [{ name: 'forwarder', wasmPath: await watFixture('outbound-forward') }], config: [], services: { http } },
    { ...defaultRuntimeSettings(testCacheDir), workers: 1, maxWorkers: 2, requestTimeoutMs: 60_000 },
    logs,
  );
  assert.ok(started.ok, started.ok ? '' : started.error.message);
  composition = started.value;
  gateway = new HttpGateway({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1 << 20, log: loggerFor(logs, 'gateway'), route: () => composition.served[0]! });
  url = `http://127.0.0.1:${(await gateway.listen()).port}`;
});

after(async () => {
  await gateway?.close();
  await Promise.all(composition?.served.map((w) => w.stop()) ?? []);
  await http?.close();
  await close(slow);
  await rm(temp, { recursive: true, force: true });
});

it('answers every request whose component waits on a slow server, past the cap on busy workers', async () => {
  // Three rounds: the pool takes pipelined requests back from parked workers and sends them
  // on again, sometimes to the worker they came from, whose port still holds the first
  // sending (once claimed out of turn, and that request was never answered).
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(Array.from({ length: 12 }, () => forward(url, slowOrigin)));
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 200),
      `round ${round + 1}`,
    );
    assert.ok(answers.every((a) => a.body.toString() === 'slow answer'));
  }
  assert.ok(mostWaiting > 2, `the slow server saw at most ${mostWaiting} requests at once: parked workers counted against the cap of two`);
});
