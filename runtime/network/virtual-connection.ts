// A connection through a workload's virtual loopback: two rings between two component threads
// (or between a thread and itself). The threads move the bytes and wake each other; the main
// thread only makes the pair and, when an end's thread closes it or goes away, hangs that end
// up, so the other end reads the end of the stream and its writes fail.
import type { ThreadLink } from '../workloads/host-services.ts';
import { WakeWord } from '../workloads/worker-protocol.ts';
import { ByteRing, RingFlag, wake } from './byte-ring.ts';
import type { SocketAddress } from './ip-address.ts';
import type { ConnectionSetup } from './socket-protocol.ts';

export class VirtualEnd {
  private hungUp = false;

  /** @internal Made in pairs by `connectThreads`. */
  constructor(
    readonly thread: ThreadLink,
    private readonly receive: ByteRing,
    private readonly send: ByteRing,
    readonly local: SocketAddress,
    readonly remote: SocketAddress,
    private readonly peer: ThreadLink,
  ) {}

  /** What this end's thread needs to use the connection. */
  setup(): ConnectionSetup {
    return {
      local: this.local,
      remote: this.remote,
      receive: this.receive.buffer,
      send: this.send.buffer,
      peer: { buffer: this.peer.wake.buffer as SharedArrayBuffer, index: WakeWord.counter },
    };
  }

  /** This end is gone: the other end sees the end of the stream after what was sent, and cannot write. */
  hangUp(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.send.set(RingFlag.writerClosed);
    this.receive.set(RingFlag.readerClosed);
    wake(this.peer.wake, WakeWord.counter);
  }
}

/** A new connection from `client` (at `clientAddress`) to the listener on `server` (reached at `serverAddress`). */
export function connectThreads(client: ThreadLink, clientAddress: SocketAddress, server: ThreadLink, serverAddress: SocketAddress): { client: VirtualEnd; server: VirtualEnd } {
  const toServer = ByteRing.create();
  const toClient = ByteRing.create();
  return {
    client: new VirtualEnd(client, toClient, toServer, clientAddress, serverAddress, server),
    server: new VirtualEnd(server, toServer, toClient, serverAddress, clientAddress, client),
  };
}
