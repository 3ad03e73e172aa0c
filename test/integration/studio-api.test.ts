// The Studio API end to end, as the renderer uses it in browser mode: a real dev session on a
// real project, the bridge, and a WebSocket client with the cookie. Commands answer with the
// shapes of api.ts, events follow what the session does, errors come back as ApiErrors.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { DevSession } from '../../runtime/session/dev-session.ts';
import { startBridge, type Bridge } from '../../runtime/studio/bridge.ts';
import { StudioService } from '../../runtime/studio/studio-service.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { messageBuildCommand, messageProject, type MessageProject } from '../helpers/message-project.ts';
import { apiErrorOf, StudioApiClient } from '../helpers/studio-api-client.ts';
import { launchStudio, testCacheDir } from '../helpers/studio-process.ts';
import { answerBecomes } from '../helpers/answer-becomes.ts';
import { watFixture } from '../fixtures/fixtures.ts';

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

describe('the Studio API over the bridge, on a real project', () => {
  let project: MessageProject;
  let logs: LogBus;
  let service: StudioService;
  let bridge: Bridge;
  let client: StudioApiClient;
  let gatewayUrl: string;
  let rendererDir: string;
  let configDir: string;
  let bigServer: Server;
  const others: MessageProject[] = [];

  before(async () => {
    project = await messageProject('version one\n');
    rendererDir = await mkdtemp(join(tmpdir(), 'studio-api-renderer-'));
    logs = new LogBus();
    const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 1 };
    const createSession = (target: string) => new DevSession({ target, port: 0, bodyLimitBytes: 2 ** 20, settings, logs });
    const session = createSession(project.root);
    configDir = await mkdtemp(join(tmpdir(), 'studio-api-config-'));
    service = new StudioService({ logs, session, target: project.root, createSession, maxResponseBytes: 2 ** 20, configDir });
    bridge = await startBridge({ service, rendererDir });
    // Connected before the first build, as a page opened from the printed URL would be.
    client = await StudioApiClient.connect(bridge.url);
    const started = await session.start();
    assert.ok(started.ok && started.value.url, JSON.stringify(started));
    gatewayUrl = started.value.url;
    // A server whose answer is larger than the playground keeps.
    bigServer = createServer((_req, res) => res.end(Buffer.alloc(3 * 2 ** 20, 'x')));
    await new Promise<void>((resolve) => bigServer.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    client.close();
    await bridge.close();
    await service.close();
    bigServer.close();
    await project.remove();
    for (const other of others) await other.remove();
    await rm(rendererDir, { recursive: true, force: true });
    await rm(configDir, { recursive: true, force: true });
  });

  it('ui.state keeps the UI\'s state on disk, across service instances (browser-mode origins change per launch)', async () => {
    assert.deepEqual(await client.call('ui.state.get', { key: 'playground.history' }), { value: null });
    const history = [{ method: 'POST', url: '/qrcode' }];
    assert.equal(await client.call('ui.state.set', { key: 'playground.history', value: history }), null);
    assert.deepEqual(await client.call('ui.state.get', { key: 'playground.history' }), { value: history });
    const again = new StudioService({ logs, createSession: (target) => new DevSession({ target, port: 0, bodyLimitBytes: 1, settings: defaultRuntimeSettings(testCacheDir), logs }), configDir });
    try {
      const result = await again.call('ui.state.get', { key: 'playground.history' });
      assert.deepEqual(result, { value: history });
    } finally {
      await again.close();
    }
  });

  it('ui.state answers null for a key the UI never saved, even one every object has', async () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) assert.deepEqual(await client.call('ui.state.get', { key }), { value: null }, key);
  });

  it('refuses a page that names a file to export to or import from (only the command line may), writing and reading nothing', async () => {
    const victim = join(configDir, 'victim.txt');
    await writeFile(victim, 'mine\n');
    for (const [command, args] of [
      ['snapshots.export', { name: 'any', file: victim, overwrite: true }],
      ['snapshots.inspect', { file: '/etc/hostname' }],
      ['snapshots.import', { file: victim }],
    ] as const) {
      const error = await apiErrorOf(client.send(command, args));
      assert.equal(error.code, 'bad-arguments', command);
      assert.match(error.message, /`file` is for the command line or the file itself, not for a page/);
    }
    assert.equal(await readFile(victim, 'utf8'), 'mine\n');
    for (const body_file of ['/etc/hostname', '../../outside.txt']) {
      const error = await apiErrorOf(client.call('settings.setOutbound', { standIns: [{ match: 'GET https://leak.example/*', body_file }] }));
      assert.equal(error.code, 'bad-arguments', body_file);
      assert.match(error.message, /a body_file outside the project/);
    }
  });

  it('project.get describes the project, its data folders and its builds', async () => {
    const view = await client.call('project.get', {});
    assert.equal(view.kind, 'project');
    assert.equal(view.name, 'message');
    assert.equal(view.path, project.root);
    assert.equal(view.configPath, join(project.root, '.wash', 'config.yaml'));
    assert.equal(view.gatewayUrl, gatewayUrl);
    assert.equal(view.keyvaluePath, join(project.root, '.wash', 'data', 'keyvalue'));
    assert.equal(view.blobstorePath, join(project.root, '.wash', 'data', 'blobstore'));
    assert.equal(view.keyvalueFrom, 'default');
    assert.equal(view.builds.length, 1);
    assert.equal(view.builds[0]!.outcome, 'ok');
    assert.equal(view.builds[0]!.reason, 'start');
  });

  it('sent build.changed for the first build as it started and when it served', async () => {
    const running = await client.waitForEvent('build.changed', (b) => b.number === 1 && b.outcome === 'running', undefined, 0);
    assert.equal(running.reason, 'start');
    const done = await client.waitForEvent('build.changed', (b) => b.number === 1 && b.outcome === 'ok', undefined, 0);
    assert.ok(done.buildMs !== undefined && done.buildMs > 0);
  });

  it('workloads.list shows the component: WIT imports and exports, URLs, workers', async () => {
    const [workload, ...rest] = await client.call('workloads.list', {});
    assert.equal(rest.length, 0);
    assert.ok(workload);
    assert.equal(workload.name, 'message');
    assert.equal(workload.state, 'running');
    assert.equal(workload.build, 1);
    assert.equal(workload.wasmPath, join(project.root, '.wash', 'build', 'message.wasm'));
    assert.ok(workload.exports.includes('wasi:http/incoming-handler@0.2.0'), workload.exports.join(', '));
    assert.ok(workload.imports.includes('wasi:http/types@0.2.0'), workload.imports.join(', '));
    assert.match(workload.witText, /world/);
    assert.deepEqual(workload.urls, [gatewayUrl]);
    assert.equal(workload.workers, 1);
    assert.equal(workload.instanceStrategy, 'fresh');
  });

  it('workloads.list counts requests, with latency percentiles', async () => {
    const before = (await client.call('workloads.list', {}))[0]!.requests;
    for (let i = 0; i < 3; i++) assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'version one\n');
    const [workload] = await client.call('workloads.list', {});
    assert.equal(workload!.requests, before + 3);
    assert.equal(workload!.failures, 0);
    assert.ok(workload!.p50Ms !== undefined && workload!.p99Ms !== undefined && workload!.p99Ms >= workload!.p50Ms);
  });

  it('pushes workloads.changed when request counts change', async () => {
    // Counted before the request: a push of earlier requests' counts must not pass for it.
    const before = (await client.call('workloads.list', {}))[0]!.requests;
    const mark = client.mark();
    await fetch(gatewayUrl).then((r) => r.text());
    const views = await client.waitForEvent('workloads.changed', (w) => w[0]!.requests > before, undefined, mark);
    assert.equal(views[0]!.name, 'message');
    assert.equal(views[0]!.requests, before + 1);
  });

  it('logs.query filters by level, source and text on the Node side, and lists the sources', async () => {
    logs.append({ level: 'debug', source: 'test-a', text: 'Debug detail ALPHA' });
    logs.append({ level: 'warn', source: 'test-a', text: 'a warning alpha' });
    logs.append({ level: 'error', source: 'test-b', text: 'an error beta' });
    const warnings = await client.call('logs.query', { minLevel: 'warn', sources: ['test-a', 'test-b'] });
    assert.deepEqual(warnings.records.map((r) => r.text), ['a warning alpha', 'an error beta']);
    assert.equal(warnings.total, 2);
    const alpha = await client.call('logs.query', { text: 'alpha', sources: ['test-a'] });
    assert.deepEqual(alpha.records.map((r) => r.level), ['debug', 'warn']);
    assert.ok(alpha.sources.includes('build') && alpha.sources.includes('test-a') && alpha.sources.includes('test-b'), alpha.sources.join(', '));
  });

  it('logs.query pages by seq: the newest page, the one before it, and forward from a seq', async () => {
    for (let i = 1; i <= 10; i++) logs.append({ level: 'info', source: 'pager', text: `line ${i}` });
    const newest = await client.call('logs.query', { sources: ['pager'], limit: 4 });
    assert.deepEqual(newest.records.map((r) => r.text), ['line 7', 'line 8', 'line 9', 'line 10']);
    assert.equal(newest.total, 10);
    const older = await client.call('logs.query', { sources: ['pager'], limit: 4, beforeSeq: newest.records[0]!.seq });
    assert.deepEqual(older.records.map((r) => r.text), ['line 3', 'line 4', 'line 5', 'line 6']);
    const forward = await client.call('logs.query', { sources: ['pager'], limit: 3, afterSeq: older.records[0]!.seq });
    assert.deepEqual(forward.records.map((r) => r.text), ['line 4', 'line 5', 'line 6']);
    const between = await client.call('logs.query', { sources: ['pager'], afterSeq: older.records[0]!.seq, beforeSeq: older.records[3]!.seq });
    assert.deepEqual(between.records.map((r) => r.text), ['line 4', 'line 5']);
  });

  it('sends new log records as batched logs.appended events', async () => {
    const mark = client.mark();
    for (let i = 0; i < 5; i++) logs.append({ level: 'info', source: 'batch', text: `batched ${i}` });
    const batch = await client.waitForEvent('logs.appended', (records) => records.some((r) => r.source === 'batch'), undefined, mark);
    assert.deepEqual(batch.filter((r) => r.source === 'batch').map((r) => r.text), ['batched 0', 'batched 1', 'batched 2', 'batched 3', 'batched 4']);
    assert.ok(batch.every((r, i) => i === 0 || r.seq > batch[i - 1]!.seq));
  });

  it('http.send makes a relative request against the gateway and times it', async () => {
    const started = performance.now();
    const response = await client.call('http.send', { method: 'GET', url: '/', headers: [['accept', 'text/plain']] });
    const callMs = performance.now() - started;
    assert.equal(response.status, 200);
    assert.equal(decode(response.body), 'version one\n');
    assert.equal(response.size, 'version one\n'.length);
    assert.equal(response.truncated, false);
    assert.ok(response.timeMs > 0 && response.timeMs <= callMs, `timed ${response.timeMs} ms within a call of ${callMs} ms`);
    assert.ok(response.headers.some(([name]) => name === 'content-length' || name === 'transfer-encoding'), JSON.stringify(response.headers));
    // A request to the gateway comes back with its traffic record's id and log lines, filed as the HTTP view's.
    assert.equal(typeof response.trafficId, 'number');
    assert.ok(Array.isArray(response.logs));
    const record = (await client.call('traffic.get', { id: response.trafficId! }))?.record;
    assert.equal(record?.origin, 'playground');
    assert.ok(!record!.requestHeaders.some(([name]) => name.startsWith('x-component-studio')), JSON.stringify(record!.requestHeaders));
  });

  it('http.send reaches the gateway at <name>.localhost (the address of a linked component), which Node cannot resolve', async () => {
    const gateway = new URL(gatewayUrl);
    const response = await client.call('http.send', { method: 'GET', url: `http://linked.localhost:${gateway.port}/`, headers: [] });
    // No component is named "linked": the gateway's root component answers, and the request is the HTTP view's.
    assert.equal(response.status, 200);
    assert.equal(decode(response.body), 'version one\n');
    const record = (await client.call('traffic.get', { id: response.trafficId! }))?.record;
    assert.equal(record?.authority, `linked.localhost:${gateway.port}`);
  });

  it('http.send cuts a large body and says so', async () => {
    const { port } = bigServer.address() as AddressInfo;
    const response = await client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [] });
    assert.equal(response.truncated, true);
    assert.equal(Buffer.from(response.body, 'base64').length, 2 ** 20);
    assert.equal(response.size, 3 * 2 ** 20);
  });

  it('http.send sends the headers given and no others, a Host header included, and keeps a compressed body as sent', async () => {
    const echo = createServer((req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify(req.rawHeaders));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = echo.address() as AddressInfo;
      const response = await client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [['X-Mine', '1'], ['Host', 'api.localhost']] });
      const sent = JSON.parse(decode(response.body)) as string[];
      const names = sent.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      assert.deepEqual(names.filter((n) => n !== 'connection').sort(), ['host', 'x-mine'], JSON.stringify(sent));
      assert.equal(sent[sent.findIndex((n) => n.toLowerCase() === 'host') + 1], 'api.localhost');
      assert.deepEqual(response.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2']);
      const invalid = await apiErrorOf(client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [['bad name', 'x']] }));
      assert.equal(invalid.code, 'http-bad-request');
      // Latin-1 goes through as it is; a character past it cannot be carried, and the error names it.
      const latin = await client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [['X-Text', 'ünï']] });
      assert.equal(latin.status, 200);
      const unicode = await apiErrorOf(client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [['X-Custom', 'ünïcode ✓']] }));
      assert.equal(unicode.code, 'http-bad-request');
      assert.equal(unicode.message, 'The value of the X-Custom header has a character HTTP cannot carry: "✓" (U+2713).');
      assert.match(unicode.hint ?? '', /percent-encode or base64/);
    } finally {
      echo.close();
    }
  });

  it('http.send blames the server, not the request, for an answer that breaks HTTP', async () => {
    // A 204 that declares a body (and sends none): what a component's could look like before the gateway dropped such lengths.
    const sockets: Socket[] = [];
    const liar = createNetServer((socket) => sockets.push(socket) && socket.once('data', () => socket.write('HTTP/1.1 204 No Content\r\ncontent-length: 11\r\n\r\n')));
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = liar.address() as AddressInfo;
      const broken = await apiErrorOf(client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [] }));
      assert.equal(broken.code, 'http-bad-response', broken.message);
      assert.match(broken.message, /sent an answer that breaks HTTP/);
      assert.match(broken.hint ?? '', /The server is at fault, not your request/);
    } finally {
      liar.close();
      // Its connection is still open: the server's close waits for it otherwise.
      for (const socket of sockets) socket.destroy();
    }
  });

  it('http.send answers an unreachable URL, a timeout and an invalid URL with clear errors', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = await apiErrorOf(client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${closedPort}/`, headers: [] }));
    assert.equal(unreachable.code, 'http-unreachable');
    assert.match(unreachable.message, /connection refused/);
    assert.ok(unreachable.hint);
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hanging.address() as AddressInfo;
      const timeout = await apiErrorOf(client.call('http.send', { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [], timeoutMs: 200 }));
      assert.equal(timeout.code, 'http-timeout');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
    const invalid = await apiErrorOf(client.call('http.send', { method: 'GET', url: 'http://exa mple:99999/', headers: [] }));
    assert.equal(invalid.code, 'http-invalid-url');
    const scheme = await apiErrorOf(client.call('http.send', { method: 'GET', url: 'file:///etc/passwd', headers: [] }));
    assert.equal(scheme.code, 'http-invalid-url');
  });

  it('an unknown command, bad arguments and an unknown workload are ApiErrors with codes', async () => {
    const unknown = await apiErrorOf(client.send('project.explode', {}));
    assert.equal(unknown.code, 'unknown-command');
    const bad = await apiErrorOf(client.send('logs.query', { limit: 'ten' }));
    assert.equal(bad.code, 'bad-arguments');
    assert.match(bad.message, /limit/);
    const missing = await apiErrorOf(client.call('workloads.stop', { name: 'nobody' }));
    assert.equal(missing.code, 'workload-not-found');
  });

  it('settings.get names the project, the gateway port and the data folders', async () => {
    const settings = await client.call('settings.get', {});
    assert.equal(settings.projectPath, project.root);
    assert.equal(settings.port, Number(new URL(gatewayUrl).port));
    assert.equal(settings.keyvaluePath, join(project.root, '.wash', 'data', 'keyvalue'));
  });

  it('a save rebuilds: build.changed follows the build, workloads.changed shows the new build', async () => {
    const mark = client.mark();
    await project.save('version two\n');
    const started = await client.waitForEvent('build.changed', (b) => b.outcome === 'running' && b.reason === 'change', undefined, mark);
    const done = await client.waitForEvent('build.changed', (b) => b.number === started.number && b.outcome === 'ok', undefined, mark);
    assert.ok(done.totalMs !== undefined);
    const workloads = await client.waitForEvent('workloads.changed', (w) => w[0]?.build === done.number && w[0].state === 'running', undefined, mark);
    assert.equal(workloads[0]!.name, 'message');
    await answerBecomes(gatewayUrl, 'version two\n');
  });

  it('a failed build arrives with its error and the build output', async () => {
    const mark = client.mark();
    await project.save('SYNTAX ERROR here\n');
    const failed = await client.waitForEvent('build.changed', (b) => b.outcome === 'failed', undefined, mark);
    assert.equal(failed.error?.code, 'build-failed');
    assert.match(failed.error.message, /exit code 1/);
    assert.match(failed.output ?? '', /message\.txt:1:1: unexpected SYNTAX ERROR/);
    const view = await client.call('project.get', {});
    assert.equal(view.builds.at(-1)!.outcome, 'failed');
    assert.equal(view.builds.at(-1)!.number, failed.number);
    assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'version two\n');
    const fixed = client.mark();
    await project.save('version three\n');
    await client.waitForEvent('build.changed', (b) => b.outcome === 'ok', undefined, fixed);
    await answerBecomes(gatewayUrl, 'version three\n');
  });

  it('project.rebuild rebuilds on request', async () => {
    const mark = client.mark();
    assert.equal(await client.call('project.rebuild', {}), null);
    const done = await client.waitForEvent('build.changed', (b) => b.reason === 'manual' && b.outcome === 'ok', undefined, mark);
    assert.ok(done.number > 1);
  });

  it('workloads.stop stops serving a workload, and workloads.restart brings it back', async () => {
    const mark = client.mark();
    assert.equal(await client.call('workloads.stop', { name: 'message' }), null);
    const stopped = await fetch(gatewayUrl);
    assert.equal(stopped.status, 503);
    assert.match(await stopped.text(), /message is stopped/);
    const [view] = await client.call('workloads.list', {});
    assert.equal(view!.state, 'stopped');
    await client.waitForEvent('workloads.changed', (w) => w[0]?.state === 'stopped', undefined, mark);
    assert.equal(await client.call('workloads.restart', { name: 'message' }), null);
    await answerBecomes(gatewayUrl, 'version three\n');
    const [again] = await client.call('workloads.list', {});
    assert.equal(again!.state, 'running');
    // Both leave a line in the log (and so on the terminal), saying who stopped what.
    const said = (await client.call('logs.query', { sources: ['studio'], text: 'on request' })).records.map((r) => r.text);
    assert.ok(said.includes('message stopped on request: its routes answer 503 until it is started again (Restart, or the next build)'), said.join('\n'));
    assert.ok(said.includes('message started again on request'), said.join('\n'));
  });

  it('kv.* reads and writes the project\'s key-value folder', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    await client.call('kv.createBucket', { bucket: 'ui' });
    assert.ok((await client.call('kv.buckets', {})).includes('ui'));
    await client.call('kv.set', { bucket: 'ui', key: 'greeting', value: b64('hello') });
    for (let i = 0; i < 5; i++) await client.call('kv.set', { bucket: 'ui', key: `item/${i}`, value: b64(String(i)) });
    assert.deepEqual(await client.call('kv.get', { bucket: 'ui', key: 'greeting' }), { value: b64('hello'), size: 5 });
    assert.equal(await client.call('kv.get', { bucket: 'ui', key: 'missing' }), null);
    const first = await client.call('kv.list', { bucket: 'ui', prefix: 'item/', limit: 3 });
    assert.deepEqual(first.keys, ['item/0', 'item/1', 'item/2']);
    assert.equal(first.total, 6);
    const second = await client.call('kv.list', { bucket: 'ui', prefix: 'item/', limit: 3, cursor: first.cursor! });
    assert.deepEqual(second.keys, ['item/3', 'item/4']);
    assert.equal(second.cursor, undefined);
    assert.deepEqual(await client.call('kv.increment', { bucket: 'ui', key: 'count', delta: 5 }), { value: '5' });
    assert.deepEqual(await client.call('kv.increment', { bucket: 'ui', key: 'count', delta: -2 }), { value: '3' });
    await client.call('kv.delete', { bucket: 'ui', key: 'greeting' });
    assert.equal(await client.call('kv.get', { bucket: 'ui', key: 'greeting' }), null);
    const missing = await apiErrorOf(client.call('kv.list', { bucket: 'no-such-bucket' }));
    assert.equal(missing.code, 'no-such-store');
  });

  it('kv.changed reports changes made by other programs in the data folder', async () => {
    const { keyvaluePath } = await client.call('project.get', {});
    const mark = client.mark();
    await writeFile(join(keyvaluePath, 'ui', 'written-by-hand'), 'x');
    const change = await client.waitForEvent('kv.changed', (c) => c.key === 'written-by-hand', undefined, mark);
    assert.deepEqual(change, { bucket: 'ui', key: 'written-by-hand', kind: 'set' });
  });

  it('blob.* uploads in parts, reads ranges and lists folders', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    await client.call('blob.createContainer', { container: 'files' });
    assert.ok((await client.call('blob.containers', {})).some((c) => c.name === 'files' && c.createdAt > 0));
    assert.equal(await client.call('blob.put', { container: 'files', name: 'docs/hello.txt', data: b64('hello '), offset: 0, last: false }), null);
    const outOfOrder = await apiErrorOf(client.call('blob.put', { container: 'files', name: 'docs/hello.txt', data: b64('x'), offset: 99, last: false }));
    assert.equal(outOfOrder.code, 'upload-out-of-order');
    const object = await client.call('blob.put', { container: 'files', name: 'docs/hello.txt', data: b64('world'), offset: 6, last: true });
    assert.equal(object?.size, 11);
    assert.equal(object?.contentType.split(';')[0], 'text/plain');
    const whole = await client.call('blob.get', { container: 'files', name: 'docs/hello.txt' });
    assert.equal(decode(whole.data), 'hello world');
    const part = await client.call('blob.get', { container: 'files', name: 'docs/hello.txt', start: 6, end: 11 });
    assert.equal(decode(part.data), 'world');
    await client.call('blob.put', { container: 'files', name: 'top.bin', data: b64('1'), offset: 0, last: true });
    const root = await client.call('blob.list', { container: 'files', delimiter: '/' });
    assert.deepEqual(root.prefixes, ['docs/']);
    assert.deepEqual(root.objects.map((o) => o.name), ['top.bin']);
    const docs = await client.call('blob.list', { container: 'files', prefix: 'docs/', delimiter: '/' });
    assert.deepEqual(docs.objects.map((o) => o.name), ['docs/hello.txt']);
    const mark = client.mark();
    await client.call('blob.delete', { container: 'files', names: ['top.bin'] });
    await client.waitForEvent('blob.changed', (c) => c.container === 'files' && c.name === 'top.bin' && c.kind === 'delete', undefined, mark);
    assert.deepEqual((await client.call('blob.list', { container: 'files' })).objects.map((o) => o.name), ['docs/hello.txt']);
  });

  it('logs.clear empties the log and tells every client', async () => {
    const mark = client.mark();
    assert.equal(await client.call('logs.clear', {}), null);
    await client.waitForEvent('logs.cleared', () => true, undefined, mark);
    const after = await client.call('logs.query', { sources: ['pager'] });
    assert.equal(after.total, 0);
  });

  it('project.open refuses a path where nothing is, and keeps the project running', async () => {
    const error = await apiErrorOf(client.call('project.open', { path: join(project.root, 'no-such-folder') }));
    assert.equal(error.code, 'target-not-found');
    assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'version three\n');
  });

  it('project.open takes a relative path from beside the open project, not from the studio\'s working folder', async () => {
    const error = await apiErrorOf(client.call('project.open', { path: ' no-such-sibling ' }));
    assert.equal(error.code, 'target-not-found');
    assert.equal(error.message, `Nothing at ${join(dirname(project.root), 'no-such-sibling')}.`);
  });

  it('project.open refuses a project another studio has open, naming it, and keeps the project running', async () => {
    const theirs = await messageProject('theirs\n');
    after(() => theirs.remove());
    const other = launchStudio(theirs.root);
    try {
      await other.serving();
      const error = await apiErrorOf(client.call('project.open', { path: theirs.root }));
      assert.equal(error.code, 'project-in-use');
      assert.match(error.message, new RegExp(`is open in another Component Studio \\(process ${other.child.pid}\\)`));
      assert.equal((await client.call('project.get', {})).path, project.root);
      assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'version three\n');
    } finally {
      await other.stop();
    }
  });

  it('project.open refuses a .wasm file that is no component, and keeps the project running', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'studio-api-not-component-'));
    after(() => rm(elsewhere, { recursive: true, force: true }));
    await writeFile(join(elsewhere, 'garbage.wasm'), 'not wasm at all');
    for (const [file, code] of [
      [await watFixture('core-module'), 'core-module'],
      [join(elsewhere, 'garbage.wasm'), 'not-wasm'],
    ] as const) {
      const error = await apiErrorOf(client.call('project.open', { path: file }));
      assert.equal(error.code, code);
      assert.equal((await client.call('project.get', {})).path, project.root);
      assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'version three\n');
    }
  });

  it('project.open refuses a folder with nothing to build (no .wash/, no entry file), and keeps the project running', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'studio-api-empty-'));
    after(() => rm(empty, { recursive: true, force: true }));
    // Not quite empty: an empty folder is refused in words of its own (test/unit/project-marks.test.ts).
    await writeFile(join(empty, 'notes.txt'), '');
    const error = await apiErrorOf(client.call('project.open', { path: empty }));
    assert.equal(error.code, 'not-a-project');
    assert.match(error.message, /is not a component project: it has no \.wash\/ folder \(in it or above it\), no entry file \(src\/component\.ts, .*\) and no package\.json, Cargo\.toml, go\.mod or wit\//);
    assert.equal((await client.call('project.get', {})).path, project.root);
    assert.equal(await fetch(gatewayUrl).then((r) => r.text()), 'version three\n');
    assert.equal(existsSync(join(empty, '.wash')), false, 'nothing written into it');
  });

  it('project.open asks before opening a system folder, and keeps the project running', async () => {
    const error = await apiErrorOf(client.call('project.open', { path: '/etc' }));
    assert.equal(error.code, 'project-needs-confirmation');
    assert.match(error.message, /\/etc is a system folder\. Opening it as a project/);
    assert.equal((await client.call('project.get', {})).path, project.root);
  });

  it('project.open refuses a folder inside a data folder (it came in as data), runs nothing in it, and keeps the project running', async () => {
    const planted = join(project.root, '.wash', 'data', 'blobstore', 'uploads', 'proj');
    const marker = join(configDir, 'planted-build-ran');
    await mkdir(join(planted, '.wash'), { recursive: true });
    await writeFile(join(planted, '.wash', 'config.yaml'), `build:\n  command: touch ${JSON.stringify(marker)}\n`);
    const error = await apiErrorOf(client.call('project.open', { path: planted }));
    assert.equal(error.code, 'target-in-data-folder');
    assert.match(error.message, /is inside a data folder of the studio/);
    assert.equal(await readFile(marker).then(() => true, () => false), false);
    assert.equal((await client.call('project.get', {})).path, project.root);
    await rm(join(project.root, '.wash', 'data', 'blobstore', 'uploads'), { recursive: true, force: true });
    // Another project's store folder, wherever its config put it: known by the stores' owner file.
    const elsewhere = join(configDir, 'other-project-blobs');
    await mkdir(join(elsewhere, 'c', 'proj', '.wash'), { recursive: true });
    await writeFile(join(elsewhere, '.cs-owner'), '{}');
    await writeFile(join(elsewhere, 'c', 'proj', '.wash', 'config.yaml'), `build:\n  command: touch ${JSON.stringify(marker)}\n`);
    assert.equal((await apiErrorOf(client.call('project.open', { path: join(elsewhere, 'c', 'proj') }))).code, 'target-in-data-folder');
    assert.equal(await readFile(marker).then(() => true, () => false), false);
  });

  it('project.open refuses a folder inside one of the project\'s volumes (a snapshot restore writes them), but not the project itself', async () => {
    const volume = join(configDir, 'volume-host');
    const marker = join(configDir, 'volume-build-ran');
    await mkdir(join(volume, 'proj', '.wash'), { recursive: true });
    await writeFile(join(volume, 'proj', '.wash', 'config.yaml'), `build:\n  command: touch ${JSON.stringify(marker)}\n`);
    const mark = client.mark();
    await project.writeConfig(`build:\n  command: ${JSON.stringify(messageBuildCommand())}\ndev:\n  volumes:\n    - host_path: ${JSON.stringify(volume)}\n      guest_path: /data\n`);
    await client.waitForEvent('build.changed', (b) => b.outcome === 'ok' && b.reason === 'change', undefined, mark);
    try {
      assert.equal((await apiErrorOf(client.call('project.open', { path: join(volume, 'proj') }))).code, 'target-in-data-folder');
      assert.equal(await readFile(marker).then(() => true, () => false), false);
      assert.equal((await client.call('project.get', {})).path, project.root);
    } finally {
      const back = client.mark();
      await project.writeConfig(`build:\n  command: ${JSON.stringify(messageBuildCommand())}\n`);
      await client.waitForEvent('build.changed', (b) => b.outcome === 'ok' && b.reason === 'change', undefined, back);
    }
  });

  it('project.open stops the project and opens another one', async () => {
    const other = await messageProject('another project\n');
    others.push(other);
    const mark = client.mark();
    const view = await client.call('project.open', { path: other.root });
    assert.equal(view.path, other.root);
    await client.waitForEvent('project.changed', (p) => p.path === other.root && p.gatewayUrl !== undefined, undefined, mark);
    const current = await client.call('project.get', {});
    assert.equal(current.builds.length, 1);
    assert.notEqual(current.gatewayUrl, gatewayUrl);
    await answerBecomes(current.gatewayUrl!, 'another project\n');
    await assert.rejects(fetch(gatewayUrl));
    const [workload] = await client.call('workloads.list', {});
    assert.equal(workload!.state, 'running');
  });
});

describe('component-studio dev with the studio UI', () => {
  it('prints the studio URL beside the gateway URL, and the URL opens the API', async () => {
    const project = await messageProject('from the cli\n');
    const studio = launchStudio(project.root, ['--workers', '1'], { ui: true });
    try {
      const url = await studio.serving(60_000);
      assert.match(studio.output(), /studio\s+http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
      const client = await StudioApiClient.connect(studio.studioUrl);
      try {
        const view = await client.call('project.get', {});
        assert.equal(view.gatewayUrl, url);
        assert.equal(view.name, 'message');
      } finally {
        client.close();
      }
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('the HTTP view on a component that hangs', () => {
  it('gets the gateway\'s 504 and what the studio logged, not a timeout of its own that raced it', async () => {
    const logs = new LogBus();
    // The gateway gives up after 1 s; the HTTP view must wait longer than that.
    const settings = { ...defaultRuntimeSettings(testCacheDir), workers: 1, requestTimeoutMs: 1000 };
    const target = await watFixture('loop');
    const createSession = (t: string) => new DevSession({ target: t, port: 0, bodyLimitBytes: 2 ** 20, settings, logs });
    const session = createSession(target);
    const configDir = await mkdtemp(join(tmpdir(), 'studio-api-hang-'));
    const service = new StudioService({ logs, session, target, createSession, configDir });
    try {
      const started = await session.start();
      assert.ok(started.ok && started.value.url, JSON.stringify(started));
      const response = (await service.call('http.send', { method: 'GET', url: '/', headers: [] })) as { status: number; body: string };
      assert.equal(response.status, 504);
      assert.match(decode(response.body), /did not answer within 1 s/);
    } finally {
      await service.close();
      await rm(configDir, { recursive: true, force: true });
    }
  });
});
