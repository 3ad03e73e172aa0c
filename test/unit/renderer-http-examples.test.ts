// Which requests the HTTP view offers: the QR example's own for the example under any folder
// name (it is known by the component its config builds), the root for anything else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SettingsView } from '../../renderer/src/api/types.ts';
import { examplesFor } from '../../renderer/src/views/http/http-examples.ts';
import { configuredComponentPath, isQrExample } from '../../renderer/src/lib/qr-example.ts';

describe('the HTTP view\'s examples', () => {
  it('knows the QR example by the component it builds, whatever its folder is called', () => {
    assert.equal(isQrExample('qr', ['/home/me/qr/dist/qrcode.wasm']), true);
    assert.equal(isQrExample('p3', ['C:\\Users\\me\\p3\\dist\\qrcode.wasm']), true);
    assert.equal(isQrExample('qrcode', []), true, 'the bundled example before its first build');
    assert.equal(isQrExample('qrcode', ['/x/qrcode/dist/app.wasm']), false, 'a project of that name that builds something else');
    assert.equal(isQrExample('api', ['/x/api/dist/not-qrcode.wasm']), false);
  });

  it('knows a project made from the QR example by what the studio says it was copied from, whatever it builds', () => {
    assert.equal(isQrExample('my-qr', ['/x/my-qr/dist/my-qr.wasm'], 'dist/my-qr.wasm', 'qrcode'), true);
    assert.equal(isQrExample('my-api', ['/x/my-api/dist/my-api.wasm'], 'dist/my-api.wasm', 'hello'), false);
  });

  it('knows a copy of the QR example before its first build, by the component path its config names', () => {
    assert.equal(isQrExample('my-qr', [], 'dist/qrcode.wasm'), true);
    assert.equal(isQrExample('qrcode', [], 'dist/app.wasm'), false, 'the config names another component');
    assert.equal(isQrExample('my-qr', ['/x/my-qr/dist/app.wasm'], 'dist/qrcode.wasm'), false, 'what runs wins over the config');
    const settings = (values: { key: string; value: string }[]) => ({ config: { values } }) as unknown as SettingsView;
    assert.equal(configuredComponentPath(settings([{ key: 'build.component_path', value: '"dist/qrcode.wasm"' }])), 'dist/qrcode.wasm');
    assert.equal(configuredComponentPath(settings([{ key: 'build.command', value: '"make"' }])), undefined);
    assert.equal(configuredComponentPath(undefined), undefined);
    assert.equal(configuredComponentPath(settings([{ key: 'build.component_path', value: 'dist/not json' }])), undefined);
  });

  it('offers the QR requests for it and the root for anything else', () => {
    assert.deepEqual(examplesFor(true).requests.map((r) => `${r.method} ${r.url}`), ['POST /qrcode', 'GET /']);
    assert.deepEqual(examplesFor(false).requests.map((r) => `${r.method} ${r.url}`), ['GET /']);
  });
});
