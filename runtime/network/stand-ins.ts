// Outbound stand-ins: rules from `outbound.stand_ins` in .wash/studio.yaml that answer a
// component's outgoing request instead of the network, so demos and tests work offline. A
// rule matches a method (or any) and a URL glob, and answers from an inline body, a file
// (streamed, at the component's pace), or by forwarding the request to another URL (a local
// server), path and query kept. The first rule that matches wins. Also: which URLs count as
// loopback, the only ones offline mode lets through without a stand-in.
import { createReadStream, statSync, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import { StreamCall, type ResponseListener, type TransportCall } from './outbound-transport.ts';
import { isLocalhostName } from './localhost-lookup.ts';

/** One entry of `outbound.stand_ins`, as the settings file holds it. */
export interface StandInRule {
  /** `METHOD URL-GLOB`, `* URL-GLOB`, or just `URL-GLOB` (any method). */
  match: string;
  status?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  body_file?: string;
  forward?: string;
}

type Answer = { kind: 'inline'; body: Buffer } | { kind: 'file'; path: string } | { kind: 'forward'; target: URL };

export interface StandIn {
  /** The rule's `match`, as written: how the log and the UI name it. */
  match: string;
  method: string | undefined;
  pattern: RegExp;
  status: number;
  headers: [string, string][];
  answer: Answer;
}

/** `match` split into its method (undefined: any) and URL glob, or why it cannot be. */
export function parseMatch(match: string): { method: string | undefined; glob: string } | { problem: string } {
  const parts = match.trim().split(/\s+/);
  const [first, second] = parts;
  if (parts.length > 2 || !first) return { problem: 'must be a method (or *) and a URL glob, e.g. "GET https://example.com/*"' };
  const method = parts.length === 2 ? first : undefined;
  const glob = parts.length === 2 ? second! : first;
  if (method !== undefined && method !== '*' && !/^[A-Za-z]+$/.test(method)) return { problem: `"${method}" is not a method (use GET, POST, … or *)` };
  if (!/^(https?|\*):\/\//.test(glob) && glob !== '*') return { problem: `the URL glob must start with http://, https:// or *:// (got "${glob}")` };
  return { method: method === undefined || method === '*' ? undefined : method.toUpperCase(), glob };
}

/** `*` matches any run of characters, `/` and `?` included; everything else is literal. */
function globPattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * Reads the rules: each must match something and say at most one way to answer; a body_file
 * must exist (relative to `base`). Errors name the entry as `outbound.stand_ins[i]`.
 */
export function standInsFrom(rules: readonly StandInRule[] | undefined, base: string): Result<StandIn[]> {
  const standIns: StandIn[] = [];
  for (const [index, rule] of (rules ?? []).entries()) {
    const key = `outbound.stand_ins[${index}]`;
    const parsed = parseMatch(rule.match);
    if ('problem' in parsed) return fail('studio-settings-invalid', `${key}.match in .wash/studio.yaml ${parsed.problem}.`, 'See docs/projects.md (outbound) for the form of a stand-in.');
    let answer: Answer;
    if (rule.forward !== undefined) {
      if (!URL.canParse(rule.forward) || !/^https?:$/.test(new URL(rule.forward).protocol)) {
        return fail('studio-settings-invalid', `${key}.forward in .wash/studio.yaml must be an http:// or https:// URL (got "${rule.forward}").`, 'For example forward: http://127.0.0.1:9000');
      }
      answer = { kind: 'forward', target: new URL(rule.forward) };
    } else if (rule.body_file !== undefined) {
      const path = resolve(base, rule.body_file);
      let isFile = false;
      try {
        isFile = statSync(path).isFile();
      } catch {
        // said below
      }
      if (!isFile) return fail('config-file-missing', `${key}.body_file (${rule.body_file}) in .wash/studio.yaml: there is no file at ${path}.`, 'Paths in .wash/studio.yaml are relative to the project; fix the path or use body: for an inline answer.');
      answer = { kind: 'file', path };
    } else {
      answer = { kind: 'inline', body: Buffer.from(rule.body ?? '', 'utf8') };
    }
    standIns.push({
      match: rule.match,
      method: parsed.method,
      pattern: globPattern(parsed.glob),
      status: rule.status ?? 200,
      headers: Object.entries(rule.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
      answer,
    });
  }
  return ok(standIns);
}

/** The first stand-in for `method` and `url`, if any. */
export function findStandIn(standIns: readonly StandIn[], method: string, url: URL): StandIn | undefined {
  const href = url.href;
  return standIns.find((s) => (s.method === undefined || s.method === method.toUpperCase()) && s.pattern.test(href));
}

/** Where a forwarding stand-in sends `url`: its target's origin, its path as a prefix, then the call's path and query. */
export function forwardedUrl(target: URL, url: URL): URL {
  const prefix = target.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${url.pathname}${url.search}`, target.origin);
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z). */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLocalhostName(host)) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || /^::ffff:7f[0-9a-f]{2}:/.test(host);
  return false;
}

/**
 * Answers a call from a stand-in's inline body or file, at the pace the service allows (a
 * file is streamed and paused with the call). Not for forwarding stand-ins: those go to a
 * transport with the forwarded URL.
 */
export function answerFrom(standIn: StandIn, listener: ResponseListener): TransportCall {
  const headers = (length: number): [string, string][] => (standIn.headers.some(([n]) => n === 'content-length') ? standIn.headers : [...standIn.headers, ['content-length', String(length)]]);
  const call = new StreamCall<ReadStream>((stream) => stream?.destroy());
  const { answer } = standIn;
  if (answer.kind === 'inline') {
    queueMicrotask(() => {
      if (call.stopped) return;
      listener.head(standIn.status, headers(answer.body.length), 'HTTP/1.1');
      if (answer.body.length > 0) listener.data(answer.body);
      listener.end(undefined);
    });
  } else if (answer.kind === 'file') {
    const cannotRead = (err: unknown) =>
      listener.fail({ code: { tag: 'internal-error', val: `stand-in "${standIn.match}": ${(err as Error).message}` }, cause: `the stand-in "${standIn.match}" cannot read its body_file ${answer.path}: ${(err as Error).message}` });
    stat(answer.path).then(
      (info) => {
        if (call.stopped) return;
        listener.head(standIn.status, headers(info.size), 'HTTP/1.1');
        const stream = call.attach(createReadStream(answer.path));
        stream.on('data', (chunk) => !call.stopped && listener.data(chunk as Buffer));
        stream.on('end', () => !call.stopped && listener.end(undefined));
        stream.on('error', (err) => !call.stopped && cannotRead(err));
      },
      (err: unknown) => !call.stopped && cannotRead(err),
    );
  } else {
    throw new Error('a forwarding stand-in is answered by a transport');
  }
  return call;
}
