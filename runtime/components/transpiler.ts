// Turns a component into JavaScript glue plus core modules with jco, once per distinct
// component: the output is cached in a folder named by the hash of the component's bytes, so
// starting an unchanged component again does no transpile. A rebuilt component whose
// skeleton (see component-skeleton.ts) matches an earlier one reuses that one's glue.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { cacheTempDir, publishCacheEntry } from '../cache-dir.ts';
import { fail, ok, type Result } from '../errors.ts';
import { spawnWorker } from '../threads/spawn-worker.ts';
import type { ComponentFile } from './component-file.ts';
import { componentSkeleton, type ComponentSkeleton } from './component-skeleton.ts';
import { parseWorld, type WitWorld } from './wit-world.ts';
import { MANIFEST, markInUse, pruneTranspiled } from './transpile-cache.ts';

export interface TranspileJob {
  bytes: Uint8Array;
  outDir: string;
}

export type TranspileOutcome = { ok: true } | { ok: false; stage: 'transpile' | 'cache'; message: string };

export interface TranspiledComponent {
  /** file: URL of the glue module exporting `instantiate`. */
  glueUrl: string;
  dir: string;
  /** Core module file names, relative to `dir`. */
  coreModules: string[];
  world: WitWorld;
  /** True when this call found it in the cache. */
  cached: boolean;
}

// The package exports no package.json, so find it beside its entry point.
const jcoEntry = createRequire(import.meta.url).resolve('@bytecodealliance/jco-transpile');
const jcoVersion: string = JSON.parse(readFileSync(join(dirname(jcoEntry), '..', 'package.json'), 'utf8')).version;

/** Bumped when the studio changes what it keeps of jco's output: the glue's patches (glue-tuning.ts), the manifest. */
const GLUE_FORMAT = 9;

/** Where transpiled output for a component hash lives. Versioned so a jco update re-transpiles. */
export function transpiledDir(cacheRoot: string, hash: string): string {
  return join(cacheRoot, 'transpiled', `${hash.slice(0, 32)}-jco${jcoVersion}-g${GLUE_FORMAT}`);
}

export async function transpile(component: ComponentFile, cacheRoot: string): Promise<Result<TranspiledComponent>> {
  const dir = transpiledDir(cacheRoot, component.hash);
  const cached = await readManifest(dir);
  if (cached) {
    await markInUse([dir, dirname(fileURLToPath(cached.glueUrl))]);
    return ok({ ...cached, cached: true });
  }

  let skeleton: ComponentSkeleton | undefined;
  try {
    skeleton = componentSkeleton(component.bytes);
  } catch {
    skeleton = undefined; // jco will say what is wrong with the file
  }
  if (skeleton) {
    const reused = await reuseGlue(cacheRoot, skeleton, dir);
    if (reused) {
      await markInUse([dirname(fileURLToPath(reused.glueUrl))]);
      void pruneTranspiled(join(cacheRoot, 'transpiled')).catch(() => {}); // a prune that fails leaves more behind, nothing worse
      return ok({ ...reused, cached: false });
    }
  }

  const outcome = await new Promise<TranspileOutcome>((resolve) => {
    // jco's transpiler loads its own wasm from beside its package: no bundling.
    const worker = spawnWorker(new URL('./transpile-worker.ts', import.meta.url), {
      bundle: false,
      data: { bytes: component.bytes, outDir: dir } satisfies TranspileJob,
    });
    worker.once('message', (m: TranspileOutcome) => resolve(m));
    worker.once('error', (err) => resolve({ ok: false, stage: 'transpile', message: err.message }));
    worker.once('exit', (code) => resolve({ ok: false, stage: 'transpile', message: `the transpiler stopped (exit code ${code})` }));
  });
  if (!outcome.ok && outcome.stage === 'cache') {
    return fail(
      'cache-failed',
      `Could not write the transpiled ${component.name} to the studio cache (${dir}): ${outcome.message}`,
      'Check that the cache folder is writable and its disk has room, or point COMPONENT_STUDIO_CACHE elsewhere; deleting the folder is safe, it only holds derived files.',
    );
  }
  if (!outcome.ok) return transpileFailed(component.name, outcome.message);
  const fresh = await readManifest(dir);
  if (!fresh) return fail('transpile-failed', `The transpiler wrote no output for ${component.name}.`, 'Try again; if it repeats, clear the studio cache folder.');
  if (skeleton) await writeFile(skeletonLink(cacheRoot, skeleton), basename(dir)).catch(() => {});
  void pruneTranspiled(join(cacheRoot, 'transpiled')).catch(() => {}); // a prune that fails leaves more behind, nothing worse
  return ok({ ...fresh, cached: false });
}

/** jco's refusal, as one line, with a hint for the causes a user can act on. */
export function transpileFailed(name: string, message: string): Result<never> {
  const reason = oneLine(message);
  return fail(
    'transpile-failed',
    `Could not transpile ${name} to JavaScript: ${reason}`,
    /historically accepted as `cancellable`/.test(reason)
      ? 'It uses the component model\'s async ABI as encoded before the binary format changed (component-model#716), so it comes from an older toolchain: rebuild it with a current one.'
      : 'The component may be malformed or use a feature jco does not support; `wasm-tools validate` on the file says more.',
  );
}

/** A Rust error chain (`… \n\nCaused by:\n    …`) as one line, each cause after a colon, as the studio's other messages read. */
function oneLine(message: string): string {
  return message
    .split(/\n\s*Caused by:\s*\n/)
    .map((part) => part.trim().replace(/^\d+: /, '').replace(/\s*\n\s*(?:\d+: )?/g, ': '))
    .join(': ');
}

function skeletonLink(cacheRoot: string, skeleton: ComponentSkeleton): string {
  return join(cacheRoot, 'transpiled', `skeleton-${skeleton.hash.slice(0, 32)}-jco${jcoVersion}-g${GLUE_FORMAT}`);
}

/**
 * Core module file names in the order of the modules inside the component: jco numbers them
 * component.core.wasm, component.core2.wasm, ... as they appear.
 */
export function inComponentOrder(names: readonly string[]): string[] {
  const order = (name: string) => Number(/core(\d*)\.wasm$/.exec(name)?.[1] || 1);
  return [...names].sort((a, b) => order(a) - order(b));
}

/**
 * Builds the transpiled output of a component from an earlier one with the same skeleton:
 * its glue, with this component's core modules. Undefined when there is no such donor.
 */
async function reuseGlue(cacheRoot: string, skeleton: ComponentSkeleton, dir: string): Promise<Omit<TranspiledComponent, 'cached'> | undefined> {
  let donorDir: string;
  try {
    donorDir = join(cacheRoot, 'transpiled', (await readFile(skeletonLink(cacheRoot, skeleton), 'utf8')).trim());
  } catch {
    return undefined;
  }
  const donor = await readManifest(donorDir);
  if (!donor || donor.coreModules.length !== skeleton.coreModules.length) return undefined;
  const temp = cacheTempDir(dir);
  try {
    await mkdir(temp, { recursive: true });
    // The glue stays where it is: every version with this skeleton loads the same file, so a
    // worker thread can load it before a rebuild finishes (see spare-thread.ts).
    const donorManifest = JSON.parse(await readFile(join(donorDir, MANIFEST), 'utf8')) as Manifest;
    const glue = relative(dir, fileURLToPath(donor.glueUrl));
    const manifest: Manifest = { ...donorManifest, glue, sizes: { [glue]: donorManifest.sizes[donorManifest.glue]! } };
    for (const [i, name] of inComponentOrder(donor.coreModules).entries()) {
      await writeFile(join(temp, name), skeleton.coreModules[i]!);
      manifest.sizes[name] = skeleton.coreModules[i]!.byteLength;
    }
    await writeFile(join(temp, MANIFEST), JSON.stringify(manifest, null, 2));
    await publishCacheEntry(temp, dir, isTranspiled);
  } catch {
    // Transpiling it afresh is the fallback, and reports a cache that cannot be written.
    await rm(temp, { recursive: true, force: true });
    return undefined;
  }
  return readManifest(dir);
}

/** What a cache entry's manifest.json says; `glue` is relative to the entry's folder. */
export interface Manifest {
  witText: string;
  coreModules: string[];
  glue: string;
  /**
   * Bytes of the glue and each core module, keyed as above: an entry whose files do not
   * match (emptied or cut short: a power cut, a disk that filled up) is transpiled again.
   */
  sizes: Record<string, number>;
}

export { MANIFEST };

/** Whether `dir` holds a usable transpiled component: its manifest, and the files it names at their sizes. */
export async function isTranspiled(dir: string): Promise<boolean> {
  return (await readManifest(dir)) !== undefined;
}

async function readManifest(dir: string): Promise<Omit<TranspiledComponent, 'cached'> | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    const files = [manifest.glue, ...manifest.coreModules];
    const sizes = await Promise.all(files.map((file) => stat(join(dir, file)).then((stats) => stats.size)));
    if (sizes.some((size, i) => size !== manifest.sizes[files[i]!])) return undefined;
    return { glueUrl: pathToFileURL(join(dir, manifest.glue)).href, dir, coreModules: manifest.coreModules, world: parseWorld(manifest.witText) };
  } catch {
    return undefined;
  }
}
