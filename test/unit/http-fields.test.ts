// wasi:http fields (headers and trailers) as the studio gives them to components, how
// methods cross between HTTP and the WIT `method` variant, and outbound requests refused
// before they leave.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fields, IncomingRequest, methodFromString, methodToString, OutgoingRequest, type Method } from '../../runtime/host/http.ts';
import type { HostState } from '../../runtime/host/host-state.ts';
import { outgoingHttpImports } from '../../runtime/host/outgoing-http.ts';
import { EMPTY_SOURCE } from '../../runtime/host/io.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const texts = (values: Uint8Array[]) => values.map((v) => new TextDecoder().decode(v));

/** The header error a component sees: thrown as a plain `{ tag }` value, not an Error. */
function throwsTag(fn: () => void, tag: 'invalid-syntax' | 'forbidden' | 'immutable'): void {
  assert.throws(fn, (thrown: unknown) => {
    assert.deepEqual(thrown, { tag });
    return true;
  });
}

describe('Fields', () => {
  it('gets values whatever the case of the name', () => {
    const fields = Fields.fromList([['Content-Type', bytes('text/plain')]]);
    assert.deepEqual(texts(fields.get('content-type')), ['text/plain']);
    assert.deepEqual(texts(fields.get('CONTENT-TYPE')), ['text/plain']);
  });

  it('has a name whatever its case', () => {
    const fields = Fields.fromList([['X-Thing', bytes('1')]]);
    assert.equal(fields.has('x-thing'), true);
    assert.equal(fields.has('X-THING'), true);
    assert.equal(fields.has('x-other'), false);
  });

  it('gets an empty list for a name it does not have', () => {
    assert.deepEqual(new Fields().get('x-none'), []);
  });

  it('keeps every value appended under one name, in order', () => {
    const fields = new Fields();
    fields.append('Set-Cookie', bytes('a=1'));
    fields.append('set-cookie', bytes('b=2'));
    assert.deepEqual(texts(fields.get('set-cookie')), ['a=1', 'b=2']);
  });

  it('replaces every value of a name on set, whatever the case', () => {
    const fields = Fields.fromList([['Accept', bytes('a')], ['accept', bytes('b')], ['x-other', bytes('c')]]);
    fields.set('ACCEPT', [bytes('c'), bytes('d')]);
    assert.deepEqual(texts(fields.get('accept')), ['c', 'd']);
    assert.deepEqual(texts(fields.get('x-other')), ['c']);
  });

  it('removes a name on set with no values', () => {
    const fields = Fields.fromList([['x-a', bytes('1')]]);
    fields.set('x-a', []);
    assert.equal(fields.has('x-a'), false);
  });

  it('deletes every value of a name, whatever the case', () => {
    const fields = Fields.fromList([['X-A', bytes('1')], ['x-a', bytes('2')], ['x-b', bytes('3')]]);
    fields.delete('x-A');
    assert.equal(fields.has('x-a'), false);
    assert.deepEqual(fields.entries().map(([n]) => n), ['x-b']);
  });

  it('lists entries in the order they were added, names as given', () => {
    const fields = Fields.fromList([['B', bytes('2')], ['a', bytes('1')]]);
    assert.deepEqual(fields.entries().map(([n, v]) => [n, new TextDecoder().decode(v)]), [['B', '2'], ['a', '1']]);
  });

  it('builds from a list, keeping repeated names', () => {
    const fields = Fields.fromList([['x-a', bytes('1')], ['x-a', bytes('2')]]);
    assert.deepEqual(texts(fields.get('x-a')), ['1', '2']);
  });

  it('refuses an empty name or one with characters outside an HTTP token with invalid-syntax', () => {
    for (const name of ['', 'bad name', 'bad:name', 'ünicode', 'a\nb', '(paren)']) {
      throwsTag(() => new Fields().append(name, bytes('v')), 'invalid-syntax');
    }
  });

  it('accepts every HTTP token character in a name', () => {
    const fields = new Fields();
    fields.append("!#$%&'*+-.^_`|~09azAZ", bytes('v'));
    assert.equal(fields.has("!#$%&'*+-.^_`|~09azAZ"), true);
  });

  it('refuses a value with a control character (CR, LF, NUL, DEL, any below space but tab) with invalid-syntax', () => {
    for (const value of ['a\rb', 'a\nb', 'a\0b', 'a\x01b', 'a\x1bb', 'a\x7fb']) throwsTag(() => new Fields().append('x-a', bytes(value)), 'invalid-syntax');
    new Fields().append('x-a', bytes('tab\tis fine, and so is é'));
    throwsTag(() => new Fields().set('x-a', [bytes('ok'), bytes('bad\n')]), 'invalid-syntax');
  });

  it('accepts an empty value and bytes above 0x7f in a value', () => {
    const fields = new Fields();
    fields.append('x-empty', new Uint8Array(0));
    fields.append('x-latin1', Uint8Array.of(0xe9));
    assert.equal(fields.get('x-empty')[0]?.byteLength, 0);
    assert.deepEqual(fields.get('x-latin1'), [Uint8Array.of(0xe9)]);
  });

  it('refuses an invalid name in fromList with invalid-syntax', () => {
    throwsTag(() => Fields.fromList([['bad name', bytes('v')]]), 'invalid-syntax');
  });

  it('refuses the names wasmtime forbids with forbidden, whatever their case', () => {
    for (const name of ['Connection', 'keep-alive', 'Proxy-Connection', 'TRANSFER-ENCODING', 'upgrade', 'Host', 'proxy-authorization', 'proxy-authenticate', 'HTTP2-Settings']) {
      throwsTag(() => new Fields().append(name, bytes('x')), 'forbidden');
      throwsTag(() => new Fields().set(name, [bytes('x')]), 'forbidden');
      throwsTag(() => new Fields().delete(name), 'forbidden');
    }
  });

  it('takes te, which gRPC clients (tonic) send as te: trailers', () => {
    const fields = new Fields();
    fields.append('te', bytes('trailers'));
    assert.deepEqual(texts(fields.get('TE')), ['trailers']);
  });

  it('refuses every change to immutable fields with immutable', () => {
    const request = new IncomingRequest({ method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'localhost', headers: [['X-Probe', 'on']], body: EMPTY_SOURCE });
    const fields = request.headers();
    throwsTag(() => fields.append('x-a', bytes('1')), 'immutable');
    throwsTag(() => fields.set('x-a', [bytes('1')]), 'immutable');
    throwsTag(() => fields.delete('x-probe'), 'immutable');
    assert.deepEqual(texts(fields.get('x-probe')), ['on'], 'reading still works');
  });

  it('hands a component none of the request fields it may not set itself, as wasmtime does', () => {
    const headers: [string, string][] = [['Host', 'localhost'], ['Connection', 'keep-alive'], ['Keep-Alive', 'timeout=5'], ['Upgrade', 'h2c'], ['Proxy-Authorization', 'Basic eDp5'], ['HTTP2-Settings', 'AAMAAABkAAQAAP__'], ['TE', 'trailers'], ['X-Kept', 'yes']];
    const request = new IncomingRequest({ method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'localhost', headers, body: EMPTY_SOURCE });
    assert.deepEqual(request.headers().entries().map(([name]) => name.toLowerCase()), ['te', 'x-kept']);
    assert.equal(request.authority(), 'localhost');
  });

  it('reports immutable before invalid-syntax', () => {
    const request = new IncomingRequest({ method: 'GET', pathWithQuery: '/', scheme: 'http', authority: '', headers: [], body: EMPTY_SOURCE });
    throwsTag(() => request.headers().append('bad name', bytes('1')), 'immutable');
  });

  it('gives a clone that changes independently of the original', () => {
    const original = Fields.fromList([['x-a', bytes('1')]]);
    const copy = original.clone();
    copy.append('x-b', bytes('2'));
    original.set('x-a', [bytes('changed')]);
    assert.equal(original.has('x-b'), false);
    assert.deepEqual(texts(copy.get('x-a')), ['1']);
  });

  it('gives a mutable clone of immutable fields', () => {
    const request = new IncomingRequest({ method: 'GET', pathWithQuery: '/', scheme: 'http', authority: '', headers: [['x-a', '1']], body: EMPTY_SOURCE });
    const copy = request.headers().clone();
    copy.append('x-b', bytes('2'));
    assert.deepEqual(texts(copy.get('x-a')), ['1']);
    assert.equal(request.headers().has('x-b'), false);
  });
});

describe('methods', () => {
  const standard = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

  it('maps each standard method to its own variant case', () => {
    for (const name of standard) assert.deepEqual(methodFromString(name), { tag: name.toLowerCase() });
  });

  it('round-trips every standard method', () => {
    for (const name of standard) assert.equal(methodToString(methodFromString(name)), name);
  });

  it('maps a method HTTP does not define to other, keeping its name', () => {
    assert.deepEqual(methodFromString('PURGE'), { tag: 'other', val: 'PURGE' });
    assert.equal(methodToString(methodFromString('PURGE')), 'PURGE');
  });

  it('maps a lowercase get to other, since methods are case-sensitive', () => {
    assert.deepEqual(methodFromString('get'), { tag: 'other', val: 'get' });
    assert.equal(methodToString(methodFromString('get')), 'get');
  });

  it('writes a variant case in upper case', () => {
    const method: Method = { tag: 'delete' };
    assert.equal(methodToString(method), 'DELETE');
  });
});

describe('an outbound request refused before it leaves', () => {
  it('gives the component its error code and logs why, naming the code', () => {
    const lines: string[] = [];
    const state: HostState = { componentName: 'app', config: new Map(), environment: [], log: (level, text) => lines.push(`${level} ${text}`), atRequestEnd: () => {} };
    const { handle } = outgoingHttpImports(state)['wasi:http/outgoing-handler'];
    const request = (edit: (r: OutgoingRequest) => void) => {
      const r = new OutgoingRequest(new Fields());
      r.setAuthority('example.com');
      r.setPathWithQuery('/');
      edit(r);
      return r;
    };
    const cases: [(r: OutgoingRequest) => void, string, RegExp][] = [
      [(r) => r.setMethod({ tag: 'connect' }), 'HTTP-request-method-invalid', /CONNECT cannot be sent/],
      [(r) => r.setScheme({ tag: 'other', val: 'ftp' }), 'HTTP-protocol-error', /the scheme "ftp" is neither http nor https/],
      [(r) => r.setAuthority(undefined), 'HTTP-request-URI-invalid', /has no authority/],
      [(r) => r.setPathWithQuery('nopath'), 'HTTP-request-URI-invalid', /"nopath" does not start with "\/"/],
    ];
    for (const [edit, tag, why] of cases) {
      lines.length = 0;
      assert.throws(() => handle(request(edit), undefined), (thrown: { tag?: string }) => thrown.tag === tag);
      assert.equal(lines.length, 1, tag);
      assert.match(lines[0]!, new RegExp(`^warn outbound call refused with ${tag}: `));
      assert.match(lines[0]!, why);
    }
  });
});
