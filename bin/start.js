#!/usr/bin/env node
// `npm start [-- project] [--port N]`: the studio on the given project. Opens the Electron
// window where Electron and its binary are installed and a display exists (without a
// project, the app reopens the last one, or its own copy of the QR example: see
// electron/launch.ts); otherwise runs browser mode (`component-studio dev --open`, on the
// bundled QR example without a project), saying why in one line. Where no window can appear
// at all (CI, a server, no DISPLAY) it only prints the URLs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBinary } from '../electron/binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
/** Options of `dev` that take a value: the word after them is not the project. */
const VALUED = new Set(['--port', '--host', '--ui-port', '--workers', '--instances', '--timeout', '--memory-limit', '--body-limit']);
const projectAt = args.findIndex((arg, i) => !arg.startsWith('-') && !VALUED.has(args[i - 1] ?? ''));


/** Whether a window can appear: not in CI, and on Linux and BSD only with a display. */
function canShowWindows() {
  if (process.env.CI) return false;
  if (['linux', 'freebsd', 'openbsd'].includes(process.platform)) return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  return true;
}

const binary = electronBinary();
const windows = canShowWindows();

// The UI once (Vite, about 15 s; `npm run build:renderer` rebuilds it after UI edits), and the
// compiled studio each time (about a second), so a clone's runtime edits are always what runs.
if (!existsSync(join(root, 'renderer', 'dist', 'index.html'))) {
  process.stdout.write('Building the studio UI once (about 15 s)…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build:renderer'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { buildStudio } = await import('../scripts/build.mjs');
const { main, cli } = await buildStudio();

if (binary && windows) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set, it would run the binary as plain Node
  const child = spawn(binary, [main, ...args], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  if (!binary) {
    process.stdout.write(
      windows
        ? 'Electron is not installed here; opening the studio in your browser instead\n'
        : 'Electron is not installed here and no window can open; open the studio URL below in a browser\n',
    );
  } else {
    process.stdout.write('No display here for the Electron window; open the studio URL below in a browser\n');
  }
  // The CLI reads its arguments from process.argv.
  const project = projectAt >= 0 ? [] : [join(root, 'assets', 'examples', 'qrcode')];
  process.argv = [process.argv[0], process.argv[1], 'dev', ...project, ...args, ...(windows ? ['--open'] : [])];
  await import(pathToFileURL(cli).href);
}
