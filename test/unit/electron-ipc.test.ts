// The Electron transport of the Studio API, without Electron: the main-process binding checks
// who calls and carries ApiErrors intact; the preload (bundled as the app bundles it, run in
// a sandbox-like context with a stand-in for electron) exposes exactly `call` and `on`.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createContext, runInContext } from 'node:vm';
import { it, describe } from 'node:test';
import { build } from 'esbuild';
import { StudioFailure } from '../../runtime/errors.ts';
import type { StudioEvent } from '../../runtime/studio/studio-service.ts';
import type { ApiError, StudioApi } from '../../runtime/studio/api.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, type CallAnswer } from '../../electron/channels.ts';
import { bindStudioIpc, isTrustedSender, type StudioBackend } from '../../electron/ipc.ts';
import { repoRoot } from '../helpers/studio-process.ts';

const isAppUrl = (url: string) => url.startsWith('app://studio/');

function fakeWindow(url = 'app://studio/index.html') {
  const mainFrame = { url };
  const sent: [string, unknown][] = [];
  const webContents = { mainFrame, send: (channel: string, message: unknown) => void sent.push([channel, message]), isDestroyed: () => false };
  return { webContents, sent } as unknown as { webContents: Electron.WebContents; sent: [string, unknown][] };
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  return {
    handlers,
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) => void handlers.set(channel, fn),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

function fakeBackend(): StudioBackend & { emit(event: StudioEvent): void; listeners: Set<(event: StudioEvent) => void> } {
  const listeners = new Set<(event: StudioEvent) => void>();
  return {
    listeners,
    async call(command: string, args: unknown) {
      if (command === 'project.rebuild') return null;
      if (command === 'fail') throw new StudioFailure({ code: 'no-project', message: 'No project is open.', hint: 'Open one.' });
      if (command === 'crash') throw new TypeError('boom');
      return { command, args };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
  };
}

describe('the main-process IPC binding', () => {
  it('trusts only the top frame of the studio window while it shows the app', () => {
    const window = fakeWindow();
    const top = window.webContents.mainFrame;
    assert.equal(isTrustedSender({ sender: window.webContents, senderFrame: top } as never, window, isAppUrl), true);
    assert.equal(isTrustedSender({ sender: fakeWindow().webContents, senderFrame: top } as never, window, isAppUrl), false, 'another window');
    assert.equal(isTrustedSender({ sender: window.webContents, senderFrame: { url: 'app://studio/index.html' } } as never, window, isAppUrl), false, 'a sub-frame');
    assert.equal(isTrustedSender({ sender: window.webContents, senderFrame: null } as never, window, isAppUrl), false, 'a frame that is gone');
    const navigated = fakeWindow('https://evil.example/');
    assert.equal(isTrustedSender({ sender: navigated.webContents, senderFrame: navigated.webContents.mainFrame } as never, navigated, isAppUrl), false, 'a foreign page');
  });

  it('answers commands, and errors as ApiErrors with their code and hint', async () => {
    const ipcMain = fakeIpcMain();
    const window = fakeWindow();
    bindStudioIpc(ipcMain as never, fakeBackend(), window, isAppUrl);
    const call = ipcMain.handlers.get(CALL_CHANNEL)!;
    const trusted = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    assert.deepEqual(await call(trusted, 'logs.query', { limit: 1 }), { ok: true, result: { command: 'logs.query', args: { limit: 1 } } });
    assert.deepEqual(await call(trusted, 'project.rebuild', {}), { ok: true, result: null });
    assert.deepEqual(await call(trusted, 'fail', {}), { ok: false, error: { code: 'no-project', message: 'No project is open.', hint: 'Open one.' } });
    assert.deepEqual(await call(trusted, 'crash', {}), { ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('refuses calls from any other sender', async () => {
    const ipcMain = fakeIpcMain();
    const window = fakeWindow();
    bindStudioIpc(ipcMain as never, fakeBackend(), window, isAppUrl);
    const answer = (await ipcMain.handlers.get(CALL_CHANNEL)!({ sender: fakeWindow().webContents, senderFrame: null }, 'project.get', {})) as CallAnswer;
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.error.code, 'forbidden');
  });

  it('pushes events to the window until unbound', () => {
    const ipcMain = fakeIpcMain();
    const window = fakeWindow();
    const backend = fakeBackend();
    const unbind = bindStudioIpc(ipcMain as never, backend, window, isAppUrl);
    backend.emit({ event: 'logs.cleared', payload: null });
    assert.deepEqual(window.sent, [[EVENT_CHANNEL, { event: 'logs.cleared', payload: null }]]);
    unbind();
    assert.equal(backend.listeners.size, 0);
    assert.equal(ipcMain.handlers.size, 0);
  });
});

describe('the preload', () => {
  /** Runs the bundled preload with a stand-in electron; returns what it exposed and the fakes. */
  async function loadPreload(answer: (command: string, args: unknown) => CallAnswer) {
    const bundle = await build({ absWorkingDir: repoRoot, entryPoints: ['electron/preload.ts'], bundle: true, write: false, platform: 'node', format: 'cjs', external: ['electron'] });
    const exposed = new Map<string, unknown>();
    const ipcRenderer = Object.assign(new EventEmitter(), {
      invoke: async (channel: string, command: string, args: unknown) => {
        assert.equal(channel, CALL_CHANNEL);
        return answer(command, args);
      },
    });
    const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) }, ipcRenderer };
    // A sandboxed preload may require electron and nothing else.
    const sandboxRequire = (name: string) => {
      if (name === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${name}`);
    };
    const context = createContext({ require: sandboxRequire, module: { exports: {} }, exports: {}, console });
    runInContext(bundle.outputFiles[0]!.text, context);
    return { exposed, ipcRenderer };
  }

  it('exposes window.studio with call and on, and nothing else', async () => {
    const { exposed } = await loadPreload(() => ({ ok: true, result: null }));
    assert.deepEqual([...exposed.keys()], ['studio']);
    assert.deepEqual(Object.keys(exposed.get('studio') as object).sort(), ['call', 'on']);
  });

  it('resolves results and rejects with the ApiError as a plain object', async () => {
    const { exposed } = await loadPreload((command) =>
      command === 'project.get' ? { ok: true, result: { name: 'qrcode' } } : { ok: false, error: { code: 'unknown-command', message: 'There is no command.', hint: 'Reload.' } },
    );
    const studio = exposed.get('studio') as StudioApi;
    assert.deepEqual(await studio.call('project.get', {}), { name: 'qrcode' });
    await assert.rejects(studio.call('logs.clear', {}), (err: ApiError) => {
      assert.deepEqual({ ...err }, { code: 'unknown-command', message: 'There is no command.', hint: 'Reload.' });
      return true;
    });
  });

  it('delivers events to listeners of that event until they unsubscribe', async () => {
    const { exposed, ipcRenderer } = await loadPreload(() => ({ ok: true, result: null }));
    const studio = exposed.get('studio') as StudioApi;
    const seen: unknown[] = [];
    const off = studio.on('logs.cleared', (payload) => seen.push(payload));
    studio.on('build.changed', () => seen.push('wrong event'));
    ipcRenderer.emit(EVENT_CHANNEL, {}, { event: 'logs.cleared', payload: null });
    off();
    ipcRenderer.emit(EVENT_CHANNEL, {}, { event: 'logs.cleared', payload: null });
    assert.deepEqual(seen, [null]);
  });
});
