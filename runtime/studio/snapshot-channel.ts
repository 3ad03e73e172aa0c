// How `component-studio snapshot …` reaches a studio that runs on the same project, so its
// pending journal writes are part of a snapshot and its running instances see a restore.
//
// A running studio listens on 127.0.0.1 (a free port) and leaves a note in the user's config
// folder, `studios/<pid>.json` (folder 0700, file 0600: readable by this user only), with its
// pid, start time, port and a random 256-bit token. The CLI reads the notes of studios that
// still run and asks each in turn; the one whose session has the project's data folders
// answers, the others say it is not theirs. A request must carry the token (compared in
// constant time), name the bridge's own address in Host, and have no Origin header (a web page
// cannot make one without it). Only the snapshot commands the CLI has are accepted.
//
// This module owns the server, the notes and the client; what a command does is the
// StudioService's (or SnapshotCommands') to say.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { studioConfigDir } from '../cache-dir.ts';
import { messageOf, StudioFailure, type StudioError } from '../errors.ts';
import { currentProcess, processRunning } from '../stores/process-identity.ts';
import type { CommandName } from './api.ts';

/** What the CLI may ask of a running studio. */
export const CHANNEL_COMMANDS = ['snapshots.list', 'snapshots.save', 'snapshots.restore', 'snapshots.delete', 'snapshots.export', 'snapshots.import', 'snapshots.compare'] as const satisfies readonly CommandName[];
export type ChannelCommand = (typeof CHANNEL_COMMANDS)[number];

const MAX_BODY = 1024 * 1024;

interface StudioNote {
  pid: number;
  started: number | undefined;
  port: number;
  token: string;
}

export interface ChannelOptions {
  /** Runs a command for the CLI (the StudioService's, or the snapshot commands'). */
  call: (command: ChannelCommand, args: unknown) => Promise<unknown>;
  /** The key-value folder of the data this studio serves now, to tell the CLI's project from another. */
  keyvalueFolder: () => string | undefined;
  /** Default: the user config folder. */
  configDir?: string;
}

export interface SnapshotChannel {
  readonly port: number;
  close(): Promise<void>;
}

function notesDir(configDir?: string): string {
  return join(configDir ?? studioConfigDir(), 'studios');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts listening for the CLI and leaves the note that says how to reach this studio. */
export async function startSnapshotChannel(options: ChannelOptions): Promise<SnapshotChannel> {
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let port = 0;
  const server = createServer((req, res) => void answer(req, res));
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (req.headers.host !== `127.0.0.1:${port}` || req.headers.origin !== undefined || auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      json(res, 403, { ok: false, error: { code: 'forbidden', message: 'Forbidden.' } });
      return;
    }
    if (req.method !== 'POST' || req.url !== '/snapshots') {
      json(res, 404, { ok: false, error: { code: 'unknown-command', message: 'Not found.' } });
      return;
    }
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > MAX_BODY) {
        json(res, 413, { ok: false, error: { code: 'bad-arguments', message: 'The request is too large.' } });
        return;
      }
    }
    let parsed: { command?: unknown; args?: unknown; keyvalue?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      json(res, 400, { ok: false, error: { code: 'bad-frame', message: 'The request is not JSON.' } });
      return;
    }
    const command = parsed.command as ChannelCommand;
    if (!CHANNEL_COMMANDS.includes(command)) {
      json(res, 400, { ok: false, error: { code: 'unknown-command', message: `The studio does not take ${String(parsed.command)} from the command line.` } });
      return;
    }
    const mine = options.keyvalueFolder();
    if (!mine || typeof parsed.keyvalue !== 'string' || resolve(parsed.keyvalue) !== resolve(mine)) {
      json(res, 409, { ok: false, error: { code: 'other-project', message: 'This studio runs on other data.' } });
      return;
    }
    try {
      json(res, 200, { ok: true, result: await options.call(command, parsed.args ?? {}) });
    } catch (thrown) {
      const error: StudioError = thrown instanceof StudioFailure ? thrown.error : { code: 'internal', message: messageOf(thrown) };
      json(res, 200, { ok: false, error });
    }
  };
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  port = (server.address() as AddressInfo).port;
  const dir = notesDir(options.configDir);
  const self = currentProcess();
  const note = join(dir, `${process.pid}.json`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${note}.tmp`;
  writeFileSync(temp, JSON.stringify({ pid: self.pid, started: self.started, port, token } satisfies StudioNote), { mode: 0o600 });
  renameSync(temp, note);
  return {
    port,
    async close() {
      rmSync(note, { force: true });
      await new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
    },
  };
}

/** The notes of studios that still run (notes of studios that are gone are removed). */
function runningStudios(configDir?: string): StudioNote[] {
  const dir = notesDir(configDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const notes: StudioNote[] = [];
  for (const name of names) {
    try {
      const note = JSON.parse(readFileSync(join(dir, name), 'utf8')) as StudioNote;
      if (processRunning(note.pid, note.started ?? undefined)) notes.push(note);
      else rmSync(join(dir, name), { force: true });
    } catch {
      // A note being written, or damaged: it is not a studio to ask.
    }
  }
  return notes;
}

function post(note: StudioNote, body: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: note.port, path: '/snapshots', method: 'POST', headers: { authorization: `Bearer ${note.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Asks the studio that runs on the data whose key-value folder is `keyvalue` to run a
 * command. Resolves `{ handled: false }` when no running studio has that data.
 */
export async function askRunningStudio(keyvalue: string, command: ChannelCommand, args: unknown, configDir?: string): Promise<{ handled: false } | { handled: true; pid: number; result: unknown }> {
  const body = JSON.stringify({ command, args, keyvalue: resolve(keyvalue) });
  for (const note of runningStudios(configDir)) {
    let reply: { status: number; text: string };
    try {
      reply = await post(note, body);
    } catch (error) {
      throw new StudioFailure({ code: 'studio-unreachable', message: `The studio running as process ${note.pid} did not answer: ${messageOf(error)}.`, hint: `If it is stuck, stop process ${note.pid} and run the command again.` });
    }
    if (reply.status === 409) continue;
    let parsed: { ok: boolean; result?: unknown; error?: StudioError };
    try {
      parsed = JSON.parse(reply.text) as typeof parsed;
    } catch {
      throw new StudioFailure({ code: 'studio-unreachable', message: `The studio running as process ${note.pid} gave an answer that is not JSON (HTTP ${reply.status}).`, hint: 'It may be another version of Component Studio; stop it and run the command again.' });
    }
    if (!parsed.ok) throw new StudioFailure(parsed.error ?? { code: 'internal', message: 'The studio failed without saying why.' });
    return { handled: true, pid: note.pid, result: parsed.result };
  }
  return { handled: false };
}
