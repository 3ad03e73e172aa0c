// Checks as files: `.wash/checks/*.json` in the project, so they are committed and shared,
// and `component-studio check` runs the same ones in CI. Each file holds requests and what
// their answers must be: the status, some headers, and the body exactly, as a JSON subset,
// or matching a regular expression (or no body expectation: status only).
//
//   { "ignoreHeaders": ["date"], "data": "live",
//     "checks": [{ "name": "QR code", "request": { "method": "POST", "path": "/qrcode",
//                  "headers": [["content-type", "application/json"]], "body": "{\"payload\":\"hi\"}" },
//                  "expect": { "status": 200, "headers": { "content-type": "image/png" } } }] }
//
// Files are read and checked here (errors name the file and the field) and written whole
// through a temp file, so an editor never sees half a file.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { HTTP_TOKEN, SENDABLE_HEADER_VALUE } from '../http-token.ts';
import { DEFAULT_IGNORED_HEADERS } from './response-diff.ts';
import type { Check, CheckFile } from './traffic-results.ts';

const header = z.tuple([z.string().regex(HTTP_TOKEN, 'must be a header name (letters, digits and !#$%&\'*+-.^_`|~)'), z.string().regex(SENDABLE_HEADER_VALUE, 'must be text without control characters (tab is fine)')]);

const checkSchema: z.ZodType<Check> = z
  .object({
    name: z.string().min(1).max(500),
    request: z
      .object({
        method: z.string().regex(HTTP_TOKEN, 'must be an HTTP method such as GET or POST'),
        path: z.string().startsWith('/', 'must start with /'),
        /** The Host to send (its name; the port is the gateway's), for components served at <name>.localhost. */
        host: z.string().optional(),
        headers: z.array(header).default([]),
        body: z.string().optional(),
        bodyBase64: z.string().optional(),
      })
      .strict(),
    expect: z
      .object({
        status: z.number().int().min(100).max(599),
        headers: z.record(z.string(), z.string()).optional(),
        body: z
          .union([
            z.object({ exact: z.string() }).strict(),
            z.object({ exactBase64: z.string() }).strict(),
            z.object({ json: z.unknown() }).strict(),
            z.object({ regex: z.string() }).strict(),
          ])
          .optional(),
      })
      .strict(),
  })
  .strict();

const fileSchema: z.ZodType<CheckFile> = z
  .object({
    /** Response headers left out of every comparison (default: headers that change on every answer). */
    ignoreHeaders: z.array(z.string()).optional(),
    /** `copy`: run against a throwaway copy of the data folders (restored afterwards); default `live`. */
    data: z.enum(['live', 'copy']).optional(),
    checks: z.array(checkSchema),
  })
  .strict();

export type { Check, CheckFile } from './traffic-results.ts';

export interface LoadedCheckFile {
  /** The file's name in the checks folder, e.g. `qrcode.json`. */
  name: string;
  path: string;
  content: CheckFile;
}

/** The checks folder of a project's .wash folder. */
export function checksDir(washDir: string): string {
  return join(washDir, 'checks');
}

export function ignoredHeadersOf(file: CheckFile): string[] {
  return file.ignoreHeaders ?? DEFAULT_IGNORED_HEADERS;
}

/** Parses a check file's text; the error names the field. */
export function parseCheckFile(name: string, text: string): Result<CheckFile> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('checks-invalid', `${name} is not JSON: ${(err as Error).message}.`, 'Fix the file, or delete it and pin the checks again.');
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.length ? issue.path.join('.') : '(the file)'}: ${issue.message}`);
    return fail('checks-invalid', `${name}: ${issues.join('; ')}.`, 'docs/traffic.md describes the format of a check file.');
  }
  for (const [index, check] of parsed.data.checks.entries()) {
    const body = check.expect.body;
    if (body && 'regex' in body) {
      try {
        new RegExp(body.regex);
      } catch (err) {
        return fail('checks-invalid', `${name}: checks.${index}.expect.body.regex: ${(err as Error).message}.`, 'Use a JavaScript regular expression.');
      }
    }
  }
  return ok(parsed.data);
}

/** Every check file of the folder, by name; a folder that is not there has none. */
export async function loadCheckFiles(dir: string): Promise<Result<LoadedCheckFile[]>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
    return fail('checks-unreadable', `Cannot read ${dir}: ${(err as Error).message}.`, 'Check the folder\'s permissions.');
  }
  const files: LoadedCheckFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      return fail('checks-unreadable', `Cannot read ${path}: ${(err as Error).message}.`, 'Check the file\'s permissions.');
    }
    const parsed = parseCheckFile(name, text);
    if (!parsed.ok) return parsed;
    files.push({ name, path, content: parsed.value });
  }
  return ok(files);
}

/** A check file name: letters, digits, `-`, `_` and `.`, ending in .json. */
export function checkFileName(name: string): Result<string> {
  const withExt = name.endsWith('.json') ? name : `${name}.json`;
  if (basename(withExt) !== withExt || !/^[\w][\w.-]*\.json$/.test(withExt)) {
    return fail('checks-invalid', `"${name}" is not a check file name.`, 'Use letters, digits, - and _, such as qrcode.json.');
  }
  return ok(withExt);
}

/** Writes a check file whole (temp file, then rename). */
export async function writeCheckFile(dir: string, name: string, content: CheckFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`);
  await rename(temp, path);
  return path;
}

/** How a pinned check judges the body: exactly, as a JSON subset, by a regular expression, or not at all. */
export type PinKind = 'exact' | 'json' | 'regex' | 'status';

/** A check made from a captured request, expecting its captured answer. */
export function checkFromRecord(
  record: { method: string; path: string; authority: string; requestHeaders: [string, string][]; status?: number; responseHeaders: [string, string][] },
  bodies: { request: Uint8Array; response: Uint8Array },
  kind: PinKind,
  isText: (bytes: Uint8Array) => boolean,
): Result<Check> {
  if (record.status === undefined) return fail('checks-invalid', `${record.method} ${record.path} got no status, so there is nothing to expect.`, 'Pin a request that was answered.');
  const requestText = isText(bodies.request);
  const host = record.authority.replace(/:\d+$/, '');
  const request: Check['request'] = {
    method: record.method,
    path: record.path,
    ...(/\.localhost$/i.test(host) ? { host } : {}),
    headers: record.requestHeaders.filter(([name]) => !PINNED_HEADERS_LEFT_OUT.has(name.toLowerCase())),
    ...(bodies.request.byteLength === 0 ? {} : requestText ? { body: Buffer.from(bodies.request).toString('utf8') } : { bodyBase64: Buffer.from(bodies.request).toString('base64') }),
  };
  const contentType = record.responseHeaders.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const expect: Check['expect'] = { status: record.status, ...(contentType ? { headers: { 'content-type': contentType } } : {}) };
  const text = Buffer.from(bodies.response).toString('utf8');
  if (kind === 'exact') {
    expect.body = isText(bodies.response) ? { exact: text } : { exactBase64: Buffer.from(bodies.response).toString('base64') };
  } else if (kind === 'json') {
    try {
      expect.body = { json: JSON.parse(text) as unknown };
    } catch {
      return fail('checks-invalid', `The answer to ${record.method} ${record.path} is not JSON, so it cannot be a JSON subset.`, 'Pin it as exact, regex or status only.');
    }
  } else if (kind === 'regex') {
    expect.body = { regex: `^${text.slice(0, 200).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` };
  }
  return ok({ name: `${record.method} ${record.path}`, request, expect });
}

/** Headers a pinned request leaves to the client that sends it. */
const PINNED_HEADERS_LEFT_OUT = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'expect']);
