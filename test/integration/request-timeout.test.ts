// The per-request timeout counts from the last bytes that moved: a response streamed, or a
// request body uploaded, for longer than the timeout still completes while it keeps moving,
// and a component that stalls (before its head, or in the middle of its body) is still stopped.
// The host-probe fixture under `--timeout 1`, through the real CLI and raw sockets.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildJsFixture } from '../fixtures/js/build.ts';
import { exchangeRaw } from '../helpers/raw-http.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';

describe('the request timeout, with bytes moving', () => {
  let dir: string;
  let studio: StudioProcess;
  let port: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-timeout-'));
    const wasm = join(dir, 'host-probe.wasm');
    await copyFile(await buildJsFixture('host-probe'), wasm);
    studio = await startStudio(wasm, ['--workers', '1', '--timeout', '1']);
    port = Number(new URL(studio.url).port);
  });
  after(async () => {
    await studio?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a response stream for longer than the timeout while its chunks keep coming', async () => {
    const started = performance.now();
    const res = await fetch(new URL('/stream?n=6&ms=400', studio.url));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), Array.from({ length: 6 }, (_, i) => `chunk ${i}\n`).join(''));
    assert.ok(performance.now() - started > 1900, 'it did outlast the timeout');
  });

  it('lets an upload take longer than the timeout while its bytes keep coming', async () => {
    const body = JSON.stringify({ parts: ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => p.repeat(10)) });
    const pieces = Array.from({ length: 6 }, (_, i) => body.slice((i * body.length) / 6, ((i + 1) * body.length) / 6));
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        // Chunked, so the component gets the request at once (a small declared body would
        // arrive whole first), and reads it as it comes: one piece every 400 ms, 2.4 s in
        // all, against a timeout of 1 s.
        socket.write('POST /echo-json HTTP/1.1\r\nhost: probe\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
        pieces.forEach((piece, i) => setTimeout(() => socket.write(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`), i * 400));
        setTimeout(() => socket.write('0\r\n\r\n'), pieces.length * 400);
      });
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (received += d));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.ok(answer.includes(body), answer);
  });

  it('still answers 504 for a component that answers nothing within the timeout', async () => {
    const res = await fetch(new URL('/sleep?ms=2500', studio.url));
    assert.equal(res.status, 504);
    await studio.waitFor(/GET \/sleep\?ms=2500: host-probe did not answer within 1 s \(504 Gateway Timeout\)/);
  });

  it('closes the connection of a response that stops moving for longer than the timeout', async () => {
    const { closed, received } = await exchangeRaw(port, 'GET /stream?n=3&ms=2500 HTTP/1.1\r\nhost: probe\r\n\r\n', 10_000);
    assert.ok(closed, 'the connection was closed');
    assert.match(received, /^HTTP\/1\.1 200/);
    assert.match(received, /chunk 0\n/);
    assert.doesNotMatch(received, /chunk 1/);
    await studio.waitFor(/GET \/stream\?n=3&ms=2500: host-probe sent nothing more of its response for 1 s; the connection was closed/);
  });

  it('says it was the client, not the component, when a response stops because the client does not read it', async () => {
    const since = studio.output().length;
    const socket = connect(port, '127.0.0.1');
    socket.pause(); // reads nothing: the 64 MiB answer backs up
    try {
      socket.write('GET /framing?write=67108864 HTTP/1.1\r\nhost: probe\r\n\r\n');
      await studio.waitFor(/GET \/framing\?write=67108864: the client took none of the response for 1 s \(\d+ bytes waiting to be sent\); the connection was closed/, 30_000, since);
      assert.doesNotMatch(studio.output().slice(since), /host-probe sent nothing more of its response/);
    } finally {
      socket.destroy();
    }
  });
});
