// The built-in JS/TS component builder: bundles a project's entry with esbuild, then turns
// the bundle into a WebAssembly component with componentize-js against the project's WIT.
//
// Owns: the bundle step, the content-addressed cache of built components, and the single
// componentize child process (one at a time per studio process, killable; one at a time per
// cache folder across processes too, by a lock file in it: two studios building at once
// would need ~800 MB each, and the second often needs what the first is building).
// Must not: run componentize in this process (5-25 s, ~800 MB), throw for build failures
// (they are values), or write a half-finished .wasm where a reader may see it.

import lockfile from 'proper-lockfile';
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createRequire, isBuiltin, type SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as esbuild from 'esbuild';
import { esbuildApi } from './esbuild-api.ts';
import { inputsMemoFile, rememberInputs, unchangedKey } from './build-inputs.ts';
import { launchNodeChild } from './node-child.ts';
import { outsideArchive } from '../outside-archive.ts';
import { messageOf, type StudioError } from '../errors.ts';
import { pathExists } from '../path-exists.ts';
import { DEFAULT_ENTRIES, nameFiles, wasmFilesIn } from '../project/project-marks.ts';
import { formatDuration } from '../logs/duration.ts';
import { cutShortAt, wasmKind } from '../components/component-file.ts';
import { removeLeftoversOfGoneProcesses } from '../stores/process-identity.ts';
import { BUILD_FOLDER_PREFIX, BUNDLE_NAME, parseSourceMap, saveBundleMap, withSourcePositions } from '../components/bundle-positions.ts';

export interface JsBuildRequest {
  /** Project root. */
  projectDir: string;
  /** Default: the first existing of DEFAULT_ENTRIES. */
  entry?: string;
  /** Default: `<projectDir>/wit`. */
  witDir?: string;
  /** Default: the only world of the WIT package (componentize decides). */
  world?: string;
  /** Where the .wasm goes (written atomically: temp + rename). */
  outFile: string;
  /** Content-addressed cache of built components. */
  cacheDir: string;
  /** The studio's cache root, where each built component's source map is kept for the runtime (see bundle-positions.ts). */
  mapsCacheRoot?: string;
}

export interface BuildProgress {
  /**
   * `waiting`: another build holds componentize (in this studio or another one); `slow`:
   * componentize is still running, said every SLOW_NOTE_MS; `damaged`: a cached component
   * was not whole, and is built again.
   */
  phase: 'bundle' | 'waiting' | 'componentize' | 'slow' | 'damaged' | 'cached' | 'done';
  message: string;
}

/** How often a componentize run that goes on says so: a first build takes 10-30 s. */
const SLOW_NOTE_MS = 30_000;

/**
 * What a componentize run still going after `elapsedMs` says. Most often the machine is busy
 * or the bundle large, so that comes first; a loop in the component's top-level code (which
 * componentize runs) is the case to know about, since it holds the build to the time limit.
 */
export function stillRunningNote(elapsedMs: number): string {
  return `componentize is still running after ${formatDuration(elapsedMs)}. That is usual on a busy machine or for a large bundle. It also runs the component's top-level code, so if that code loops, the build waits until it is stopped at ${COMPONENTIZE_TIMEOUT_MS / 60_000} minutes; saving a fix stops it sooner.`;
}

export type JsBuildResult =
  | { ok: true; wasmPath: string; cached: boolean; bundleMs: number; componentizeMs: number }
  | { ok: false; error: StudioError; output?: string };


/** Bump when the bundle options or the componentize call change: it invalidates the cache. */
const BUILDER_VERSION = '1';
/** A componentize that runs this long is stuck, not slow. */
const COMPONENTIZE_TIMEOUT_MS = 5 * 60_000;
/**
 * Built components are ~14 MB each; keep the most recently used (at most ~300 MB). Enough for
 * someone switching among a dozen projects, and for the test suite's components, which a
 * smaller limit would prune and componentize again on every run.
 */
const CACHE_ENTRIES_KEPT = 20;
/** Enough of the child's output to explain a failure. */
const OUTPUT_LIMIT = 64 * 1024;
/** A temp file this old in the cache belongs to a build that died. */
const STALE_TEMP_MS = 60 * 60_000;

const CHILD_ENTRY = fileURLToPath(new URL('./componentize-child.mjs', import.meta.url));

/**
 * componentize-js runs its splicer (Rust compiled to WebAssembly) over the 10 MB engine twice,
 * and the splicer grows its memory to ~470 MB in hundreds of small steps. Node 20's V8 counts
 * each grown memory as new external memory and starts a garbage collection for it, with
 * concurrent marking threads each time: on 2 cores that was 40% of a componentize. Marked on
 * the child's own thread instead (its JS heap is ~10 MB), a build took 5.7 s instead of 8.5-10.5.
 */
const COMPONENTIZE_V8_FLAGS = ['--no-concurrent-marking'];

/**
 * A WIT import specifier such as `wasi:http/types@0.2.10` or `my-org:kv/store`: left for
 * componentize to bind. (esbuild filters are Go regexps: no lookahead, so `node:` built-ins
 * are let through in the callback, to fail with a clear error.)
 */
const WIT_IMPORT = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*\//;

export async function buildJsComponent(
  req: JsBuildRequest,
  onProgress: (p: BuildProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<JsBuildResult> {
  try {
    return await build(req, onProgress, signal);
  } catch (thrown) {
    // File-system surprises (a cache folder deleted mid-build, a full disk) end up here.
    const { code, path } = thrown as NodeJS.ErrnoException;
    if ((code === 'EEXIST' || code === 'ENOTDIR') && path !== undefined) {
      // mkdir of a folder the studio keeps (the cache, .wash/build) where a file stands.
      return failed(`The build cannot make its folder ${path}: a file stands where the folder goes (or where one of the folders above it goes).`, 'Move that file away or delete it, then save again.');
    }
    return failed(`The build stopped unexpectedly: ${messageOf(thrown)}`, code === 'ENOSPC' ? 'The disk is full: free some space, then save again.' : 'Save again to retry.');
  }
}

async function build(
  req: JsBuildRequest,
  onProgress: (p: BuildProgress) => void,
  signal: AbortSignal | undefined,
): Promise<JsBuildResult> {
  if (signal?.aborted) return cancelled();
  const projectDir = resolve(req.projectDir);
  const witDir = resolve(projectDir, req.witDir ?? 'wit');
  const outFile = resolve(projectDir, req.outFile);
  const cacheDir = resolve(projectDir, req.cacheDir);

  const entry = await findEntry(projectDir, req.entry);
  if (!entry.ok) return entry;
  if (!(await isDirectory(witDir))) {
    return failed(
      `No WIT folder at ${witDir}.`,
      'A JS component needs the WIT world it implements: add a wit/ folder with the world and its deps (the QR example\'s wit/ is one), or set build.command in .wash/config.yaml to build the component yourself.',
    );
  }

  await mkdir(cacheDir, { recursive: true });
  const memoFile = inputsMemoFile(cacheDir, projectDir, entry.path, witDir);
  const setup = `builder ${BUILDER_VERSION}, componentize-js ${await componentizeJsVersion()}, world ${req.world ?? ''}`;
  const known = await unchangedKey(memoFile, setup);
  if (known !== undefined) {
    const cached = cachedComponent(cacheDir, known);
    const bytes = await intactInCache(cached, onProgress);
    if (bytes) return fromCache(cached, bytes, known, outFile, 0, onProgress);
  }

  onProgress({ phase: 'bundle', message: `Bundling ${relative(projectDir, entry.path)}` });
  const bundleStart = performance.now();
  const bundle = await bundleEntry(projectDir, entry.path);
  const bundleMs = performance.now() - bundleStart;
  if (!bundle.ok) return bundle;
  if (signal?.aborted) return cancelled();

  const key = await cacheKey(bundle.code, witDir, req.world);
  const cached = cachedComponent(cacheDir, key);
  const remember = () => witFiles(witDir).then((wit) => rememberInputs(memoFile, setup, key, [...bundle.inputs, ...wit, projectDir]));

  // A component's messages name positions in the bundle: its map lets the runtime name the project's files.
  // Kept under the hash of the component built from it, as the runtime finds components.
  const keepMap = (component: Uint8Array) => {
    if (req.mapsCacheRoot !== undefined && bundle.mapText !== undefined) saveBundleMap(req.mapsCacheRoot, createHash('sha256').update(component).digest('hex'), bundle.mapText);
  };
  const inCache = await intactInCache(cached, onProgress);
  if (inCache) {
    await remember();
    keepMap(inCache);
    return fromCache(cached, inCache, key, outFile, bundleMs, onProgress);
  }

  await removeAbandonedWorkFolders();
  const work = await mkdtemp(join(tmpdir(), `${BUILD_FOLDER_PREFIX}${process.pid}-`));
  try {
    const sourcePath = join(work, BUNDLE_NAME);
    await writeFile(sourcePath, bundle.code);
    const tempWasm = join(cacheDir, `.js-${key}.${randomBytes(4).toString('hex')}.tmp`);

    const job = { sourcePath, witPath: witDir, worldName: req.world, outPath: tempWasm };
    const run = await exclusively(
      signal,
      () =>
        withCacheLock(cacheDir, signal, () => onProgress({ phase: 'waiting', message: `Waiting for a component build in another studio to finish (its lock is ${join(cacheDir, 'componentize.lock')}; one left by a studio that stopped is taken over within ${LOCK_STALE_MS / 1000} s)` }), async () => {
          // Another process may have built the same component while this one waited.
          if (await intactInCache(cached, onProgress)) return { ok: true as const, ms: 0, bytes: 0, built: false };
          onProgress({ phase: 'componentize', message: 'Componentizing (takes 5-25 s)' });
          const done = await componentizeInChild(job, work, signal, onProgress);
          return done.ok ? { ...done, built: true } : done;
        }),
      () => onProgress({ phase: 'waiting', message: 'Waiting for another component build to finish' }),
    );
    if (!run.ok) {
      await rm(tempWasm, { force: true });
      return withOriginalPositions(run, bundle.sourceMap);
    }

    if (run.built) {
      // On the disk before it has its name: after a power cut, a cached component must be
      // whole or absent (a rename can reach the disk before the data it names).
      await flushFile(tempWasm);
      await rename(tempWasm, cached);
      await pruneCache(cacheDir);
    }
    await remember();
    const component = await readFile(cached);
    keepMap(component);
    const placed = await placeOutput(component, outFile);
    if (!placed.ok) return placed;
    onProgress({
      phase: 'done',
      message: `Wrote ${outFile} in ${formatDuration(run.ms)} (${(run.bytes / 1e6).toFixed(1)} MB)`,
    });
    return { ok: true, wasmPath: outFile, cached: false, bundleMs, componentizeMs: run.ms };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The component the cache holds at `cached`, read once for everything the build does with it,
 * when it is whole. One that is not (emptied, cut short, overwritten) is removed and said, so
 * the build makes it again instead of failing on it until someone clears the cache.
 */
async function intactInCache(cached: string, onProgress: (p: BuildProgress) => void): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(cached);
  } catch {
    return undefined;
  }
  if (wasmKind(bytes) === 'component' && cutShortAt(bytes) === undefined) return bytes;
  await unlink(cached).catch(() => {});
  onProgress({ phase: 'damaged', message: `The cached build ${cached} was damaged (${bytes.length} bytes, not a whole component); building the component again.` });
  return undefined;
}

async function flushFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

let abandonedRemoved = false;

/**
 * Removes the build folders of studios that are gone (killed mid-build), once per process:
 * each names its process, and a build in a running studio is never touched.
 */
async function removeAbandonedWorkFolders(): Promise<void> {
  if (abandonedRemoved) return;
  abandonedRemoved = true;
  await removeLeftoversOfGoneProcesses(tmpdir(), BUILD_FOLDER_PREFIX, /^(\d+)-/);
}

/** Where the cache keeps the component built under `key`. */
function cachedComponent(cacheDir: string, key: string): string {
  return join(cacheDir, `js-${key}.wasm`);
}

/** The cached component put in place as the build's output. */
async function fromCache(cached: string, bytes: Uint8Array, key: string, outFile: string, bundleMs: number, onProgress: (p: BuildProgress) => void): Promise<JsBuildResult> {
  onProgress({ phase: 'cached', message: `Unchanged since an earlier build (${key.slice(0, 12)}); reusing it` });
  const now = new Date();
  await utimes(cached, now, now).catch(() => {}); // recency for pruning only
  const placed = await placeOutput(bytes, outFile);
  if (!placed.ok) return placed;
  onProgress({ phase: 'done', message: `Wrote ${outFile} (cached)` });
  return { ok: true, wasmPath: outFile, cached: true, bundleMs, componentizeMs: 0 };
}

// ---------------------------------------------------------------------------------------
// Entry and bundle

type Failure = { ok: false; error: StudioError; output?: string };

async function findEntry(projectDir: string, entry: string | undefined): Promise<{ ok: true; path: string } | Failure> {
  if (entry !== undefined) {
    const path = resolve(projectDir, entry);
    if (await pathExists(path)) return { ok: true, path };
    return failed(`The entry file ${path} does not exist.`, 'Fix the entry path in the build settings.');
  }
  for (const candidate of DEFAULT_ENTRIES) {
    const path = join(projectDir, candidate);
    if (await pathExists(path)) return { ok: true, path };
  }
  // A prebuilt component beside the config is most often what the user meant to open.
  const wasm = await wasmFilesIn(projectDir);
  const holds = wasm.length > 0 ? ` It holds ${nameFiles(wasm)}: to serve ${wasm.length > 1 ? 'one of them' : 'it'} as it is, open the .wasm file itself rather than the folder.` : '';
  return failed(
    `No entry file found in ${projectDir}.${holds}`,
    `Create one of ${DEFAULT_ENTRIES.join(', ')}, or set build.command in .wash/config.yaml to build the component yourself (Rust, Go or any other toolchain). For a component that is built already, give its file as build.component_path and a build.command that leaves it as it is, e.g. "true".`,
  );
}

interface Bundle {
  ok: true;
  code: string;
  /** Maps positions in the bundle back to the project's files, for componentize errors. */
  sourceMap: SourceMap | undefined;
  /** The map's JSON text, kept in the cache for the runtime. */
  mapText: string | undefined;
  /** Every file the bundle was made from (absolute paths). */
  inputs: string[];
}

async function bundleEntry(projectDir: string, entryPath: string): Promise<Bundle | Failure> {
  try {
    const result = await esbuildApi().build({
      entryPoints: [entryPath],
      absWorkingDir: projectDir,
      bundle: true,
      write: false,
      format: 'esm',
      // A component is a web-like sandbox (fetch, URL, TextEncoder; no Node built-ins).
      // 'browser' rather than 'neutral' because only it honours package.json "browser"
      // maps: qrcode, for one, maps its Node entry (fs, pngjs) to a browser one there.
      platform: 'browser',
      mainFields: ['browser', 'module', 'main'],
      target: 'es2022',
      // Projects outside the studio's folder (examples copied elsewhere) still resolve the
      // pure-JS packages the studio ships (qrcode, fflate) after their own node_modules.
      nodePaths: [studioNodeModules()],
      plugins: [witImportsStayExternal],
      logLevel: 'silent',
      legalComments: 'none',
      // Never written (write: false). In the project folder so the map's sources are
      // project-relative (src/component.ts); a name no project file will have, since
      // esbuild refuses an output path equal to an input.
      outfile: join(projectDir, '.studio-bundle.js'),
      sourcemap: 'external',
      metafile: true,
    });
    const output = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
    if (output === undefined) return failed('esbuild produced no output.', 'Check that the entry file is a JS or TS module.');
    const { code, map } = withStudioModulesNamedAlike(projectDir, output, result.outputFiles.find((f) => f.path.endsWith('.map'))?.text);
    // Keys are paths relative to the project, or `namespace:path` for a plugin's modules.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !/^[\w-]+:/.test(input) || /^[A-Za-z]:[\\/]/.test(input))
      .map((input) => resolve(projectDir, input));
    return { ok: true, code, sourceMap: map ? parseSourceMap(map) : undefined, mapText: map, inputs };
  } catch (thrown) {
    if (isBuildFailure(thrown)) return bundleFailure(projectDir, thrown);
    return failed(`Bundling failed: ${messageOf(thrown)}`, 'Check the entry file and its imports.');
  }
}

/**
 * esbuild names each module of the studio's own node_modules (qrcode for the QR example) by
 * its path from the project, in a comment and in the bundle's module table, so every copy of
 * a project in another folder made another bundle, another cache key, and another 5-25 s
 * componentize. Named from a fixed root instead, the copies' bundles are the same and share
 * the component; the map names those modules by their absolute paths, right for every copy.
 * Only whole lines of generated code hold these names, so no mapped position moves.
 */
function withStudioModulesNamedAlike(projectDir: string, code: string, mapText: string | undefined): { code: string; map: string | undefined } {
  const fromProject = relative(projectDir, studioNodeModules()).split('\\').join('/');
  if (fromProject === '' || isAbsolute(fromProject)) return { code, map: mapText };
  const named = `${fromProject}/`;
  // Only where esbuild writes module names: a comment line, and a key of the module table.
  const stable = code.replaceAll(`\n// ${named}`, `\n// ${STUDIO_MODULES}/`).replaceAll(`\n  "${named}`, `\n  "${STUDIO_MODULES}/`);
  if (mapText === undefined || stable === code) return { code: stable, map: mapText };
  const map = JSON.parse(mapText) as { sources?: string[] };
  map.sources = map.sources?.map((source) => (source.startsWith(named) ? join(studioNodeModules(), source.slice(named.length)) : source));
  return { code: stable, map: JSON.stringify(map) };
}

/** How a bundle names the studio's node_modules folder, wherever the project is. */
const STUDIO_MODULES = '<studio>/node_modules';

const witImportsStayExternal: esbuild.Plugin = {
  name: 'wit-imports-stay-external',
  setup(build) {
    build.onResolve({ filter: WIT_IMPORT }, (args) =>
      args.path.startsWith('node:') ? undefined : { path: args.path, external: true },
    );
  },
};

function isBuildFailure(thrown: unknown): thrown is esbuild.BuildFailure {
  return thrown instanceof Error && Array.isArray((thrown as Partial<esbuild.BuildFailure>).errors);
}

async function bundleFailure(projectDir: string, failure: esbuild.BuildFailure): Promise<Failure> {
  const lines = failure.errors.slice(0, 5).map((m) => {
    const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '';
    return `${where}${m.text}`;
  });
  if (failure.errors.length > 5) lines.push(`(and ${failure.errors.length - 5} more errors)`);
  const output = (await esbuildApi().formatMessages(failure.errors, { kind: 'error', color: false })).join('\n');

  const first = failure.errors[0];
  const unresolved = first?.text.match(/^Could not resolve "([^"]+)"/)?.[1];
  let hint: string;
  if (unresolved !== undefined && isBuiltin(unresolved)) {
    hint = `"${unresolved}" is a Node built-in, and those do not exist inside a component: use a pure-JS package or a WASI interface instead.`;
  } else if (unresolved !== undefined) {
    hint = `Install "${unresolved}" in ${projectDir} (npm install ${unresolved}) or fix the import.`;
  } else if (first?.location) {
    hint = `Fix ${first.location.file}:${first.location.line} and save again.`;
  } else {
    hint = 'Fix the error above and save again.';
  }
  return { ok: false, error: { code: 'build-failed', message: lines.join('\n'), hint }, output };
}

let nodeModulesDir: string | undefined;
function studioNodeModules(): string {
  // esbuild reads files itself, outside Electron's archive support: the unpacked copy.
  nodeModulesDir ??= outsideArchive(dirname(dirname(createRequire(import.meta.url).resolve('esbuild/package.json'))));
  return nodeModulesDir;
}

// ---------------------------------------------------------------------------------------
// Cache

let componentizeVersion: string | undefined;
async function componentizeJsVersion(): Promise<string> {
  if (componentizeVersion === undefined) {
    // The package's exports hide package.json; find it next to the resolved module.
    const main = fileURLToPath(import.meta.resolve('@bytecodealliance/componentize-js'));
    const pkg = JSON.parse(await readFile(join(dirname(main), '..', 'package.json'), 'utf8')) as { version?: string };
    componentizeVersion = pkg.version ?? 'unknown';
  }
  return componentizeVersion;
}

/** sha256 over everything that decides the output: bundle, WIT files, world, tool versions. */
async function cacheKey(bundle: string, witDir: string, world: string | undefined): Promise<string> {
  const hash = createHash('sha256');
  const field = (value: string | Uint8Array) => {
    hash.update(String(typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength));
    hash.update(':');
    hash.update(value);
  };
  field(`builder ${BUILDER_VERSION}`);
  field(`componentize-js ${await componentizeJsVersion()}`);
  field(`world ${world ?? ''}`);
  field(bundle);
  for (const file of await witFiles(witDir)) {
    field(relative(witDir, file).split('\\').join('/'));
    field(await readFile(file));
  }
  return hash.digest('hex');
}

async function witFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await witFiles(path)));
    else if (entry.isFile() && entry.name.endsWith('.wit')) found.push(path);
  }
  return found.sort();
}

async function pruneCache(cacheDir: string): Promise<void> {
  const files = await Promise.all(
    (await readdir(cacheDir))
      .filter((name) => /^\.?js-.*\.(wasm|tmp)$/.test(name))
      .map(async (name) => {
        const path = join(cacheDir, name);
        const mtime = await stat(path).then((s) => s.mtimeMs, () => 0);
        return { path, mtime, temp: name.endsWith('.tmp') };
      }),
  );
  const built = files.filter((f) => !f.temp).sort((a, b) => b.mtime - a.mtime);
  const stale = files.filter((f) => f.temp && Date.now() - f.mtime > STALE_TEMP_MS);
  for (const old of [...built.slice(CACHE_ENTRIES_KEPT), ...stale]) await unlink(old.path).catch(() => {});
}

/** Writes the built component to outFile through a temp file, so readers never see half. */
async function placeOutput(component: Uint8Array, outFile: string): Promise<{ ok: true } | Failure> {
  const temp = `${outFile}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(temp, component);
    await rename(temp, outFile);
    return { ok: true };
  } catch (thrown) {
    await rm(temp, { force: true });
    return failed(`Could not write ${outFile}: ${messageOf(thrown)}`, 'Check that the output folder is writable.');
  }
}

// ---------------------------------------------------------------------------------------
// The componentize child process, one at a time

let queueTail: Promise<void> = Promise.resolve();
let queued = 0;

/** Runs `task` after every earlier one has finished; gives up early if `signal` aborts. */
async function exclusively<T>(
  signal: AbortSignal | undefined,
  task: () => Promise<T | Failure>,
  onWait: () => void,
): Promise<T | Failure> {
  const previous = queueTail;
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  // Chained, so a build cancelled while waiting still holds its place until the ones
  // before it are done: the next build never overlaps a running one.
  queueTail = previous.then(() => mine);
  if (queued++ > 0) onWait();
  try {
    await Promise.race([previous, aborted(signal)]);
    if (signal?.aborted) return cancelled();
    return await task();
  } finally {
    queued--;
    release();
  }
}

/** How often a waiting process looks at the lock again; a build takes seconds, so this is cheap. */
const LOCK_POLL_MS = 250;
/** A lock whose holder stopped refreshing it this long ago (a killed studio) is taken over. */
const LOCK_STALE_MS = 30_000;

/**
 * Runs `task` holding the cache folder's build lock. A lock whose holder died goes stale (its
 * holder refreshes it while it lives) and is taken over, so a crashed studio never blocks builds.
 */
async function withCacheLock<T>(cacheDir: string, signal: AbortSignal | undefined, onWait: () => void, task: () => Promise<T | Failure>): Promise<T | Failure> {
  const lockPath = join(cacheDir, 'componentize');
  let release: (() => Promise<void>) | undefined;
  for (let waited = false; !release; waited = true) {
    if (signal?.aborted) return cancelled();
    try {
      release = await lockfile.lock(lockPath, { realpath: false, stale: LOCK_STALE_MS, update: 5_000 });
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code !== 'ELOCKED') return failed(`Could not take the build lock in ${cacheDir}: ${messageOf(thrown)}`, 'Check that the cache folder is writable.');
      if (!waited) onWait();
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await task();
  } finally {
    await release().catch(() => {}); // already taken over as stale: nothing left to release
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

interface ComponentizeJob {
  sourcePath: string;
  witPath: string;
  worldName: string | undefined;
  outPath: string;
}

type ChildReply = { ok: true; bytes: number } | { ok: false; message: string };

async function componentizeInChild(
  job: ComponentizeJob,
  cwd: string,
  signal: AbortSignal | undefined,
  onProgress: (p: BuildProgress) => void,
): Promise<{ ok: true; ms: number; bytes: number } | Failure> {
  if (signal?.aborted) return cancelled();
  const start = performance.now();
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT * 2) output = output.slice(-OUTPUT_LIMIT);
  };

  const child = launchNodeChild(CHILD_ENTRY, job, {
    cwd,
    // componentize makes its own temp folder and leaks it when killed or when the WIT does
    // not parse; inside `cwd` (our work folder) it is removed with everything else.
    env: { ...process.env, TMPDIR: cwd, TMP: cwd, TEMP: cwd },
    v8Flags: COMPONENTIZE_V8_FLAGS,
    onOutput: collect,
  });

  const killGroup = () => child.stop();
  process.once('exit', killGroup); // never leave an 800 MB orphan behind
  let reason: 'cancelled' | 'timeout' | undefined;
  const onAbort = () => {
    reason = 'cancelled';
    killGroup();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    reason = 'timeout';
    killGroup();
  }, COMPONENTIZE_TIMEOUT_MS);
  // The component's top-level code runs now, inside componentize: a loop there is silent
  // until the time limit unless something says the build is still going.
  const slow = setInterval(() => onProgress({ phase: 'slow', message: stillRunningNote(performance.now() - start) }), SLOW_NOTE_MS);

  try {
    const { reply: answer, code, signal: signalName } = await child.done;
    const reply = answer as ChildReply | undefined;
    if (reason === 'cancelled') return cancelled();
    if (reason === 'timeout') {
      return {
        ...failed(
          `componentize did not finish within ${COMPONENTIZE_TIMEOUT_MS / 60_000} minutes and was stopped.`,
          'Save again to retry; if it keeps happening, the top-level code of the component may loop forever (it runs at build time).',
        ),
        output: output.trim(),
      };
    }
    if (reply?.ok) return { ok: true, ms: performance.now() - start, bytes: reply.bytes };
    if (reply) return componentizeFailure(reply.message, output);
    const how = signalName ? `was killed by ${signalName}` : `exited with code ${code}`;
    // The studio's own build helper gone (its install rebuilt or removed while it runs) is no memory problem.
    const helperGone = /Cannot find module|ERR_MODULE_NOT_FOUND/.test(output);
    return {
      ...failed(
        `componentize stopped unexpectedly (it ${how}).`,
        helperGone
          ? 'The studio\'s own files changed while it ran (rebuilt, updated or removed): restart the studio, then save again.'
          : 'It needs about 800 MB of memory; close other builds or programs and save again.',
      ),
      output: output.trim(),
    };
  } finally {
    clearTimeout(timer);
    clearInterval(slow);
    signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', killGroup);
  }
}

function componentizeFailure(message: string, output: string): Failure {
  // The wizer line names a binary path and says nothing a person can act on.
  const cleaned = message.replace(/^Failed to initialize component \(wizer.*$/m, '').trim();
  const meaningful: string[] = [];
  for (const line of cleaned.split('\n')) {
    // SpiderMonkey's epilogue repeats the error; stack lines add little to the first.
    if (/^(Additionally, some promises|Stack:)/.test(line)) break;
    if (line.trim() === '' || /^\s+at /.test(line)) continue;
    meaningful.push(line.trimEnd());
    if (meaningful.length === 8) break;
  }
  const full = [message.trim(), output.trim()].filter(Boolean).join('\n\n');
  return {
    ok: false,
    error: {
      code: 'build-failed',
      message: `componentize failed: ${meaningful.join('\n')}`,
      hint: componentizeHint(full),
    },
    output: full,
  };
}

function componentizeHint(text: string): string {
  const missing = text.match(/Error loading module "([a-z][a-z0-9-]*:[^"]+)"/)?.[1];
  if (missing !== undefined) {
    return `The JS imports "${missing}", which the WIT world does not import: add \`import ${missing};\` to the world (with its package in wit/deps), or fix the name or version in the import.`;
  }
  if (/failed to find export/.test(text)) {
    return 'The JS engine implements wasi:http@0.2.10: make the WIT world and wit/deps use wasi 0.2.10 (a project made by `component-studio new` has a wit/ folder to copy them from).';
  }
  if (/Exception while evaluating top-level script/.test(text)) {
    return "The component's top-level code runs once at build time, and it threw there: fix the error above (code that needs a request belongs in the handler).";
  }
  if (/@unstable|unstable feature/i.test(text)) {
    return 'The WIT uses @unstable features the engine does not enable; remove those items from wit/deps.';
  }
  const unknownPackage = /package '([a-z][a-z0-9-]*:[a-z0-9-]+)(?:@([^']+))?' not found/.exec(text);
  if (unknownPackage) {
    const [, name, version] = unknownPackage;
    const folder = `${name!.replace(':', '-')}${version ? `-${version}` : ''}`;
    return `The world uses ${name}${version ? `@${version}` : ''}, and wit/deps has no WIT for it: put its package there (e.g. wit/deps/${folder}/package.wit). The bundled examples have the WIT of wasi:http, wasi:keyvalue, wasi:blobstore and wasi:logging: \`component-studio new --example qrcode\` makes a copy to take them from.`;
  }
  if (/resolving WIT|failed to parse|\.wit\b/.test(text)) {
    return 'Check the WIT folder: the world and every package it uses (wit/deps) must parse and resolve.';
  }
  return 'See the build output for details.';
}

/** Rewrites `component.js:line:col` (positions in the bundle) to the project's own files. */
function withOriginalPositions(failure: Failure, sourceMap: SourceMap | undefined): Failure {
  if (!sourceMap) return failure;
  const map = (text: string) => withSourcePositions(text, sourceMap);
  return {
    ok: false,
    error: { ...failure.error, message: map(failure.error.message) },
    ...(failure.output === undefined ? {} : { output: map(failure.output) }),
  };
}

// ---------------------------------------------------------------------------------------
// Small helpers

function failed(message: string, hint: string): Failure {
  return { ok: false, error: { code: 'build-failed', message, hint } };
}

function cancelled(): Failure {
  return {
    ok: false,
    error: { code: 'build-cancelled', message: 'The build was cancelled.', hint: 'A newer build replaces it.' },
  };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
