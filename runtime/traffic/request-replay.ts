// Sends a captured request again, through the gateway, as a client would, and waits for the
// capture's record of it: replays and checks are compared capture to capture, so both sides
// were seen from the same place (the component's headers, its body as it sent it).
//
// The request goes out with the original method, path, headers and body; only what belongs
// to a connection is left to the client (Connection, Transfer-Encoding, Content-Length...),
// and Host keeps its name with the gateway's port, so `<name>.localhost` still routes.
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { messageOf } from '../errors.ts';
import { REPLAY_HEADER, type ExchangeCapture } from './exchange-capture.ts';
import type { TrafficBodies, TrafficRecord } from './traffic-record.ts';

/** What a replay sends. */
export interface ReplayRequest {
  method: string;
  path: string;
  authority: string;
  headers: readonly [string, string][];
  body: Uint8Array;
}

export type ReplayOutcome = { ok: true; record: TrafficRecord } | { ok: false; error: string };

const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'host', 'expect', REPLAY_HEADER]);

/** The request a record asked, ready to send again. */
export function replayRequestOf(record: TrafficRecord, bodies: TrafficBodies): ReplayRequest {
  return { method: record.method, path: record.path, authority: record.authority, headers: record.requestHeaders, body: bodies.request };
}

/**
 * Sends `request` to the gateway at `gatewayUrl`, marked as `origin`, and resolves with the
 * capture's record of it; a failure is a sentence (nothing listening, no answer in time).
 */
export async function replay(
  request: ReplayRequest,
  options: { gatewayUrl: string; capture: ExchangeCapture; origin: 'replay' | 'check'; replayOf?: number; timeoutMs: number },
): Promise<ReplayOutcome> {
  const gateway = new URL(options.gatewayUrl);
  const token = randomUUID();
  const expected = options.capture.expect(token);
  const headers: [string, string][] = [];
  for (const [name, value] of request.headers) if (!CONNECTION_HEADERS.has(name.toLowerCase())) headers.push([name, value]);
  const hostname = hostnameOf(request.authority) || gateway.hostname;
  headers.push(['host', `${hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname}:${gateway.port || (gateway.protocol === 'https:' ? 443 : 80)}`]);
  headers.push([REPLAY_HEADER, `${options.origin} ${token}${options.replayOf !== undefined ? ` ${options.replayOf}` : ''}`]);
  if (request.body.byteLength > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(request.method)) headers.push(['content-length', String(request.body.byteLength)]);

  const send = gateway.protocol === 'https:' ? httpsRequest : httpRequest;
  let timer: NodeJS.Timeout | undefined;
  const answered = new Promise<string | undefined>((resolve) => {
    // A request Node refuses to write (a method or header outside HTTP's syntax) is a failed replay, not a throw.
    let req: ReturnType<typeof send>;
    try {
      req = send(
        {
          host: gateway.hostname.replace(/^\[|\]$/g, ''),
          port: gateway.port,
          method: request.method,
          path: request.path,
          headers: headers.flat(),
          // The studio's own gateway, with the project's own (often self-signed) certificate.
          rejectUnauthorized: false,
          setHost: false,
        },
        (res: IncomingMessage) => {
          res.resume();
          res.on('end', () => resolve(undefined));
          res.on('error', (err) => resolve(messageOf(err)));
        },
      );
    } catch (err) {
      resolve(`the request cannot be sent: ${messageOf(err)}`);
      return;
    }
    req.on('error', (err) => resolve(`the gateway could not be reached: ${messageOf(err)}`));
    req.end(request.body.byteLength > 0 ? request.body : undefined);
  });
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);
  });
  try {
    // The record is complete before the client has read the end; a client-side failure
    // without a record (nothing listening) ends the wait too.
    const first = await Promise.race([expected.record.then((record) => ({ record })), answered.then((error) => ({ error })), timedOut.then((error) => ({ error }))]);
    if ('record' in first) return { ok: true, record: first.record };
    if (first.error === undefined) {
      const late = await Promise.race([expected.record.then((record) => ({ record })), timedOut.then((error) => ({ error }))]);
      return 'record' in late ? { ok: true, record: late.record } : { ok: false, error: late.error };
    }
    return { ok: false, error: first.error };
  } finally {
    clearTimeout(timer);
    expected.cancel();
  }
}

function hostnameOf(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.lastIndexOf(':');
  return colon >= 0 ? authority.slice(0, colon) : authority;
}
