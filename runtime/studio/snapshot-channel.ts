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
// A studio that is suspended (Ctrl+Z) or stuck still has its port open, and the system takes
// the connection for it: the CLI waits only so long for the answer's head, which a studio
// sends before it runs the command, and a studio takes up a command only while the CLI still
// waits for it, so a command the CLI gave up on does not run when the studio resumes. A
// studio that does not answer fails the command when it owns the project's data, and is
// passed over when it runs on other data.
//
// A studio whose note cannot be written runs without the channel (the caller says so).
//
// This module owns the server, the notes and the client; what a command does is the
// StudioService's (or SnapshotCommands') to say.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { studioConfigDir } from '../cache-dir.ts';
import { fail, messageOf, ok, StudioFailure, type Result, type StudioError } from '../errors.ts';
import type { DataFolders } from '../snapshots/data-folders.ts';
import { currentProcess, processRunning } from '../stores/process-identity.ts';
import { storeRootOwner } from '../stores/store-owner.ts';
import type { CommandName } from './api.ts';

/** What the CLI may ask of a running studio. */
export const CHANNEL_COMMANDS = ['snapshots.list', 'snapshots.save', 'snapshots.restore', 'snapshots.delete', 'snapshots.export', 'snapshots.import', 'snapshots.compare'] as const satisfies readonly CommandName[];
export type ChannelCommand = (typeof CHANNEL_COMMANDS)[number];

const MAX_BODY = 1024 * 1024;

/**
 * How long the CLI waits for a studio to take up a command: for the answer's head, not for
 * the command (a restore may take minutes). A running studio sends it within milliseconds,
 * since its event loop is never held for long (copies run on a thread, archive work in 8 ms
 * slices); 5 s leaves room for a machine under heavy load (a build on every core, swapping)
 * and costs a command that meets a suspended studio a few seconds, not forever.
 */
export const ANSWER_MS = 5_000;
/** A studio takes up a command only this long after it was sent, so the CLI hears that it did before it gives up. */
const TAKE_UP_MS = ANSWER_MS - 1_000;

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

/**
 * Starts listening for the CLI and leaves the note that says how to reach this studio; fails
 * with `snapshot-channel-unavailable` (nothing left listening) when the note cannot be written.
 */
export async function startSnapshotChannel(options: ChannelOptions): Promise<Result<SnapshotChannel>> {
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let port = 0;
  // A request that fails (a client gone mid-body, say) ends alone: an unhandled rejection
  // here would end the whole studio.
  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else json(res, 500, { ok: false, error: { code: 'internal', message: `The studio could not take the command: ${messageOf(err)}` } });
    });
  });
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
    let parsed: { command?: unknown; args?: unknown; keyvalue?: unknown; takeUpBy?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      json(res, 400, { ok: false, error: { code: 'bad-frame', message: 'The request is not JSON.' } });
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      json(res, 400, { ok: false, error: { code: 'bad-frame', message: 'The request is not a JSON object.' } });
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
    // Sent while this studio was suspended: the command line has given up on it already.
    if (typeof parsed.takeUpBy === 'number' && Date.now() > parsed.takeUpBy) {
      json(res, 408, {
        ok: false,
        error: { code: 'studio-unreachable', message: `The studio running as process ${process.pid} took up the command more than ${TAKE_UP_MS / 1000} s after it was sent, so it did not run it: the command line waits ${ANSWER_MS / 1000} s.`, hint: 'Run the command again; if it happens again, the studio is overloaded or stuck.' },
      });
      return;
    }
    // The head goes out now, before the command runs: the command line waits for it only so long.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    let reply: unknown;
    try {
      reply = { ok: true, result: await options.call(command, parsed.args ?? {}) };
    } catch (thrown) {
      const error: StudioError = thrown instanceof StudioFailure ? thrown.error : { code: 'internal', message: messageOf(thrown) };
      reply = { ok: false, error };
    }
    res.end(JSON.stringify(reply));
  };
  try {
    await new Promise<void>((done, failed) => {
      server.once('error', failed);
      server.listen(0, '127.0.0.1', () => done());
    });
  } catch (error) {
    return fail('snapshot-channel-unavailable', `Snapshot commands from another terminal (component-studio snapshot …) cannot reach this studio: it cannot listen on 127.0.0.1 (${messageOf(error)}).`, 'Check that the loopback interface is up and restart the studio; until then, snapshots work from the studio\'s UI (Data view), or from the command line with the studio stopped.');
  }
  port = (server.address() as AddressInfo).port;
  const dir = notesDir(options.configDir);
  const self = currentProcess();
  const note = join(dir, `${process.pid}.json`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${note}.tmp`;
    writeFileSync(temp, JSON.stringify({ pid: self.pid, started: self.started, port, token } satisfies StudioNote), { mode: 0o600 });
    renameSync(temp, note);
  } catch (error) {
    await new Promise<void>((done) => server.close(() => done()));
    return fail(
      'snapshot-channel-unavailable',
      `Snapshot commands from another terminal (component-studio snapshot …) cannot reach this studio: the note that tells them where it listens cannot be written in ${dir} (${messageOf(error)}).`,
      `Make ${dir} a folder you can write, or set COMPONENT_STUDIO_CONFIG to one, and restart the studio; until then, snapshots work from the studio's UI (Data view), or from the command line with the studio stopped.`,
    );
  }
  return ok({
    port,
    async close() {
      rmSync(note, { force: true });
      await new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
    },
  });
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

/** A studio's answer; `silent` when its head did not come within ANSWER_MS, `unreachable` when the connection failed. */
type Reply = { kind: 'answer'; status: number; text: string } | { kind: 'silent' } | { kind: 'unreachable'; reason: string };

function post(note: StudioNote, body: string): Promise<Reply> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port: note.port, path: '/snapshots', method: 'POST', headers: { authorization: `Bearer ${note.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      clearTimeout(timer);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ kind: 'answer', status: res.statusCode ?? 0, text }));
      res.on('error', (error) => done({ kind: 'unreachable', reason: messageOf(error) }));
    });
    // Whichever comes first settles the promise: the error of the destroyed request comes after.
    const timer = setTimeout(() => {
      done({ kind: 'silent' });
      req.destroy();
    }, ANSWER_MS);
    req.on('error', (error) => {
      clearTimeout(timer);
      done({ kind: 'unreachable', reason: messageOf(error) });
    });
    req.end(body);
  });
}

/**
 * Asks the studio that runs on `folders` (the one whose session has that key-value folder) to
 * run a command. Resolves `{ handled: false }` when no running studio takes it up.
 */
export async function askRunningStudio(folders: Pick<DataFolders, 'keyvalue' | 'blobstore'>, command: ChannelCommand, args: unknown, configDir?: string): Promise<{ handled: false } | { handled: true; pid: number; result: unknown }> {
  for (const note of runningStudios(configDir)) {
    const reply = await post(note, JSON.stringify({ command, args, keyvalue: resolve(folders.keyvalue), takeUpBy: Date.now() + TAKE_UP_MS }));
    if (reply.kind !== 'answer') {
      // Its store owner files tell whether it is this data's studio without its answer.
      const owns = storeRootOwner(folders.keyvalue) === note.pid || storeRootOwner(folders.blobstore) === note.pid;
      if (!owns) continue;
      if (reply.kind === 'silent') {
        throw new StudioFailure({
          code: 'studio-unreachable',
          message: `The studio running on this project's data as process ${note.pid} did not answer within ${ANSWER_MS / 1000} s: it may be suspended (Ctrl+Z) or stuck.`,
          hint: `Resume it (fg in its terminal, or kill -CONT ${note.pid}) or stop it, then run the command again.`,
        });
      }
      throw new StudioFailure({ code: 'studio-unreachable', message: `The studio running on this project's data as process ${note.pid} cannot be reached: ${reply.reason}.`, hint: `If it is stuck, stop process ${note.pid} and run the command again.` });
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
