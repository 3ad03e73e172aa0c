// Desktop packages (electron-builder). `npm run dist` builds the UI and the compiled studio,
// then packages for this OS; `npm run dist:mac`, `dist:win`, `dist:linux` choose one.
// Packaging downloads the Electron release it wraps, so it runs on a machine with network
// access. Signing and notarization use environment variables and are skipped without them:
// see docs/install.md#building-the-packages. A script rather than YAML for one reason: the
// list of packages to unpack is computed (below).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Packages read from disk rather than from the app's bundles: jco's transpiler,
 * componentize-js and the shim read their own wasm and binaries by path; esbuild runs its
 * platform binary, and its Go code, which cannot read the archive, bundles the examples with
 * the studio's packages they import (qrcode).
 */
const LOADED_FROM_DISK = ['@bytecodealliance/componentize-js', '@bytecodealliance/jco-transpile', '@bytecodealliance/preview2-shim', 'esbuild', 'qrcode'];

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

const MAC_ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';

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
    // A folder or a .wasm dropped on the Dock icon, or given to `open -a`, comes to the app
    // (main.ts's open-file); the app never claims to be their default opener.
    extendInfo: {
      CFBundleDocumentTypes: [
        { CFBundleTypeName: 'Folder', CFBundleTypeRole: 'Viewer', LSHandlerRank: 'Alternate', LSItemContentTypes: ['public.folder'] },
        { CFBundleTypeName: 'WebAssembly component', CFBundleTypeRole: 'Viewer', LSHandlerRank: 'Alternate', CFBundleTypeExtensions: ['wasm'] },
      ],
    },
    // This Mac's architecture only: npm installed the binaries of esbuild, wizer and jco's
    // transpiler for it alone, and electron-builder copies node_modules as it is into every
    // architecture it packs (it rebuilds only node-gyp modules). Each architecture is built on
    // a Mac of its own (docs/install.md).
    target: [
      { target: 'dmg', arch: [MAC_ARCH] },
      { target: 'zip', arch: [MAC_ARCH] },
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
  // Data stays in the user's folders; removing the package leaves it (docs/install.md). The
  // maintainer and homepage a .deb must name come from package.json's author and homepage.
  deb: { packageCategory: 'devel' },
};
