// Runs a project's build command the way wash does: through the shell (`sh -c`; `cmd.exe` on
// Windows, see process-tree.ts) in the project root, with
// WASH_COMPONENT_PATH and `build.env` set. The command is `build.command`, or `dev.command`,
// which `wash dev` runs instead of it; either way it is named by its key in messages. Output streams to the log bus line by line with
// its colours kept (colour is forced, since the output is not a terminal).
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../logs/line-splitter.ts';
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { formatDuration } from '../logs/duration.ts';
import { endProcessTree, groupAlive, killTreeOnExit, shellCommand, stopProcessTree } from './process-tree.ts';

export interface CommandBuild {
  command: string;
  /** Where the command came from, for messages: `build.command` or `dev.command`. */
  configKey: 'build.command' | 'dev.command';
  cwd: string;
  env: Record<string, string>;
  componentPath: string;
  logs: LogBus;
  signal?: AbortSignal;
}

/** A child's output stream cut into lines: bytes decoded as UTF-8, a character split across chunks kept whole. */
class StreamLines {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines: LineSplitter;

  constructor(line: (text: string) => void) {
    this.lines = new LineSplitter(line);
  }

  write(data: Buffer): void {
    this.lines.write(this.decoder.write(data));
  }

  end(): void {
    this.lines.end(this.decoder.end());
  }
}

/** How long the output of a build command that has exited may still come. */
const OUTPUT_GRACE_MS = 2000;
/** A build command that prints nothing for this long is said to be, and again each time this passes: it may wait on something that never comes. */
const QUIET_NOTE_MS = 30_000;

/** What tells one writing of a file from another, as far as a build needs: it was written again or not. */
type FileMark = { ino: number; size: number; mtimeMs: number } | undefined;

async function markOf(path: string): Promise<FileMark> {
  try {
    const { ino, size, mtimeMs } = await stat(path);
    return { ino, size, mtimeMs };
  } catch {
    return undefined;
  }
}

export async function runBuildCommand(build: CommandBuild): Promise<Result<{ wasmPath: string; output: string }>> {
  const output: string[] = [];
  // One splitter per stream: each keeps its own partial line. Build tools write progress to
  // stderr, so both streams are logged at info level.
  const log = (line: string) => {
    output.push(line);
    build.logs.append({ level: 'info', source: 'build', text: line });
  };
  const splitters = [new StreamLines(log), new StreamLines(log)];
  let heard = Date.now();
  try {
    await mkdir(dirname(build.componentPath), { recursive: true });
  } catch (err) {
    return fail(
      'config-path-wrong-type',
      `build.component_path: cannot make the folder for ${build.componentPath}: ${(err as Error).message}.`,
      'A file may be in the way of a folder on that path: move it, or set build.component_path to another place (a relative path starts at the project root).',
    );
  }
  // A command that leaves the component as it was (it writes elsewhere, or builds nothing) is said to.
  const before = await markOf(build.componentPath);
  const shell = shellCommand(build.command);
  const started = Date.now();
  const child = spawn(shell.file, shell.args, {
    ...shell.options,
    cwd: build.cwd,
    env: { ...process.env, FORCE_COLOR: '1', CLICOLOR_FORCE: '1', CARGO_TERM_COLOR: 'always', ...build.env, WASH_COMPONENT_PATH: build.componentPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (data: Buffer) => {
    heard = Date.now();
    splitters[0]!.write(data);
  });
  child.stderr.on('data', (data: Buffer) => {
    heard = Date.now();
    splitters[1]!.write(data);
  });
  // The whole tree: the shell leaves its children behind otherwise.
  killTreeOnExit(child);
  const onAbort = () => endProcessTree(child);
  build.signal?.addEventListener('abort', onAbort, { once: true });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A long build that prints its progress says enough; one silent for long may be stuck.
  const quiet = setInterval(() => {
    if (Date.now() - heard < QUIET_NOTE_MS) return;
    heard = Date.now();
    build.logs.append({
      level: 'warn',
      source: 'build',
      text: `${build.configKey} has printed nothing for ${formatDuration(QUIET_NOTE_MS)} (running for ${formatDuration(Date.now() - started)}: ${build.command}). A quiet step can take this long; a command that waits for input or a lock never ends. The last good version keeps serving, and a save or a rebuild starts the build again.`,
    });
  }, QUIET_NOTE_MS / 6);
  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('exit', (code) => resolve({ code }));
  });
  clearInterval(quiet);
  // A process the command started in the background (`watcher &`) may hold its output open
  // long after the command itself ended: what it prints after a grace is not the build's.
  const drained = await Promise.race([closed.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), OUTPUT_GRACE_MS))]);
  if (!drained && !exit.error) {
    child.stdout.destroy();
    child.stderr.destroy();
    // A build stopped for a newer one: its scripts that ignore SIGTERM hold the output until the SIGKILL, which is no job of theirs.
    if (!build.signal?.aborted) {
      build.logs.append({ level: 'warn', source: 'build', text: `The build command ended, but a process it started still holds its output open (a job left running in the background?); it is stopped with the build's other processes (${build.configKey}: ${build.command}).` });
    }
  }
  // What the command left running in its process group goes with it: one more per save would
  // pile up, and outlive the studio.
  if (!exit.error && groupAlive(child)) {
    if (drained && !build.signal?.aborted) {
      build.logs.append({ level: 'info', source: 'build', text: `The build command left processes running in the background; they are stopped with the build (${build.configKey}: ${build.command}).` });
    }
    stopProcessTree(child);
    // Not on 'close' as endProcessTree does: a job holding the output open was cut off above.
    setTimeout(() => stopProcessTree(child, 'SIGKILL'), OUTPUT_GRACE_MS).unref();
  }
  build.signal?.removeEventListener('abort', onAbort);
  // A last line with no newline after it (an error printed with printf) is a line too.
  for (const splitter of splitters) splitter.end();
  const text = output.join('\n');
  if (build.signal?.aborted) return fail('build-cancelled', 'The build was cancelled.', 'Another build takes its place, or the studio is stopping.');
  if (exit.error) return fail('build-failed', `Could not run the build command: ${exit.error.message}.`, `Check that \`${shell.file}\` exists and that ${build.configKey} in .wash/config.yaml is right.`);
  if (exit.code !== 0) {
    return fail('build-failed', `The build command failed with exit code ${exit.code} (${build.configKey}: ${build.command})`, 'Read the build output above, fix the error and save again.');
  }
  let isFile: boolean;
  try {
    isFile = (await stat(build.componentPath)).isFile();
  } catch {
    return fail(
      'build-output-missing',
      `The build command succeeded but wrote no component at ${build.componentPath} (${build.configKey}: ${build.command}).`,
      'Make the command write to $WASH_COMPONENT_PATH, or set build.component_path in .wash/config.yaml to where it writes.',
    );
  }
  if (!isFile) {
    return fail('config-path-wrong-type', `build.component_path: ${build.componentPath} is a folder, not a component file.`, 'Point build.component_path at the .wasm file the command writes.');
  }
  const after = await markOf(build.componentPath);
  // Usual when nothing changed (a rebuild asked for, cargo with nothing to do); a sign of a
  // command that writes elsewhere when a change was expected.
  if (before && after && before.ino === after.ino && before.size === after.size && before.mtimeMs === after.mtimeMs) {
    build.logs.append({
      level: 'info',
      source: 'build',
      text: `${build.componentPath} is unchanged since the last build, and is loaded as it is. (If a change was expected: ${build.configKey} must write the component there, the path in $WASH_COMPONENT_PATH, or build.component_path must name where it writes.)`,
    });
  }
  return ok({ wasmPath: build.componentPath, output: text });
}

