// The desktop packages' configuration, as electron-builder itself reads and matches it: the
// configuration passes its schema; the app's files (electron-builder's own file matchers over
// this checkout, after `npm run build`) hold the compiled main process, preload, workers, UI
// and example, and no TypeScript sources or tests; what must be real files is unpacked from
// the archive, with every package those files import; fuses, targets and icons are set.
// Packaging itself downloads Electron, so it runs on a release machine (docs/install.md).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { importedPackages } from '../helpers/package-imports.ts';
import { repoRoot } from '../helpers/studio-process.ts';

const require = createRequire(import.meta.url);

type Filter = (file: string, stat: Stats) => boolean;
interface Matcher {
  createFilter(): Filter;
}
interface BuilderConfig {
  extraMetadata?: { main?: string };
  asar?: boolean;
  electronFuses?: Record<string, boolean>;
  directories?: { buildResources?: string; output?: string };
  mac?: { icon?: string; target?: { target: string; arch: string[] }[] };
  win?: { icon?: string; target?: { target: string }[] };
  linux?: { icon?: string; target?: string[] };
  files?: string[];
}

const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debug: unknown): Promise<void>;
};
const { getMainFileMatchers, getFileMatchers } = require('app-builder-lib/out/fileMatcher.js') as {
  getMainFileMatchers(appDir: string, dest: string, expand: (p: string) => string, options: object, packager: object, outDir: string, compile: boolean): Matcher[];
  getFileMatchers(config: BuilderConfig, name: 'asarUnpack', dest: string, options: object): Matcher[] | null;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

/** Every file below `dir` that `filter` takes, pruning the folders it refuses (as electron-builder walks). */
function walk(dir: string, filter: Filter, skip: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skip(path)) continue;
    const stat = statSync(path);
    if (!filter(path, stat)) continue;
    if (stat.isDirectory()) found.push(...walk(path, filter, skip));
    else found.push(path);
  }
  return found;
}

/** The production packages `names` import, with everything they depend on (npm's hoisted layout). */
function dependencyClosure(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency);
  };
  for (const name of names) visit(name);
  return seen;
}

describe('the desktop packages (electron-builder)', () => {
  let config: BuilderConfig;
  let appFiles: string[];
  let unpack: Filter;
  const rel = (path: string) => relative(repoRoot, path).split(sep).join('/');

  before(async () => {
    config = await getConfig(repoRoot, null, null);
    await validateConfiguration(config, new DebugLogger(false));
    const expand = (pattern: string) => pattern;
    const packager = { info: { projectDir: repoRoot, buildResourcesDir: config.directories?.buildResources ?? 'build', config, isPrepackedAppAsar: false, debugLogger: { isEnabled: false } } };
    const outDir = join(repoRoot, config.directories?.output ?? 'dist');
    const [main] = getMainFileMatchers(repoRoot, repoRoot, expand, {}, packager, outDir, false);
    // node_modules is collected apart (production dependencies only); .git is never walked.
    appFiles = walk(repoRoot, main!.createFilter(), (path) => [join(repoRoot, 'node_modules'), join(repoRoot, '.git')].includes(path)).map(rel);
    const unpackers = getFileMatchers(config, 'asarUnpack', repoRoot, { macroExpander: expand, customBuildOptions: {}, globalOutDir: outDir, defaultSrc: repoRoot });
    assert.ok(unpackers, 'asarUnpack is set');
    unpack = unpackers[0]!.createFilter();
  });

  const unpacked = (path: string) => unpack(join(repoRoot, path), statSync(join(repoRoot, path)));

  it('runs the compiled main process from an archive, with the Electron binary hardened by its fuses', () => {
    assert.equal(config.extraMetadata?.main, 'dist/main.mjs');
    assert.equal(config.asar, true);
    assert.deepEqual(
      { runAsNode: config.electronFuses?.runAsNode, cookies: config.electronFuses?.enableCookieEncryption, integrity: config.electronFuses?.enableEmbeddedAsarIntegrityValidation, asarOnly: config.electronFuses?.onlyLoadAppFromAsar },
      { runAsNode: false, cookies: true, integrity: true, asarOnly: true },
    );
  });

  it('packages the compiled studio, the UI and the example, and no TypeScript sources, tests or local data', () => {
    const workers = readdirSync(join(repoRoot, 'dist')).filter((f) => /-(worker|thread)\.mjs$/.test(f));
    assert.ok(workers.includes('component-worker.mjs') && workers.includes('transpile-worker.mjs'), `dist/ holds the workers (npm run build): ${workers.join(', ')}`);
    const needed = ['package.json', 'dist/main.mjs', 'dist/preload.cjs', ...workers.map((w) => `dist/${w}`), 'dist/assets/runtime/builders/componentize-child.mjs', 'dist/assets/runtime/deploy/crds/runtime.wasmcloud.dev_workloaddeployments.yaml', 'renderer/dist/index.html', 'assets/examples/qrcode/src/component.ts', 'assets/examples/qrcode/wit/world.wit', 'assets/examples/qrcode/.wash/config.yaml', 'assets/examples/hello/.wash/config.yaml', 'docs/install.md'];
    for (const file of needed) assert.ok(appFiles.includes(file), `${file} is not packaged`);
    const unwanted = appFiles.filter((f) => /^(runtime|electron|test|bench|scripts|\.ci|renderer\/src|build)\//.test(f) || (/\.tsx?$/.test(f) && !f.startsWith('assets/examples/')) || /\/\.wash\/(data|studio)\/|^assets\/examples\/[^/]+\/dist\//.test(f));
    assert.deepEqual(unwanted, [], 'sources, tests, build resources or local data are packaged');
    assert.ok(!appFiles.includes('dist/cli.mjs'), 'the CLI bundle is the npm package\'s, not the app\'s');
  });

  it('unpacks what is opened by path, and every package those files import', () => {
    for (const file of ['dist/component-worker.mjs', 'dist/transpile-worker.mjs', 'dist/kv-materializer-thread.mjs', 'dist/assets/runtime/builders/componentize-child.mjs', 'assets/examples/qrcode/src/component.ts', 'docs/install.md']) {
      assert.ok(unpacked(file), `${file} must be unpacked: it is opened by path`);
    }
    assert.ok(!unpacked('dist/main.mjs') && !unpacked('renderer/dist/index.html'), 'the main process and UI stay in the archive');
    const imported = new Set<string>();
    for (const file of appFiles.filter((f) => f.endsWith('.mjs') && unpacked(f))) {
      for (const name of importedPackages(readFileSync(join(repoRoot, file), 'utf8'))) imported.add(name);
    }
    assert.ok(imported.has('@bytecodealliance/componentize-js') && imported.has('@bytecodealliance/jco-transpile'), `the imports were read: ${[...imported].join(', ')}`);
    const production = dependencyClosure(Object.keys((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies));
    const closure = dependencyClosure(imported);
    const packedAway = [...closure].filter((name) => !unpacked(`node_modules/${name}/package.json`));
    assert.deepEqual(packedAway, [], 'packages imported by unpacked files stay in the archive, where those files cannot load them');
    assert.deepEqual([...closure].filter((name) => !production.has(name)), [], 'unpacked files import packages that are not production dependencies');
    // esbuild's binary bundles a project's imports from the unpacked packages: the examples' must be there.
    const examples = appFiles.filter((f) => /^assets\/examples\/[^/]+\/src\/.*\.[cm]?[jt]s$/.test(f));
    const exampleImports = new Set(examples.flatMap((f) => [...importedPackages(readFileSync(join(repoRoot, f), 'utf8'))]));
    assert.ok(exampleImports.has('qrcode'), `the examples' imports were read: ${[...exampleImports].join(', ')}`);
    const exampleClosure = [...dependencyClosure(exampleImports)];
    assert.deepEqual(exampleClosure.filter((name) => !production.has(name) || !unpacked(`node_modules/${name}/package.json`)), [], 'a package an example imports is not unpacked, where esbuild cannot read it');
    const binary = `node_modules/@esbuild/${process.platform}-${process.arch}/package.json`;
    assert.ok(unpacked(binary), `${binary}: esbuild's binary must be unpacked to run`);
    const wasm = readdirSync(join(repoRoot, 'node_modules', '@bytecodealliance', 'jco-transpile'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wasm'));
    assert.ok(wasm.length > 0 && wasm.every((f) => unpacked(`node_modules/@bytecodealliance/jco-transpile/${f}`)), 'jco\'s wasm files are unpacked');
  });

  it('builds dmg and zip for the Mac it runs on, nsis and portable for Windows, AppImage and deb (with its maintainer and homepage) for Linux', () => {
    // One architecture per Mac: node_modules holds this machine's binaries only.
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    const mac = config.mac?.target?.map((t) => `${t.target}:${[...t.arch].sort().join('+')}`);
    assert.deepEqual(mac, [`dmg:${arch}`, `zip:${arch}`]);
    // electron-builder's deb target refuses to build without an author's email and a homepage.
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { author?: { name?: string; email?: string }; homepage?: string };
    assert.match(manifest.author?.email ?? '', /^[^@\s]+@[^@\s]+\.\w+$/, 'package.json names an author with an email');
    assert.match(manifest.homepage ?? '', /^https:\/\//, 'package.json names a homepage');
    assert.deepEqual(config.win?.target?.map((t) => t.target), ['nsis', 'portable']);
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
  });

  it('has the icons in every format, rendered from the one SVG', () => {
    const icons = join(repoRoot, config.linux!.icon!);
    for (const name of readdirSync(icons)) {
      const size = Number(/^(\d+)x\1\.png$/.exec(name)?.[1]);
      const png = PNG.sync.read(readFileSync(join(icons, name)));
      assert.deepEqual([png.width, png.height], [size, size], `${name} has its size`);
    }
    assert.ok(readdirSync(icons).includes('512x512.png') && readdirSync(icons).includes('1024x1024.png'));
    assert.equal(readFileSync(join(repoRoot, config.mac!.icon!)).subarray(0, 4).toString('latin1'), 'icns');
    assert.deepEqual([...readFileSync(join(repoRoot, config.win!.icon!)).subarray(0, 4)], [0, 0, 1, 0], 'an ICO header');
    assert.match(readFileSync(join(repoRoot, 'build', 'icon.svg'), 'utf8'), /^<svg /, 'the source scripts/make-icons.mjs renders');
  });
});
