// The Studio API over WebSocket (browser mode): one socket to ws(s)://<host>/api, commands as
// numbered requests, events pushed by the server. Reconnects with backoff; requests made while
// the socket is down wait for it (and fail with a clear error if it stays down), and
// `onConnection` tells stores when to resynchronise. A socket the studio refuses (no token,
// or one from an earlier launch) is not retried: the state becomes 'refused', with the reason.
import { StudioApiError } from './api-error.ts';
import type { ClientFrame, CommandArgs, CommandName, CommandResult, EventName, Events, ServerFrame, StudioApi } from './types.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: StudioApiError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const REQUEST_TIMEOUT_MS = 120_000;
/** How long a call waits for the first connection (the studio may still be starting). */
const QUEUE_TIMEOUT_MS = 15_000;
/** How long a call waits once the connection was lost: long enough for a quick reconnect, short enough that a click is not left "Loading…". */
const LOST_QUEUE_TIMEOUT_MS = 2_000;

export class WebSocketStudioApi implements StudioApi {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private queue: { frame: ClientFrame; pending: Pending }[] = [];
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private retryMs = 250;
  private state: ConnectionState = 'connecting';
  private opened = false;
  private refused: string | undefined;

  /**
   * `whyRefused` says why a socket that never opened was refused, or undefined when it was not
   * (the studio is down). `refusedAlready`: the page knows it will be refused (it has no
   * token), so it does not try.
   */
  constructor(
    private readonly url: string,
    private readonly whyRefused: () => Promise<string | undefined> = async () => undefined,
    refusedAlready?: string,
  ) {
    if (refusedAlready === undefined) this.connect();
    else {
      this.refused = refusedAlready;
      this.state = 'refused';
    }
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  get refusal(): string | undefined {
    return this.refused;
  }

  /** Bytes sent on the socket that it has not put on the wire yet. */
  get unsentBytes(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  call<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    if (this.refused !== undefined) return Promise.reject(this.refusedError());
    return new Promise<CommandResult<C>>((resolve, reject) => {
      const frame: ClientFrame = { id: this.nextId++, command, args };
      const pending: Pending = { resolve: resolve as (value: unknown) => void, reject, timer: undefined };
      if (this.socket?.readyState === WebSocket.OPEN) this.send(frame, pending);
      else {
        pending.timer = setTimeout(() => {
          this.queue = this.queue.filter((q) => q.pending !== pending);
          reject(new StudioApiError({ code: 'disconnected', message: 'The studio is not reachable.', hint: 'Is `component-studio dev` still running? The page reconnects by itself when it is back.' }));
        }, this.state === 'closed' ? LOST_QUEUE_TIMEOUT_MS : QUEUE_TIMEOUT_MS);
        this.queue.push({ frame, pending });
      }
    });
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Connection changes; 'open' after a reconnect means events may have been missed. */
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 250;
      this.opened = true;
      this.setState('open');
      const queued = this.queue;
      this.queue = [];
      for (const { frame, pending } of queued) {
        clearTimeout(pending.timer);
        this.send(frame, pending);
      }
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new StudioApiError({ code: 'disconnected', message: 'The connection to the studio closed before it answered.', hint: 'The page reconnects by itself; try again in a moment.' }));
        this.pending.delete(id);
      }
      this.setState(this.opened ? 'closed' : 'connecting');
      const retryMs = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 5000);
      void this.whyRefused()
        .catch(() => undefined)
        .then((reason) => {
          if (reason === undefined) {
            setTimeout(() => this.connect(), retryMs);
            return;
          }
          this.refused = reason;
          for (const { pending } of this.queue) {
            clearTimeout(pending.timer);
            pending.reject(this.refusedError());
          }
          this.queue = [];
          this.setState('refused');
        });
    };
  }

  private refusedError(): StudioApiError {
    return new StudioApiError({ code: 'forbidden', message: this.refused ?? 'The studio refused this page.', hint: 'Open the studio with the URL printed in the terminal where it runs.' });
  }

  private send(frame: ClientFrame, pending: Pending): void {
    pending.timer = setTimeout(() => {
      this.pending.delete(frame.id);
      pending.reject(new StudioApiError({ code: 'timeout', message: `The studio did not answer ${frame.command} in ${REQUEST_TIMEOUT_MS / 1000} s.` }));
    }, REQUEST_TIMEOUT_MS);
    this.pending.set(frame.id, pending);
    this.socket!.send(JSON.stringify(frame));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      console.error('studio: a frame that is not JSON', data.slice(0, 200));
      return;
    }
    if ('event' in frame) {
      for (const listener of this.listeners.get(frame.event) ?? []) {
        try {
          (listener as (payload: unknown) => void)(frame.payload);
        } catch (err) {
          console.error(`studio: a listener of ${frame.event} failed`, err);
        }
      }
      return;
    }
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.result);
    else pending.reject(new StudioApiError(frame.error));
  }
}
