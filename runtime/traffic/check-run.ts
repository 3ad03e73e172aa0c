// Running checks: each check's request goes through the gateway (marked, so the capture keeps
// its answer as a `check` record), one after another in file order (a later check may rely
// on what an earlier one wrote), and its answer is judged against what the check expects.
// A file with `data: copy` runs against a throwaway copy of the data folders.
import { headerValue, type TrafficBodies, type TrafficRecord } from './traffic-record.ts';
import { checksDir, ignoredHeadersOf, loadCheckFiles } from './check-file.ts';
import type { ExchangeCapture } from './exchange-capture.ts';
import { isText, parseJson } from './response-diff.ts';
import { replay } from './request-replay.ts';
import type { BodyExpectation, Check, CheckResult, CheckRun } from './traffic-results.ts';

export type { CheckResult, CheckRun } from './traffic-results.ts';

/** Runs `work` against a throwaway copy of the data folders, restored afterwards. */
export type DataSandbox = <T>(work: () => Promise<T>) => Promise<T>;

export interface CheckRunOptions {
  /** The project's .wash folder. */
  washDir: string;
  gatewayUrl: string;
  capture: ExchangeCapture;
  bodiesOf: (id: number) => Promise<TrafficBodies | undefined>;
  timeoutMs: number;
  build?: number;
  sandbox?: DataSandbox;
}

export async function runChecks(options: CheckRunOptions): Promise<CheckRun> {
  const startedAt = Date.now();
  const started = performance.now();
  const run = (results: CheckResult[], error?: CheckRun['error']): CheckRun => ({
    ...(options.build !== undefined ? { build: options.build } : {}),
    startedAt,
    durationMs: performance.now() - started,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    results,
    ...(error ? { error } : {}),
  });
  const files = await loadCheckFiles(checksDir(options.washDir));
  if (!files.ok) return run([], files.error);
  const results: CheckResult[] = [];
  for (const file of files.value) {
    const ignored = ignoredHeadersOf(file.content);
    const runFile = async () => {
      for (const [index, check] of file.content.checks.entries()) results.push(await runCheck(check, file.name, index, ignored, options));
    };
    if (file.content.data !== 'copy') await runFile();
    else if (options.sandbox) await options.sandbox(runFile);
    // Running them on the live data would change what the user asked to keep.
    else return run(results, { code: 'no-data-copy', message: `The checks in ${file.name} ask for a throwaway copy of the data ("data": "copy"), which this session cannot make; they were not run, and the data is unchanged.` });
  }
  return run(results);
}

async function runCheck(check: Check, file: string, index: number, ignored: string[], options: CheckRunOptions): Promise<CheckResult> {
  const base = { file, index, name: check.name };
  const body = check.request.bodyBase64 !== undefined ? Buffer.from(check.request.bodyBase64, 'base64') : Buffer.from(check.request.body ?? '', 'utf8');
  const gateway = new URL(options.gatewayUrl);
  const sent = await replay(
    { method: check.request.method.toUpperCase(), path: check.request.path, authority: check.request.host ?? gateway.host, headers: check.request.headers, body: new Uint8Array(body) },
    { gatewayUrl: options.gatewayUrl, capture: options.capture, origin: 'check', timeoutMs: options.timeoutMs },
  );
  if (!sent.ok) return { ...base, passed: false, problems: [`No answer: ${sent.error}.`] };
  const bodies = (await options.bodiesOf(sent.record.id)) ?? { request: new Uint8Array(), response: new Uint8Array() };
  const problems = judge(check.expect, sent.record, bodies.response, new Set(ignored.map((h) => h.toLowerCase())));
  return { ...base, passed: problems.length === 0, problems, recordId: sent.record.id };
}

/** What is wrong with an answer, by what the check expects; empty when it passes. */
export function judge(expect: Check['expect'], record: TrafficRecord, body: Uint8Array, ignored: Set<string>): string[] {
  const problems: string[] = [];
  if (record.status !== expect.status) problems.push(`Status ${record.status ?? 'none (the connection was cut)'}, expected ${expect.status}.`);
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    if (ignored.has(name.toLowerCase())) continue;
    const actual = headerValue(record.responseHeaders, name);
    if (actual !== value) problems.push(actual === undefined ? `No ${name} header, expected "${value}".` : `${name} is "${actual}", expected "${value}".`);
  }
  if (expect.body) {
    const problem = judgeBody(expect.body, record, body);
    if (problem) problems.push(problem);
  }
  return problems;
}

function judgeBody(expect: BodyExpectation, record: TrafficRecord, body: Uint8Array): string | undefined {
  const cut = record.responseCut ? ' (only the first part of the body was kept; that part was compared)' : '';
  if ('exact' in expect || 'exactBase64' in expect) {
    let wanted: Buffer = 'exact' in expect ? Buffer.from(expect.exact, 'utf8') : Buffer.from(expect.exactBase64, 'base64');
    if (record.responseCut) wanted = wanted.subarray(0, body.byteLength);
    if (Buffer.from(body).equals(wanted)) return undefined;
    return `The body differs from the expected one${body.byteLength !== wanted.byteLength ? ` (${body.byteLength} bytes, expected ${wanted.byteLength})` : ''}${cut}.`;
  }
  if ('json' in expect) {
    const parsed = parseJson(body, 'application/json');
    if (!parsed.ok) return `The body is not JSON${cut}.`;
    const where = mismatch(expect.json, parsed.value, '$');
    return where ? `The JSON body does not contain what is expected: ${where}.` : undefined;
  }
  if (!isText(body)) return 'The body is not text, so the regular expression cannot match it.';
  return new RegExp(expect.regex).test(Buffer.from(body).toString('utf8')) ? undefined : `The body does not match /${expect.regex}/${cut}.`;
}

/**
 * Where `actual` fails to contain `expected`: every key of an expected object must be there
 * with a containing value; arrays match element by element and must be as long; anything
 * else must be equal. Undefined when it contains it.
 */
export function mismatch(expected: unknown, actual: unknown, path: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path} is not an array`;
    if (actual.length !== expected.length) return `${path} has ${actual.length} items, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const inner = mismatch(expected[i], actual[i], `${path}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `${path} is not an object`;
    for (const [key, value] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, key)) return `${path}.${key} is missing`;
      const inner = mismatch(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
      if (inner) return inner;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
}
