// The desktop app's command line (a project path and `--port N` / `--port=N`, as the CLI takes
// them) and the copy it offers of a project it cannot write to, kept free of Electron so they
// are tested as plain Node. What opens without a path (the last project, or the studio's copy
// of the example) is runtime/studio/launch-state.ts, which browser mode shares.
import { basename, join, resolve } from 'node:path';
import { pathExists } from '../runtime/path-exists.ts';
import { copyTree } from '../runtime/project/new-project.ts';

export interface LaunchArgs {
  /** The project folder or .wasm file named on the command line. */
  target?: string;
  port?: number;
}

/**
 * Reads the app's own arguments (after the executable, and the app path when not packaged).
 * Switches it does not know are Chromium's or Electron's, and are left alone.
 */
export function parseLaunchArgs(args: readonly string[], cwd: string): LaunchArgs | { error: string } {
  const result: LaunchArgs = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const port = /^--port(?:=(.*))?$/.exec(arg);
    if (port) {
      const value = port[1] ?? args[++i];
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) {
        return { error: `--port must be a whole number from 0 to 65535, not ${value === undefined ? 'missing' : JSON.stringify(value)}.` };
      }
      result.port = Number(value);
    } else if (!arg.startsWith('-') && result.target === undefined) {
      result.target = resolve(cwd, arg);
    }
  }
  return result;
}

/**
 * The app's own arguments in `argv` (a process.argv, or a second launch's): after the
 * executable when packaged; when not, after the script Electron was given (`script`), since
 * Chromium's and Playwright's switches (`--inspect=0`) may come before it. A second launch's
 * argv is resolved against its own working folder.
 */
export function appArguments(argv: readonly string[], cwd: string, script?: string): string[] {
  if (script === undefined) return argv.slice(1);
  const at = argv.findIndex((arg, i) => i > 0 && !arg.startsWith('-') && resolve(cwd, arg) === script);
  return argv.slice(at > 0 ? at + 1 : 2);
}

/**
 * What a second launch asks for, as it parsed its own arguments and handed them over with the
 * single-instance lock. Chromium reorders a second launch's argv before this instance sees it
 * (switches first, `--port 8001` split from its value), so the launch's own reading is the one
 * to trust. Undefined when `data` is not such a request (an older version of the app sent none).
 */
export function launchRequest(data: unknown): LaunchArgs | { error: string } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { target, port, error } = data as Record<string, unknown>;
  if (typeof error === 'string') return { error };
  if ((target !== undefined && typeof target !== 'string') || (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535))) return undefined;
  return { ...(typeof target === 'string' ? { target } : {}), ...(typeof port === 'number' ? { port } : {}) };
}

/** The arguments a restarted app is given: the project open now and the port it was started with (after the script, when not packaged). */
export function relaunchArguments(target: string, port: number | undefined, script?: string): string[] {
  return [...(script === undefined ? [] : [script]), target, ...(port === undefined ? [] : [`--port=${port}`])];
}

/**
 * Copies a project the studio cannot write to (project-read-only) into `intoDir`, with its
 * data, as `<name>`, or `<name> copy`, `<name> copy 2`… beside an existing one. Returns the copy.
 */
export async function copyProject(source: string, intoDir: string): Promise<string> {
  const name = basename(source);
  let target = join(intoDir, name);
  for (let n = 1; await pathExists(target); n++) target = join(intoDir, n === 1 ? `${name} copy` : `${name} copy ${n}`);
  await copyTree(source, target, []);
  return target;
}
