// The bundled QR example, built from source and served by the real CLI, meets wash's QR
// contract, and the PNG it returns decodes back to the payload.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeQr } from '../helpers/qr.ts';
import { repoRoot, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

describe('the QR example', () => {
  let studio: StudioProcess;
  let project: string;
  before(async () => {
    project = join(await mkdtemp(join(tmpdir(), 'studio-qrcode-')), 'qrcode');
    for (const part of ['src', 'wit', '.wash']) await cp(join(repoRoot, 'assets', 'examples', 'qrcode', part), join(project, part), { recursive: true });
    studio = await startStudio(project);
  });
  after(async () => {
    await studio.stop();
    await rm(join(project, '..'), { recursive: true, force: true });
  });

  const post = (body: string, path = '/qrcode') =>
    fetch(new URL(path, studio.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('serves its UI at GET /', async () => {
    const res = await fetch(studio.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /<input/);
    assert.match(html, /Generate/);
    assert.match(html, /Download/);
  });

  for (const payload of ['hello world', 'https://wasmcloud.com/docs?lang=en&x=1', 'héllo wörld ✓ 🚀 日本語']) {
    it(`returns a PNG that scans back to ${JSON.stringify(payload)}`, async () => {
      const res = await post(JSON.stringify({ payload }));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
      assert.equal(decodeQr(Buffer.from(await res.arrayBuffer())), payload);
    });
  }

  it('answers other paths with 404 "Not found"', async () => {
    for (const res of [await fetch(new URL('/nope', studio.url)), await post('{}', '/qrcode/extra')]) {
      assert.equal(res.status, 404);
      assert.equal(await res.text(), 'Not found\n');
    }
  });

  for (const [what, body, cause] of [
    ['a garbage body', 'this is not json', /ERROR\s+qrcode .*not valid JSON/],
    ['a missing payload', '{"text":"hi"}', /ERROR\s+qrcode .*needs a string "payload"/],
    ['an empty payload', '{"payload":""}', /ERROR\s+qrcode .*"payload" is empty/],
    ['a payload too long for a QR code', JSON.stringify({ payload: 'x'.repeat(5000) }), /ERROR\s+qrcode .*too (long|big)/i],
  ] as const) {
    it(`answers ${what} with 500 "sadness" and logs the cause`, async () => {
      const res = await post(body);
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'sadness. go check logs.\n');
      await studio.waitFor(cause);
    });
  }

  it('keeps serving after the failures', async () => {
    const res = await post(JSON.stringify({ payload: 'still here' }));
    assert.equal(decodeQr(Buffer.from(await res.arrayBuffer())), 'still here');
  });
});
