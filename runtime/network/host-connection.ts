// A component's TCP connection to the host's network (a server elsewhere, or the host's own
// loopback when no virtual listener has the port): a Node socket on the main thread, its
// bytes carried to and from the component thread through the connection's two rings.
//
// Flow control is the rings': what arrives from the socket goes into the component's ring,
// and the socket is paused while the ring is full; what the component writes is taken out of
// its ring only while the socket accepts more. So neither side holds more than a ring and
// one chunk, however fast the other is.
import { connect, type Socket } from 'node:net';
import type { Result } from '../errors.ts';
import { ByteRing, RingFlag, RingWaiter } from './byte-ring.ts';
import { canonicalIp, type IpFamily, type SocketAddress } from './ip-address.ts';
import { socketErrorCodeOf, type SocketErrorCode } from './socket-errors.ts';

/** The most taken out of the component's ring per socket write. */
const CHUNK = 64 * 1024;

export class HostConnection {
  /** Toward the component: this side writes. */
  readonly receive = ByteRing.create();
  /** From the component: this side reads. */
  readonly send = ByteRing.create();
  private leftover: Uint8Array | undefined;
  private remoteEnded = false;
  private ending = false;
  private draining = false;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    /** Wakes the component's thread. */
    private readonly wakeThread: () => void,
    readonly local: SocketAddress,
    readonly remote: SocketAddress,
  ) {
    socket.on('data', (chunk: Buffer) => this.deliver(chunk));
    socket.on('end', () => {
      this.remoteEnded = true;
      this.endReceive();
    });
    socket.on('error', (err) => this.broke(socketErrorCodeOf(err)));
    socket.on('close', () => {
      // Whatever happened, the component sees the end (after the bytes already in its ring).
      this.remoteEnded = true;
      this.endReceive();
      this.send.set(RingFlag.readerClosed);
      this.wakeThread();
    });
    // This side is ready to take what the component writes; a `ring` request says when.
    this.send.willWait(RingWaiter.reader);
  }

  /** Connects to `remote` on the host's network. */
  static open(remote: SocketAddress, wakeThread: () => void): Promise<Result<HostConnection, SocketErrorCode>> {
    return new Promise((resolve) => {
      const socket = connect({ host: remote.address, port: remote.port, family: remote.family === 'ipv4' ? 4 : 6, noDelay: true });
      const failed = (err: Error) => resolve({ ok: false, error: socketErrorCodeOf(err) });
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        const local = addressOf(socket.localAddress, socket.localPort, remote.family);
        resolve({ ok: true, value: new HostConnection(socket, wakeThread, local, remote) });
      });
    });
  }

  /** The component changed a ring (a `ring` request): move what can move now. */
  pump(): void {
    this.pushLeftover();
    this.drainSend();
  }

  /**
   * The component closed the socket or its thread is gone: what it wrote still goes out,
   * then the socket ends; nothing more is delivered to it.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send.set(RingFlag.writerClosed);
    this.receive.set(RingFlag.readerClosed);
    this.leftover = undefined;
    this.socket.resume();
    this.drainSend();
    if (this.ending) this.socket.destroySoon();
  }

  private deliver(chunk: Uint8Array): void {
    if (this.closed || this.receive.has(RingFlag.readerClosed)) return; // the component shut down receiving
    // The socket is paused while bytes wait, but a chunk it had read already may still come.
    this.leftover = this.leftover ? Buffer.concat([this.leftover, chunk]) : chunk;
    this.pushLeftover();
  }

  private pushLeftover(): void {
    while (this.leftover) {
      if (this.receive.has(RingFlag.readerClosed)) {
        this.leftover = undefined;
        break;
      }
      const n = this.receive.write(this.leftover);
      this.leftover = n === this.leftover.length ? undefined : this.leftover.subarray(n);
      if (n > 0 && this.receive.takeWaiter(RingWaiter.reader)) this.wakeThread();
      if (!this.leftover) break;
      // Full: pause the socket until the component reads (its read sends a `ring` request).
      this.socket.pause();
      this.receive.willWait(RingWaiter.writer);
      if (this.receive.free() === 0) return;
    }
    if (!this.closed) this.socket.resume();
    this.endReceive();
  }

  private endReceive(): void {
    if (!this.remoteEnded || this.leftover) return;
    if (this.receive.set(RingFlag.writerClosed)) this.wakeThread();
  }

  private broke(code: SocketErrorCode): void {
    this.receive.fail(code);
    this.send.set(RingFlag.readerClosed);
    this.wakeThread();
  }

  /** Moves what the component wrote to the socket while the socket takes it. */
  private drainSend(): void {
    if (this.draining || this.socket.destroyed) return;
    for (;;) {
      // The flag is read before the bytes: bytes written before the close are all seen.
      const writerDone = this.send.has(RingFlag.writerClosed);
      if (this.send.available() === 0) {
        if (writerDone) return this.endSend();
        this.send.willWait(RingWaiter.reader);
        if (this.send.available() === 0) return;
      }
      const bytes = this.send.read(CHUNK);
      if (this.send.takeWaiter(RingWaiter.writer)) this.wakeThread();
      if (!this.socket.write(bytes)) {
        this.draining = true;
        this.socket.once('drain', () => {
          this.draining = false;
          this.drainSend();
        });
        return;
      }
    }
  }

  private endSend(): void {
    if (this.ending) return;
    this.ending = true;
    this.socket.end();
    // Once the component is gone too, nothing reads what the peer still sends: let it go.
    if (this.closed) this.socket.destroySoon();
  }
}

function addressOf(address: string | undefined, port: number | undefined, family: IpFamily): SocketAddress {
  return { family, address: canonicalIp(address ?? '') ?? (family === 'ipv4' ? '0.0.0.0' : '0:0:0:0:0:0:0:0'), port: port ?? 0 };
}
