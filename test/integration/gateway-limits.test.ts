// The gateway against clients that misbehave: uploads cut off mid-body, connections that never
// send a request, more connections than it takes, absolute-form and CONNECT request targets,
// and bodies that pass the limit after the component answered. Real sockets throughout; the
// component tests run the real CLI on hello-echo, which streams the request body back.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import selfsigned from 'selfsigned';
import { HttpGateway, type GatewayLimits, type GatewayOptions } from '../../runtime/gateway/http-gateway.ts';
import { LogBus, loggerFor } from '../../runtime/logs/log-bus.ts';
import type { Exchange } from '../../runtime/workloads/exchange.ts';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { exchangeRaw } from '../helpers/raw-http.ts';
import { waitUntil } from '../helpers/wait-until.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';

/** The data of a chunked body (its chunks' framing taken off). */
function dechunked(body: string): string {
  let data = '';
  for (let at = 0; ; ) {
    const end = body.indexOf('\r\n', at);
    const size = parseInt(body.slice(at, end), 16);
    if (!size) return data;
    data += body.slice(end + 2, end + 2 + size);
    at = end + 2 + size + 2;
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A gateway on a free loopback port with a 1 KiB body limit, logging into `logs`. */
function testGateway(logs: LogBus, route: GatewayOptions['route'], limits?: Partial<GatewayLimits>): HttpGateway {
  return new HttpGateway({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1024, log: loggerFor(logs, 'gateway'), ...(limits ? { limits } : {}), route });
}

describe('a component behind the gateway', () => {
  let dir: string;
  let studio: StudioProcess;

  before(async () => {
    let wasm: string;
    ({ dir, wasm } = await watFixtureAlone('hello-echo'));
    // One worker, so a worker held by a vanished client would hold up everything after it.
    studio = await startStudio(wasm, ['--workers', '1', '--body-limit', '1']);
  });
  after(async () => {
    await studio?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a Host value that names no host (a space, a slash) with 400, before the component sees it', async () => {
    const port = portOf(studio.url);
    // The last ones pass RFC 3986's characters but not a URL parser, which a JavaScript component's request setup uses.
    for (const host of ['a b', 'a/b:80', 'x\u00e9', 'x:65536', 'x:99999999999', 'a%zz', '%', '[zz]', '[v1.x]']) {
      const { closed, received } = await exchangeRaw(port, `GET / HTTP/1.1\r\nhost: ${host}\r\n\r\n`, 3000);
      assert.match(received, /^HTTP\/1\.1 400 [^]*the Host header is not a host name or address with an optional port/, host);
      assert.ok(closed, host);
    }
    for (const host of ['[::1]:8000', '127.0.0.1', 'api.localhost:8000', '']) {
      const { received } = await exchangeRaw(port, `GET / HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`, 3000);
      assert.match(received, /^HTTP\/1\.1 200 /, `a valid Host: ${host}`);
    }
  });

  it('frees the worker at once when clients vanish mid-upload, and says it was the client', async () => {
    const port = portOf(studio.url);
    for (let i = 0; i < 12; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          // Past the 64 KiB held back before a body gets a worker (one abandoned before never reaches the component).
          socket.write(`POST /upload-${i} HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n${'x'.repeat(70 * 1024)}`);
          // Long enough for the component to start reading, then gone.
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
        socket.on('error', () => {});
      });
    }
    const started = performance.now();
    const res = await fetch(studio.url);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const ms = performance.now() - started;
    // The request timeout is 30 s: twelve held workers would take minutes, not seconds.
    assert.ok(ms < 10_000, `GET / took ${ms.toFixed(0)} ms after 12 aborted uploads`);
    await studio.waitFor(/POST \/upload-11: the client closed the connection before sending the whole request body/);
    assert.doesNotMatch(studio.output(), /did not answer within|504 Gateway Timeout|trapped/);
  });

  it('gives no worker to a request until 64 KiB of its body are in, so trickled bodies hold up nobody', async () => {
    const port = portOf(studio.url);
    // Each declares a body (500 kB, or 100 bytes for every tenth) and sends 10 bytes of it:
    // more connections than the pool has threads.
    const declared = (i: number) => (i % 10 === 0 ? 100 : 500_000);
    const trickling = await Promise.all(
      Array.from({ length: 40 }, (_, i) => new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`POST /trickle-${i} HTTP/1.1\r\nhost: x\r\ncontent-length: ${declared(i)}\r\n\r\n${'t'.repeat(10)}`);
          resolve(socket);
        });
        socket.on('error', () => {});
      })),
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      // The request timeout is 30 s: with every thread waiting on a body, this would wait that long.
      const res = await fetch(studio.url, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      // A trickled body that completes is served, the rest of its bytes included.
      const finished = trickling[0]!;
      const answer = new Promise<string>((resolve) => {
        let text = '';
        finished.setEncoding('latin1');
        finished.on('data', (d: string) => {
          text += d;
          // The echo is chunked: its last chunk ends it.
          if (text.endsWith('\r\n0\r\n\r\n')) resolve(text);
        });
      });
      finished.write('u'.repeat(90));
      const echoed = await answer;
      assert.match(echoed, /^HTTP\/1\.1 200[\s\S]*x-echo-path: \/trickle-0\r\n/i);
      assert.equal(dechunked(echoed.slice(echoed.indexOf('\r\n\r\n') + 4)), 't'.repeat(10) + 'u'.repeat(90));
    } finally {
      // Finished, not cut: each cut would be a logged refusal, and those are counted per minute.
      // Their echoes are read and dropped, so none of them waits on this test for room.
      trickling.forEach((socket, i) => {
        socket.resume();
        if (i === 0) socket.end();
        else socket.end('u'.repeat(declared(i) - 10));
      });
    }
  });

  it('gives the component the path and authority of an absolute-form request target', async () => {
    const { received } = await exchangeRaw(portOf(studio.url), 'GET http://example.test/some/path?q=1 HTTP/1.1\r\nhost: other\r\nconnection: close\r\n\r\n');
    assert.match(received, /^HTTP\/1\.1 200/);
    assert.match(received, /x-echo-path: \/some\/path\?q=1\r\n/i);
  });

  it('answers CONNECT with 405 instead of dropping the connection', async () => {
    const { received } = await exchangeRaw(portOf(studio.url), 'CONNECT example.test:443 HTTP/1.1\r\nhost: example.test:443\r\n\r\n');
    assert.match(received, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(received, /not a proxy/);
  });

  it('answers the requests pipelined before a malformed one, then refuses it and closes', async () => {
    const { closed, received } = await exchangeRaw(portOf(studio.url), 'GET /first HTTP/1.1\r\nhost: x\r\n\r\nGET /second HTTP/1.1\r\nhost: x\r\n\r\nBOGUS\r\n\r\n');
    assert.ok(closed, 'the connection stayed open');
    const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200', '400'], received);
    assert.match(received, /x-echo-path: \/first\r\n[\s\S]*x-echo-path: \/second\r\n/i);
  });

  it('answers the requests pipelined before one whose chunked body breaks, then refuses that one in its place and closes', async () => {
    const { closed, received } = await exchangeRaw(portOf(studio.url), 'GET /first HTTP/1.1\r\nhost: x\r\n\r\nGET /second HTTP/1.1\r\nhost: x\r\n\r\nPOST /third HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n');
    assert.ok(closed, 'the connection stayed open');
    assert.deepEqual([...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]), ['200', '200', '400'], received);
    assert.match(received, /x-echo-path: \/first\r\n[\s\S]*x-echo-path: \/second\r\n[\s\S]*Malformed HTTP request: .+\.\n$/i);
  });

  it('refuses a Transfer-Encoding that does not end in chunked from its head, before the component sees it', async () => {
    const { closed, received } = await exchangeRaw(portOf(studio.url), 'POST /coded HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip\r\n\r\nabc');
    assert.ok(closed, 'the connection stayed open');
    assert.match(received, /^HTTP\/1\.1 400 [^]*the request's Transfer-Encoding \(gzip\) does not end in chunked/);
    assert.doesNotMatch(received, /x-echo-path/i, 'the component answered');
  });

  it('answers the requests sent before a body cut short by the client ending its side, then says the body ended early', async () => {
    const { closed, received } = await exchangeRaw(portOf(studio.url), 'GET /first HTTP/1.1\r\nhost: x\r\n\r\nGET /second HTTP/1.1\r\nhost: x\r\n\r\nPOST /third HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nab', 5000, { halfClose: true });
    assert.ok(closed, 'the connection stayed open');
    assert.deepEqual([...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]), ['200', '200', '400'], received);
    assert.match(received, /The connection ended before the request body did\.\n$/);
  });

  it('closes the connection after answering a request that asks to switch protocols, instead of leaving what followed it unanswered', async () => {
    const started = Date.now();
    const { closed, received } = await exchangeRaw(portOf(studio.url), 'GET /up HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\nGET /second HTTP/1.1\r\nhost: x\r\n\r\n', 4000);
    assert.ok(closed && Date.now() - started < 4000, 'the client was left waiting');
    assert.match(received, /^HTTP\/1\.1 200 [^]*connection: close\r\n/i);
  });

  it('answers Expect: 100-continue with 413, not 100 Continue, when the declared body is over the limit', async () => {
    const { closed, received } = await exchangeRaw(portOf(studio.url), `POST /big HTTP/1.1\r\nhost: x\r\ncontent-length: ${200 * 2 ** 20}\r\nexpect: 100-continue\r\n\r\n`);
    assert.ok(closed, 'the connection stayed open');
    assert.match(received, /^HTTP\/1\.1 413 /);
    assert.match(received, /\r\nconnection: close\r\n/i);
    assert.doesNotMatch(received, /100 Continue/);
  });

  it('sends 100 Continue for a body within the limit, and the component gets the body', async () => {
    const port = portOf(studio.url);
    const received = await new Promise<string>((resolve) => {
      let got = '';
      const socket = connect(port, '127.0.0.1', () => socket.write('PUT /up HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n'));
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => {
        if (!got) socket.write('hello');
        got += d;
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(got));
    });
    assert.match(received, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    assert.match(received, /\r\n5\r\nhello\r\n0\r\n/);
  });

  it('cuts the connection when a body passes the limit after the component answered', async () => {
    // hello-echo answers at once and echoes as it reads; the limit is 1 MiB, the body 64 MiB.
    const port = portOf(studio.url);
    const outcome = await new Promise<{ sent: number; headers: string }>((resolve) => {
      const socket: Socket = connect(port, '127.0.0.1');
      let sent = 0;
      let headers = '';
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      socket.on('connect', () => {
        // A first piece, then the rest once the answer has started.
        socket.write('PUT /big HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n');
        socket.once('data', () => pump());
        const pump = () => {
          while (sent < 64 * 2 ** 20 && !socket.destroyed) {
            sent += chunk.length;
            if (!socket.write(`${chunk.length.toString(16)}\r\n`) || !socket.write(chunk) || !socket.write('\r\n')) {
              socket.once('drain', pump);
              return;
            }
          }
        };
      });
      socket.on('data', (d: Buffer) => {
        if (!headers) headers = d.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve({ sent, headers }));
    });
    assert.match(outcome.headers, /^HTTP\/1\.1 200/);
    assert.ok(outcome.sent < 32 * 2 ** 20, `the gateway read ${outcome.sent} bytes of a body over its 1 MiB limit before closing`);
    await studio.waitFor(/request body over the 1048576-byte limit after the component answered; the connection was closed/);
  });
});

describe('connection limits', () => {
  const logs = new LogBus();
  let gateway: HttpGateway;
  let port: number;
  const limits: Partial<GatewayLimits> = { headerTimeoutMs: 400, idleTimeoutMs: 400, keepAliveTimeoutMs: 400, maxConnections: 5, maxQueuedRequests: 100 };
  /** Requests under /slow answer after a moment: how many the route held at once, at most. */
  const slow = { now: 0, most: 0 };
  /** Answers of requests under /hold, which wait for the test. */
  const held: (() => void)[] = [];
  /** Requests under /count that reached the route. */
  const handled = { count: 0 };

  before(async () => {
    gateway = testGateway(
      logs,
      // The simplest handler: answers with the authority and path the gateway worked out.
      (authority, path) => ({
        handle: (exchange: Exchange) => {
          exchange.body?.resume();
          const answer = () => {
            exchange.response.head(200, [['content-type', 'text/plain']]);
            exchange.response.chunk(new TextEncoder().encode(`${authority} ${path}`));
            exchange.response.end();
          };
          if (path === '/overlong') {
            // A body past its content-length, which the host would have refused: the gateway's own guard.
            exchange.response.head(200, [['content-length', '5']]);
            exchange.response.chunk(new Uint8Array(50).fill(0x78));
            return exchange.response.end();
          }
          if (path === '/nocontent') {
            // A 204 that declares (and writes) a body, which a client would wait for or call broken.
            exchange.response.head(204, [['content-length', '11']]);
            exchange.response.chunk(new TextEncoder().encode('hello world'));
            return exchange.response.end();
          }
          if (path.startsWith('/hold')) return void held.push(answer); // answered when the test says
          if (path.startsWith('/count')) handled.count++;
          if (!path.startsWith('/slow')) return answer();
          slow.most = Math.max(slow.most, ++slow.now);
          setTimeout(() => {
            slow.now--;
            answer();
          }, 5);
        },
      }),
      limits,
    );
    port = (await gateway.listen()).port;
  });
  after(async () => {
    await gateway.close();
  });

  it('answers a client that shuts down its sending side after its requests, then closes', async () => {
    // shutdown(SHUT_WR) once the requests are out, as `nc -N` and many hand-written clients do;
    // the answers (5 ms away) come after the client's FIN.
    const { closed, received } = await exchangeRaw(port, 'GET /slow/one HTTP/1.1\r\nhost: x\r\n\r\nGET /slow/two HTTP/1.1\r\nhost: x\r\n\r\n', 5000, { halfClose: true });
    assert.ok(closed, 'the connection stayed open');
    assert.equal(received.match(/HTTP\/1\.1 200/g)?.length, 2, received);
    assert.match(received, /x \/slow\/one[\s\S]*x \/slow\/two/);
  });

  it('closes a connection that sends no complete request head in time, with 408', async () => {
    const { closed, received } = await exchangeRaw(port, 'GET / HTTP/1.1\r\nhost: slow', 5000);
    assert.ok(closed, 'the connection stayed open');
    assert.match(received, /^HTTP\/1\.1 408 Request Timeout/);
  });

  it('closes a connection that stops sending its body', async () => {
    const { closed } = await exchangeRaw(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly part', 5000);
    assert.ok(closed, 'the connection stayed open');
  });

  it('answers an expectation other than 100-continue with a 417 that says which, and closes', async () => {
    const { closed, received } = await exchangeRaw(port, 'POST /x HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\nexpect: something-else\r\n\r\n');
    assert.ok(closed, 'the connection stayed open');
    assert.match(received, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
    assert.match(received, /meets only "Expect: 100-continue", not "Expect: something-else"/);
  });

  it('says a client that ends its side in the middle of a body went away, not that it sent malformed HTTP', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('POST /half HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly part'));
      socket.on('error', () => {});
      socket.on('close', () => resolve());
      socket.resume();
    });
    await waitUntil(() => logs.query({ text: 'the client closed its connection mid-request (HPE_INVALID_EOF_STATE)' }).length > 0, () => 'the line that the client went away');
    assert.equal(logs.query({ text: 'Invalid EOF state' }).length, 0);
  });

  it('closes an idle keep-alive connection after its request', async () => {
    const { closed, received } = await exchangeRaw(port, 'GET /first HTTP/1.1\r\nhost: x\r\n\r\n', 5000);
    assert.match(received, /^HTTP\/1\.1 200/);
    assert.ok(closed, 'the connection stayed open');
  });

  it('closes the connection when a body runs past its content-length, so none of it is read as the next answer', async () => {
    const { closed, received } = await exchangeRaw(port, 'GET /overlong HTTP/1.1\r\nhost: x\r\n\r\nGET /next HTTP/1.1\r\nhost: x\r\n\r\n');
    assert.ok(closed, 'the connection stayed open');
    assert.equal(received.match(/HTTP\/1\.1 /g)?.length, 1, received);
    assert.match(received, /content-length: 5\r\n[\s\S]*\r\n\r\n$/);
    assert.ok(logs.query({ text: 'GET /overlong: the component wrote more than the 5 bytes its content-length promised; the connection was closed' }).length === 1);
  });

  it('sends a 204 without the content-length the component gave it, and the next answer after it intact', async () => {
    // The second request asks for the connection to be closed after its answer: that ends the exchange.
    const { received } = await exchangeRaw(port, 'GET /nocontent HTTP/1.1\r\nhost: x\r\n\r\nGET /after HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    assert.match(first!, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.doesNotMatch(first!, /content-length|hello world/i);
    assert.match(second!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*x \/after/);
    assert.equal(logs.query({ text: 'GET /nocontent: the component answered 204 No Content with a content-length of 11; the header was left out, and the body with it' }).length, 1);
  });

  it('takes the authority of an absolute-form target over the Host header', async () => {
    const { received } = await exchangeRaw(port, 'GET http://api.localhost:8000/v1?x=2 HTTP/1.1\r\nhost: ignored\r\nconnection: close\r\n\r\n');
    assert.match(received, /\r\napi\.localhost:8000 \/v1\?x=2\r\n/);
  });

  it('gives an HTTP/1.0 request without a Host header the address it connected to as its authority', async () => {
    // Components build their URL from the authority; Rust's http crate fails on one without.
    const { received } = await exchangeRaw(port, 'GET /old?client=1 HTTP/1.0\r\n\r\n');
    assert.match(received, new RegExp(`\\r\\n127\\.0\\.0\\.1:${port} /old\\?client=1$`));
  });

  it('refuses a request target that is neither a path nor an http(s) URL', async () => {
    const { received } = await exchangeRaw(port, 'GET ftp://x/y HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.match(received, /^HTTP\/1\.1 400/);
  });

  it('names what is wrong with HTTP it refuses, with the status RFC 9110 gives it', async () => {
    const cases: [string, RegExp][] = [
      [`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`, /^HTTP\/1\.1 431 [^]*32 KiB limit/],
      [`GET /${'a'.repeat(40_000)} HTTP/1.1\r\nhost: x\r\n\r\n`, /^HTTP\/1\.1 431 /],
      ['get / HTTP/1.1\r\nhost: x\r\n\r\n', /^HTTP\/1\.1 501 [^]*case-sensitive/],
      ['FOOBAR /x HTTP/1.1\r\nhost: x\r\n\r\n', /^HTTP\/1\.1 501 /],
      ['GARBAGE \x00\x01 nonsense\r\n\r\n', /^HTTP\/1\.1 400 [^]*Malformed HTTP request: Invalid method encountered\./],
      ['GET / HTTP/2.0\r\nhost: x\r\n\r\n', /^HTTP\/1\.1 505 [^]*not HTTP\/2\.0/],
      // A bare LF after the version is a malformed line, not another version.
      ['GET /a HTTP/1.1\nhost: x\n\n', /^HTTP\/1\.1 400 [^]*Expected CRLF after version/],
      ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', /^HTTP\/1\.1 505 /],
      ['GET / HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n', /^HTTP\/1\.1 400 [^]*more than one Host header/],
      ['GET / HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400 [^]*must have a Host header/],
      ['POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n', /^HTTP\/1\.1 400 [^]*Malformed HTTP request: .+\./],
    ];
    for (const [request, expected] of cases) {
      const { closed, received } = await exchangeRaw(port, request, 3000);
      assert.match(received, expected, request.slice(0, 40));
      assert.ok(closed, `the connection stayed open after ${request.slice(0, 40)}`);
    }
    assert.ok(logs.query({ text: 'more than one Host header' }).length > 0, 'refusals are not logged');
  });

  it('hands on at most 8 requests of one connection at once, and answers all of them in order', async () => {
    const count = 40;
    let text = '';
    for (let i = 0; i < count; i++) text += `GET /slow/${i} HTTP/1.1\r\nhost: x\r\n${i === count - 1 ? 'connection: close\r\n' : ''}\r\n`;
    slow.most = 0;
    const { closed, received } = await exchangeRaw(port, text, 10_000);
    assert.ok(closed, 'the connection stayed open');
    const paths = [...received.matchAll(/x \/slow\/(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(paths, [...Array(count).keys()]);
    assert.equal(slow.most, 8);
  });

  it('closes an idle connection after refusing a body over the limit with 413', async () => {
    const { closed, received } = await exchangeRaw(port, `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2000\r\n\r\n${'a'.repeat(2000)}`, 5000);
    assert.match(received, /^HTTP\/1\.1 413/);
    assert.ok(closed, 'the connection stayed open');
  });

  it('keeps every header of a request with more than 2000 header lines, within the head limit', async () => {
    let head = 'GET /many HTTP/1.1\r\n';
    for (let i = 0; i < 2100; i++) head += `x${i}: y\r\n`;
    const { received } = await exchangeRaw(port, `${head}host: last.localhost\r\nconnection: close\r\n\r\n`);
    assert.match(received, /^HTTP\/1\.1 200[^]*\r\nlast\.localhost \/many\r\n/);
  });

  it('stops reading a connection that pipelines requests without reading the answers', async () => {
    // 40 MB of requests that are never answered: the gateway takes a few, then lets the
    // kernel's buffers fill, so the client's writes stall instead of its memory filling.
    const request = Buffer.from(`GET /hold HTTP/1.1\r\nhost: x\r\nx-pad: ${'p'.repeat(16_000)}\r\n\r\n`);
    const chunk = Buffer.concat(Array.from({ length: 4 }, () => request));
    const total = 40 * 2 ** 20;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    let written = 0;
    let stalled = false;
    while (written < total && !stalled) {
      if (!socket.write(chunk)) {
        stalled = !(await Promise.race([new Promise((resolve) => socket.once('drain', () => resolve(true))), new Promise((resolve) => setTimeout(() => resolve(false), 1500))]));
      }
      written += chunk.length;
    }
    socket.destroy();
    assert.ok(stalled, `the gateway read all ${written} bytes of requests it could not answer`);
    // Answered at last: the gateway reads on, finds the connection closed and lets it go.
    while (held.length > 0) held.shift()!();
  });

  it('never hands on a request whose held body the client abandoned', async () => {
    handled.count = 0;
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('POST /count HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"pay', () => setTimeout(() => socket.destroy(), 50)));
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(handled.count, 0, 'the route got a request whose body never came');
  });

  it('closes a connection that is more requests ahead of its answers than it may queue', async () => {
    // One read brings about 2,000 of these, past the 100 this gateway queues.
    const { closed } = await exchangeRaw(port, 'GET /hold HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(3000), 5000);
    assert.ok(closed, 'the connection stayed open');
    assert.ok(logs.query({ text: 'pipelined more than 100 requests without reading the answers' }).length > 0, 'not logged');
    while (held.length > 0) held.shift()!();
  });

  it('closes connections beyond the cap and takes new ones once others end', async () => {
    const open: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        open.push(socket);
      }
      const extra = await exchangeRaw(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 3000);
      assert.ok(extra.closed && extra.received === '', `the sixth connection was served: ${extra.received}`);
      assert.ok(logs.query({ text: 'more than 5 connections' }).length > 0, 'no warning about the connection cap');
    } finally {
      for (const socket of open) socket.destroy();
    }
    // The slots free up as the server sees the closes.
    let answer = '';
    for (let attempt = 0; attempt < 50 && !answer.startsWith('HTTP/1.1 200'); attempt++) {
      answer = (await exchangeRaw(port, 'GET /again HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', 2000)).received;
    }
    assert.match(answer, /^HTTP\/1\.1 200/);
  });
});

describe('a client that pipelines without reading its answers', () => {
  const logs = new LogBus();
  let gateway: HttpGateway;
  let port: number;
  let handled = 0;

  before(async () => {
    // The default limits, and a route that answers a moment later (a 4.8 KB page): each answer
    // leaves for the client's kernel buffers, and Node reads a connection again as the bytes of
    // an answer leave, which once let the gateway read on while the requests it had not handed
    // on yet piled up.
    gateway = testGateway(logs, () => ({
        handle: (exchange: Exchange) => {
          handled++;
          exchange.body?.resume();
          setTimeout(() => {
            exchange.response.head(200, [['content-type', 'text/plain']]);
            exchange.response.chunk(new TextEncoder().encode(`answer ${'x'.repeat(4_800)}`));
            exchange.response.end();
          }, 1);
        },
      }));
    port = (await gateway.listen()).port;
  });
  after(async () => {
    await gateway.close();
  });

  it('is read no further while its answers pile up, even as the ones already written leave', async () => {
    // Node emits a request as it parses one: the count of those is what the gateway holds.
    let parsed = 0;
    (gateway as unknown as { server: Server }).server.on('request', () => parsed++);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.pause();
    await new Promise((resolve) => socket.once('connect', resolve));
    // 2,000 requests a write: one read of 64 KiB parses about 2,400 of them, past the 64 that
    // stop it; a second read means something started it again.
    const chunk = Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(2000));
    for (let i = 0; i < 8; i++) {
      if (socket.write(chunk)) continue;
      const drained = await Promise.race([new Promise((resolve) => socket.once('drain', () => resolve(true))), new Promise((resolve) => setTimeout(() => resolve(false), 1500))]);
      if (!drained) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    socket.destroy();
    assert.equal(logs.query({ text: 'pipelined more than' }).length, 0, 'the gateway read on until its queue cap closed the connection');
    assert.ok(parsed < 4000, `${parsed} of 16,000 requests were parsed (${handled} handed on) for a client that read none of the answers`);
  });
});

describe('an HTTPS gateway', () => {
  const logs = new LogBus();
  let gateway: HttpGateway;
  let port: number;

  before(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { notAfterDate: new Date(Date.now() + 86_400_000) });
    gateway = new HttpGateway({
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 1024,
      log: loggerFor(logs, 'gateway'),
      limits: { headerTimeoutMs: 400 },
      tls: { cert: Buffer.from(pems.cert), key: Buffer.from(pems.private) },
      route: () => ({ handle: (exchange: Exchange) => exchange.response.fail(200, 'ok\n') }),
    });
    port = (await gateway.listen()).port;
  });
  after(async () => {
    await gateway.close();
  });

  it('closes a connection whose TLS handshake does not finish in time, and one that sends plain HTTP, saying which', async () => {
    // A client that connects and sends nothing: it once kept its connection (and a slot) for good.
    const stalled = await exchangeRaw(port, '', 5000);
    assert.ok(stalled.closed, 'the stalled handshake was left open');
    await waitUntil(() => logs.query({ text: 'the TLS handshake did not finish in time; the connection was closed' }).length > 0, () => 'the line saying why');
    const plain = await exchangeRaw(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 5000);
    assert.ok(plain.closed, 'plain HTTP on the HTTPS port was left open');
    await waitUntil(() => logs.query({ text: 'plain HTTP came to the HTTPS port' }).length > 0, () => 'the line saying why');
    assert.equal(logs.query({ text: 'closed its connection mid-request' }).length, 0, 'blamed on the client going away');
  });
});
