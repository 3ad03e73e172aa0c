// The application menu, as data: built from the actions the shell provides and the recent
// projects, so it is tested without Electron (only its types are imported).
import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';

export interface MenuActions {
  newProject(): void;
  openProject(): void;
  openWasm(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  revealDataFolder(): void;
  openDocs(): void;
  copyDiagnostics(): void;
}

/** `devTools`: the page's developer tools in the View menu, for a run from the sources only (a packaged app's users need none, and they open the app's page to whoever sits at it). */
export function appMenuTemplate(actions: MenuActions, recent: readonly string[], platform: NodeJS.Platform = process.platform, devTools = false): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [...recent.map((path) => ({ label: `${basename(path)} — ${path}`, click: () => actions.openRecent(path) })), { type: 'separator' }, { label: 'Clear Recent', click: actions.clearRecent }]
    : [{ label: 'No recent projects', enabled: false }];
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: actions.newProject },
      { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: actions.openProject },
      { label: 'Open Recent', submenu: recentItems },
      { label: 'Open .wasm…', accelerator: 'CmdOrCtrl+Shift+O', click: actions.openWasm },
      { type: 'separator' },
      { label: 'Reveal Data Folder', click: actions.revealDataFolder },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [{ role: 'reload' }, ...(devTools ? [{ role: 'toggleDevTools' } as const] : []), { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { label: 'Component Studio Documentation', click: actions.openDocs },
      { label: 'Copy Diagnostic Info (for an issue report)', click: actions.copyDiagnostics },
    ],
  };
  return [...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }, help];
}
