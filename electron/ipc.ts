// Binds the Studio API to Electron IPC in the main process: commands through one invoke
// channel, events pushed to the window. Only the studio's own window may call, and only from
// its top frame while it shows the app (not a page it was navigated to, not an iframe such
// as a playground preview). Knows nothing of windows beyond that check.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ApiError } from '../runtime/studio/api.ts';
import type { StudioEvent } from '../runtime/studio/studio-service.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, type CallAnswer, type EventMessage } from './channels.ts';

/** What the binding needs of the StudioService (the service itself in the app). */
export interface StudioBackend {
  call(command: string, args: unknown): Promise<unknown>;
  subscribe(listener: (event: StudioEvent) => void): () => void;
}

/** The window the API is bound to. */
export interface StudioWindow {
  readonly webContents: Pick<WebContents, 'send' | 'isDestroyed' | 'mainFrame'>;
}

/** True when an invoke comes from the window's own top frame showing the app. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, window: StudioWindow, isAppUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  if (event.sender !== window.webContents || !frame) return false;
  if (frame !== window.webContents.mainFrame) return false;
  return isAppUrl(frame.url);
}

/** Binds the API; returns the function that unbinds it. */
export function bindStudioIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, backend: StudioBackend, window: StudioWindow, isAppUrl: (url: string) => boolean): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, command: unknown, args: unknown): Promise<CallAnswer> => {
    if (!isTrustedSender(event, window, isAppUrl)) {
      return { ok: false, error: { code: 'forbidden', message: 'Only the studio window may use the Studio API.' } };
    }
    try {
      return { ok: true, result: (await backend.call(String(command), args)) ?? null };
    } catch (thrown) {
      return { ok: false, error: apiErrorOf(thrown) };
    }
  });
  const unsubscribe = backend.subscribe((event) => {
    if (window.webContents.isDestroyed()) return;
    const message: EventMessage = event;
    window.webContents.send(EVENT_CHANNEL, message);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(CALL_CHANNEL);
  };
}

/** The service throws StudioFailures carrying an ApiError as `error`; anything else is internal. */
function apiErrorOf(thrown: unknown): ApiError {
  const carried = (thrown as { error?: Partial<ApiError> } | null)?.error;
  if (carried && typeof carried.code === 'string' && typeof carried.message === 'string') {
    return carried.hint === undefined ? { code: carried.code, message: carried.message } : { code: carried.code, message: carried.message, hint: carried.hint };
  }
  return { code: 'internal', message: thrown instanceof Error ? thrown.message : String(thrown) };
}
