// The browser-mode bridge lets in only the person who started the studio: the API needs the
// token from the printed URL, and every request the bridge's own Host and Origin; the rest
// gets a 403, on plain HTTP and on the WebSocket upgrade alike. No cookie carries the token:
// cookies ignore ports, so it would reach every other server on 127.0.0.1.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { startBridge, type Bridge } from '../../runtime/studio/bridge.ts';
import { StudioService } from '../../runtime/studio/studio-service.ts';
import type { ProjectView, ServerFrame } from '../../runtime/studio/api.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so tests choose every header (fetch would set Host and Origin itself). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket to /api; resolves with the socket, or with the HTTP status it was refused with. */
function connect(port: number, headers: Record<string, string>, path = '/api'): Promise<{ ws: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, command: string, args: unknown = {}): Promise<ServerFrame> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if ('id' in frame && frame.id === id) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, command, args }));
  });
}

describe('the browser-mode bridge', () => {
  let dir: string;
  let bridge: Bridge;
  let service: StudioService;
  let token: string;
  let api: string;
  const logged: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-bridge-'));
    const dist = join(dir, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>studio</title><script type="module" src="./assets/app.js"></script>');
    await writeFile(join(dist, 'assets', 'app.js'), 'console.log("studio")');
    await writeFile(join(dir, 'secret.txt'), 'outside the renderer folder');
    await symlink(join(dir, 'secret.txt'), join(dist, 'assets', 'link.txt'));
    service = new StudioService({
      logs: new LogBus(),
      target: join(dir, 'project'),
      createSession: () => {
        throw new Error('no session in this test');
      },
    });
    bridge = await startBridge({ service, rendererDir: dist, log: (_level, text) => logged.push(text) });
    token = new URL(bridge.url).searchParams.get('token')!;
    api = `/api?token=${token}`;
  });
  after(async () => {
    await bridge.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and prints a URL with a long random token', () => {
    assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses the API without the token, or with a wrong one, saying where the right one is', async () => {
    const answer = await get(bridge.port, '/api');
    assert.equal(answer.status, 403);
    assert.match(answer.body, /URL printed in the terminal/);
    assert.equal((await get(bridge.port, '/api?token=not-the-token')).status, 403);
    assert.equal((await get(bridge.port, api)).status, 426, 'the right token gets past the checks (only the protocol is wrong)');
  });

  it('refuses a page asked for with a wrong token (a URL from an earlier launch), and sets no cookie', async () => {
    const stale = await get(bridge.port, '/?token=not-the-token');
    assert.equal(stale.status, 403);
    assert.match(stale.body, /wrong token, perhaps from an earlier launch/);
    const opened = await get(bridge.port, `/?token=${token}`);
    assert.equal(opened.status, 200);
    assert.equal(opened.headers['set-cookie'], undefined);
    assert.equal(opened.headers['cache-control'], 'no-store');
  });

  it('gives a browser it opens a launch link without the token, which works once and redirects to the URL with it', async () => {
    const launch = bridge.launchUrl();
    assert.ok(!launch.includes(token), 'a command line is readable by every user: the token stays off it');
    assert.match(launch, /^http:\/\/127\.0\.0\.1:\d+\/\?launch=[A-Za-z0-9_-]{32}$/);
    const path = launch.slice(bridge.origin.length);
    assert.equal((await get(bridge.port, path, {}, 'HEAD')).status, 405, 'a HEAD does not spend it');
    const first = await get(bridge.port, path);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, `/?token=${token}`);
    assert.equal(first.headers['x-content-type-options'], 'nosniff');
    assert.equal(first.headers['referrer-policy'], 'no-referrer');
    const again = await get(bridge.port, path);
    assert.equal(again.status, 403, 'a used launch link (read from a command line later) opens nothing');
    assert.match(again.body, /used already, by another tab or another program on this machine/);
    assert.ok(logged.some((line) => /launch link was opened a second time/.test(line)), 'the terminal hears that someone may have come first');
    assert.equal((await get(bridge.port, '/?launch=made-up')).status, 403);
    const foreign = await get(bridge.port, bridge.launchUrl().slice(bridge.origin.length), { origin: 'http://evil.example' });
    assert.equal(foreign.status, 403, 'a foreign page cannot spend a launch code either');
  });

  it('ignores a cookie, even one named as the old bridge named its own', async () => {
    assert.equal((await get(bridge.port, '/api', { cookie: `component-studio-${bridge.port}=${token}` })).status, 403);
    assert.deepEqual(await connect(bridge.port, { cookie: `component-studio-${bridge.port}=${token}` }), { refused: 403 });
  });

  it('serves index.html without the token, under a strict CSP and the security headers', async () => {
    const answer = await get(bridge.port, '/');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /<title>studio<\/title>/);
    assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(answer.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${bridge.port} ws://localhost:${bridge.port}`));
    assert.match(csp, /worker-src 'self' blob:/);
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    assert.equal(answer.headers['x-frame-options'], 'DENY');
  });

  it('serves assets with their content type', async () => {
    const answer = await get(bridge.port, '/assets/app.js');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/link.txt']) {
      const answer = await get(bridge.port, path);
      assert.notEqual(answer.body, 'outside the renderer folder', path);
    }
  });

  it('refuses a foreign Origin on HTTP, even with the token', async () => {
    assert.equal((await get(bridge.port, '/', { origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(bridge.port, api, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(bridge.port, api, { origin: 'null' })).status, 403);
  });

  it('refuses a foreign Host (DNS rebinding), even with the token', async () => {
    assert.equal((await get(bridge.port, '/', { host: `evil.example:${bridge.port}` })).status, 403);
    assert.equal((await get(bridge.port, api, { host: `evil.example:${bridge.port}` })).status, 403);
    assert.equal((await get(bridge.port, api, { host: `127.0.0.1:${bridge.port + 1}` })).status, 403);
  });

  it('accepts localhost:<port> as its own Host and Origin', async () => {
    const answer = await get(bridge.port, api, { host: `localhost:${bridge.port}`, origin: `http://localhost:${bridge.port}` });
    assert.equal(answer.status, 426);
  });

  it('refuses a WebSocket upgrade without the token, or with a wrong one', async () => {
    assert.deepEqual(await connect(bridge.port, {}), { refused: 403 });
    assert.deepEqual(await connect(bridge.port, {}, '/api?token=not-the-token'), { refused: 403 });
  });

  it('refuses a WebSocket upgrade from a foreign Origin, even with the token', async () => {
    assert.deepEqual(await connect(bridge.port, { origin: 'http://evil.example' }, api), { refused: 403 });
  });

  it('refuses a WebSocket upgrade with a foreign Host, even with the token', async () => {
    assert.deepEqual(await connect(bridge.port, { host: `evil.example:${bridge.port}` }, api), { refused: 403 });
  });

  it('answers commands over a WebSocket with the token and no Origin', async () => {
    const opened = await connect(bridge.port, {}, api);
    assert.ok('ws' in opened);
    const frame = await call(opened.ws, 1, 'project.get');
    opened.ws.close();
    assert.ok('ok' in frame && frame.ok, JSON.stringify(frame));
    const project = frame.result as ProjectView;
    assert.equal(project.name, 'project');
    assert.equal(project.path, join(dir, 'project'));
  });

  it('answers commands over a WebSocket with the token and its own Origin', async () => {
    const opened = await connect(bridge.port, { origin: bridge.origin }, api);
    assert.ok('ws' in opened);
    const frame = await call(opened.ws, 7, 'logs.query', { limit: 10 });
    opened.ws.close();
    assert.ok('ok' in frame && frame.ok, JSON.stringify(frame));
  });

  it('answers a frame larger than 64 MiB instead of closing the socket', async () => {
    const opened = await connect(bridge.port, {}, api);
    assert.ok('ws' in opened);
    const frame = await call(opened.ws, 9, 'ui.state.set', { key: 'big', value: 'x'.repeat(70 * 2 ** 20) });
    opened.ws.close();
    assert.ok('ok' in frame && !frame.ok, JSON.stringify(frame).slice(0, 300));
    assert.match(frame.error.message, /grow past/);
  });

  it('answers a frame that is not a JSON command with a number to answer to with a bad-frame error, and runs nothing', async () => {
    const opened = await connect(bridge.port, {}, api);
    assert.ok('ws' in opened);
    for (const text of ['this is not json', '[1, "project.get", {}]', '{"id": "7", "command": "project.get", "args": {}}', '{"command": "project.get", "args": {}}', '{"id": 0, "command": "project.get", "args": {}}']) {
      const answer = new Promise<ServerFrame>((resolve) => opened.ws.once('message', (data) => resolve(JSON.parse(String(data)) as ServerFrame)));
      opened.ws.send(text);
      const frame = await answer;
      assert.ok('ok' in frame && !frame.ok && frame.error.code === 'bad-frame' && frame.id === 0, `${text}: ${JSON.stringify(frame)}`);
    }
    opened.ws.close();
  });
});

describe('the bridge before the renderer is built', () => {
  it('serves a page that says how to build it', async () => {
    const service = new StudioService({ logs: new LogBus(), target: '.', createSession: () => assert.fail('no session') });
    const bridge = await startBridge({ service, rendererDir: join(tmpdir(), 'no-such-renderer-dist') });
    try {
      const answer = await get(bridge.port, '/');
      assert.equal(answer.status, 200);
      assert.match(answer.body, /npm run build:renderer/);
      assert.ok(answer.headers['content-security-policy']);
    } finally {
      await bridge.close();
      await service.close();
    }
  });
});
