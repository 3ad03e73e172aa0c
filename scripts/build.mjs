// Compiles the studio's TypeScript ahead of time into dist/, so nothing transpiles at launch:
//   dist/cli.mjs       the CLI (bin/component-studio.js runs it)
//   dist/main.mjs      the Electron main process, with the runtime in it
//   dist/preload.cjs   the Electron preload (one CommonJS file, as sandboxed preloads must be)
//   dist/<worker>.mjs  every worker thread entry, prebuilt
//   dist/assets/...    files the sources load by path (the CRD schema, the componentize child)
// with linked source maps. About a second; `npm start`, `npm test` and packing run it.
//
// Sources find their files with `new URL('./x', import.meta.url)`, relative to themselves.
// In a bundle every module shares the bundle's URL, so each such expression is rewritten to
// point from dist/ to the same file: a `.ts` target becomes its prebuilt worker, a file in
// the sources is copied under dist/assets/, anything else (package.json, renderer/dist, the
// examples) is referenced where it lies.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist');
const SOURCE_DIRS = ['runtime', 'electron'].map((dir) => join(root, dir) + sep);
const URL_PATTERN = /new URL\((['"])(\.{1,2}\/[^'"]*)\1, import\.meta\.url\)/g;

/**
 * Packages loaded from disk rather than from a bundle (they read their own files). Everything
 * else is bundled in, which starts the CLI about a third faster than importing it from
 * node_modules module by module.
 */
const STAY_ON_DISK = ['@bytecodealliance/jco-transpile', '@bytecodealliance/componentize-js', '@bytecodealliance/jco', 'esbuild', 'electron'];
/** Some dependencies are CommonJS and call require(); ESM bundles need one. */
const REQUIRE_BANNER = "import { createRequire as __studioRequire } from 'node:module'; const require = __studioRequire(import.meta.url);";

const workerName = (file) => `${basename(file, '.ts')}.mjs`;
const posix = (path) => path.split(sep).join('/');

/** Rewrites source-relative file URLs into dist/-relative ones, collecting workers and assets. */
function fileUrls(workers, assets) {
  return {
    name: 'studio-file-urls',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(URL_PATTERN, (whole, quote, rel) => {
          const target = resolve(dirname(args.path), rel) + (rel.endsWith('/') ? sep : '');
          let to;
          if (target.endsWith('.ts')) {
            workers.add(target);
            to = `./${workerName(target)}`;
          } else if (SOURCE_DIRS.some((dir) => target.startsWith(dir))) {
            assets.add(target);
            to = `./assets/${posix(relative(root, target))}`;
          } else {
            to = posix(relative(outDir, target)) + (rel.endsWith('/') ? '/' : '');
            if (!to.startsWith('.')) to = `./${to}`;
          }
          return `new URL(${quote}${to}${quote}, import.meta.url)`;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

export async function buildStudio() {
  rmSync(outDir, { recursive: true, force: true });
  const workers = new Set();
  const assets = new Set();
  const common = { absWorkingDir: root, bundle: true, sourcemap: 'linked', logLevel: 'warning', platform: 'node', target: 'node20', plugins: [fileUrls(workers, assets)] };
  const nodeModule = { ...common, format: 'esm', external: STAY_ON_DISK, banner: { js: REQUIRE_BANNER } };
  await Promise.all([
    build({ ...nodeModule, entryPoints: ['runtime/cli.ts'], outfile: join(outDir, 'cli.mjs') }),
    build({ ...nodeModule, entryPoints: ['electron/main.ts'], outfile: join(outDir, 'main.mjs') }),
    build({ ...common, entryPoints: ['electron/preload.ts'], outfile: join(outDir, 'preload.cjs'), format: 'cjs', target: 'chrome120', external: ['electron'] }),
  ]);
  // A worker may name further workers, hence the loop.
  const built = new Set();
  while (built.size < workers.size) {
    const next = [...workers].filter((file) => !built.has(file));
    for (const file of next) built.add(file);
    await Promise.all(
      next.map((file) =>
        build({ ...nodeModule, entryPoints: [file], outfile: join(outDir, workerName(file)) }),
      ),
    );
  }
  for (const file of assets) {
    if (!existsSync(file)) throw new Error(`${relative(root, file)} is named by the sources but does not exist`);
    const to = join(outDir, 'assets', relative(root, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
    // Third-party files travel with their licence.
    const licence = join(dirname(file), 'LICENSE');
    if (existsSync(licence)) copyFileSync(licence, join(dirname(to), 'LICENSE'));
  }
  return { dir: outDir, cli: join(outDir, 'cli.mjs'), main: join(outDir, 'main.mjs'), preload: join(outDir, 'preload.cjs'), workers: [...built].map(workerName) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const out = await buildStudio();
  process.stdout.write(`built dist/ (cli, Electron main and preload, ${out.workers.length} workers) in ${Math.round(performance.now() - started)} ms\n`);
}
