// The Electron shell: one window showing the built renderer, the Studio API bound to IPC, and
// the studio runtime in this (main) process. The runtime is plain Node, compiled into this
// bundle with its workers beside it (scripts/build.mjs): nothing transpiles at launch.
//
// Security (docs/architecture.md, docs/security.md): the renderer is sandboxed with context
// isolation and no Node; it is served from the privileged app:// scheme with a strict CSP;
// it may not navigate anywhere else or open windows (http/https links go to the system
// browser); permission requests are refused (window-policy.ts); IPC answers only the
// window's own top frame (see ipc.ts).
//
// scripts/build.mjs bundles this file into dist/main.mjs and rewrites the file URLs below
// (relative to this source) to point from there.
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, powerMonitor, protocol, screen, session, shell, type IpcMainEvent, type OpenDialogOptions } from 'electron';
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useNodeChildLauncher } from '../runtime/builders/node-child.ts';
import { outsideArchive } from '../runtime/outside-archive.ts';
import { startDesktopStudio } from '../runtime/studio/desktop-studio.ts';
import { contentTypeFor, rendererCsp } from '../runtime/studio/renderer-files.ts';
import { appMenuTemplate, type MenuActions } from './app-menu.ts';
import { OPEN_DROPPED_CHANNEL } from './channels.ts';
import { bindStudioIpc, isTrustedSender } from './ipc.ts';
import { utilityChild } from './utility-child.ts';
import { clearRecentProjects, LAUNCH_EXAMPLE, launchStateFile, projectRememberer, projectToOpen, recentProjects, userExample, userExamplesDir } from '../runtime/studio/launch-state.ts';
import { appArguments, copyProject, launchRequest, parseLaunchArgs, relaunchArguments, type LaunchArgs } from './launch.ts';
import { loginShellPath, mergedPath } from './login-shell-path.ts';
import { buildIndicator } from './taskbar.ts';
import { APP_ORIGIN, SCHEME, isAppUrl, lockDown, permissionAllowed, windowOptions } from './window-policy.ts';
import { restoreWindowState, saveWindowState, windowStateFile } from './window-state.ts';

const RENDERER_DIR = fileURLToPath(new URL('../renderer/dist', import.meta.url));
const PRELOAD = fileURLToPath(new URL('../dist/preload.cjs', import.meta.url));
// The user documentation, shipped unpacked so the system can open it (Help menu).
const DOCS_DIR = outsideArchive(fileURLToPath(new URL('../docs', import.meta.url)));

const CSP = rendererCsp();
/** The script Electron runs when not packaged (`electron dist/main.mjs …`): the app's arguments follow it. */
const SCRIPT = app.isPackaged ? undefined : fileURLToPath(import.meta.url);

// Started as `electron dist/main.mjs`, Electron finds no package.json to name the app by, and
// would keep its user data (launch.json, the example's copy, the window's place) under
// "Electron", shared with any other app run that way. A `--user-data-dir` given on the command
// line (the Electron end-to-end test) still wins.
if (!app.isPackaged) {
  app.setName('Component Studio');
  if (!app.commandLine.hasSwitch('user-data-dir')) app.setPath('userData', join(app.getPath('appData'), 'Component Studio'));
}

// Must happen before `ready`: app:// behaves like https (a real origin for 'self', fetch,
// secure context), so the renderer needs no file:// access at all.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

/**
 * The project to open and the gateway port (`--port N` or `--port=N`; default 8000, as in the
 * CLI; 0 picks a free one): see launch.ts and runtime/studio/launch-state.ts.
 */
function launchArgs(): LaunchArgs | { error: string } {
  return parseLaunchArgs(appArguments(process.argv, process.cwd(), SCRIPT), process.cwd());
}

/** `opened`: a path macOS handed over (open-file) before the studio started, which wins over the command line's. */
async function launchOptions(opened: string | undefined): Promise<{ target: string; port?: number }> {
  const args = launchArgs();
  if ('error' in args) throw new Error(args.error);
  const target = await projectToOpen(opened ?? args.target, { bundledExample: LAUNCH_EXAMPLE, dataDir: app.getPath('userData') }, warn);
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

/** The window, at the size and place it had last time where a display still shows that place. */
async function createWindow(stateFile: string): Promise<BrowserWindow> {
  const displays = screen.getAllDisplays().map((display) => display.workArea);
  const restored = await restoreWindowState(stateFile, displays, warn);
  const window = new BrowserWindow({ ...windowOptions(PRELOAD), ...restored?.bounds });
  if (restored?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (window.isDestroyed() || window.isMinimized()) return;
      void saveWindowState(stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() }).catch(() => {});
    }, 400);
  };
  window.on('resize', save);
  window.on('move', save);
  window.on('maximize', save);
  window.on('unmaximize', save);
  return window;
}

/**
 * What the shell has to say (a corrupt state file, a runtime failure): on the terminal it was
 * started from, if any, and in main.log in the app's logs folder, since a double-clicked app
 * has no terminal.
 */
function warn(text: string): void {
  process.stderr.write(`Component Studio: ${text}\n`);
  try {
    const logs = app.getPath('logs');
    mkdirSync(logs, { recursive: true });
    appendFileSync(join(logs, 'main.log'), `${new Date().toISOString()} ${text}\n`);
  } catch {
    // No logs folder (yet): the terminal line is all there is.
  }
}

/** Studio API errors that are about the path to open, not the studio: those project.open refuses a path with. */
const REFUSED_TARGETS = new Set([
  'target-not-found',
  'target-not-wasm',
  'target-in-data-folder',
  'not-a-project',
  'project-read-only',
  'project-needs-confirmation',
  'project-in-use',
  'component-unreadable',
  'not-wasm',
  'wasm-truncated',
  'core-module',
  'unsupported-wasm-version',
]);

/**
 * What a failed open says in the window: the Studio API's message and hint. A project the
 * studio cannot write to is offered a copy in a folder the user picks, which then opens; a
 * system or home folder, which the studio asks about first, is opened once the user confirms.
 */
function openFailure(window: BrowserWindow, path: string, err: unknown, open: (path: string, confirm?: boolean) => void): void {
  const { code, message, hint } = err as { code?: string; message?: string; hint?: string };
  const copyable = code === 'project-read-only';
  const confirmable = code === 'project-needs-confirmation';
  const detail = [message ?? String(err), hint].filter(Boolean).join('\n\n');
  const buttons = copyable ? ['Copy Project…', 'Cancel'] : confirmable ? ['Open Anyway', 'Cancel'] : ['OK'];
  void dialog
    .showMessageBox(window, { type: confirmable ? 'question' : 'error', message: confirmable ? `Open ${path} as a project?` : `Could not open ${path}`, detail, buttons, defaultId: confirmable ? 1 : 0, cancelId: buttons.length - 1 })
    .then(async ({ response }) => {
      if (response !== 0) return;
      if (confirmable) return open(path, true);
      if (!copyable) return;
      const { canceled, filePaths: [into] } = await dialog.showOpenDialog(window, { title: 'Copy the project into…', buttonLabel: 'Copy Here', properties: ['openDirectory', 'createDirectory'] });
      if (canceled || !into) return;
      open(await copyProject(path, into));
    })
    .catch((copyError: unknown) => dialog.showErrorBox('Could not copy the project', copyError instanceof Error ? copyError.message : String(copyError)));
}

async function main(): Promise<void> {
  // One studio per user: a second launch hands its arguments, as it read them, to this one and quits.
  if (!app.requestSingleInstanceLock(launchArgs())) {
    app.quit();
    return;
  }
  // A second launch while this one still starts: its path is opened once the window is up.
  type Launch = { argv: string[]; workingDirectory: string; request: unknown };
  const launchedMeanwhile: Launch[] = [];
  const holdLaunch = (_event: unknown, argv: string[], workingDirectory: string, request: unknown) => launchedMeanwhile.push({ argv, workingDirectory, request });
  app.on('second-instance', holdLaunch);
  // macOS hands a folder or .wasm dropped on the Dock icon, or given to `open -a`, to the
  // running app as an event, not as arguments: before the studio starts it is the one to open.
  const openedMeanwhile: string[] = [];
  const holdOpened = (event: { preventDefault(): void }, path: string) => {
    event.preventDefault();
    openedMeanwhile.push(path);
  };
  app.on('open-file', holdOpened);
  app.on('web-contents-created', (_event, contents) => lockDown(contents, (url) => void shell.openExternal(url)));
  // Started from the Finder, the Dock or a desktop menu, the app lacks the PATH the user's
  // shell sets up, where build tools and kubectl live: asked for while the app gets ready.
  const loginPath = app.isPackaged && process.platform !== 'win32' ? loginShellPath() : Promise.resolve(undefined);
  await app.whenReady();
  const shellPath = await loginPath;
  if (shellPath) process.env.PATH = mergedPath(shellPath, process.env.PATH);
  const options = await launchOptions(openedMeanwhile.pop());

  const ses = session.defaultSession;
  // The studio needs no camera, notifications, geolocation…: refuse every request. Writing
  // to the clipboard (copy as curl) is the one thing the app page may do.
  ses.setPermissionRequestHandler((contents, permission, callback) => callback(permissionAllowed(permission, contents.getURL())));
  ses.setPermissionCheckHandler((_contents, permission, origin) => permissionAllowed(permission, origin));
  protocol.handle(SCHEME, serveRenderer);

  // Builds start their componentize child as a utility process: see utility-child.ts.
  useNodeChildLauncher(utilityChild);
  // The UI's saved state beside launch.json in the app's user data folder (caches stay in the
  // OS's cache folder: runtime/cache-dir.ts). An override from the environment wins. The notes
  // that let `component-studio snapshot` find this studio stay where the command line looks.
  const userData = app.getPath('userData');
  const uiStateDir = process.env.COMPONENT_STUDIO_CONFIG ? undefined : userData;
  // The app's copies of the examples: a relative path typed while one is open starts in the home folder, not among them.
  const launchFile = launchStateFile(userData);
  const appFolders = { ...(uiStateDir ? { uiStateDir } : {}), examplesDir: userExamplesDir(userData), recentProjects: () => recentProjects(launchFile) };
  // A path the studio cannot open (gone, not a component, read-only) must not end the app:
  // the example opens instead, and the window says what was wrong with the path.
  let refused: { path: string; error: unknown } | undefined;
  let studio: Awaited<ReturnType<typeof startDesktopStudio>>;
  try {
    studio = await startDesktopStudio({ ...options, ...appFolders });
  } catch (error) {
    if (!REFUSED_TARGETS.has((error as { code?: unknown }).code as string)) throw error;
    refused = { path: options.target, error };
    studio = await startDesktopStudio({ ...options, ...appFolders, target: await userExample(LAUNCH_EXAMPLE, userData) });
  }
  const window = await createWindow(windowStateFile(userData));

  const open = (path: string, confirm = false): void => {
    void studio.service.invoke('project.open', { path, ...(confirm ? { confirm } : {}) }).catch((err: unknown) => openFailure(window, path, err, open));
  };
  const refreshMenu = async () => {
    const recent = await recentProjects(launchFile).catch(() => []);
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(actions, recent, process.platform, !app.isPackaged)));
  };
  /** Opens what the user picks in the system's open dialog. */
  const pickAndOpen = (options: OpenDialogOptions) => {
    void dialog.showOpenDialog(window, options).then(({ canceled, filePaths: [path] }) => {
      if (!canceled && path) open(path);
    });
  };
  const actions: MenuActions = {
    // The save dialog names a folder that does not exist yet; the studio makes it from the hello example.
    newProject: () =>
      void dialog.showSaveDialog(window, { title: 'New Project', buttonLabel: 'Create', nameFieldLabel: 'Project folder:', properties: ['createDirectory', 'showOverwriteConfirmation'] }).then(({ canceled, filePath }) => {
        if (canceled || !filePath) return;
        void studio.service.invoke('project.create', { path: filePath }).catch((err: unknown) => openFailure(window, filePath, err, open));
      }),
    openProject: () => pickAndOpen({ title: 'Open Project', properties: ['openDirectory', 'createDirectory'] }),
    openWasm: () => pickAndOpen({ title: 'Open a Component', properties: ['openFile'], filters: [{ name: 'WebAssembly component', extensions: ['wasm'] }] }),
    openRecent: open,
    clearRecent: () => void clearRecentProjects(launchFile).then(refreshMenu),
    revealDataFolder: () => {
      // Shown in its folder, never opened: a folder named like an app bundle would be launched.
      void studio.service.invoke('project.get', {}).then((project) => shell.showItemInFolder(project.keyvaluePath));
    },
    openDocs: () => void shell.openPath(DOCS_DIR),
    copyDiagnostics: () => {
      void clipboard.writeText(diagnostics());
    },
  };

  // The next launch without a path reopens what was open last; File > Open Recent lists it.
  let remembered = studio.project.path;
  const rememberer = projectRememberer(launchFile, () => void refreshMenu());
  const remember = (path: string) => {
    remembered = path;
    rememberer(path);
  };
  remember(studio.project.path);
  await refreshMenu();
  studio.service.subscribe((event) => {
    if (event.event === 'project.changed') remember(event.payload.path);
    if (event.event === 'build.changed' && !window.isDestroyed()) {
      const shown = buildIndicator(event.payload.outcome);
      window.setProgressBar(shown.progress);
      app.setBadgeCount(shown.badge);
    }
  });

  const bringForward = () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  };
  const launchedAgain = ({ argv, workingDirectory, request }: Launch) => {
    bringForward();
    const args = launchRequest(request) ?? parseLaunchArgs(appArguments(argv, workingDirectory, SCRIPT), workingDirectory);
    if ('error' in args) void dialog.showMessageBox(window, { type: 'error', message: 'Component Studio was started again with a bad argument', detail: args.error });
    else if (args.target) open(args.target);
  };
  app.off('second-instance', holdLaunch);
  app.on('second-instance', (_event, argv, workingDirectory, request) => launchedAgain({ argv, workingDirectory, request }));
  app.off('open-file', holdOpened);
  app.on('open-file', (event, path) => {
    event.preventDefault();
    bringForward();
    open(path);
  });

  const unbind = bindStudioIpc(ipcMain, studio.service, window, isAppUrl);
  const onDrop = (event: IpcMainEvent, path: unknown) => {
    if (isTrustedSender(event, window, isAppUrl) && typeof path === 'string') open(path);
  };
  ipcMain.on(OPEN_DROPPED_CHANNEL, onDrop);
  window.on('closed', () => {
    unbind();
    ipcMain.removeListener(OPEN_DROPPED_CHANNEL, onDrop);
  });
  // A fault of the runtime itself (not of a component: those are reported in the window and
  // the studio goes on) is said in a dialog that offers a fresh start, never a dead window.
  // Set before the page loads, so a fault while it loads is said too.
  let failed = false;
  process.on('uncaughtException', (err) => {
    warn(`the runtime failed: ${err.stack ?? err.message}`);
    if (failed) return;
    failed = true;
    // The project open now, which may not be the one the app was started with.
    const current = remembered;
    void dialog
      .showMessageBox(window, { type: 'error', message: 'The studio runtime stopped working', detail: `${err.message}\n\nRestarting it reopens ${current}; your project and its data are as they were.`, buttons: ['Restart Runtime', 'Quit'], defaultId: 0, cancelId: 1 })
      .then(async ({ response }) => {
        // Workers, gateway and watchers stopped and the data folders let go, as far as they still can be.
        await Promise.race([studio.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000))]);
        // An AppImage runs from a mount that goes with this process, and the portable Windows
        // exe from a folder unpacked for it: the new instance starts from the file the user ran.
        const execPath = process.env.APPIMAGE || process.env.PORTABLE_EXECUTABLE_FILE || process.execPath;
        if (response === 0) app.relaunch({ execPath, args: relaunchArguments(current, options.port, SCRIPT) });
        app.exit(response === 0 ? 0 : 1);
      });
  });
  // A renderer that crashed (or was killed) leaves a blank window: load the page again, but
  // not for ever when it crashes as it loads.
  const reloads: number[] = [];
  window.webContents.on('render-process-gone', (_event, details) => {
    const now = Date.now();
    reloads.push(now);
    while (reloads.length > 0 && now - reloads[0]! > 60_000) reloads.shift();
    if (details.reason === 'clean-exit' || window.isDestroyed()) return;
    if (reloads.length > 3) {
      warn(`the window's page stopped (${details.reason}) again; not loading it a fourth time in a minute`);
      dialog.showErrorBox('The studio window keeps failing', `Its page stopped (${details.reason}) four times in a minute. The runtime still serves your project; restart the app to get the window back.`);
      return;
    }
    warn(`the window's page stopped (${details.reason}); loading it again`);
    void window.loadURL(`${APP_ORIGIN}/index.html`);
  });

  await window.loadURL(`${APP_ORIGIN}/index.html`);
  if (refused) openFailure(window, refused.path, refused.error, open);
  for (const launch of launchedMeanwhile.splice(0)) launchedAgain(launch);
  for (const path of openedMeanwhile.splice(0)) open(path);

  let stopped = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (stopped) return;
    // Stop the session (workers, gateway, watchers) before the process goes.
    event.preventDefault();
    stopped = true;
    void studio.close().finally(() => app.quit());
  });
  // A system shutdown, restart or logoff quits the app as a Quit does, so the session stops
  // cleanly (the key-value journal is safe either way, but is checkpointed this way). macOS
  // and Linux wait for it when asked; Windows ends the session without before-quit and gives
  // a few seconds.
  // (The typings give the shutdown listener no event; the documented one has preventDefault.)
  powerMonitor.on('shutdown', (...args: unknown[]) => {
    (args[0] as { preventDefault?(): void } | undefined)?.preventDefault?.();
    app.quit();
  });
  window.on('session-end', () => {
    if (stopped) return;
    stopped = true;
    void studio.close().finally(() => app.exit(0));
  });
}

/** Versions and platform, for an issue report (Help > Copy Diagnostic Info). */
function diagnostics(): string {
  const versions = process.versions as NodeJS.ProcessVersions & { electron?: string; chrome?: string };
  return [`Component Studio ${app.getVersion()}`, `Electron ${versions.electron ?? '?'}, Chromium ${versions.chrome ?? '?'}, Node ${versions.node}`, `${process.platform} ${process.arch} (${release()})`].join('\n');
}

main().catch((err: unknown) => {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  warn(`could not start: ${text}`);
  // Started from a desktop icon there is no terminal: say it in a dialog too.
  if (app.isReady()) dialog.showErrorBox('Component Studio could not start', err instanceof Error ? err.message : text);
  app.exit(1);
});
