// esbuild's JavaScript API, loaded so that its binary can start wherever the studio runs.
//
// The API starts its platform binary (`@esbuild/<platform>-<arch>`) with child_process.spawn,
// at the path Node resolves for it. In the packaged desktop app that path is inside the asar
// archive, which only Electron's file functions can read: spawn fails there even though the
// binary is unpacked beside the archive (electron-builder.cjs). esbuild takes the binary's
// path from ESBUILD_BINARY_PATH, read once when its module loads; so the module is loaded
// here, on first use, with that variable pointing at the unpacked copy, and the variable is
// put back at once: a user's own build command, run with the studio's environment, must not
// be handed the studio's esbuild.
import { createRequire } from 'node:module';
import { outsideArchive } from '../outside-archive.ts';

type Esbuild = typeof import('esbuild');

const require = createRequire(import.meta.url);
let api: Esbuild | undefined;

export function esbuildApi(): Esbuild {
  if (api) return api;
  const unpacked = process.env.ESBUILD_BINARY_PATH ? undefined : unpackedBinary();
  if (unpacked === undefined) return (api = require('esbuild') as Esbuild);
  process.env.ESBUILD_BINARY_PATH = unpacked;
  try {
    return (api = require('esbuild') as Esbuild);
  } finally {
    delete process.env.ESBUILD_BINARY_PATH;
  }
}

/** The binary's path outside the archive, when Node resolves it inside one; else undefined (esbuild finds it itself). */
export function unpackedBinary(resolve: (request: string) => string = (request) => createRequire(require.resolve('esbuild')).resolve(request)): string | undefined {
  let binary: string;
  try {
    binary = resolve(`@esbuild/${process.platform}-${process.arch}/${process.platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild'}`);
  } catch {
    // A platform esbuild ships no binary package for: its own lookup says what is missing.
    return undefined;
  }
  const outside = outsideArchive(binary);
  return outside === binary ? undefined : outside;
}
