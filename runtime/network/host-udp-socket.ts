// A component's UDP socket: a Node dgram socket on the main thread (UDP always uses the host's
// network; there is no virtual loopback for datagrams). Received datagrams go to the component
// thread as events, at most MAX_QUEUED at a time: past that they are dropped, as a full
// socket buffer drops them, so a component that never receives costs no memory.
import { createSocket, type Socket } from 'node:dgram';
import type { Result } from '../errors.ts';
import { canonicalIp, type SocketAddress } from './ip-address.ts';
import { socketErrorCodeOf, type SocketErrorCode } from './socket-errors.ts';
import type { IncomingDatagram, OutgoingDatagram } from './socket-protocol.ts';

const MAX_QUEUED = 256;

export interface DatagramSink {
  datagram(datagram: IncomingDatagram): void;
  /** `count` sends finished (or failed): their permits are free. */
  sent(count: number): void;
}

export class HostUdpSocket {
  /** Datagrams handed to the component and not received by it yet (word 0, shared with its thread). */
  readonly queued = new SharedArrayBuffer(4);
  private readonly queuedCount = new Int32Array(this.queued);
  private finished = 0;
  private reporting = false;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly local: SocketAddress,
    private readonly sink: DatagramSink,
  ) {
    socket.on('message', (data, info) => {
      if (Atomics.load(this.queuedCount, 0) >= MAX_QUEUED) return;
      const address = canonicalIp(info.address);
      if (!address) return;
      Atomics.add(this.queuedCount, 0, 1);
      sink.datagram({ data: new Uint8Array(data), remote: { family: info.family === 'IPv6' ? 'ipv6' : 'ipv4', address, port: info.port } });
    });
    // Errors after the bind (an ICMP unreachable on some systems) end no sends: ignore them.
    socket.on('error', () => {});
  }

  static bind(local: SocketAddress, sink: DatagramSink): Promise<Result<HostUdpSocket, SocketErrorCode>> {
    return new Promise((resolve) => {
      // WASI's IPv6 sockets are IPv6-only (and the option is an error on an IPv4 socket).
      const socket = createSocket(local.family === 'ipv4' ? { type: 'udp4' } : { type: 'udp6', ipv6Only: true });
      socket.once('error', (err) => resolve({ ok: false, error: socketErrorCodeOf(err) }));
      socket.bind({ address: local.address, port: local.port }, () => {
        socket.removeAllListeners('error');
        const bound = socket.address();
        resolve({ ok: true, value: new HostUdpSocket(socket, { ...local, port: bound.port }, sink) });
      });
    });
  }

  send(datagrams: readonly OutgoingDatagram[]): void {
    for (const { data, remote } of datagrams) {
      this.socket.send(data, remote.port, remote.address, () => this.finish());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  /** Counts finished sends and reports them once per turn of the event loop, not once each. */
  private finish(): void {
    this.finished++;
    if (this.reporting) return;
    this.reporting = true;
    setImmediate(() => {
      this.reporting = false;
      const count = this.finished;
      this.finished = 0;
      this.sink.sent(count);
    });
  }
}
