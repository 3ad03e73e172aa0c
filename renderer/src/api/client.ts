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
  /** Why the studio refused this page (state 'refused'), in its words. */
  refusal(): string | undefined;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Bytes of calls made that have not left the page yet: a big request body on its way to the studio. */
  unsentBytes(): number;
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
      refusal: () => undefined,
      onConnection: () => () => {},
      // IPC hands a call's arguments over as it is made.
      unsentBytes: () => 0,
    };
  }
  const token = accessToken();
  const api = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api?token=${encodeURIComponent(token ?? '')}`;
  const ws = new WebSocketStudioApi(
    api,
    async () => {
      // The socket cannot say why it was refused; the same address over HTTP can (426 when only the protocol was wrong).
      const answer = await fetch(`/api?token=${encodeURIComponent(token ?? '')}`, { cache: 'no-store' }).catch(() => undefined);
      return answer?.status === 403 ? (await answer.text()).trim() : undefined;
    },
    token === undefined ? NO_TOKEN : undefined,
  );
  return {
    transport: 'websocket',
    call: (command, args) => ws.call(command, args),
    on: (event, listener) => ws.on(event, listener),
    connectionState: () => ws.connectionState,
    refusal: () => ws.refusal,
    onConnection: (listener) => ws.onConnection(listener),
    unsentBytes: () => ws.unsentBytes,
  };
}

const NO_TOKEN = 'This page has no access token: open the studio with the URL printed in the terminal (it carries the token).';
const TOKEN_KEY = 'component-studio-token';

/**
 * The bridge's access token: from the URL the studio printed, then kept in this tab's session
 * storage (a reload or a duplicated tab keeps it; it goes with the tab) and taken out of the
 * address bar, so it stays out of history and of anything the URL is shown to.
 */
function accessToken(): string | undefined {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given === null) {
    try {
      return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
    } catch {
      return undefined; // storage turned off: only the printed URL works, each time
    }
  }
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
  try {
    sessionStorage.setItem(TOKEN_KEY, given);
  } catch {
    // Storage turned off: this load has the token; a reload needs the printed URL again.
  }
  return given;
}

export const studio: StudioClient = createClient();
