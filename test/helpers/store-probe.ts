// The store-probe fixture as tests use it: a temp project copied from it, and a client for its
// routes (each answers the store call's result, or the WIT error it returned).
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StudioProcess } from './studio-process.ts';

const fixtureDir = fileURLToPath(new URL('../fixtures/js/store-probe/', import.meta.url));
const NAME = 'store-probe';

/** What every store-probe route answers: the call's result, or the WIT error it returned. */
type Answer<T = unknown> = { ok: T; err?: undefined; at?: undefined } | { ok?: undefined; err: unknown; at: string };
export type Shown = { text: string; hex: string; length: number };
export type Query = Record<string, string | number>;

/** A project folder named store-probe in `tempDir`: the fixture's sources plus this config. */
export async function makeProject(tempDir: string, configYaml: string): Promise<string> {
  const project = join(tempDir, NAME);
  await mkdir(join(project, '.wash'), { recursive: true });
  await cp(join(fixtureDir, 'src'), join(project, 'src'), { recursive: true });
  await cp(join(fixtureDir, 'wit'), join(project, 'wit'), { recursive: true });
  await writeFile(join(project, '.wash', 'config.yaml'), configYaml);
  return project;
}

/** A client for the probe's routes on a running studio. */
export function probe(studio: () => StudioProcess) {
  const send = async <T>(method: string, path: string, query: Query = {}, body?: string | Uint8Array<ArrayBuffer>): Promise<Answer<T>> => {
    const url = new URL(path, studio().url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    const res = await fetch(url, { method, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    assert.equal(res.status, 200, `${method} ${url.pathname}${url.search} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Answer<T>;
  };
  /** The route's result; fails the test when a call returned an error. */
  const ok = async <T>(method: string, path: string, query: Query = {}, body?: string | Uint8Array<ArrayBuffer>): Promise<T> => {
    const answer = await send<T>(method, path, query, body);
    assert.ok(answer.err === undefined, `${method} ${path} ${JSON.stringify(query)}: ${answer.at} returned the error ${JSON.stringify(answer.err)}`);
    return answer.ok as T;
  };
  /** The WIT error the route's call returned; fails the test when it succeeded. */
  const err = async (method: string, path: string, query: Query = {}, body?: string | Uint8Array<ArrayBuffer>): Promise<{ err: unknown; at: string }> => {
    const answer = await send(method, path, query, body);
    assert.ok(answer.err !== undefined || answer.at !== undefined, `${method} ${path} ${JSON.stringify(query)} succeeded: ${JSON.stringify(answer.ok)}`);
    return { err: answer.err, at: answer.at! };
  };
  return { send, ok, err };
}

