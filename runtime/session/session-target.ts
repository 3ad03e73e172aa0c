// What a session serves: a project folder (built on every save) or a .wasm file (served as it
// is). Resolving the path the user gave is the one failure that ends a session before it
// starts: no save can fix a target that does not exist, or a folder that is no project.
import { constants, type Stats } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { brokenLink } from '../broken-link.ts';
import { fail, ok, type Result } from '../errors.ts';
import { findProjectRoot } from '../project/project-config.ts';
import { checkProjectFolder } from '../project/project-marks.ts';

export type Target =
  | { kind: 'file'; name: string; wasmPath: string; dataDir: string }
  | { kind: 'project'; root: string; dataDir: string };

export async function resolveTarget(input: string): Promise<Result<Target>> {
  const path = resolve(input);
  const kind = await targetKind(path);
  if (!kind.ok) return kind;
  if (kind.value === 'file') return ok({ kind: 'file', name: basename(path, extname(path)), wasmPath: path, dataDir: join(dirname(path), '.wash', 'data') });
  // The config is read (and its errors reported) by each build cycle, so a broken config
  // waits for a fix like a broken build does.
  const root = await findProjectRoot(path);
  // A folder with nothing to build (an empty one, a folder of prebuilt .wasm files) is refused
  // here, for the CLI and the UI alike, rather than started on a build that can only fail.
  const isProject = await checkProjectFolder(root, path);
  if (!isProject.ok) return isProject;
  // A project's build (dist/) and data (.wash/data) live in it, as with wash: a folder the
  // studio cannot write to would fail at the first build and the first write, less clearly.
  try {
    await access(root, constants.W_OK);
  } catch {
    return fail(
      'project-read-only',
      `${root} is read-only here: the studio keeps a project's build (dist/) and data (.wash/data) inside it, as wash does, and cannot write them.`,
      'Copy the project to a folder you can write to and open the copy (the desktop app offers to copy it).',
    );
  }
  return ok({ kind: 'project', root, dataDir: join(root, '.wash', 'data') });
}

/** Whether an absolute path is a .wasm file or a folder; anything else is refused, saying what it is. */
export async function targetKind(path: string): Promise<Result<'file' | 'folder'>> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (err) {
    return notThere(path, err as NodeJS.ErrnoException);
  }
  if (stats.isDirectory()) return ok('folder');
  // Reading a pipe would wait for a writer, and a device may never end.
  if (!stats.isFile()) return fail('component-unreadable', `${path} is ${specialKind(stats)}, not a file or a folder.`, `Choose the .wasm file your build writes, or a project folder.`);
  // Toolchains on Windows and macOS may write COUNTER.WASM: the case of the name says nothing.
  if (extname(path).toLowerCase() !== '.wasm') return fail('target-not-wasm', `${path} is not a .wasm file.`, 'Choose a project folder or a .wasm component file.');
  return ok('file');
}

/** Why a path the user gave cannot be looked at: nothing there, a link to nowhere or to itself, or no permission. */
function notThere(path: string, err: NodeJS.ErrnoException): Result<never> {
  const hint = 'Choose a project folder (with .wash/ or a src/ entry) or a .wasm component file.';
  const link = brokenLink(path, err);
  if (link) return fail('target-not-found', `${path} is ${link}.`, `${err.code === 'ELOOP' ? 'Point the link at a real file or folder.' : 'Point the link at the component or project (a disk not mounted?).'} ${hint}`);
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return fail('target-not-found', `Nothing at ${path}.`, hint);
  const permission = err.code === 'EACCES' || err.code === 'EPERM';
  return fail('component-unreadable', `Cannot look at ${path} (${err.code ?? err.message}).`, permission ? 'Check the permissions of the path and of the folders above it.' : 'Check that the disk holding it is still there, then try again.');
}

function specialKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

export function describeTarget(target: Target): string {
  return target.kind === 'file' ? `component ${target.wasmPath} (served as it is, no build)` : `project ${target.root}`;
}

export function nameOf(target: Target): string {
  return target.kind === 'file' ? target.name : basename(target.root);
}

/** The folder relative paths start from: the project root, or the .wasm file's folder. */
export function baseDirOf(target: Target): string {
  return target.kind === 'project' ? target.root : dirname(target.wasmPath);
}
