#!/usr/bin/env node
// `npm start [-- project] [--port N]`: the studio on the given project. Opens the Electron
// window where Electron and its binary are installed and a display exists; otherwise runs
// browser mode (`component-studio dev --open`), saying why in one line. Without a project
// both open the same thing (runtime/studio/launch-state.ts): the last project, or the
// studio's own copy of the QR example in its data folder, never the example where it is
// installed. Where no window can appear at all (CI, a server, no DISPLAY) it only prints the
// URLs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { browserModeNote, electronInstall } from '../electron/binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
/** Options of `dev` that take a value: the word after them is not the project. */
const VALUED = new Set(['--port', '--host', '--ui-port', '--workers', '--instances', '--timeout', '--start-timeout', '--memory-limit', '--body-limit']);
const projectAt = args.findIndex((arg, i) => !arg.startsWith('-') && !VALUED.has(args[i - 1] ?? ''));


/** Why no window can appear here: in CI, and on Linux and BSD without a display; undefined where one can. */
function noWindowReason() {
  if (process.env.CI) return 'CI is set';
  if (['linux', 'freebsd', 'openbsd'].includes(process.platform) && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display: DISPLAY and WAYLAND_DISPLAY are unset';
  return undefined;
}

const install = electronInstall();
const binary = 'binary' in install ? install.binary : undefined;
const noWindow = noWindowReason();
const windows = noWindow === undefined;

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
  process.stdout.write(`${browserModeNote('missing' in install ? install.missing : undefined, noWindow)}\n`);
  // The CLI reads its arguments from process.argv. Without a project it opens what the app would.
  const project = projectAt >= 0 ? [] : ['--last-project'];
  process.argv = [process.argv[0], process.argv[1], 'dev', ...project, ...args, ...(windows ? ['--open'] : [])];
  await import(pathToFileURL(cli).href);
}
