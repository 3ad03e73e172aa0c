// A Studio API client over the bridge's WebSocket, for tests: typed calls that reject with the
// ApiError the studio sent, and a way to wait for an event that matches a condition.
import WebSocket from 'ws';
import type { ApiError, CommandArgs, CommandName, CommandResult, EventName, Events, ServerFrame } from '../../runtime/studio/api.ts';

export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(`${error.code}: ${error.message}`);
  }
}

export class StudioApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: ApiCallError) => void }>();
  /** Every event received, in order. */
  readonly events: { event: EventName; payload: unknown }[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if ('event' in frame) {
        this.events.push({ event: frame.event, payload: frame.payload });
        for (const waiter of this.waiters) waiter();
        return;
      }
      const pending = this.pending.get(frame.id);
      if (!pending) return;
      this.pending.delete(frame.id);
      if (frame.ok) pending.resolve(frame.result);
      else pending.reject(new ApiCallError(frame.error));
    });
  }

  /** Opens the API of the studio whose printed URL (with its token) is `studioUrl`. */
  static async connect(studioUrl: string): Promise<StudioApiClient> {
    const url = new URL(studioUrl);
    const token = url.searchParams.get('token');
    if (!token) throw new Error(`no token in ${studioUrl}`);
    // What the page does: open the socket with the token, from the studio's own origin.
    const ws = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(token)}`, { headers: { origin: url.origin } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new StudioApiClient(ws);
  }

  call<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    return this.send(command, args) as Promise<CommandResult<C>>;
  }

  /** Sends any frame, even one the types forbid (unknown commands, bad arguments). */
  send(command: string, args: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, command, args }));
    });
  }

  /** Resolves with the first payload of `event` (received from now on, or since `since`) that satisfies `test`. */
  waitForEvent<E extends EventName>(event: E, test: (payload: Events[E]) => boolean = () => true, timeoutMs = 30_000, since = this.events.length): Promise<Events[E]> {
    return new Promise((resolve, reject) => {
      let seen = since;
      const check = () => {
        for (; seen < this.events.length; seen++) {
          const e = this.events[seen]!;
          if (e.event === event && test(e.payload as Events[E])) {
            cleanup();
            resolve(e.payload as Events[E]);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${event} event matched within ${timeoutMs} ms; got: ${this.events.slice(since).map((e) => e.event).join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Where the event list ends now; pass to waitForEvent to include events from this point. */
  mark(): number {
    return this.events.length;
  }

  close(): void {
    this.ws.close();
  }
}

/** The ApiError a call rejected with (fails the test if it resolved). */
export async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiCallError) return err.error;
    throw err;
  }
  throw new Error('the call succeeded, but an ApiError was expected');
}
