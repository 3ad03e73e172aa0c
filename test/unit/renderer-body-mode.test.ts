// Switching an HTTP request's body type keeps the request honest: a Content-Type that only
// named the old body type goes (so the new type's own is sent, as for a fresh request), one
// the user chose stays, and the text typed for JSON or Text is carried over, not dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { impliedContentType, withBodyMode } from '../../renderer/src/views/http/body-mode.ts';
import type { RequestDraft } from '../../renderer/src/views/http/http-store.ts';

const qr: RequestDraft = {
  method: 'POST',
  url: '/qrcode',
  headers: [
    { key: 'Content-Type', value: 'application/json', enabled: true },
    { key: 'X-Trace', value: '1', enabled: true },
  ],
  bodyMode: 'json',
  bodyText: '',
  bodyJson: '{"payload":"https://wasmcloud.com"}',
  form: [],
};

describe('switching the body type', () => {
  it('drops a Content-Type that named the old type, so Text is sent as text', () => {
    const text = withBodyMode(qr, 'text');
    assert.deepEqual(text.headers, [{ key: 'X-Trace', value: '1', enabled: true }]);
    assert.equal(impliedContentType(text.bodyMode, text.file), 'text/plain; charset=utf-8');
    assert.deepEqual(withBodyMode(qr, 'file').headers, [{ key: 'X-Trace', value: '1', enabled: true }]);
  });

  it('compares media types, whatever their case and parameters', () => {
    const text = { ...qr, bodyMode: 'text' as const, headers: [{ key: 'content-type', value: 'Text/Plain', enabled: false }] };
    assert.deepEqual(withBodyMode(text, 'json').headers, []);
  });

  it('keeps a Content-Type the user chose', () => {
    const own = { ...qr, headers: [{ key: 'Content-Type', value: 'application/vnd.api+json', enabled: true }] };
    assert.deepEqual(withBodyMode(own, 'text').headers, own.headers);
  });

  it('takes the JSON along to an empty Text body, and back', () => {
    const text = withBodyMode(qr, 'text');
    assert.equal(text.bodyText, qr.bodyJson);
    assert.equal(withBodyMode({ ...text, bodyJson: '' }, 'json').bodyJson, qr.bodyJson);
  });

  it('leaves a Text body the user already wrote as it is', () => {
    assert.equal(withBodyMode({ ...qr, bodyText: 'hello' }, 'text').bodyText, 'hello');
  });
});
