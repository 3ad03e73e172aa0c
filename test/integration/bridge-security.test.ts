// The browser-mode bridge lets in only the person who started the studio: the token from the
// printed URL (then its cookie), the bridge's own Host and Origin. Everything else gets a 403,
// on plain HTTP and on the WebSocket upgrade alike.
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
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
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
  let cookie: string;

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
    bridge = await startBridge({ service, rendererDir: dist });
    token = new URL(bridge.url).searchParams.get('token')!;
    cookie = `${bridge.cookieName}=${token}`;
  });
  after(async () => {
    await bridge.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and prints a URL with a long random token', () => {
    assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses a request without the token or its cookie', async () => {
    const answer = await get(bridge.port, '/');
    assert.equal(answer.status, 403);
    assert.match(answer.body, /URL printed in the terminal/);
    assert.equal((await get(bridge.port, '/assets/app.js')).status, 403);
  });

  it('refuses a wrong token', async () => {
    assert.equal((await get(bridge.port, '/?token=not-the-token')).status, 403);
    assert.equal((await get(bridge.port, '/', { cookie: `${bridge.cookieName}=not-the-token` })).status, 403);
  });

  it('swaps the right token for an HttpOnly, SameSite=Strict cookie and redirects to the page without it', async () => {
    const answer = await get(bridge.port, `/?token=${token}`);
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.location, '/');
    const setCookie = String(answer.headers['set-cookie']);
    assert.match(setCookie, new RegExp(`^${bridge.cookieName}=${token};`));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
  });

  it('serves index.html with the cookie, under a strict CSP and the security headers', async () => {
    const answer = await get(bridge.port, '/', { cookie });
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
    const answer = await get(bridge.port, '/assets/app.js', { cookie });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/link.txt']) {
      const answer = await get(bridge.port, path, { cookie });
      assert.notEqual(answer.body, 'outside the renderer folder', path);
    }
  });

  it('refuses a foreign Origin on HTTP, even with the cookie or the token', async () => {
    assert.equal((await get(bridge.port, '/', { cookie, origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(bridge.port, `/?token=${token}`, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(bridge.port, '/', { cookie, origin: 'null' })).status, 403);
  });

  it('refuses a foreign Host (DNS rebinding), even with the cookie', async () => {
    assert.equal((await get(bridge.port, '/', { cookie, host: `evil.example:${bridge.port}` })).status, 403);
    assert.equal((await get(bridge.port, '/', { cookie, host: `127.0.0.1:${bridge.port + 1}` })).status, 403);
  });

  it('accepts localhost:<port> as its own Host and Origin', async () => {
    const answer = await get(bridge.port, '/', { cookie, host: `localhost:${bridge.port}`, origin: `http://localhost:${bridge.port}` });
    assert.equal(answer.status, 200);
  });

  it('refuses a WebSocket upgrade without the cookie', async () => {
    assert.deepEqual(await connect(bridge.port, {}), { refused: 403 });
  });

  it('refuses a WebSocket upgrade from a foreign Origin, even with the cookie', async () => {
    assert.deepEqual(await connect(bridge.port, { cookie, origin: 'http://evil.example' }), { refused: 403 });
  });

  it('refuses a WebSocket upgrade with a foreign Host, even with the cookie', async () => {
    assert.deepEqual(await connect(bridge.port, { cookie, host: `evil.example:${bridge.port}` }), { refused: 403 });
  });

  it('answers commands over a WebSocket with the cookie and no Origin', async () => {
    const opened = await connect(bridge.port, { cookie });
    assert.ok('ws' in opened);
    const frame = await call(opened.ws, 1, 'project.get');
    opened.ws.close();
    assert.ok('ok' in frame && frame.ok, JSON.stringify(frame));
    const project = frame.result as ProjectView;
    assert.equal(project.name, 'project');
    assert.equal(project.path, join(dir, 'project'));
  });

  it('answers commands over a WebSocket with the cookie and its own Origin', async () => {
    const opened = await connect(bridge.port, { cookie, origin: bridge.origin });
    assert.ok('ws' in opened);
    const frame = await call(opened.ws, 7, 'logs.query', { limit: 10 });
    opened.ws.close();
    assert.ok('ok' in frame && frame.ok, JSON.stringify(frame));
  });

  it('answers a frame that is not JSON with a bad-frame error instead of closing', async () => {
    const opened = await connect(bridge.port, { cookie });
    assert.ok('ws' in opened);
    const answer = new Promise<ServerFrame>((resolve) => opened.ws.once('message', (data) => resolve(JSON.parse(String(data)) as ServerFrame)));
    opened.ws.send('this is not json');
    const frame = await answer;
    opened.ws.close();
    assert.ok('ok' in frame && !frame.ok && frame.error.code === 'bad-frame');
  });
});

describe('the bridge before the renderer is built', () => {
  it('serves a page that says how to build it', async () => {
    const service = new StudioService({ logs: new LogBus(), target: '.', createSession: () => assert.fail('no session') });
    const bridge = await startBridge({ service, rendererDir: join(tmpdir(), 'no-such-renderer-dist') });
    try {
      const token = new URL(bridge.url).searchParams.get('token')!;
      const answer = await get(bridge.port, '/', { cookie: `${bridge.cookieName}=${token}` });
      assert.equal(answer.status, 200);
      assert.match(answer.body, /npm run build:renderer/);
      assert.ok(answer.headers['content-security-policy']);
    } finally {
      await bridge.close();
      await service.close();
    }
  });
});
