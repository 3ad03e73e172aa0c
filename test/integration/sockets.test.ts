// wasi:sockets on real componentize-js components, composed as workloads and served by a real
// gateway: a service listens on the workload's virtual loopback and the HTTP component
// reaches it on 127.0.0.1; two workloads both listen on port 80; a port nobody listens on is
// refused, or reaches the host's loopback with the fallback on; 200 connections at once;
// and the bad inputs: a service that never listens, a port taken twice, a service talking to
// itself, a half-closed connection, a peer that stops reading, a request thread that tries
// to listen, a service that goes away.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpGateway } from '../../runtime/gateway/http-gateway.ts';
import { LogBus, loggerFor } from '../../runtime/logs/log-bus.ts';
import { networkServices, type NetworkOptions, type SocketService } from '../../runtime/network/socket-service.ts';
import { startComposition, type Composition } from '../../runtime/workloads/composition.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { buildSocketsPart, type SocketsPart } from '../fixtures/js/build-sockets.ts';
import { testCacheDir } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 1 };

/** A workload started for a test: its gateway URL, its log, and how to stop it all. */
interface Running {
  url: string;
  logs: LogBus;
  composition: Composition;
  sockets: SocketService;
  stop(): Promise<void>;
}

const built = new Map<SocketsPart, string>();

/** Builds the parts one at a time (componentize-js needs ~800 MB each); cached by content. */
async function part(name: SocketsPart): Promise<{ name: string; wasmPath: string }> {
  if (!built.has(name)) built.set(name, await buildSocketsPart(name));
  return { name, wasmPath: built.get(name)! };
}

/**
 * Starts the HTTP component `http` (and the service `service`, if given) as one workload with
 * its own network services, configured by `config`, and serves it on a gateway.
 */
async function run(http: SocketsPart, service: SocketsPart | undefined, config: Record<string, string> = {}, network: NetworkOptions = {}): Promise<Running> {
  const components = [await part(http), ...(service ? [await part(service)] : [])];
  const logs = new LogBus();
  const services = networkServices(network);
  const started = await startComposition({ components, ...(service ? { service } : {}), config: Object.entries(config), services }, settings, logs);
  assert.ok(started.ok, started.ok ? '' : `${started.error.code}: ${started.error.message}`);
  const composition = started.value;
  if (service) await logged(logs, service, 'listening', { optional: config.mode === 'never-listen' });
  const gateway = new HttpGateway({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1 << 20, log: loggerFor(logs, 'gateway'), route: () => composition.served[0]! });
  const { port } = await gateway.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    composition,
    sockets: services.sockets,
    async stop() {
      await gateway.close();
      await composition.service?.stop();
      await Promise.all(composition.served.map((w) => w.stop()));
    },
  };
}

/** Waits until `source` logged a line containing `text` (an optional wait gives up quietly). */
async function logged(logs: LogBus, source: string, text: string, { optional = false } = {}): Promise<void> {
  const seen = () => logs.query({ sources: [source], text }).length > 0;
  if (optional) return;
  await waitUntil(seen, () => `${source} logged "${text}"; the log:\n${logs.query({}).map((r) => `  ${r.source}: ${r.text}`).join('\n')}`);
}

async function probe(running: Running, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${running.url}${path}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
}

/** A TCP server on the host's real loopback that answers each line with "host: <line>". */
async function hostLineServer(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      let newline: number;
      while ((newline = text.indexOf('\n')) >= 0) {
        socket.write(`host: ${text.slice(0, newline)}\n`);
        text = text.slice(newline + 1);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

describe('a service that sleeps before it listens, replacing one that listened', () => {
  it('starts only once it listens where the one before did, so a reload never swaps in a service not listening yet', async () => {
    const http = await part('probe');
    const service = await part('service');
    const logs = new LogBus();
    const services = networkServices({ hostLoopback: false });
    const listening = () => services.sockets.snapshot().listening.filter((l) => l.component === 'service').map((l) => l.address);
    const started = await startComposition(
      { components: [http, service], service: 'service', config: [['delay_ms', '800']], services, serviceListensAgain: { addresses: ['127.0.0.1:7777'], listening } },
      settings,
      logs,
    );
    assert.ok(started.ok, started.ok ? '' : started.error.message);
    try {
      // Its first wait was the sleep; it counts as started only once it listens.
      assert.deepEqual(listening(), ['127.0.0.1:7777']);
    } finally {
      await started.value.service?.stop();
      await Promise.all(started.value.served.map((w) => w.stop()));
    }
  });
});

describe('a service flushing after its client read the answer and closed', () => {
  it('flushes without error, as a socket whose data the kernel already took (wasmtime agrees)', async () => {
    const running = await run('probe', 'service', { mode: 'late-flush' }, { hostLoopback: false });
    try {
      assert.equal((await probe(running, '/ask?line=hi')).reply, 'service: hi');
      await logged(running.logs, 'service', 'flush after the client closed');
      assert.deepEqual(running.logs.query({ sources: ['service'], text: 'flush after the client closed' }).map((r) => r.text), ['service: flush after the client closed: ok']);
    } finally {
      await running.stop();
    }
  });
});

describe('the TCP service example', () => {
  let running: Running;
  before(async () => {
    running = await run('counter-http', 'counter-service');
  });
  after(() => running?.stop());

  it('counts through the service on 127.0.0.1:7777, one TCP connection per request', async () => {
    await logged(running.logs, 'counter-service', 'counter service: listening on 127.0.0.1:7777');
    const first = await fetch(`${running.url}/count/apples`);
    assert.equal(first.status, 200);
    assert.equal(await first.text(), 'apples: 1\n');
    assert.equal(await (await fetch(`${running.url}/count/apples`)).text(), 'apples: 2\n');
    assert.equal(await (await fetch(`${running.url}/count/pears`)).text(), 'pears: 1\n');
    assert.equal(await (await fetch(`${running.url}/peek/apples`)).text(), 'apples: 2\n');
    assert.deepEqual(running.composition.served.map((w) => w.info.name), ['counter-http']);
  });

  it('keeps counting across 50 concurrent requests without losing one', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${running.url}/count/plums`).then((r) => r.text())));
    const counts = answers.map((a) => Number(/^plums: (\d+)\n$/.exec(a)?.[1])).sort((a, b) => a - b);
    assert.deepEqual(counts, Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('two workloads', () => {
  let first: Running;
  let second: Running;
  before(async () => {
    first = await run('probe', 'service', { port: '80', greeting: 'first' });
    second = await run('probe', 'service', { port: '80', greeting: 'second' });
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
  });

  it('both listen on port 80, and each component reaches only its own service', async () => {
    assert.equal((await probe(first, '/ask?port=80&line=hi')).reply, 'first: hi');
    assert.equal((await probe(second, '/ask?port=80&line=hi')).reply, 'second: hi');
    assert.equal((await probe(first, '/ask?port=80&line=again')).reply, 'first: again');
  });

  it('report the connection\'s addresses: the service\'s port, and an ephemeral one for the client', async () => {
    const answer = await probe(first, '/ask?port=80');
    assert.equal(answer.remote, '127.0.0.1:80');
    assert.match(String(answer.local), /^127\.0\.0\.1:(\d+)$/);
    assert.ok(Number(String(answer.local).split(':')[1]) >= 49152);
  });

  it('each show their own listener on port 80 in their sockets snapshot, for the UI', () => {
    assert.deepEqual(first.sockets.snapshot().listening, [{ component: 'service', address: '127.0.0.1:80' }]);
    assert.deepEqual(second.sockets.snapshot().listening, [{ component: 'service', address: '127.0.0.1:80' }]);
  });
});

describe('a port nobody in the workload listens on', () => {
  let host: { port: number; server: Server };
  before(async () => {
    host = await hostLineServer();
  });
  after(() => host?.server.close());

  it('is refused with the host-loopback fallback off, as wash does', async () => {
    const running = await run('probe', undefined, {}, { hostLoopback: false });
    try {
      assert.deepEqual(await probe(running, `/ask?port=${host.port}`), { error: 'connection-refused' });
      assert.equal(running.logs.query({ text: `nothing in this workload listens on port ${host.port}` }).length, 1, 'the log says why');
      assert.match(running.logs.query({ text: 'refused' })[0]!.text, /the fallback to the host's loopback is off/);
    } finally {
      await running.stop();
    }
  });

  it('reaches a real TCP server on the host\'s loopback with the fallback on (the default), and says so once in the log', async () => {
    const running = await run('probe', undefined);
    try {
      const answer = await probe(running, `/ask?port=${host.port}&line=hi`);
      assert.equal(answer.reply, 'host: hi');
      assert.equal(answer.remote, `127.0.0.1:${host.port}`);
      await probe(running, `/ask?port=${host.port}&line=again`);
      assert.equal(running.logs.query({ text: 'host\'s own loopback' }).length, 1);
    } finally {
      await running.stop();
    }
  });

  it('is refused when the host has nothing there either', async () => {
    const running = await run('probe', undefined);
    try {
      const { port, server } = await hostLineServer();
      server.close();
      await once(server, 'close');
      assert.deepEqual(await probe(running, `/ask?port=${port}`), { error: 'connection-refused' });
      assert.deepEqual(await probe(running, `/ask?port=${port}`), { error: 'connection-refused' });
      const said = running.logs.query({ text: `nothing in this workload listens on port ${port}` });
      assert.equal(said.length, 1, 'said once per port');
      assert.match(said[0]!.text, /nor on the host's own loopback/);
    } finally {
      await running.stop();
    }
  });
});

describe('a workload with an echo service', () => {
  let running: Running;
  before(async () => {
    running = await run('probe', 'service', { port: '7777' }, { hostLoopback: false });
  });
  after(() => running?.stop());

  it('serves 200 connections open at the same time', async () => {
    assert.deepEqual(await probe(running, '/fan?port=7777&n=200'), { ok: 200, failed: [] });
  });

  it('half-closed: after the component shuts down sending, the service still sends, and the component reads it', async () => {
    assert.deepEqual(await probe(running, '/half?port=7777'), { received: 'service: hello\nbye\n', writeAfterShutdown: 'closed' });
  });

  it('refuses to let an HTTP component listen (access-denied), and the log says only services listen', async () => {
    assert.deepEqual(await probe(running, '/listen?port=9000'), { error: 'access-denied' });
    await logged(running.logs, 'probe', 'only a workload\'s service listens');
  });

  it('resolves names through the host (localhost is a loopback address)', async () => {
    const answer = await probe(running, '/lookup?name=localhost');
    assert.ok((answer.addresses as string[]).some((a) => a === '127.0.0.1' || a === '0:0:0:0:0:0:0:1'), JSON.stringify(answer));
    assert.deepEqual(await probe(running, '/lookup?name=not%20a%20name'), { error: 'invalid-argument' });
  });

  it('sends and receives UDP datagrams on the host\'s network', async () => {
    const echo = createSocket('udp4');
    echo.on('message', (data, from) => echo.send(`udp: ${data.toString()}`, from.port, from.address));
    echo.bind(0, '127.0.0.1');
    await once(echo, 'listening');
    try {
      const answer = await probe(running, `/udp?port=${echo.address().port}&line=ping`);
      assert.equal(answer.reply, 'udp: ping', JSON.stringify(answer));
      assert.equal(answer.from, `127.0.0.1:${echo.address().port}`);
    } finally {
      echo.close();
    }
  });

  it('closes the listener when the service stops: connections are refused after', async () => {
    await running.composition.service!.stop();
    assert.deepEqual(await probe(running, '/ask?port=7777'), { error: 'connection-refused' });
  });
});

describe('services that misbehave', () => {
  it('a service that never listens: connections are refused, and it keeps running', async () => {
    const running = await run('probe', 'service', { mode: 'never-listen' }, { hostLoopback: false });
    try {
      await logged(running.logs, 'service', 'not listening');
      assert.deepEqual(await probe(running, '/ask?port=7777'), { error: 'connection-refused' });
      assert.equal(running.composition.service!.state.kind, 'running');
    } finally {
      await running.stop();
    }
  });

  it('a second bind of a port the workload holds gets address-in-use, and the first listener still serves', async () => {
    const running = await run('probe', 'service', { mode: 'double-bind' });
    try {
      await logged(running.logs, 'service', 'service: second bind failed: address-in-use');
      await logged(running.logs, 'service', 'bind 127.0.0.1:7777 failed with address-in-use: this component already holds that port in this workload');
      assert.equal((await probe(running, '/ask?port=7777&line=still')).reply, 'service: still');
    } finally {
      await running.stop();
    }
  });

  it('a service that connects to its own listener from its own thread talks to itself', async () => {
    const running = await run('probe', 'service', { mode: 'self-connect' });
    try {
      await logged(running.logs, 'service', 'service: self-connect got "pong to ping"');
      assert.equal((await probe(running, '/ask?port=7777&line=after')).reply, 'service: after');
    } finally {
      await running.stop();
    }
  });
});

describe('a peer that stops reading', () => {
  it('stops the writer at the connection\'s buffer on the virtual loopback (check-write falls to 0)', async () => {
    const running = await run('probe', 'service', { mode: 'no-read' });
    try {
      const answer = await probe(running, '/flood?port=7777&mb=64');
      assert.equal(answer.stalled, true);
      // One ring of 64 KiB holds what the reader has not read; nothing else buffers.
      assert.equal(answer.written, 64 * 1024);
    } finally {
      await running.stop();
    }
  });

  it('stops the writer on a host connection too, without the studio buffering what the host does not take', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      socket.pause(); // never reads
      sockets.push(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const running = await run('probe', undefined);
    try {
      const before = process.memoryUsage().arrayBuffers;
      const answer = await probe(running, `/flood?port=${(server.address() as AddressInfo).port}&mb=256`);
      assert.equal(answer.stalled, true);
      // The kernel's socket buffers take a few MB; the studio itself holds at most a ring and a chunk.
      assert.ok(Number(answer.written) < 64 * 2 ** 20, `wrote ${String(answer.written)} bytes before stalling`);
      const grown = process.memoryUsage().arrayBuffers - before;
      assert.ok(grown < 16 * 2 ** 20, `the studio's buffers grew by ${grown} bytes`);
    } finally {
      await running.stop();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
