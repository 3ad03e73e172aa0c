// The main thread's end of each component thread's host channel (see host/host-channel.ts):
// it hands each request to the service it names (outbound HTTP, sockets), and carries the
// service's events back, waking the thread. Services keep their resources per thread, so a
// thread that is terminated (a timeout, a crash, a reload) leaves nothing open behind it.
import type { MessagePort, Transferable } from 'node:worker_threads';
import type { ChannelEvent, ChannelRequest } from '../host/host-channel.ts';
import type { LogLevel } from '../logs/log-bus.ts';
import { WakeWord } from './worker-protocol.ts';

/** A workload's service thread (wasi:cli/run), or one of the threads that serve its requests. */
export type ThreadRole = 'service' | 'requests';

/** One component thread as a service sees it. */
export interface ThreadLink {
  /** The component the thread runs, for log lines and errors. */
  readonly componentName: string;
  /** What the thread is for: some host work is only for services (listening on a port). */
  readonly role: ThreadRole;
  /** The thread's wake words (see WakeWord): other threads may wake it, e.g. a socket's peer. */
  readonly wake: Int32Array;
  /** Sends an event to a resource of the thread, and wakes the thread if it waits. */
  send(event: ChannelEvent, transfer?: readonly Transferable[]): void;
  log(level: LogLevel, text: string): void;
}

/** A service on the main thread: answers requests, and closes a thread's resources when it goes. */
export interface HostService {
  handle(request: ChannelRequest, thread: ThreadLink): void;
  /** The thread is gone: close everything it opened. */
  release(thread: ThreadLink): void;
}

export type HostServices = Readonly<Record<string, HostService>>;

/** Serves one thread's channel until `close()`. */
export class ThreadChannel implements ThreadLink {
  private closed = false;

  constructor(
    private readonly port: MessagePort,
    readonly wake: Int32Array,
    private readonly services: HostServices,
    readonly componentName: string,
    private readonly logLine: (level: LogLevel, text: string) => void,
    readonly role: ThreadRole,
  ) {
    port.on('message', (request: ChannelRequest) => this.dispatch(request));
    // The port must not keep the process alive: the thread's own handle does that.
    port.unref();
  }

  private dispatch(request: ChannelRequest): void {
    if (this.closed) return;
    const service = this.services[request.service];
    if (!service) {
      this.send({ to: request.id, type: 'error', message: `the studio has no ${request.service} service here` });
      return;
    }
    service.handle(request, this);
  }

  send(event: ChannelEvent, transfer?: readonly Transferable[]): void {
    if (this.closed) return;
    this.port.postMessage(event, transfer as Transferable[] | undefined);
    Atomics.add(this.wake, WakeWord.counter, 1);
    Atomics.notify(this.wake, WakeWord.counter);
  }

  log(level: LogLevel, text: string): void {
    this.logLine(level, text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const service of Object.values(this.services)) service.release(this);
    this.port.close();
  }
}
