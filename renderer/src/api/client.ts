// The one Studio API object the views use: Electron's preload exposes `window.studio`; in a
// browser the same API runs over a WebSocket to the bridge. Errors always arrive as
// StudioApiError, whichever transport made them.
import { StudioApiError } from './api-error.ts';
import type { CommandArgs, CommandName, CommandResult, EventName, Events, StudioApi } from './types.ts';
import { type ConnectionState, WebSocketStudioApi } from './websocket-api.ts';

declare global {
  interface Window {
    studio?: StudioApi;
  }
}

export interface StudioClient extends StudioApi {
  readonly transport: 'electron' | 'websocket';
  connectionState(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

function createClient(): StudioClient {
  const native = typeof window !== 'undefined' ? window.studio : undefined;
  if (native) {
    return {
      transport: 'electron',
      async call<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
        try {
          return await native.call(command, args);
        } catch (err) {
          throw StudioApiError.from(err);
        }
      },
      on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
        return native.on(event, listener);
      },
      connectionState: () => 'open',
      onConnection: () => () => {},
    };
  }
  // The bridge puts the token in the URL once and sets a cookie; keep it out of history.
  const url = new URL(location.href);
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  const ws = new WebSocketStudioApi(`${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api`);
  return {
    transport: 'websocket',
    call: (command, args) => ws.call(command, args),
    on: (event, listener) => ws.on(event, listener),
    connectionState: () => ws.connectionState,
    onConnection: (listener) => ws.onConnection(listener),
  };
}

export const studio: StudioClient = createClient();
