// The Electron shell: one window showing the built renderer, the Studio API bound to IPC, and
// the studio runtime in this (main) process. The runtime is plain Node and is loaded from its
// TypeScript sources through tsx, exactly as the CLI runs it, because its worker threads and
// builders locate their own files next to their sources.
//
// Security (docs/architecture.md, docs/security.md): the renderer is sandboxed with context
// isolation and no Node; it is served from the privileged app:// scheme with a strict CSP;
// it may not navigate anywhere else or open windows (http/https links go to the system
// browser); permission requests are refused (window-policy.ts); IPC answers only the
// window's own top frame (see ipc.ts).
//
// This file is bundled by electron/build.mjs into electron/dist/main.mjs; paths below are
// relative to that bundle.
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { contentTypeFor, rendererCsp } from '../runtime/studio/renderer-files.ts';
import { bindStudioIpc } from './ipc.ts';
import { launchStateFile, parseLaunchArgs, projectToOpen, rememberProject } from './launch.ts';
import { APP_ORIGIN, SCHEME, isAppUrl, lockDown, permissionAllowed, windowOptions } from './window-policy.ts';

type DesktopRuntime = typeof import('../runtime/studio/desktop-studio.ts');

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER_DIR = join(APP_ROOT, 'renderer', 'dist');
const PRELOAD = join(APP_ROOT, 'electron', 'dist', 'preload.cjs');
const RUNTIME_ENTRY = pathToFileURL(join(APP_ROOT, 'runtime', 'studio', 'desktop-studio.ts')).href;
const BUNDLED_EXAMPLE = join(APP_ROOT, 'assets', 'examples', 'qrcode');

const CSP = rendererCsp();

// Must happen before `ready`: app:// behaves like https (a real origin for 'self', fetch,
// secure context), so the renderer needs no file:// access at all.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

/**
 * The project to open and the gateway port (`--port N` or `--port=N`; default 8000, as in the
 * CLI; 0 picks a free one): see launch.ts.
 */
async function launchOptions(): Promise<{ target: string; port?: number }> {
  const args = parseLaunchArgs(process.argv.slice(app.isPackaged ? 1 : 2), process.cwd());
  if ('error' in args) throw new Error(args.error);
  const warn = (text: string) => process.stderr.write(`Component Studio: ${text}\n`);
  const target = await projectToOpen(args, { bundledExample: BUNDLED_EXAMPLE, userData: app.getPath('userData') }, warn);
  return args.port === undefined ? { target } : { target, port: args.port };
}

/** Serves renderer/dist on app://studio/, never a file outside it. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== 'studio') return new Response('Not found.', { status: 404 });
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return new Response('Bad request.', { status: 400 });
  }
  if (path === '/' || path === '') path = '/index.html';
  const root = await realpath(RENDERER_DIR).catch(() => undefined);
  const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
  if (!root) {
    return new Response(`<!doctype html><meta charset="utf-8"><title>Component Studio</title><h1>The studio UI is not built yet</h1><p>Run <code>npm run build:renderer</code>, then reload (Ctrl+R).</p>`, {
      status: 200,
      headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' },
    });
  }
  try {
    const file = await realpath(resolve(root, `.${path}`));
    if (!file.startsWith(root + sep) || !(await stat(file)).isFile()) return new Response('Not found.', { status: 404, headers });
    return new Response(await readFile(file), { status: 200, headers: { ...headers, 'Content-Type': contentTypeFor(file) } });
  } catch {
    return new Response('Not found.', { status: 404, headers });
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions(PRELOAD));
  window.once('ready-to-show', () => window.show());
  return window;
}

async function main(): Promise<void> {
  app.on('web-contents-created', (_event, contents) => lockDown(contents, (url) => void shell.openExternal(url)));
  await app.whenReady();
  const options = await launchOptions();

  const ses = session.defaultSession;
  // The studio needs no camera, notifications, geolocation…: refuse every request. Writing
  // to the clipboard (copy as curl) is the one thing the app page may do.
  ses.setPermissionRequestHandler((contents, permission, callback) => callback(permissionAllowed(permission, contents.getURL())));
  ses.setPermissionCheckHandler((_contents, permission, origin) => permissionAllowed(permission, origin));
  protocol.handle(SCHEME, serveRenderer);

  const { tsImport } = await import('tsx/esm/api');
  const runtime = (await tsImport(RUNTIME_ENTRY, import.meta.url)) as DesktopRuntime;
  const studio = await runtime.startDesktopStudio(options);
  // The next launch without a path reopens what was open last.
  const stateFile = launchStateFile(app.getPath('userData'));
  let remembered: string | undefined;
  const remember = (path: string) => {
    if (path === remembered) return;
    remembered = path;
    void rememberProject(stateFile, path).catch(() => {});
  };
  remember(studio.project.path);
  studio.service.subscribe((event) => {
    if (event.event === 'project.changed') remember(event.payload.path);
  });

  const window = createWindow();
  const unbind = bindStudioIpc(ipcMain, studio.service, window, isAppUrl);
  window.on('closed', unbind);
  await window.loadURL(`${APP_ORIGIN}/index.html`);

  let stopped = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (stopped) return;
    // Stop the session (workers, gateway, watchers) before the process goes.
    event.preventDefault();
    stopped = true;
    void studio.close().finally(() => app.quit());
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Component Studio could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  app.exit(1);
});
