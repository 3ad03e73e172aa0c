// The desktop window's security settings and handlers (electron/window-policy.ts, ipc.ts),
// checked as the functions main.ts applies: no Electron binary is needed to read them.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { bindStudioIpc, isTrustedSender, type StudioWindow } from '../../electron/ipc.ts';
import { CALL_CHANNEL } from '../../electron/channels.ts';
import { isAppUrl, isExternalWebUrl, lockDown, permissionAllowed, windowOptions, type LockableContents } from '../../electron/window-policy.ts';

describe('the studio window', () => {
  it('is sandboxed and isolated, with no Node, webviews, mixed content or drag-and-drop navigation', () => {
    assert.deepEqual(windowOptions('/app/preload.cjs').webPreferences, {
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
  });

  it('counts only app://studio and its pages as the app', () => {
    for (const url of ['app://studio', 'app://studio/', 'app://studio/index.html']) assert.ok(isAppUrl(url), url);
    for (const url of ['app://studio.evil', 'app://studiox/', 'app://other/', 'https://studio/', 'file:///app/index.html', '']) assert.ok(!isAppUrl(url), url);
  });

  it('grants only clipboard writes, and only to the app', () => {
    assert.ok(permissionAllowed('clipboard-sanitized-write', 'app://studio/index.html'));
    assert.ok(!permissionAllowed('clipboard-sanitized-write', 'https://example.com/'));
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) assert.ok(!permissionAllowed(permission, 'app://studio/'), permission);
  });

  it('opens web links in the system browser, and nothing else', () => {
    assert.ok(isExternalWebUrl('https://wasmcloud.com/docs'));
    assert.ok(isExternalWebUrl('http://127.0.0.1:8000/'));
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url']) assert.ok(!isExternalWebUrl(url), url);
  });
});

/** A web contents as far as lockDown touches it: its events, and the window-open handler it was given. */
class Contents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

function navigation(contents: Contents, event: string, url: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('a locked-down web contents', () => {
  it('opens no window, and hands web links to the system browser', () => {
    const contents = new Contents();
    const opened: string[] = [];
    lockDown(contents as unknown as LockableContents, (url) => opened.push(url));
    assert.deepEqual(contents.openHandler!({ url: 'https://example.com/' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler!({ url: 'file:///etc/passwd' }), { action: 'deny' });
    assert.deepEqual(opened, ['https://example.com/']);
  });

  it('navigates within the app only; redirects away and webviews are stopped', () => {
    const contents = new Contents();
    const opened: string[] = [];
    lockDown(contents as unknown as LockableContents, (url) => opened.push(url));
    assert.equal(navigation(contents, 'will-navigate', 'app://studio/index.html'), false);
    assert.equal(navigation(contents, 'will-navigate', 'https://example.com/'), true);
    assert.equal(navigation(contents, 'will-navigate', 'file:///etc/passwd'), true);
    assert.deepEqual(opened, ['https://example.com/']);
    assert.equal(navigation(contents, 'will-redirect', 'https://example.com/'), true);
    assert.equal(navigation(contents, 'will-redirect', 'app://studio/x'), false);
    assert.equal(navigation(contents, 'will-attach-webview', 'app://studio/'), true);
  });
});

describe('the Studio API over IPC', () => {
  const mainFrame = { url: 'app://studio/index.html' };
  const webContents = { mainFrame, isDestroyed: () => false, send: () => {} };
  const window = { webContents } as unknown as StudioWindow;

  it('answers only the studio window\'s own top frame showing the app', () => {
    assert.ok(isTrustedSender({ sender: webContents, senderFrame: mainFrame } as never, window, isAppUrl));
    assert.ok(!isTrustedSender({ sender: webContents, senderFrame: { url: 'app://studio/index.html' } } as never, window, isAppUrl), 'an iframe');
    assert.ok(!isTrustedSender({ sender: { ...webContents }, senderFrame: mainFrame } as never, window, isAppUrl), 'another web contents');
    assert.ok(!isTrustedSender({ sender: webContents, senderFrame: null } as never, window, isAppUrl), 'a frame that is gone');
    const navigatedAway = { mainFrame: { url: 'https://example.com/' }, isDestroyed: () => false, send: () => {} };
    assert.ok(!isTrustedSender({ sender: navigatedAway, senderFrame: navigatedAway.mainFrame } as never, { webContents: navigatedAway } as unknown as StudioWindow, isAppUrl), 'a page it was navigated to');
  });

  it('refuses other senders with a forbidden error, and answers errors as values', async () => {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain = { handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => Promise<unknown>) => handlers.set(channel, handler), removeHandler: (channel: string) => handlers.delete(channel) };
    const backend = {
      call: async (command: string) => {
        if (command === 'fails') throw Object.assign(new Error('nope'), { error: { code: 'not-found', message: 'No such thing.', hint: 'Try another.' } });
        return { command };
      },
      subscribe: () => () => {},
    };
    const unbind = bindStudioIpc(ipcMain as never, backend, window, isAppUrl);
    const call = handlers.get(CALL_CHANNEL)!;
    assert.deepEqual(await call({ sender: webContents, senderFrame: mainFrame }, 'project.get', {}), { ok: true, result: { command: 'project.get' } });
    assert.deepEqual(await call({ sender: webContents, senderFrame: mainFrame }, 'fails', {}), { ok: false, error: { code: 'not-found', message: 'No such thing.', hint: 'Try another.' } });
    assert.equal(((await call({ sender: webContents, senderFrame: { url: 'app://studio/' } }, 'project.get', {})) as { error: { code: string } }).error.code, 'forbidden');
    unbind();
    assert.equal(handlers.size, 0);
  });
});
