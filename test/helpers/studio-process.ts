// Starts the real CLI (`component-studio dev`) as a child process on a free port, the way a
// user would, and gives tests its URL and output. Transpiled components are cached under the
// repo's .cache so a test run transpiles each component once.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const testCacheDir = join(repoRoot, '.cache', 'studio');
const bin = join(repoRoot, 'bin', 'component-studio.js');

export interface StudioProcess {
  url: string;
  /** With `ui: true`: the studio UI's URL as printed, with its token. */
  studioUrl: string;
  child: ChildProcess;
  /** Everything printed so far, colours stripped. */
  output(): string;
  /**
   * Resolves when the output contains `text` (or matches it), failing after `timeoutMs`.
   * With `since` (an earlier `output().length`), only output printed after that counts.
   */
  waitFor(text: string | RegExp, timeoutMs?: number, since?: number): Promise<void>;
  /** The number of the newest build the studio reported: 1 once the first build serves or fails, N after a "build N: …" line. */
  lastBuild(): number;
  stop(): Promise<number | null>;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Runs the CLI to completion, for commands expected to fail at start. */
export async function runStudio(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const child = spawnStudio(args);
  let output = '';
  child.stdout!.on('data', (d: string) => (output += d));
  child.stderr!.on('data', (d: string) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': the output has been read to its end by then.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  return { code, output: output.replace(ANSI, '') };
}

function spawnStudio(args: string[], fromSource = false, configDir?: string): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      COMPONENT_STUDIO_CACHE: process.env.COMPONENT_STUDIO_CACHE ?? testCacheDir,
      // The UI's state file goes beside the test cache, not into the user's config folder.
      COMPONENT_STUDIO_CONFIG: configDir ?? process.env.COMPONENT_STUDIO_CONFIG ?? join(repoRoot, '.cache', 'config'),
      NO_COLOR: '1',
      ...(fromSource ? { COMPONENT_STUDIO_FROM_SOURCE: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Decoded as a stream, so a character split between two chunks arrives whole.
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  return child;
}

export interface LaunchOptions {
  /** Start the studio UI (browser mode) too; its URL is `studioUrl`. Default: headless. */
  ui?: boolean;
  /** Run the TypeScript sources through tsx instead of the compiled dist/ (the start-up benchmark's baseline). */
  fromSource?: boolean;
  /** The studio's config folder (the UI's state, such as the HTTP view's history); default: one shared by the test run's studios. */
  configDir?: string;
}

/** Starts the studio and waits until it serves. */
export async function startStudio(target: string, args: string[] = [], startTimeoutMs = 180_000, options: LaunchOptions = {}): Promise<StudioProcess> {
  const studio = launchStudio(target, args, options);
  await studio.serving(startTimeoutMs);
  return studio;
}

/** Starts the studio without waiting; `serving()` waits for its URL. */
export function launchStudio(target: string, args: string[] = [], options: LaunchOptions = {}): StudioProcess & { serving(timeoutMs?: number): Promise<string> } {
  const child = spawnStudio(['dev', target, '--port', '0', ...(options.ui ? [] : ['--no-ui']), ...args], options.fromSource, options.configDir);
  let output = '';
  const waiters = new Set<() => void>();
  const stripper = () => {
    let held = '';
    return (d: string) => {
      // A colour code cut in two by the pipe waits for its second half before being stripped.
      const text = held + d;
      const partial = /\x1b(\[[0-9;]*)?$/.exec(text);
      held = partial ? partial[0] : '';
      output += (partial ? text.slice(0, partial.index) : text).replace(ANSI, '');
      for (const w of waiters) w();
    };
  };
  child.stdout!.on('data', stripper());
  child.stderr!.on('data', stripper());
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const waitFor = (text: string | RegExp, timeoutMs = 30_000, since = 0) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => {
        const printed = output.slice(since);
        return typeof text === 'string' ? printed.includes(text) : text.test(printed);
      };
      if (matches()) return resolve();
      const check = () => {
        if (!matches()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${String(text)} in the studio output:\n${output}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
    });

  const servingLine = /serving\s+(https?:\/\/\S+)/;
  const studioLine = /studio\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;
  const serving = async (timeoutMs = 180_000) => {
    await Promise.race([
      waitFor(servingLine, timeoutMs),
      exited.then((code) => {
        throw new Error(`the studio exited (code ${code}) before serving:\n${output}`);
      }),
    ]);
    return servingLine.exec(output)![1]!;
  };
  return {
    get url() {
      const match = servingLine.exec(output);
      if (!match) throw new Error(`the studio is not serving yet:\n${output}`);
      return match[1]!;
    },
    get studioUrl() {
      const match = studioLine.exec(output);
      if (!match) throw new Error(`the studio printed no UI URL:\n${output}`);
      return match[1]!;
    },
    serving,
    child,
    output: () => output,
    waitFor,
    lastBuild: () => Math.max(servingLine.test(output) ? 1 : 0, ...[...output.matchAll(/(?:build|version) (\d+)(?::| failed| cannot start)/g)].map((m) => Number(m[1]))),
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The build number of the first reload the studio prints after `since` (an earlier `output().length`), once it does. */
export async function reloadAfter(studio: StudioProcess, since: number): Promise<number> {
  const reloaded = /build (\d+): reloaded/;
  await studio.waitFor(reloaded, undefined, since);
  return Number(reloaded.exec(studio.output().slice(since))![1]);
}

/**
 * Gives the studio's project watcher time to see writes just made and, had it taken them for
 * a change, to start a build (it waits 40 ms for a burst of changes to end; this allows far
 * more). Only for checking that writes do *not* start a build: an absence sends no event to
 * wait for, and writes the watcher has not looked at yet could join the next save's burst
 * and hide in that save's build.
 */
export function letWatcherSettle(): Promise<void> {
  return sleep(1500);
}
