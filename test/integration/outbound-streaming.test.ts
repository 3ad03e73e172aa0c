// Outbound bodies stream: a component uploading or downloading hundreds of MB through
// wasi:http/outgoing-handler never makes the studio hold them. The real CLI serves the WAT
// forwarder (test/fixtures/wat/outbound-forward.wat); this test sends 500 MB through it to a
// server that counts, and pulls 500 MB from a server that streams them, three times each,
// while it samples the studio's resident memory.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { growthDuring } from '../helpers/memory.ts';
import { close, listen } from '../helpers/outbound-servers.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';

const SIZE = 500 * 2 ** 20;
const CHUNK = Buffer.alloc(1024 * 1024, 7);
/** As for the stores' bodies (data-safety.test.ts): workers grow to a fixed size, buffers go in batches; 500 MB held would pass this. */
const BOUND = 200 * 2 ** 20;
const ROUNDS = 3;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** SIZE bytes, made as they are read. */
function bigBody(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      this.push(sent < SIZE ? CHUNK : null);
      sent += CHUNK.length;
    },
  });
}

describe('outbound bodies of 500 MB', () => {
  let studio: StudioProcess;
  const counter = createServer((req, res) => {
    let received = 0;
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.end(String(received)));
  });
  const source = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    bigBody().pipe(res);
  });
  let counterAt: string;
  let sourceAt: string;
  let dir: string | undefined;

  before(async () => {
    counterAt = `127.0.0.1:${await listen(counter)}`;
    sourceAt = `127.0.0.1:${await listen(source)}`;
    const fixture = await watFixtureAlone('outbound-forward');
    dir = fixture.dir;
    studio = await startStudio(fixture.wasm, ['--body-limit', '600', '--timeout', '300', '--workers', '1']);
  });
  after(async () => {
    await studio?.stop();
    await close(counter);
    await close(source);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function call(method: string, target: string, body?: Readable): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(studio.url, { method, headers: { 'x-target-scheme': 'http', 'x-target-authority': target } }, resolve);
      req.on('error', reject);
      if (body) body.pipe(req);
      else req.end();
    });
  }

  async function upload(): Promise<void> {
    const res = await call('POST', counterAt, bigBody());
    let text = '';
    for await (const chunk of res) text += String(chunk);
    assert.equal(res.statusCode, 200, text);
    assert.equal(Number(text), SIZE, 'the server got the whole body');
  }

  async function download(): Promise<void> {
    const res = await call('GET', sourceAt);
    assert.equal(res.statusCode, 200);
    let received = 0;
    let reads = 0;
    for await (const chunk of res) {
      received += (chunk as Buffer).length;
      // Read slowly at first, so a host without backpressure would pile the body up.
      if (reads++ < 50) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(received, SIZE);
  }

  it('are sent as the component writes them, without being held in memory', { timeout: 300_000 }, async () => {
    const growth = await growthDuring(studio.child.pid!, async () => {
      for (let i = 0; i < ROUNDS; i++) await upload();
    });
    assert.ok(growth < BOUND, `the studio grew by ${mb(growth)} while a component sent 500 MB ${ROUNDS} times`);
  });

  it('are read as the component reads them, without being held in memory', { timeout: 300_000 }, async () => {
    const growth = await growthDuring(studio.child.pid!, async () => {
      for (let i = 0; i < ROUNDS; i++) await download();
    });
    assert.ok(growth < BOUND, `the studio grew by ${mb(growth)} while a component read 500 MB ${ROUNDS} times`);
  });
});
