// Outbound HTTP from componentize-js components, whose fetch() runs on
// wasi:http/outgoing-handler: the outbound-probe fixture makes 100 calls at once and reports
// failures; the fetch-page example (assets/examples/fetch-page), built and served by the real
// CLI, works offline from the stand-in in its .wash/studio.yaml, follows an edit of
// `outbound` at the next call without a build, and gets its environment from `env` (an
// edit of which rebuilds). The studio.yaml beside a bare .wasm file counts too.
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpGateway } from '../../runtime/gateway/http-gateway.ts';
import { LogBus, loggerFor } from '../../runtime/logs/log-bus.ts';
import { OUTBOUND_SOURCE, OutboundHttp, outboundConfigFrom } from '../../runtime/network/outbound-service.ts';
import { startComposition } from '../../runtime/workloads/composition.ts';
import { defaultRuntimeSettings } from '../../runtime/workloads/workload.ts';
import { buildJsFixture } from '../fixtures/js/build.ts';
import { close, listen } from '../helpers/outbound-servers.ts';
import { repoRoot, startStudio, testCacheDir, type StudioProcess } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';

let temp: string;
let probeWasm: string;

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'studio-outbound-js-'));
  // One componentize-js build at a time (each takes ~800 MB).
  probeWasm = await buildJsFixture('outbound-probe');
});
after(() => rm(temp, { recursive: true, force: true }));

describe('fetch() in a componentize-js component', () => {
  let logs: LogBus;
  let http: OutboundHttp;
  let url: string;
  let stop: () => Promise<void>;

  before(async () => {
    logs = new LogBus();
    const config = outboundConfigFrom({}, temp);
    assert.ok(config.ok);
    http = new OutboundHttp(config.value, logs);
    const started = await startComposition({ components: [{ name: 'probe', wasmPath: probeWasm }], config: [], services: { http } }, { ...defaultRuntimeSettings(testCacheDir), workers: 1 }, logs);
    assert.ok(started.ok, started.ok ? '' : started.error.message);
    const gateway = new HttpGateway({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1 << 20, log: loggerFor(logs, 'gateway'), route: () => started.value.served[0]! });
    url = `http://127.0.0.1:${(await gateway.listen()).port}`;
    // A fetch-event component answers one request per instance: its second request makes the
    // pool give it a fresh instance per request from then on. Done here, so the tests' own
    // requests (one with a body) are never replayed.
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${url}/env`)).status, 200);
    stop = async () => {
      await gateway.close();
      await Promise.all(started.value.served.map((w) => w.stop()));
      await http.close();
    };
  });
  after(() => stop?.());

  it('makes 100 calls at once: the server answers none until all 100 are in', async () => {
    const waiting: ServerResponse[] = [];
    const server = createServer((req, res) => {
      waiting.push(res);
      res.setHeader('x-url', req.url ?? '');
      if (waiting.length === 100) for (const held of waiting) held.end(`answered ${held.getHeader('x-url') as string}`);
    });
    const port = await listen(server);
    after(() => close(server));
    const res = await fetch(`${url}/many?url=${encodeURIComponent(`http://127.0.0.1:${port}/held`)}&n=100`);
    assert.equal(res.status, 200, await res.clone().text());
    const { answers } = (await res.json()) as { answers: string[] };
    assert.deepEqual(answers, Array.from({ length: 100 }, (_, i) => `200 answered /held?call=${i}`));
    assert.equal(logs.query({ sources: [OUTBOUND_SOURCE], text: `http://127.0.0.1:${port}/held?call=` }).length, 100, 'one log record per call');
  });

  it('sends a request body and reads the answer', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.end(`${req.method} ${req.headers['x-probe']} ${body}`));
    });
    const port = await listen(server);
    after(() => close(server));
    const res = await fetch(`${url}/fetch?url=${encodeURIComponent(`http://127.0.0.1:${port}/echo`)}&method=POST`, { method: 'POST', body: 'from the test' });
    const answer = (await res.json()) as { status: number; body: string };
    assert.deepEqual([answer.status, answer.body], [200, 'POST outbound-probe from the test']);
  });

  it('logs what the component printed before a call ahead of the call\'s own line, even when a stand-in answers at once', async () => {
    const config = outboundConfigFrom({ stand_ins: [{ match: 'GET https://ordered.example.com/*', body: 'stood in' }] }, temp);
    assert.ok(config.ok);
    http.configure(config.value);
    try {
      for (let i = 0; i < 5; i++) {
        const target = `https://ordered.example.com/${i}`;
        const res = await fetch(`${url}/fetch?url=${encodeURIComponent(target)}`);
        assert.equal(res.status, 200, await res.clone().text());
        const texts = () => logs.query({}).map((r) => r.text);
        await waitUntil(() => texts().some((t) => t.startsWith(`GET ${target} → 200`)), () => `the call's line; the log:\n${texts().join('\n')}`);
        const printed = texts().indexOf(`probe: GET ${target}`);
        const called = texts().findIndex((t) => t.startsWith(`GET ${target} → 200`));
        assert.ok(printed >= 0 && printed < called, `the printed line comes first:\n${texts().join('\n')}`);
      }
    } finally {
      const none = outboundConfigFrom({}, temp);
      assert.ok(none.ok);
      http.configure(none.value);
    }
  });

  it('fails fetch() with a TypeError for a refused connection, and logs why', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await close(probe);
    const res = await fetch(`${url}/fetch?url=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`);
    assert.equal(res.status, 502);
    assert.match(((await res.json()) as { error: string }).error, /TypeError/);
    await waitUntil(
      () => logs.query({ sources: [OUTBOUND_SOURCE], text: `127.0.0.1:${port}/ failed with connection-refused` }).length === 1,
      () => 'the refused call was logged',
    );
  });
});

describe('the fetch-page example, through the CLI', () => {
  let root: string;
  let studio: StudioProcess;
  const studioYaml = () => join(root, '.wash', 'studio.yaml');
  const fetchPage = async (path = '/fetch') => {
    const res = await fetch(new URL(path, studio.url));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    root = join(temp, 'fetch-page');
    for (const part of ['src', 'wit', '.wash', 'fixtures']) await cp(join(repoRoot, 'assets', 'examples', 'fetch-page', part), join(root, part), { recursive: true });
    studio = await startStudio(root, ['--workers', '1'], 240_000);
  });
  after(() => studio?.stop());

  it('fetches its PAGE_URL offline, from the stand-in, and the log says so', async () => {
    const { status, body } = await fetchPage();
    assert.equal(status, 200);
    assert.equal(body.url, 'https://example.com/');
    assert.equal(body.title, 'Example Domain (offline copy)');
    assert.equal(body.contentType, 'text/html; charset=utf-8');
    await studio.waitFor(/INFO\s+outbound GET https:\/\/example\.com\/ → 200 in (\d+ ms|\d+\.\d s), [\d.]+ \w?B \(stand-in "GET https:\/\/example\.com\/\*"\) for GET \/fetch/);
  });

  it('refuses a page no stand-in answers, offline, and says why in the log', async () => {
    const { status, body } = await fetchPage('/fetch?url=https://wasmcloud.com/');
    assert.equal(status, 502);
    assert.match(String(body.error), /see the studio log/);
    await studio.waitFor(/WARN\s+outbound GET https:\/\/wasmcloud\.com\/ failed with HTTP-request-denied: offline mode/);
  });

  it('follows an edit of outbound at the next call, without a build', async () => {
    const builds = studio.lastBuild();
    const since = studio.output().length;
    const text = await readFile(studioYaml(), 'utf8');
    await writeFile(studioYaml(), text.replace('body_file: fixtures/example.html', 'body: "<title>edited by hand</title>"'));
    await waitUntil(async () => (await fetchPage()).body.title === 'edited by hand', () => 'the edited stand-in answered');
    assert.equal(studio.lastBuild(), builds, 'no build ran');
    assert.doesNotMatch(studio.output().slice(since), /build \d+/);
    await writeFile(studioYaml(), text);
  });

  it('gives the component env from .wash/studio.yaml, and an edit of it rebuilds', async () => {
    const text = await readFile(studioYaml(), 'utf8');
    const before = studio.lastBuild();
    await writeFile(studioYaml(), text.replace('PAGE_URL: https://example.com/', 'PAGE_URL: https://example.com/env-edited'));
    await waitUntil(() => studio.lastBuild() > before, () => 'a build after the env edit');
    await waitUntil(async () => (await fetchPage()).body.url === 'https://example.com/env-edited', () => 'the new PAGE_URL reached the component');
    await writeFile(studioYaml(), text);
  });
});

describe('a bare .wasm file', () => {
  it('reads the .wash/studio.yaml beside it: stand-ins and env', async () => {
    const dir = join(temp, 'bare');
    await mkdir(join(dir, '.wash'), { recursive: true });
    const wasm = join(dir, 'probe.wasm');
    await copyFile(probeWasm, wasm);
    await writeFile(join(dir, '.wash', 'studio.yaml'), 'outbound:\n  offline: true\n  stand_ins:\n    - match: GET https://api.example.com/*\n      body: beside the file\nenv:\n  GRPC_SERVER_URI: http://[::1]:50051\n');
    const studio = await startStudio(wasm, ['--workers', '1']);
    try {
      const fetched = (await (await fetch(new URL('/fetch?url=https://api.example.com/v1', studio.url))).json()) as { body: string };
      assert.equal(fetched.body, 'beside the file');
      assert.deepEqual(await (await fetch(new URL('/env', studio.url))).json(), { GRPC_SERVER_URI: 'http://[::1]:50051' });
    } finally {
      await studio.stop();
    }
  });
});
