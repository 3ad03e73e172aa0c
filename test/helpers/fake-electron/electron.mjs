// A stand-in for the electron package, for smoke-testing the shell's main process under
// Node where no Electron binary exists. It records what main.ts sets up; once the window
// loads its URL it acts as the window would (calls the API through the registered IPC
// handler, loads pages through the app:// protocol handler, tries to navigate away and open
// windows), prints one line `FAKE-ELECTRON-REPORT <json>` and quits the app.
import { EventEmitter } from 'node:events';

const ipcHandlers = new Map();
const protocolHandlers = new Map();
const privileged = [];
const opened = [];
const permissions = {};
let sandboxEnabled = false;

class FakeApp extends EventEmitter {
  isPackaged = false;
  enableSandbox() {
    sandboxEnabled = true;
  }
  whenReady() {
    return Promise.resolve();
  }
  quit() {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) process.exit(0);
  }
  exit(code) {
    process.exit(code);
  }
}

export const app = new FakeApp();
export const ipcMain = {
  handle: (channel, handler) => ipcHandlers.set(channel, handler),
  removeHandler: (channel) => ipcHandlers.delete(channel),
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => privileged.push(...schemes),
  handle: (scheme, handler) => protocolHandlers.set(scheme, handler),
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (handler) => (permissions.request = handler),
    setPermissionCheckHandler: (handler) => (permissions.check = handler),
  },
};
export const shell = { openExternal: async (url) => void opened.push(url) };

class FakeWebContents extends EventEmitter {
  mainFrame = { url: '' };
  sent = [];
  windowOpenHandler = undefined;
  send(channel, message) {
    this.sent.push([channel, message]);
  }
  isDestroyed() {
    return false;
  }
  getURL() {
    return this.mainFrame.url;
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    app.emit('web-contents-created', {}, this.webContents);
  }
  show() {}
  async loadURL(url) {
    this.webContents.mainFrame.url = url;
    setImmediate(() => void drive(this).catch((err) => {
      process.stdout.write(`FAKE-ELECTRON-FAILED ${err.stack}\n`);
      process.exit(3);
    }));
  }
}

async function drive(window) {
  const contents = window.webContents;
  const call = ipcHandlers.get('studio:call');
  const trusted = { sender: contents, senderFrame: contents.mainFrame };
  const serve = protocolHandlers.get('app');
  const page = await serve(new Request('app://studio/'));
  const missing = await serve(new Request('app://studio/no-such-file.js'));
  let navigationPrevented = false;
  contents.emit('will-navigate', { preventDefault: () => (navigationPrevented = true) }, 'https://example.com/docs');
  const windowOpen = contents.windowOpenHandler?.({ url: 'https://example.com/new' });
  const report = {
    privileged,
    sandboxEnabled,
    webPreferences: window.options.webPreferences,
    project: await call(trusted, 'project.get', {}),
    untrusted: await call({ sender: new FakeWebContents(), senderFrame: null }, 'project.get', {}),
    unknown: await call(trusted, 'no.such.command', {}),
    page: { status: page.status, type: page.headers.get('content-type'), csp: page.headers.get('content-security-policy'), body: (await page.text()).slice(0, 200) },
    missing: missing.status,
    navigationPrevented,
    windowOpen,
    opened,
    cameraAllowed: await new Promise((resolve) => permissions.request(contents, 'media', resolve)),
  };
  process.stdout.write(`FAKE-ELECTRON-REPORT ${JSON.stringify(report)}\n`);
  app.quit();
}
