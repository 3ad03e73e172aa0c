// Which requests the HTTP view offers: the QR example's own for the example under any folder
// name (it is known by the component its config builds), the root for anything else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { examplesFor, isQrExample } from '../../renderer/src/views/http/http-examples.ts';

describe('the HTTP view\'s examples', () => {
  it('knows the QR example by the component it builds, whatever its folder is called', () => {
    assert.equal(isQrExample('qr', ['/home/me/qr/dist/qrcode.wasm']), true);
    assert.equal(isQrExample('p3', ['C:\\Users\\me\\p3\\dist\\qrcode.wasm']), true);
    assert.equal(isQrExample('qrcode', []), true, 'the bundled example before its first build');
    assert.equal(isQrExample('qrcode', ['/x/qrcode/dist/app.wasm']), false, 'a project of that name that builds something else');
    assert.equal(isQrExample('api', ['/x/api/dist/not-qrcode.wasm']), false);
  });

  it('offers the QR requests for it and the root for anything else', () => {
    assert.deepEqual(examplesFor(true).requests.map((r) => `${r.method} ${r.url}`), ['POST /qrcode', 'GET /']);
    assert.deepEqual(examplesFor(false).requests.map((r) => `${r.method} ${r.url}`), ['GET /']);
  });
});
