// A component thread's line to the main thread, for host work that needs an event loop:
// outbound HTTP and sockets. The component's thread sits in synchronous host calls, so its
// own event loop never runs while a component waits; the network is served on the main
// thread instead. Requests go out as messages naming a service; events come back on the same
// port and wait there until a host call pumps them, which every poll and blocking call does
// before it parks on the wake signal (the main thread bumps it after each event it sends).
//
// This module only carries messages: what they mean belongs to each service's host module
// on this side and its counterpart on the main side (runtime/workloads/host-services.ts).
import { receiveMessageOnPort, type MessagePort, type Transferable } from 'node:worker_threads';

/** What a component thread sends: to `service`, about the resource `id`. */
export interface ChannelRequest {
  service: string;
  id: number;
  [field: string]: unknown;
}

/** What comes back: an event for the resource `to`. */
export interface ChannelEvent {
  to: number;
  [field: string]: unknown;
}

export class HostChannel {
  private lastId = 0;
  private readonly listeners = new Map<number, (event: ChannelEvent) => void>();

  /**
   * `beforeSend` runs before each request leaves: the thread's buffered log lines go first, so
   * that when the main thread answers at once (a stand-in, a refused connection) and logs the
   * call, the lines the component wrote before it are there already.
   */
  constructor(
    private readonly port: MessagePort,
    private readonly beforeSend: () => void = () => {},
  ) {}

  /** A new resource id whose events go to `listener` until `close(id)`. */
  open(listener: (event: ChannelEvent) => void): number {
    const id = ++this.lastId;
    this.listeners.set(id, listener);
    return id;
  }

  close(id: number): void {
    this.listeners.delete(id);
  }

  send(request: ChannelRequest, transfer?: readonly Transferable[]): void {
    this.beforeSend();
    this.port.postMessage(request, transfer as Transferable[] | undefined);
  }

  /** Delivers the events that arrived; events of closed resources are dropped. */
  pump(): void {
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (!received) return;
      const event = received.message as ChannelEvent;
      this.listeners.get(event.to)?.(event);
    }
  }
}

let channel: HostChannel | undefined;

/** A component thread installs its channel once, before it instantiates anything. */
export function setHostChannel(installed: HostChannel): void {
  channel = installed;
}

/** The thread's channel; host calls that need the main thread use it. */
export function hostChannel(): HostChannel {
  if (!channel) throw new Error('host channel used before the thread set it up');
  return channel;
}

/** Delivers pending events, if this thread has a channel (tests may run host code without one). */
export function pumpHostChannel(): void {
  channel?.pump();
}
