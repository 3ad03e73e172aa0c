// Desktop packages (electron-builder). `npm run dist` builds the UI and the compiled studio,
// then packages for this OS; `npm run dist:mac`, `dist:win`, `dist:linux` choose one.
// Packaging downloads the Electron release it wraps, so it runs on a machine with network
// access. Signing and notarization use environment variables and are skipped without them:
// see docs/install.md#building-the-packages. A script rather than YAML for one reason: the
// list of packages to unpack is computed (below).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Packages that the unpacked files (workers, the componentize child) load from disk rather
 * than from their bundles: jco's transpiler, componentize-js and the shim read their own wasm
 * and binaries by path, and esbuild runs its platform binary.
 */
const LOADED_FROM_DISK = ['@bytecodealliance/componentize-js', '@bytecodealliance/jco-transpile', '@bytecodealliance/preview2-shim', 'esbuild'];

/** Those packages and everything they depend on: a file outside the archive cannot import from inside it. */
function withDependencies(names) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(__dirname, 'node_modules', name, 'package.json'), 'utf8'));
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      try {
        visit(dependency);
      } catch {
        // An optional dependency for another platform (esbuild's binaries): not installed here.
        seen.delete(dependency);
      }
    }
  };
  for (const name of names) visit(name);
  return [...seen].sort();
}

module.exports = {
  appId: 'dev.componentstudio.desktop',
  productName: 'Component Studio',
  copyright: 'Copyright © Component Studio authors',
  directories: { output: 'release', buildResources: 'build' },
  // The app's entry: the compiled main process (scripts/build.mjs writes dist/).
  extraMetadata: { main: 'dist/main.mjs' },
  files: [
    'package.json',
    'dist/**',
    // The CLI is the npm package's; the app runs the studio in its main process.
    '!dist/cli.mjs*',
    '!dist/assets/runtime/threads/worker-bootstrap.mjs',
    'renderer/dist/**',
    'assets/examples/**',
    'docs/**',
    '!**/.wash/data/**',
    '!**/.wash/studio/**',
    '!**/.wash/build/**',
    '!assets/examples/*/dist/**',
    '!assets/examples/*/node_modules/**',
  ],
  asar: true,
  // Out of the archive, as real files: worker threads and the componentize child are started
  // by path, the example is copied to the user's data folder on first launch, the docs are
  // opened by the system's viewer (Help > Documentation); with them
  // every package they load (test/unit/packaging.test.ts checks the imports against this).
  asarUnpack: [
    'dist/*-worker.mjs',
    'dist/*-thread.mjs',
    'dist/assets/**',
    'assets/examples/**',
    'docs/**',
    ...withDependencies(LOADED_FROM_DISK).map((name) => `node_modules/${name}/**`),
    '**/*.wasm',
    '**/*.node',
  ],
  // Hardening of the Electron binary itself: it cannot run as a plain Node (the build step
  // uses a utility process instead), ignores NODE_OPTIONS and --inspect, checks its archive
  // and loads the app from nowhere else.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  mac: {
    category: 'public.app-category.developer-tools',
    icon: 'build/icon.icns',
    hardenedRuntime: true,
    // Signs with CSC_LINK / CSC_KEY_PASSWORD; notarizes only with APPLE_API_KEY, APPLE_ID or
    // APPLE_KEYCHAIN credentials in the environment.
    notarize: true,
    target: [
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] },
    ],
  },
  win: {
    icon: 'build/icon.ico',
    target: [
      { target: 'nsis', arch: ['x64'] },
      { target: 'portable', arch: ['x64'] },
    ],
  },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  linux: {
    category: 'Development',
    icon: 'build/icons',
    synopsis: 'Build, run and inspect WebAssembly components',
    target: ['AppImage', 'deb'],
  },
  // Data stays in the user's folders; removing the package leaves it (docs/install.md).
  deb: { packageCategory: 'devel' },
};
