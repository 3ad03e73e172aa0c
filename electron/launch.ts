// What the desktop app opens at launch, kept free of Electron so it is tested as plain Node:
// the command line (a project path and `--port N` / `--port=N`, as the CLI takes them), the
// last project the user had open, and on first launch the bundled example, copied to the
// user's data folder (the install folder is read-only in a signed app, a deb or Program
// Files, and a session writes its build and data beside the project).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathExists } from '../runtime/path-exists.ts';
import { copyTree, NOT_COPIED } from '../runtime/project/new-project.ts';

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
 * The example's folder under the user's data folder, copied there from the app the first
 * time (never over a copy the user has since changed).
 */
export async function userExample(bundled: string, userData: string): Promise<string> {
  const target = join(userData, 'examples', basename(bundled));
  if (await pathExists(target)) return target;
  await mkdir(join(userData, 'examples'), { recursive: true });
  await copyTree(bundled, target, NOT_COPIED);
  return target;
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

/** The file that remembers the last project and the recent ones, in the user's data folder. */
export function launchStateFile(userData: string): string {
  return join(userData, 'launch.json');
}

/**
 * The project opened last, if the file names one that still exists. A file that cannot be
 * read as the app wrote it is reported through `warn` and ignored (the app opens the example).
 */
export async function lastProject(stateFile: string, warn: (text: string) => void): Promise<string | undefined> {
  const path = (await readLaunchState(stateFile, warn)).lastProject;
  if (path === undefined) return undefined;
  if (!(await pathExists(path))) {
    warn(`The last project, ${path}, is gone; opening the example instead.`);
    return undefined;
  }
  return path;
}

interface LaunchState {
  lastProject?: string;
  /** Newest first, at most RECENT_LIMIT. */
  recent: string[];
}

const RECENT_LIMIT = 10;

async function readLaunchState(stateFile: string, warn: (text: string) => void = () => {}): Promise<LaunchState> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch {
    return { recent: [] };
  }
  let parsed: { lastProject?: unknown; recent?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    warn(`${stateFile} is not valid JSON; it is ignored and written anew when a project opens.`);
    return { recent: [] };
  }
  const recent = Array.isArray(parsed.recent) ? parsed.recent.filter((p): p is string => typeof p === 'string').slice(0, RECENT_LIMIT) : [];
  return typeof parsed.lastProject === 'string' ? { lastProject: parsed.lastProject, recent } : { recent };
}

async function writeLaunchState(stateFile: string, state: LaunchState): Promise<void> {
  const temp = `${stateFile}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, stateFile);
}

/** Makes `path` the last project and the first of the recent ones. */
export async function rememberProject(stateFile: string, path: string): Promise<void> {
  const { recent } = await readLaunchState(stateFile);
  await writeLaunchState(stateFile, { lastProject: path, recent: [path, ...recent.filter((p) => p !== path)].slice(0, RECENT_LIMIT) });
}

/** The recent projects that still exist, newest first (File > Open Recent). */
export async function recentProjects(stateFile: string): Promise<string[]> {
  const { recent } = await readLaunchState(stateFile);
  const present = await Promise.all(recent.map(pathExists));
  return recent.filter((_, i) => present[i]);
}

export async function clearRecentProjects(stateFile: string): Promise<void> {
  const { lastProject: last } = await readLaunchState(stateFile);
  await writeLaunchState(stateFile, last === undefined ? { recent: [] } : { lastProject: last, recent: [] });
}

/** The project to open: the command line's, else the last one, else the example (copied on first launch). */
export async function projectToOpen(args: LaunchArgs, places: { bundledExample: string; userData: string }, warn: (text: string) => void): Promise<string> {
  if (args.target) return args.target;
  return (await lastProject(launchStateFile(places.userData), warn)) ?? (await userExample(places.bundledExample, places.userData));
}

