// New projects, made from the examples that ship with the studio (`component-studio new`,
// Create in the UI's Settings, the app's File menu): a copy of the example's sources, WIT and wash
// config, without what a session made in it (its build, its data, the studio's own files).
import { readFileSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, messageOf, ok, type Result } from '../errors.ts';
import { outsideArchive } from '../outside-archive.ts';
import { pathExists } from '../path-exists.ts';

/** Where the bundled examples are (unpacked beside the desktop app's archive). */
export const EXAMPLES_DIR = outsideArchive(fileURLToPath(new URL('../../assets/examples/', import.meta.url)));

/** The example a new project starts from unless another is named: the smallest. */
export const DEFAULT_EXAMPLE = 'hello';

/** Parts of a project that a session makes and that must not travel with a copy. */
export const NOT_COPIED = ['dist', join('.wash', 'data'), join('.wash', 'studio'), 'node_modules'];

export interface ExampleInfo {
  name: string;
  /** The first sentence of its README, up to a colon: what it shows. */
  summary: string;
}

/**
 * The examples the studio ships, the default first (it is the one to start from). Named here
 * rather than found by looking: a folder that turns up beside them (a project made there, a
 * leftover) is not one of them.
 */
export const SHIPPED_EXAMPLES = [DEFAULT_EXAMPLE, 'fetch-page', 'qrcode', 'service-tcp'] as const;

/** The bundled examples that are there, by name, each with what it shows. */
export async function listExamples(examplesDir = EXAMPLES_DIR): Promise<ExampleInfo[]> {
  const examples: ExampleInfo[] = [];
  for (const name of SHIPPED_EXAMPLES) {
    if (!(await pathExists(join(examplesDir, name, '.wash')))) continue;
    const readme = await readFile(join(examplesDir, name, 'README.md'), 'utf8').catch(() => '');
    examples.push({ name, summary: summaryOf(readme) });
  }
  return examples;
}

/** The README's first paragraph of prose, to its first colon or full stop. */
function summaryOf(readme: string): string {
  const paragraph = readme.split(/\n\s*\n/).find((block) => block.trim() !== '' && !block.trimStart().startsWith('#')) ?? '';
  return (/^[^:.]*/.exec(paragraph.replace(/\s+/g, ' ').trim())?.[0] ?? '').replace(/`/g, '');
}

/**
 * Makes a project at `target` from the example `example`: `target` may be missing (it is
 * made, with its parents) or an empty folder. The build output is named after the new
 * folder. Returns the project's absolute path.
 */
export async function newProject(target: string, example = DEFAULT_EXAMPLE, examplesDir = EXAMPLES_DIR): Promise<Result<string>> {
  const examples = await listExamples(examplesDir);
  if (!examples.some((known) => known.name === example)) {
    return fail('unknown-example', `There is no example named "${example}".`, `Pick one of: ${examples.map((known) => known.name).join(', ')}.`);
  }
  const path = resolve(target);
  const existing = await readdir(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error));
  if (existing instanceof Error) {
    return fail('new-project-failed', `Could not make a project at ${path}: ${messageOf(existing)}`, 'Name a folder that does not exist yet (it is made for you), or an empty one.');
  }
  if (existing && existing.length > 0) {
    return fail('folder-not-empty', `${path} already exists and is not empty, so no project was made there.`, 'Name a folder that does not exist yet (it is made for you), or an empty one; to open that folder as it is, use dev or Open Project.');
  }
  try {
    await mkdir(dirname(path), { recursive: true });
    if (existing) await copyIntoEmpty(join(examplesDir, example), path);
    else await copyTree(join(examplesDir, example), path, NOT_COPIED);
  } catch (error) {
    return fail('new-project-failed', `Could not make a project at ${path}: ${messageOf(error)}`, 'Check that the folder above it exists or can be made, that you may write there, and that its disk has room.');
  }
  await nameComponent(path, example);
  await pointReadmeHere(path, example);
  return ok(path);
}

/** The example's README says `dev assets/examples/<example>`: in the copy, the project is `.`. */
async function pointReadmeHere(project: string, example: string): Promise<void> {
  const readme = join(project, 'README.md');
  const text = await readFile(readme, 'utf8').catch(() => undefined);
  const from = `assets/examples/${example}`;
  if (text?.includes(from)) await writeFile(readme, text.replaceAll(from, '.'));
}

/**
 * The example's config names its build output after the example (dist/hello.wasm); the new
 * project's is named after its folder, so the file it pushes and deploys is its own.
 */
async function nameComponent(project: string, example: string): Promise<void> {
  const name = basename(project).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!name || name === example) return;
  const config = join(project, '.wash', 'config.yaml');
  const text = await readFile(config, 'utf8').catch(() => undefined);
  const from = `dist/${example}.wasm`;
  if (text?.includes(from)) await writeFile(config, text.replaceAll(from, `dist/${name}.wasm`));
}

/**
 * Fills an empty folder that already exists (`new .` in a folder just made): the folder itself
 * stays, as a shell may be in it; the copy is made beside it and its entries moved in.
 */
async function copyIntoEmpty(source: string, folder: string): Promise<void> {
  const staging = `${folder}.copying-${process.pid}`;
  await copyTree(source, staging, NOT_COPIED);
  try {
    for (const name of await readdir(staging)) await rename(join(staging, name), join(folder, name));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Copies `source` to `target`, leaving out `skip` (paths inside it); all or nothing. */
export async function copyTree(source: string, target: string, skip: readonly string[]): Promise<void> {
  // Copied beside, then renamed into place: a copy that dies halfway leaves no half folder.
  const staging = `${target}.copying-${process.pid}`;
  try {
    await cp(source, staging, {
      recursive: true,
      filter: (path) => {
        const inside = relative(source, path);
        return !skip.some((part) => inside === part || inside.startsWith(part + sep));
      },
    });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

/**
 * The bundled example a project folder was copied from, if any. The examples' WIT packages are
 * `studio:<example>`, which a copy keeps when its folder and its component are renamed.
 */
export function exampleCopied(root: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, 'wit', 'world.wit'), 'utf8');
  } catch {
    return undefined; // no world.wit there: no copy of an example
  }
  return /^\s*package studio:([a-z][a-z0-9-]*)\s*;/m.exec(text)?.[1];
}
