// The host interfaces the studio gives components, seen from inside a componentize-js
// component (the host-probe fixture): wasi:config values from the project config,
// wasi:logging and stdio as log records, clocks and random, timers (wasi:clocks pollables
// waited on with wasi:io/poll), and request and response bodies streamed through the
// StarlingMonkey engine.
//
// wasi:config values come only from a project's `.wash/config.yaml` (a .wasm target has no
// config), so the studio runs on a temporary project folder: a copy of the fixture's src/ and
// wit/ plus a `.wash/config.yaml`, which the studio builds itself. That exercises the real
// project path (config loading, build, serve). The build is cached by content (the bundle is
// project-relative, so the copy's path does not matter): only the first run after a change
// to the fixture componentizes (~15 s), later runs take it from the cache.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { exchangeRaw } from '../helpers/raw-http.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';

const fixtureDir = fileURLToPath(new URL('../fixtures/js/host-probe/', import.meta.url));
/** The project folder's name is the component's name, the source of its log records. */
const NAME = 'host-probe';

const CONFIG_YAML = `dev:
  volumes:
    - host_path: shared-folder
      guest_path: /data
  host_interfaces:
    - namespace: wasi
      package: config
      interfaces: [store]
      config:
        greeting: "hello from config"
        mode: dev
`;

/** A log line the terminal printer writes: `HH:MM:SS.mmm LEVEL source text`. */
function logLine(level: string, text: string): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\S+ ${level}\\s+${NAME} ${escaped}$`, 'm');
}

describe('host interfaces, seen from a componentize-js component', () => {
  let tempDir: string;
  let studio: StudioProcess;
  let url: (path: string) => string;
  let volumeDir: string;

  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'studio-host-probe-'));
    const project = join(tempDir, NAME);
    await mkdir(join(project, '.wash'), { recursive: true });
    await cp(join(fixtureDir, 'src'), join(project, 'src'), { recursive: true });
    await cp(join(fixtureDir, 'wit'), join(project, 'wit'), { recursive: true });
    await writeFile(join(project, '.wash', 'config.yaml'), CONFIG_YAML);
    volumeDir = join(project, 'shared-folder');
    await mkdir(join(volumeDir, 'notes'), { recursive: true });
    await writeFile(join(volumeDir, 'notes', 'hello.txt'), 'hello from the host\n');
    // Three workers whatever the core count, so that while two requests sleep in a timer a
    // third worker is free: the concurrency test checks that a sleeping component blocks
    // only its own worker (the pool's growth around stalls is not what it measures).
    studio = await startStudio(project, ['--workers', '3']);
    url = (path) => new URL(path, studio.url).href;
  });

  after(async () => {
    await studio?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('builds the project and shows the wasi:config and wasi:logging imports', () => {
    assert.match(studio.output(), /imports .*wasi:config\/store@0\.2\.0-rc\.1/);
    assert.match(studio.output(), /imports .*wasi:logging\/logging@0\.1\.0-draft/);
  });

  describe('wasi:filesystem on dev.volumes', () => {
    it('preopens each volume at its guest path', async () => {
      const res = await fetch(url('/fs/preopens'));
      assert.deepEqual(await res.json(), ['/data']);
    });

    it('reads a file the host put in the volume', async () => {
      const res = await fetch(url('/fs/read?path=notes/hello.txt'));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'hello from the host\n');
    });

    it('writes a file the host then finds in the folder, and lists it', async () => {
      const res = await fetch(url('/fs/write?path=notes/from-component.txt'), { method: 'POST', body: 'written by the component' });
      assert.equal(await res.text(), 'wrote 24 bytes\n');
      assert.equal(await readFile(join(volumeDir, 'notes', 'from-component.txt'), 'utf8'), 'written by the component');
      const list = await fetch(url('/fs/list?path=notes')).then((r) => r.json());
      assert.deepEqual(list, ['regular-file:from-component.txt', 'regular-file:hello.txt']);
    });

    it('answers a missing file with no-entry', async () => {
      const res = await fetch(url('/fs/read?path=nope.txt'));
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'error: no-entry\n');
    });

    it('refuses paths that leave the volume: .., absolute, and symlinks pointing out', async () => {
      await symlink('/etc', join(volumeDir, 'escape'));
      for (const path of ['../.wash/config.yaml', '/etc/hostname', 'notes/../../src/component.js', 'escape/hostname']) {
        const res = await fetch(url(`/fs/read?path=${encodeURIComponent(path)}`));
        assert.equal(await res.text(), 'error: not-permitted\n', path);
      }
    });
  });

  describe('wasi:config/store', () => {
    it('gets values from dev.host_interfaces', async () => {
      for (const [key, value] of [['greeting', 'hello from config'], ['mode', 'dev']]) {
        const res = await fetch(url(`/config?key=${key}`));
        assert.equal(res.status, 200, key);
        assert.equal(await res.text(), value);
      }
    });

    it('answers none for a key that is not configured', async () => {
      const res = await fetch(url('/config?key=no-such-key'));
      assert.equal(res.status, 404);
      assert.equal(await res.text(), 'missing\n');
    });

    it('gets all values', async () => {
      const res = await fetch(url('/config-all'));
      assert.equal(res.status, 200);
      const pairs = (await res.json()) as [string, string][];
      assert.deepEqual(pairs.sort(), [['greeting', 'hello from config'], ['mode', 'dev']]);
    });
  });

  describe('logging and stdio', () => {
    before(async () => {
      const res = await fetch(url('/log'));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'logged\n');
    });

    it('prints a wasi:logging record at its level, with its context, from the component', async () => {
      await studio.waitFor(logLine('WARN', 'probe-context: probe warning message'));
    });

    it('prints console.log and console.error at INFO (stderr is no error level), from the component', async () => {
      await studio.waitFor(logLine('INFO', 'probe stdout line'));
      await studio.waitFor(logLine('INFO', 'probe stderr line'));
    });

    it('makes one record per printed line, with no empty records', async () => {
      await studio.waitFor(logLine('INFO', 'probe stderr line'));
      const empty = new RegExp(`^\\S+ [A-Z]+\\s+${NAME}\\s*$`, 'm');
      assert.doesNotMatch(studio.output(), empty, 'a log record with no text came from the component');
    });
  });

  describe('clocks and random', () => {
    it('sees the wall clock, fresh random numbers and a performance clock', async () => {
      const read = async () => {
        const res = await fetch(url('/env'));
        assert.equal(res.status, 200);
        return (await res.json()) as { now: number; random: number; perf: number };
      };
      const first = await read();
      const second = await read();
      for (const env of [first, second]) {
        assert.ok(Math.abs(env.now - Date.now()) < 60_000, `Date.now() inside is ${new Date(env.now).toISOString()}`);
        assert.ok(env.random >= 0 && env.random < 1, `Math.random() gave ${env.random}`);
        assert.ok(Number.isFinite(env.perf) && env.perf >= 0, `performance.now() gave ${env.perf}`);
      }
      assert.notEqual(first.random, second.random, 'Math.random() gave the same number twice');
      assert.ok(second.now >= first.now, 'the wall clock went backwards');
    });
  });

  describe('timers', () => {
    it('waits for a setTimeout inside the component, then answers', async () => {
      const started = performance.now();
      const res = await fetch(url('/sleep?ms=300'));
      const elapsed = performance.now() - started;
      assert.equal(res.status, 200);
      const { elapsedMs } = (await res.json()) as { elapsedMs: number };
      assert.ok(elapsedMs >= 290, `the component measured ${elapsedMs} ms`);
      assert.ok(elapsed >= 290, `the request took ${elapsed} ms`);
    });

    it('serves other requests on other workers while components sleep', async () => {
      const started = performance.now();
      const answers: string[] = [];
      const sleeps = [sent('/sleep?ms=3000'), sent('/sleep?ms=3000')];
      // The sleeps go first: both requests are on the wire before the quick one is sent.
      await Promise.all(sleeps.map((sleep) => sleep.written));
      const quick = await fetch(url('/config?key=mode'));
      const quickBody = await quick.text();
      answers.push('quick');
      assert.equal(quick.status, 200);
      assert.equal(quickBody, 'dev');
      for (const sleep of await Promise.all(sleeps.map((s) => s.answered))) {
        assert.equal(sleep.status, 200);
        assert.ok(sleep.ms >= 2990, `a 3 s sleep answered after ${Math.round(sleep.ms)} ms`);
      }
      assert.deepEqual(answers, ['quick', 'sleep', 'sleep'], 'the quick request waited for the sleeping ones');

      /** A GET on its own connection: `written` once the request is handed to the socket, `answered` at the end of the answer. */
      function sent(path: string) {
        const request = get(url(path), { agent: false });
        const written = new Promise<void>((resolve, reject) => request.once('finish', resolve).once('error', reject));
        const answered = new Promise<{ status: number; ms: number }>((resolve, reject) => {
          request.once('error', reject);
          request.once('response', (res) => {
            res.resume();
            res.once('end', () => {
              answers.push('sleep');
              resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
            });
          });
        });
        return { written, answered };
      }
    });
  });

  describe('bodies through the StarlingMonkey engine', () => {
    it('streams a response as the component writes it', async () => {
      const started = performance.now();
      const res = await fetch(url('/stream'));
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const arrivals: number[] = [];
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arrivals.push(performance.now() - started);
        text += decoder.decode(value, { stream: true });
      }
      const end = performance.now() - started;
      assert.equal(text, 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
      assert.ok(arrivals.length >= 2, `the body arrived in ${arrivals.length} piece(s)`);
      assert.ok(end - arrivals[0]! >= 300, `the first chunk arrived at ${Math.round(arrivals[0]!)} ms, the end at ${Math.round(end)} ms`);
    });

    it('reads a 200 KB JSON request body and echoes it', async () => {
      const items = [];
      for (let i = 0, size = 0; size < 200_000; i++) {
        const item = { i, name: `item ${i}`, tags: ['a', 'b', `t${i % 17}`], nested: { ok: i % 2 === 0, text: 'é✓ unicode' } };
        items.push(item);
        size += JSON.stringify(item).length + 1;
      }
      const sent = { items };
      const body = JSON.stringify(sent);
      assert.ok(body.length >= 200_000);
      const res = await fetch(url('/echo-json'), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), sent);
    });
  });

  it('hands the component no field it may not set itself, so copying request headers onto a response works', async () => {
    const res = await fetch(url('/copy-headers'), { headers: { 'x-probe-header': 'kept', 'proxy-authorization': 'Basic eDp5' } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('x-probe-header'), 'kept');
    const names = (await res.json()) as string[];
    assert.ok(names.includes('x-probe-header'), names.join(', '));
    for (const gone of ['host', 'connection', 'proxy-authorization']) assert.ok(!names.includes(gone), `${gone} in ${names.join(', ')}`);
  });

  describe('a response whose head and body disagree', () => {
    // Each case is followed, on the same connection, by a request that must get its own answer
    // or none: never bytes of the first response taken for it. It asks for the connection to
    // be closed after its answer, so a case ends there instead of at the keep-alive timeout.
    const NEXT = 'GET /config?key=mode HTTP/1.1\r\nhost: probe\r\nconnection: close\r\n\r\n';
    const pipelined = (first: string, method = 'GET') => exchangeRaw(Number(new URL(studio.url).port), `${method} ${first} HTTP/1.1\r\nhost: probe\r\n\r\n${NEXT}`, 15_000);
    const heads = (received: string) => received.match(/HTTP\/1\.1 \d+/g) ?? [];

    it('sends a body that keeps its content-length, and the next answer after it', async () => {
      const { received } = await pipelined('/framing?length=5&write=5');
      assert.deepEqual(heads(received), ['HTTP/1.1 200', 'HTTP/1.1 200'], received);
      assert.match(received, /\r\n\r\nxxxxxHTTP\/1\.1 200/);
      assert.match(received, /\r\n\r\ndev$/);
    });

    it('refuses the write past the content-length, and closes the connection before anything else is read as the next answer', async () => {
      const { closed, received } = await pipelined('/framing?length=5&write=50');
      assert.equal(closed, true);
      assert.deepEqual(heads(received), ['HTTP/1.1 200'], received);
      assert.doesNotMatch(received, /x/, 'none of the 50 bytes: the write was refused whole');
      await studio.waitFor(logLine('INFO', 'framing: write failed: last-operation-failed'));
      await studio.waitFor(/GET \/framing\?length=5&write=50: the component ended its body after 0 of the 5 bytes its content-length promised; the connection was closed/);
    });

    it('closes the connection after a body shorter than its content-length', async () => {
      const { closed, received } = await pipelined('/framing?length=100&write=10');
      assert.equal(closed, true);
      assert.deepEqual(heads(received), ['HTTP/1.1 200'], received);
      assert.match(received, /\r\n\r\nx{10}$/);
      await studio.waitFor(/the component ended its body after 10 of the 100 bytes its content-length promised; the connection was closed/);
    });

    it('answers 500 for an informational status or a content-length that is not a number, and serves the next request', async () => {
      for (const [query, why] of [
        ['status=100&write=5', /informational status/],
        ['status=103&length=0', /informational status/],
        ['length=abc', /content-length that is not one number of bytes \("abc"\)/],
        ['length=5,6&write=5', /content-length that is not one number of bytes \("5,6"\)/],
      ] as const) {
        const { received } = await pipelined(`/framing?${query}`);
        assert.deepEqual(heads(received), ['HTTP/1.1 500', 'HTTP/1.1 200'], `${query}: ${received}`);
        assert.match(received, why);
        assert.match(received, /\r\n\r\ndev$/);
      }
      // The host refuses a body for a content-length that is not a number, as wasmtime does.
      await studio.waitFor(logLine('INFO', 'framing: no body'));
    });

    it('sends a status of 600-999, which wasmtime allows too', async () => {
      const { received } = await pipelined('/framing?status=799&length=2&write=2');
      assert.deepEqual(heads(received), ['HTTP/1.1 799', 'HTTP/1.1 200'], received);
    });

    it('keeps the connection for a HEAD answer that declares a length and sends no body', async () => {
      const { received } = await pipelined('/framing?length=100', 'HEAD');
      assert.deepEqual(heads(received), ['HTTP/1.1 200', 'HTTP/1.1 200'], received);
      assert.match(received, /content-length: 100/i);
    });
  });
});
