// Bundles the Electron shell's TypeScript for Electron: the main process into
// electron/dist/main.mjs (ESM; packages such as electron and tsx stay imports) and the preload
// into electron/dist/preload.cjs (one CommonJS file, as sandboxed preloads must be). Takes
// about 50 ms, so `npm start` runs it every time. The runtime is not bundled: the main
// process loads it from its sources through tsx (see electron/main.ts).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildElectronShell() {
  const common = { absWorkingDir: root, bundle: true, sourcemap: 'linked', logLevel: 'warning' };
  await Promise.all([
    build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'electron/dist/main.mjs', platform: 'node', format: 'esm', target: 'node20', packages: 'external' }),
    build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'electron/dist/preload.cjs', platform: 'node', format: 'cjs', target: 'chrome120', external: ['electron'] }),
  ]);
  return { main: `${root}electron/dist/main.mjs`, preload: `${root}electron/dist/preload.cjs` };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildElectronShell();
  process.stdout.write(`built ${out.main}\n      ${out.preload}\n`);
}
