// What a session serves: a project folder (built on every save) or a .wasm file (served as it
// is). Resolving the path the user gave is the one failure that ends a session before it
// starts: no save can fix a target that does not exist, or a folder that is no project.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import { findProjectRoot } from '../project/project-config.ts';
import { checkProjectFolder } from '../project/project-marks.ts';

export type Target =
  | { kind: 'file'; name: string; wasmPath: string; dataDir: string }
  | { kind: 'project'; root: string; dataDir: string };

export async function resolveTarget(input: string): Promise<Result<Target>> {
  const path = resolve(input);
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    return fail('target-not-found', `Nothing at ${path}.`, 'Pass a project folder (with .wash/ or a src/ entry) or a .wasm component file.');
  }
  if (isFile) {
    if (extname(path) !== '.wasm') return fail('target-not-wasm', `${path} is not a .wasm file.`, 'Pass a project folder or a .wasm component file.');
    return ok({ kind: 'file', name: basename(path, '.wasm'), wasmPath: path, dataDir: join(dirname(path), '.wash', 'data') });
  }
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
