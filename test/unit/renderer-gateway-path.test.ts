// Which full URLs an imported curl command names the studio's gateway by, so they become paths
// (renderer/src/views/http/gateway-path.ts): every loopback name on the gateway's port and
// scheme, as curl and a browser reach it; not another port, host or scheme, nor a
// `<name>.localhost` address, which picks a linked component by its name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayPath } from '../../renderer/src/views/http/gateway-path.ts';

const GATEWAY = 'http://127.0.0.1:8000/';

describe('an imported URL on the gateway', () => {
  for (const url of ['http://127.0.0.1:8000/qrcode', 'http://localhost:8000/qrcode', 'http://LOCALHOST:8000/qrcode', 'http://[::1]:8000/qrcode', 'http://[0:0:0:0:0:0:0:1]:8000/qrcode']) {
    it(`becomes a path: ${url}`, () => {
      assert.equal(gatewayPath(url, GATEWAY), '/qrcode');
    });
  }

  it('keeps the query, the fragment and the text as written', () => {
    assert.equal(gatewayPath('http://localhost:8000/a b?x=1&y=é#top', GATEWAY), '/a b?x=1&y=é#top');
    assert.equal(gatewayPath('http://localhost:8000?x=1', GATEWAY), '/?x=1');
    assert.equal(gatewayPath('http://localhost:8000', GATEWAY), '/');
  });

  it('is the gateway on whatever loopback name the gateway itself has', () => {
    assert.equal(gatewayPath('http://127.0.0.1:8000/x', 'http://localhost:8000/'), '/x');
    assert.equal(gatewayPath('https://localhost:8443/x', 'https://127.0.0.1:8443/'), '/x');
    assert.equal(gatewayPath('http://192.168.1.20:8000/x', 'http://192.168.1.20:8000/'), '/x');
  });

  for (const [url, why] of [
    ['http://localhost:8001/qrcode', 'another port'],
    ['http://localhost/qrcode', 'the default port'],
    ['https://localhost:8000/qrcode', 'another scheme'],
    ['http://example.com:8000/qrcode', 'another host'],
    ['http://127.0.0.2:8000/qrcode', 'another loopback address the gateway does not listen on'],
    ['http://qrcode.localhost:8000/qrcode', 'a linked component by its name'],
    ['http://user:secret@localhost:8000/qrcode', 'credentials a path would drop'],
    ['not a url', 'no URL at all'],
  ]) {
    it(`stays a full URL for ${why}`, () => {
      assert.equal(gatewayPath(url!, GATEWAY), undefined);
    });
  }

  it('takes a gateway on a loopback name only on the loopback', () => {
    assert.equal(gatewayPath('http://localhost:8000/x', 'http://192.168.1.20:8000/'), undefined);
  });
});
