// What the studio window may do, as plain data and functions (no Electron at run time, so
// the unit tests check the exact settings without the binary): its webPreferences, the one
// origin it may show, where links go, and the single permission it may use. main.ts applies
// them; docs/security.md explains them.
import type { BrowserWindowConstructorOptions, WebContents } from 'electron';

export const SCHEME = 'app';
export const APP_ORIGIN = `${SCHEME}://studio`;

/** True for the app's own pages (app://studio and below), and nothing else. */
export function isAppUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

/** True for a link the system browser may open: http and https only (no file:, no custom schemes). */
export function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** The window: sandboxed, context-isolated, no Node, no webviews, no navigation by drag and drop. */
export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Component Studio',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** The one permission the app page gets: writing to the clipboard (copy as curl). */
export function permissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl);
}

/** The part of a WebContents lockDown uses. */
export type LockableContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/**
 * Every web contents (the window, and anything it might create) stays on the app: no new
 * windows, no navigation or redirect elsewhere, no webviews. Web links go to `openExternal`.
 */
export function lockDown(contents: LockableContents, openExternal: (url: string) => void): void {
  const external = (url: string) => {
    if (isExternalWebUrl(url)) openExternal(url);
  };
  contents.setWindowOpenHandler(({ url }) => {
    external(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    external(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
