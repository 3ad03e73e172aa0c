// HAR 1.2 (the HTTP Archive format browsers' network panels export), both ways: captured
// records out, for other tools and for sharing, and HAR files in, so traffic captured
// elsewhere (a browser, a proxy) can be replayed against the component. What HAR has no field
// for rides in `_studio` (custom fields start with an underscore, as the spec allows), so a
// studio export comes back whole; anything else is read for what HAR says.
//
// Imports are checked against the HAR 1.2 JSON schema (har-schema, the one har-validator
// uses), with the first problems named by their path.
import { createRequire } from 'node:module';
import type { Entry, Har, Header } from 'har-format';
import { Ajv } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { HTTP_TOKEN, SENDABLE_HEADER_VALUE } from '../http-token.ts';
import { nextRequestId } from '../workloads/exchange.ts';
import { headerValue, type TrafficBodies, type TrafficRecord } from './traffic-record.ts';
import { isText } from './response-diff.ts';

export type { Har } from 'har-format';

/** What a studio export keeps beyond HAR's fields. */
interface StudioFields {
  id: number;
  origin: TrafficRecord['origin'];
  build?: number;
  workload?: string;
  worker?: number;
  requestCut: boolean;
  responseCut: boolean;
  logs: TrafficRecord['logs'];
  outbound: TrafficRecord['outbound'];
}

type StudioEntry = Entry & { _studio?: StudioFields; request: Entry['request'] & { postData?: { _encoding?: string } } };

export interface HarExport {
  har: Har;
  /** Bodies left out to keep the file within the budget. */
  omittedBodies: number;
}

/** Body bytes an export holds at most; later bodies are left out, with a comment. */
export const HAR_BODY_BUDGET = 32 * 2 ** 20;

export function toHar(entries: { record: TrafficRecord; bodies: TrafficBodies | undefined }[], version: string, budget = HAR_BODY_BUDGET): HarExport {
  let spent = 0;
  let omittedBodies = 0;
  const fits = (bytes: Uint8Array | undefined) => {
    if (!bytes || bytes.byteLength === 0) return true;
    if (spent + bytes.byteLength > budget) {
      omittedBodies++;
      return false;
    }
    spent += bytes.byteLength;
    return true;
  };
  const harEntries: StudioEntry[] = entries.map(({ record, bodies }) => {
    const url = `${record.scheme}://${record.authority || 'localhost'}${record.path.startsWith('/') ? record.path : `/${record.path}`}`;
    const requestBody = bodies?.request;
    const responseBody = bodies?.response;
    const keepRequest = fits(requestBody);
    const keepResponse = fits(responseBody);
    const requestType = headerValue(record.requestHeaders, 'content-type') ?? 'application/octet-stream';
    const responseType = headerValue(record.responseHeaders, 'content-type') ?? 'application/octet-stream';
    const ttfb = record.ttfbMs ?? record.durationMs;
    const notes = [...record.notes];
    if (record.responseCut) notes.push(`The response body was cut at the capture limit: ${responseBody?.byteLength ?? 0} of ${record.responseBytes} bytes are here.`);
    if (record.requestCut) notes.push(`The request body is not whole: ${requestBody?.byteLength ?? 0} of ${record.requestBytes} bytes are here.`);
    if (!keepRequest || !keepResponse || !bodies) notes.push('Bodies were left out of this export (too large together, or no longer kept).');
    const entry: StudioEntry = {
      startedDateTime: new Date(record.time).toISOString(),
      time: record.durationMs,
      request: {
        method: record.method,
        url,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: harHeaders(record.requestHeaders),
        queryString: [...new URL(url).searchParams].map(([name, value]) => ({ name, value })),
        headersSize: -1,
        bodySize: record.requestBytes,
        ...(requestBody && requestBody.byteLength > 0 && keepRequest ? { postData: postDataOf(requestBody, requestType) } : {}),
      },
      response: {
        status: record.status ?? 0,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: harHeaders(record.responseHeaders),
        content: {
          size: record.responseBytes,
          mimeType: responseType,
          ...(responseBody && keepResponse ? contentOf(responseBody) : {}),
        },
        redirectURL: headerValue(record.responseHeaders, 'location') ?? '',
        headersSize: -1,
        bodySize: record.responseBytes,
      },
      cache: {},
      timings: { send: 0, wait: ttfb, receive: Math.max(0, record.durationMs - ttfb) },
      ...(notes.length > 0 ? { comment: notes.join(' ') } : {}),
      _studio: {
        id: record.id,
        origin: record.origin,
        requestCut: record.requestCut,
        responseCut: record.responseCut,
        logs: record.logs,
        outbound: record.outbound,
        ...(record.build !== undefined ? { build: record.build } : {}),
        ...(record.workload !== undefined ? { workload: record.workload } : {}),
        ...(record.worker !== undefined ? { worker: record.worker } : {}),
      },
    };
    return entry;
  });
  return { har: { log: { version: '1.2', creator: { name: 'Component Studio', version }, entries: harEntries } }, omittedBodies };
}

function harHeaders(headers: readonly [string, string][]): Header[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function postDataOf(bytes: Uint8Array, mimeType: string): StudioEntry['request']['postData'] & object {
  // HAR has no encoding for request bodies; binary ones are base64 with the `_encoding` browsers' tools also read.
  return isText(bytes) ? { mimeType, text: Buffer.from(bytes).toString('utf8') } : { mimeType, text: Buffer.from(bytes).toString('base64'), _encoding: 'base64' };
}

function contentOf(bytes: Uint8Array): { text: string; encoding?: string } {
  return isText(bytes) ? { text: Buffer.from(bytes).toString('utf8') } : { text: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
}

let validator: ((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } = undefined!;

/** Checks a value against the HAR 1.2 schema; the first few problems, by path. */
export function harProblems(value: unknown): string[] {
  if (!validator) {
    const schemas = createRequire(import.meta.url)('har-schema') as Record<string, { $id: string }>;
    // The schemas are draft-06 and use `format` and a few keywords of their own (`optional`, `min`): checked for shape.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, meta: false });
    ajv.addMetaSchema(draft06);
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
    validator = ajv.getSchema('har.json#') as typeof validator;
  }
  if (validator(value)) return [];
  return (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is not valid'}`);
}

export type HarImport = { ok: true; entries: { record: TrafficRecord; bodies: TrafficBodies }[]; skipped: string[] } | { ok: false; problems: string[] };

/**
 * V8's JSON error without the file's first bytes it quotes, and with a control character
 * it names spelled out: a file that is not text would show them as garbage in the message.
 */
function jsonProblem(message: string): string {
  return message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** A log line of a studio export as the Traffic view shows it; anything else in `_studio.logs` is dropped. */
function isLogLine(line: unknown): line is TrafficRecord['logs'][number] {
  const l = line as Partial<TrafficRecord['logs'][number]> | null;
  return typeof l === 'object' && l !== null && typeof l.text === 'string' && typeof l.source === 'string' && typeof l.time === 'number' && typeof l.level === 'string';
}

function isOutboundCall(call: unknown): call is TrafficRecord['outbound'][number] {
  const c = call as Partial<TrafficRecord['outbound'][number]> | null;
  return typeof c === 'object' && c !== null && typeof c.method === 'string' && typeof c.url === 'string' && typeof c.durationMs === 'number';
}

/** Reads a HAR file's text into records (new ids, origin `imported`) ready to be replayed. */
export function fromHar(text: string): HarImport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`it is not JSON (${jsonProblem((err as Error).message)})`] };
  }
  const problems = harProblems(parsed);
  if (problems.length > 0) return { ok: false, problems };
  const entries: { record: TrafficRecord; bodies: TrafficBodies }[] = [];
  const skipped: string[] = [];
  for (const [index, entry] of ((parsed as Har).log.entries as StudioEntry[]).entries()) {
    let url: URL;
    try {
      url = new URL(entry.request.url);
    } catch {
      skipped.push(`entry ${index + 1}: ${entry.request.url} is not a URL`);
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      skipped.push(`entry ${index + 1}: ${url.protocol} is not HTTP`);
      continue;
    }
    // What could never be sent again: a replay would fail on it, or send something else.
    if (!HTTP_TOKEN.test(entry.request.method)) {
      skipped.push(`entry ${index + 1}: ${JSON.stringify(entry.request.method.slice(0, 40))} is not an HTTP method`);
      continue;
    }
    const badHeader = entry.request.headers.find((h) => !h.name.startsWith(':') && (!HTTP_TOKEN.test(h.name) || !SENDABLE_HEADER_VALUE.test(h.value)));
    if (badHeader) {
      skipped.push(`entry ${index + 1}: the header ${JSON.stringify(badHeader.name.slice(0, 40))} cannot be sent (a name outside an HTTP token, or a control character in its value)`);
      continue;
    }
    const studio = entry._studio;
    const post = entry.request.postData;
    const requestBody = post?.text !== undefined ? Buffer.from(post.text, post._encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0);
    const content = entry.response.content;
    const responseBody = content.text !== undefined ? Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0);
    const wait = entry.timings.wait;
    const status = entry.response.status;
    const record: TrafficRecord = {
      id: nextRequestId(),
      time: Date.parse(entry.startedDateTime) || Date.now(),
      method: entry.request.method.toUpperCase(),
      path: `${url.pathname}${url.search}`,
      authority: url.host,
      scheme: url.protocol === 'https:' ? 'https' : 'http',
      // HTTP/2 pseudo-headers (:authority, :path) belong to the connection, not the request.
      requestHeaders: entry.request.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value]),
      responseHeaders: entry.response.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value]),
      durationMs: Math.max(0, entry.time),
      requestBytes: Math.max(requestBody.byteLength, entry.request.bodySize),
      responseBytes: Math.max(responseBody.byteLength, content.size),
      requestCut: studio?.requestCut ?? (post === undefined && entry.request.bodySize > 0),
      responseCut: studio?.responseCut ?? (content.text === undefined && content.size > 0),
      origin: 'imported',
      notes: entry.comment ? [entry.comment] : [],
      logs: Array.isArray(studio?.logs) ? studio.logs.filter(isLogLine) : [],
      outbound: Array.isArray(studio?.outbound) ? studio.outbound.filter(isOutboundCall) : [],
      ...(status > 0 ? { status } : {}),
      ...(wait >= 0 ? { ttfbMs: wait } : {}),
      ...(typeof studio?.build === 'number' ? { build: studio.build } : {}),
      ...(typeof studio?.workload === 'string' ? { workload: studio.workload } : {}),
    };
    entries.push({ record, bodies: { request: new Uint8Array(requestBody), response: new Uint8Array(responseBody) } });
  }
  return { ok: true, entries, skipped };
}
