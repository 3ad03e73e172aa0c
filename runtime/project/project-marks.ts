// What makes a folder a component project, decided the same for `component-studio dev` and the
// studio's Open: a `.wash/` folder (wash's own mark, config or not), or something a build can
// start from (an entry file of the built-in builder, package.json, Cargo.toml, go.mod, wit/).
// A folder with none of them is refused at once, naming what it holds instead: a build there
// could only fail, and the UI would have stopped the project that served by then.
//
// A `.wash/` holding only what serving a `.wasm` file leaves beside it (data/, studio/) is not
// such a mark: above the folder given it would take over the projects below it, and in a
// folder of prebuilt components it would turn opening the folder into a build with no entry.
// This module decides and words; it writes nothing.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { wasmKindOfFile } from '../components/component-file.ts';
import { fail, type Result } from '../errors.ts';
import { pathExists } from '../path-exists.ts';

/** The files the built-in JS/TS builder starts from, first found first. */
export const DEFAULT_ENTRIES = ['src/component.ts', 'src/index.ts', 'src/component.js', 'src/index.js', 'index.js'] as const;

/** What a build can start from, or say how to build (session/project-build.ts). */
const BUILD_MARKS = [...DEFAULT_ENTRIES, 'package.json', 'Cargo.toml', 'go.mod', 'wit'];

/** Entries the studio makes in the `.wash/` beside a `.wasm` file it serves. */
const LEFT_BY_SERVING_A_FILE = new Set(['data', 'studio']);

/** How many .wasm files a message names before it says how many more there are. */
const NAMED_FILES = 3;

/**
 * Whether the `.wash/` in `dir` makes it a project. `given`: `dir` is the folder the user
 * named, where a `.wash/` of only data/ and studio/ still counts (a project with no config
 * that has run holds just that) unless a `.wasm` file beside it, and nothing a build could
 * start from, says it is a served file's.
 */
export async function washMarksProject(dir: string, given: boolean): Promise<boolean> {
  const wash = join(dir, '.wash');
  let names: string[];
  try {
    names = await readdir(wash);
  } catch {
    // Not a folder, or not readable: in the folder given it still names a project (its build then says what is wrong).
    return given && (await pathExists(wash));
  }
  if (names.length === 0 || names.some((name) => !LEFT_BY_SERVING_A_FILE.has(name))) return true;
  if (!given) return false;
  return (await wasmFilesIn(dir)).length === 0 || (await hasBuildMark(dir));
}

/** Whether `dir` holds an entry file, package.json, Cargo.toml, go.mod or wit/. */
export async function hasBuildMark(dir: string): Promise<boolean> {
  for (const mark of BUILD_MARKS) if (await pathExists(join(dir, mark))) return true;
  return false;
}

/** The `.wasm` files directly in `dir`, sorted by name; none for a folder that cannot be read. */
export async function wasmFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.wasm'))
    .map((entry) => entry.name)
    .sort();
}

/** `a.wasm`, `a.wasm and b.wasm`, `a.wasm, b.wasm, c.wasm and 2 more`. */
export function nameFiles(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_FILES);
  const more = names.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : (shown[0] ?? '');
}

/**
 * Refuses a folder that is no project (`root` is what findProjectRoot made of it): it names the
 * `.wasm` files it holds, to be opened as files, or says how to start a project there.
 */
export async function checkProjectFolder(root: string, given: string): Promise<Result<void>> {
  if ((await washMarksProject(root, root === given)) || (await hasBuildMark(root))) return { ok: true, value: undefined };
  const found = await wasmFilesIn(root);
  const components = (await Promise.all(found.map(async (name) => ((await wasmKindOfFile(join(root, name))) === 'component' ? name : undefined)))).filter((name) => name !== undefined);
  if (found.length > 0 && components.length === 0) {
    return fail(
      'not-a-project',
      `${root} is not a component project (no .wash/ project folder, no entry file, package.json, Cargo.toml, go.mod or wit/), and none of its .wasm files (${nameFiles(found)}) is a component: core modules, or no WebAssembly at all.`,
      `Pick the project's own folder, or a .wasm component file. A core module becomes a component with \`wasm-tools component new\` (and the WASI adapter for wasip1 modules).`,
    );
  }
  if (components.length > 0) {
    const file = join(root, components[0]!);
    return fail(
      'not-a-project',
      `${root} is not a component project (no .wash/ project folder, no entry file, package.json, Cargo.toml, go.mod or wit/), but it holds the component${components.length > 1 ? 's' : ''} ${nameFiles(components)}.`,
      `A .wasm component is served from its file, not its folder: open ${components.length > 1 ? 'one of them, e.g. ' : ''}${file} itself (Open in the studio, or component-studio dev ${shellWord(file)}).`,
    );
  }
  const empty = (await readdir(root).catch(() => [])).length === 0;
  const create = (folder: string) => `use Create in the studio's Settings, or run component-studio new ${folder}`;
  if (empty) return fail('not-a-project', `${root} is empty, so it is no component project yet.`, `To start one in it from an example, ${create(shellWord(root))}.`);
  return fail(
    'not-a-project',
    `${root} is not a component project: it has no .wash/ folder (in it or above it), no entry file (${DEFAULT_ENTRIES.join(', ')}) and no package.json, Cargo.toml, go.mod or wit/.`,
    `Pick the project's own folder, or a .wasm component file. To start a new project from an example, ${create('<new folder>')}.`,
  );
}

/** A path as one word of a shell command line. */
function shellWord(path: string): string {
  return /^[\w./\\:-]+$/.test(path) ? path : JSON.stringify(path);
}
