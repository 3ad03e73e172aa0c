// The messages of the `sockets` service on the host channel (see host/host-channel.ts):
// what a component thread's wasi:sockets asks of the main thread, and what comes back. Only
// setup and teardown travel here; a connection's bytes go through its two ByteRings.
import type { WakeCell } from './byte-ring.ts';
import type { SocketAddress } from './ip-address.ts';
import type { SocketErrorCode } from './socket-errors.ts';

export const SOCKETS_SERVICE = 'sockets';

/** What a thread needs to use an established connection. */
export interface ConnectionSetup {
  local: SocketAddress;
  remote: SocketAddress;
  /** Bytes toward this end (it reads). */
  receive: SharedArrayBuffer;
  /** Bytes from this end (it writes). */
  send: SharedArrayBuffer;
  /**
   * How to wake the other end after changing a ring: the other thread's wake cell, or
   * `host` when the main thread holds the other end (a connection to the host's network),
   * which is told with a `ring` request.
   */
  peer: WakeCell | 'host';
}

/** About the thread's resource `id`: a socket, or a name lookup. (A type literal, so it is a ChannelRequest.) */
type Ask<T extends string> = { id: number; type: T };

/** What a thread asks; on the channel it goes with `service: 'sockets'` (a SocketRequest). */
export type SocketAsk =
  /** Reserve a local address (TCP). Answer: `bound` or `failed`. */
  | (Ask<'tcp-bind'> & { local: SocketAddress })
  /** Listen on the bound address. Answer: `listening` or `failed`; then `incoming` per connection. */
  | (Ask<'tcp-listen'> & { backlog: number })
  | (Ask<'tcp-backlog'> & { backlog: number })
  /** Answer: `connected` or `failed`. */
  | (Ask<'tcp-connect'> & { remote: SocketAddress })
  /** The listener `listener` handed its pending connection `conn` to the new socket `id`. */
  | (Ask<'tcp-accept'> & { listener: number; conn: number })
  /** The component changed a ring of a connection to the host's network: look at both. */
  | Ask<'ring'>
  /** The socket and everything it opened are gone (TCP or UDP). */
  | Ask<'close'>
  | (Ask<'udp-bind'> & { local: SocketAddress })
  | (Ask<'udp-send'> & { datagrams: OutgoingDatagram[] })
  | (Ask<'resolve'> & { name: string });

export type SocketRequest = SocketAsk & { service: typeof SOCKETS_SERVICE };

export interface OutgoingDatagram {
  data: Uint8Array;
  remote: SocketAddress;
}

export interface IncomingDatagram {
  data: Uint8Array;
  remote: SocketAddress;
}

export type SocketEvent =
  | { to: number; type: 'bound'; local: SocketAddress }
  | { to: number; type: 'listening' }
  | { to: number; type: 'connected'; setup: ConnectionSetup }
  /** A connection for a listener, to accept under a new id (`tcp-accept`). */
  | { to: number; type: 'incoming'; conn: number; setup: ConnectionSetup }
  /** UDP bound; `queued` counts datagrams sent to the thread and not yet received by the component. */
  | { to: number; type: 'udp-bound'; local: SocketAddress; queued: SharedArrayBuffer }
  | { to: number; type: 'datagram'; datagram: IncomingDatagram }
  /** Datagrams of earlier `udp-send`s that left (or failed): their send permits are free again. */
  | { to: number; type: 'sent'; count: number }
  | { to: number; type: 'resolved'; addresses: SocketAddress[] }
  | { to: number; type: 'failed'; code: SocketErrorCode }
  /** Sent by the host channel itself when the workload has no sockets service. */
  | { to: number; type: 'error'; message: string };
