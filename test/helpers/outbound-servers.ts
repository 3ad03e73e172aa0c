// Real servers for outbound HTTP tests, each on a free port of this machine: plain HTTP, HTTPS
// and HTTP/2 with a self-signed certificate made for the test, a gRPC greeter (@grpc/grpc-js)
// on h2c or TLS, and the forwarder fixture's way of being asked (test/fixtures/wat/
// outbound-forward.wat: x-target-* headers in, 502 with x-outbound-error on a failed call).
import * as grpc from '@grpc/grpc-js';
import { once } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { AddressInfo, Server as NetServer } from 'node:net';
import selfsigned from 'selfsigned';

/** A certificate for localhost and 127.0.0.1 (and ::1) that signs itself: its own CA. */
export async function selfSignedPair(): Promise<{ cert: string; key: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }, { type: 2, value: 'localhost' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Listens on a free port of `host`; resolves with the port. */
export async function listen(server: Server | NetServer | Http2SecureServer, host = '127.0.0.1'): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export function close(server: Server | NetServer | Http2SecureServer): Promise<void> {
  (server as Server).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The wasi:http error-code cases, in WIT order: x-outbound-error carries the index. */
export const ERROR_CODES = [
  'DNS-timeout', 'DNS-error', 'destination-not-found', 'destination-unavailable', 'destination-IP-prohibited', 'destination-IP-unroutable',
  'connection-refused', 'connection-terminated', 'connection-timeout', 'connection-read-timeout', 'connection-write-timeout', 'connection-limit-reached',
  'TLS-protocol-error', 'TLS-certificate-error', 'TLS-alert-received', 'HTTP-request-denied', 'HTTP-request-length-required', 'HTTP-request-body-size',
  'HTTP-request-method-invalid', 'HTTP-request-URI-invalid', 'HTTP-request-URI-too-long', 'HTTP-request-header-section-size', 'HTTP-request-header-size',
  'HTTP-request-trailer-section-size', 'HTTP-request-trailer-size', 'HTTP-response-incomplete', 'HTTP-response-header-section-size', 'HTTP-response-header-size',
  'HTTP-response-body-size', 'HTTP-response-trailer-section-size', 'HTTP-response-trailer-size', 'HTTP-response-transfer-coding', 'HTTP-response-content-coding',
  'HTTP-response-timeout', 'HTTP-upgrade-failed', 'HTTP-protocol-error', 'loop-detected', 'configuration-error', 'internal-error',
] as const;

export interface Forwarded {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  trailers: NodeJS.Dict<string>;
  /** The error-code the component got, from x-outbound-error (header or trailer). */
  error: (typeof ERROR_CODES)[number] | undefined;
}

export interface ForwardOptions {
  method?: string;
  path?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  timeouts?: { connectMs?: number; firstByteMs?: number; betweenBytesMs?: number };
}

/** Asks the forwarder behind `gateway` to call `target` (an origin such as http://127.0.0.1:9000). */
export function forward(gateway: string, target: string, options: ForwardOptions = {}): Promise<Forwarded> {
  const url = new URL(target);
  const headers: OutgoingHttpHeaders = {
    ...options.headers,
    'x-target-scheme': url.protocol.slice(0, -1),
    'x-target-authority': url.host,
    ...(options.timeouts?.connectMs ? { 'x-connect-timeout-ms': String(options.timeouts.connectMs) } : {}),
    ...(options.timeouts?.firstByteMs ? { 'x-first-byte-timeout-ms': String(options.timeouts.firstByteMs) } : {}),
    ...(options.timeouts?.betweenBytesMs ? { 'x-between-bytes-timeout-ms': String(options.timeouts.betweenBytesMs) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(options.path ?? '/', gateway), { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const code = res.headers['x-outbound-error'] ?? res.trailers['x-outbound-error'];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          trailers: res.trailers,
          error: code === undefined ? undefined : ERROR_CODES[Number(code)],
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A gRPC frame: not compressed, 4-byte big-endian length, the message. */
export function grpcFrame(message: string): Buffer {
  const bytes = Buffer.from(message);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

/** The messages of a gRPC body. */
export function grpcMessages(body: Buffer): string[] {
  const messages: string[] = [];
  for (let at = 0; at + 5 <= body.length; ) {
    const length = body.readUInt32BE(at + 1);
    messages.push(body.subarray(at + 5, at + 5 + length).toString());
    at += 5 + length;
  }
  return messages;
}

export const GREETER_PATH = '/test.Greeter/SayHello';

/**
 * A gRPC greeter with raw UTF-8 messages (no protobuf needed): "name" answers "hello name",
 * "missing" fails with NOT_FOUND and a message. Insecure (h2c) without `tls`.
 */
export async function grpcGreeter(host: string, tls?: { cert: string; key: string }): Promise<{ port: number; stop(): Promise<void> }> {
  const text = { serialize: (s: string) => Buffer.from(s), deserialize: (b: Buffer) => b.toString() };
  const service: grpc.ServiceDefinition = {
    sayHello: {
      path: GREETER_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: text.serialize,
      requestDeserialize: text.deserialize,
      responseSerialize: text.serialize,
      responseDeserialize: text.deserialize,
    },
  };
  const server = new grpc.Server();
  server.addService(service, {
    sayHello: (call: grpc.ServerUnaryCall<string, string>, callback: grpc.sendUnaryData<string>) => {
      if (call.request === 'missing') callback({ code: grpc.status.NOT_FOUND, details: 'nobody called missing here' });
      else callback(null, `hello ${call.request}`);
    },
  });
  const credentials = tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }]) : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:0`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))));
  return { port, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
