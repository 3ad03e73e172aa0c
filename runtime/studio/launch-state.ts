// What the studio opens when it is started without a project, the same in the desktop app
// (electron/main.ts) and in browser mode (`npm start` without Electron, which runs
// `component-studio dev --last-project`): the last project it had open, if it is still there,
// else its own copy of the bundled QR example in its data folder (the app's user data folder,
// or the CLI's config folder), made the first time. The example is never opened where it was
// installed: a session writes its build and data beside the project, and the install folder
// may be read-only (a signed app, a deb, Program Files) and is the studio's own.
//
// `launch.json` in the data folder remembers the last project and the recent ones (File >
// Open Recent). Plain Node: no Electron here.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathExists } from '../path-exists.ts';
import { copyTree, EXAMPLES_DIR, NOT_COPIED } from '../project/new-project.ts';
import { resolveTarget } from '../session/session-target.ts';

/** The example opened on a first start: the QR code generator, which has something to show in every view. */
export const LAUNCH_EXAMPLE = join(EXAMPLES_DIR, 'qrcode');

/** Where the studio keeps its copies of the bundled examples in its data folder. */
export function userExamplesDir(dataDir: string): string {
  return join(dataDir, 'examples');
}

/**
 * The example's folder under the data folder, copied there from the install folder the first
 * time (never over a copy the user has since changed).
 */
export async function userExample(bundled: string, dataDir: string): Promise<string> {
  const target = join(userExamplesDir(dataDir), basename(bundled));
  if (await pathExists(target)) return target;
  await mkdir(userExamplesDir(dataDir), { recursive: true });
  await copyTree(bundled, target, NOT_COPIED);
  return target;
}

/** The file that remembers the last project and the recent ones, in the data folder. */
export function launchStateFile(dataDir: string): string {
  return join(dataDir, 'launch.json');
}

/**
 * The project opened last, if the file names one that still exists. A file that cannot be
 * read as the studio wrote it is reported through `warn` and ignored (the example opens).
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
  await mkdir(join(stateFile, '..'), { recursive: true });
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, stateFile);
}

/** Makes `path` the last project and the first of the recent ones. */
export async function rememberProject(stateFile: string, path: string): Promise<void> {
  const { recent } = await readLaunchState(stateFile);
  await writeLaunchState(stateFile, { lastProject: path, recent: [path, ...recent.filter((p) => p !== path)].slice(0, RECENT_LIMIT) });
}

/**
 * Remembers each project the studio opens as the last one, once per change of project;
 * `saved` runs after each write (the app refreshes its Open Recent menu). A file that cannot
 * be written costs only the memory of the project, so its failure is ignored.
 */
export function projectRememberer(stateFile: string, saved: () => void = () => {}): (path: string) => void {
  let remembered: string | undefined;
  return (path) => {
    if (path === remembered) return;
    remembered = path;
    void rememberProject(stateFile, path).then(saved, () => {});
  };
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

/**
 * The project to open: the one given, else the last one (when it can still be opened: a
 * folder that stopped being a project would otherwise fail every start), else the example,
 * copied into the data folder the first time.
 */
export async function projectToOpen(given: string | undefined, places: { bundledExample: string; dataDir: string }, warn: (text: string) => void): Promise<string> {
  if (given) return given;
  const last = await lastProject(launchStateFile(places.dataDir), warn);
  if (last !== undefined) {
    const usable = await resolveTarget(last);
    if (usable.ok) return last;
    warn(`The last project cannot be opened: ${usable.error.message} Opening the example instead.`);
  }
  return userExample(places.bundledExample, places.dataDir);
}
