// The preload of the studio window: exposes `window.studio`, the typed Studio API of api.ts,
// through contextBridge. It runs sandboxed, so it is bundled into one CommonJS file and may
// require nothing but electron's renderer modules. The page gets two functions, never
// ipcRenderer itself. Errors arrive as ApiError objects ({ code, message, hint }), which the
// renderer turns into StudioApiError as it does for the WebSocket transport.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ApiError, CommandArgs, CommandName, CommandResult, EventName, Events, StudioApi } from '../runtime/studio/api.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, OPEN_DROPPED_CHANNEL, type CallAnswer, type EventMessage } from './channels.ts';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, message: EventMessage) => {
  for (const listener of listeners.get(message.event) ?? []) {
    try {
      listener(message.payload);
    } catch (err) {
      console.error(`studio: a listener of ${message.event} failed`, err);
    }
  }
});

const studio: StudioApi = {
  async call<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    const answer = (await ipcRenderer.invoke(CALL_CHANNEL, command, args)) as CallAnswer;
    if (answer.ok) return answer.result as CommandResult<C>;
    // A plain object survives contextBridge intact; an Error would lose code and hint.
    const error: ApiError = answer.error.hint === undefined ? { code: answer.error.code, message: answer.error.message } : { ...answer.error };
    throw error;
  },
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studio);

// A folder or .wasm file dropped anywhere on the window opens as the project, unless a view
// took the drop itself (the blob browser's upload area prevents the default).
window.addEventListener('dragover', (event) => {
  if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
});
window.addEventListener('drop', (event) => {
  if (event.defaultPrevented) return;
  const file = event.dataTransfer?.files[0];
  if (!file) return;
  event.preventDefault();
  const path = webUtils.getPathForFile(file);
  if (path) ipcRenderer.send(OPEN_DROPPED_CHANNEL, path);
});
