// wasi:sockets for components (network, instance-network, tcp, tcp-create-socket, udp,
// udp-create-socket, ip-name-lookup; 0.2.x). The component thread only keeps each socket's
// state machine: binds, listens, connects and name lookups are asked of the main thread's
// sockets service over the host channel (network/socket-service.ts), which owns the
// workload's virtual loopback and the host's sockets. Once a TCP connection is made, its bytes
// flow through two rings in shared memory (network/byte-ring.ts) straight to the other end,
// which is another component thread for a virtual connection or the main thread for one to
// the host's network, so the main thread carries no data between components.
//
// Operations follow the WIT: start-/finish- pairs answer `would-block` until the main thread
// replies, `not-in-progress` and `invalid-state` where the spec says, and a socket's pollable
// is ready when its operation is done (or, listening, when a connection waits). Errors are
// thrown as the plain error-code string, which jco turns into the `err` of the result.
//
// Must not: buffer beyond a connection's rings (a blocking write waits for room instead), or
// block anywhere but in io.ts's waits, which keep pumping the host channel.
import { availableParallelism } from 'node:os';
import { domainToASCII } from 'node:url';
import { ByteRing, RingFlag, RingWaiter, wake } from '../network/byte-ring.ts';
import { formatIp, isIpv4Mapped, isMulticastOrBroadcast, isUnspecified, parseIp, type IpFamily, type SocketAddress } from '../network/ip-address.ts';
import { SOCKET_ERROR_CODES, type SocketErrorCode } from '../network/socket-errors.ts';
import { SOCKETS_SERVICE, type ConnectionSetup, type IncomingDatagram, type SocketAsk, type SocketEvent, type SocketRequest } from '../network/socket-protocol.ts';
import { hostChannel, pumpHostChannel } from './host-channel.ts';
import type { HostState } from './host-state.ts';
import { disposeSymbol, InputStream, IoError, OutputStream, poll, Pollable, type Readiness, type StreamError } from './io.ts';

// ---- WASI's shapes, as jco passes them -------------------------------------------------------

type IpAddress = { tag: 'ipv4'; val: number[] } | { tag: 'ipv6'; val: number[] };
type IpSocketAddress =
  | { tag: 'ipv4'; val: { port: number; address: number[] } }
  | { tag: 'ipv6'; val: { port: number; flowInfo: number; address: number[]; scopeId: number } };
type ShutdownType = 'receive' | 'send' | 'both';

function fromWasi(address: IpSocketAddress): SocketAddress {
  return { family: address.tag, address: formatIp({ family: address.tag, parts: [...address.val.address] }), port: address.val.port };
}

function toWasi(address: SocketAddress): IpSocketAddress {
  const parts = parseIp(address.address)?.parts ?? [];
  return address.family === 'ipv4'
    ? { tag: 'ipv4', val: { port: address.port, address: parts } }
    : { tag: 'ipv6', val: { port: address.port, flowInfo: 0, address: parts, scopeId: 0 } };
}

function ipToWasi(address: SocketAddress): IpAddress {
  return { tag: address.family, val: parseIp(address.address)?.parts ?? [] };
}

/** Bigger backlogs are clamped: each pending connection holds its rings. */
const DEFAULT_BACKLOG = 128;
const MAX_BACKLOG = 4096;
/** Datagrams a UDP socket may have on their way out before check-send answers 0. */
const UDP_SEND_PERMITS = 64;
const MAX_DATAGRAM = { ipv4: 65_507, ipv6: 65_527 } as const;
const CLOSED: StreamError = { tag: 'closed' };
/** How long a blocking read may watch for bytes before it parks the thread (ms; see SpinPolicy). */
const SPIN_MS = 0.05;

// ---- the host channel ------------------------------------------------------------------------

function ask(request: SocketAsk): void {
  const addressed: SocketRequest = { service: SOCKETS_SERVICE, ...request };
  hostChannel().send(addressed);
}

/** What a component instance's sockets share: its network and its log. */
class SocketContext {
  readonly network = new Network();
  private warned = false;

  constructor(private readonly state: HostState) {}

  /** The workload has no sockets service (a studio part that did not set one up). */
  unavailable(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.state.log('warn', `wasi:sockets is not available to this component: ${message}`);
  }
}

/** The result of the asynchronous step a socket waits for. */
type Outcome<T> = { state: 'waiting' } | { state: 'done'; value: T } | { state: 'failed'; code: SocketErrorCode };

const WAITING = { state: 'waiting' } as const;

/** Takes a finished outcome, or throws would-block (after delivering whatever arrived). */
function settled<T>(outcome: Outcome<T>): { state: 'done'; value: T } | { state: 'failed'; code: SocketErrorCode } {
  pumpHostChannel();
  if (outcome.state === 'waiting') throw 'would-block';
  return outcome;
}

function failureOf(event: SocketEvent, context: SocketContext): SocketErrorCode | undefined {
  if (event.type === 'failed') return event.code;
  if (event.type === 'error') {
    context.unavailable(event.message);
    return 'not-supported';
  }
  return undefined;
}

/**
 * Closes what a component let go of without dropping it: when an instance is discarded (a
 * trap, or a fresh instance per request) its glue's handles go with it, and its sockets would
 * otherwise stay open until the thread ends, holding their peers' connections.
 */
const forgotten = new FinalizationRegistry<() => void>((close) => close());

/**
 * A socket's line to the sockets service: its channel id (opened at the first request) and
 * its connection. Kept apart from the socket object, and listening through a weak reference,
 * so that a finalizer can close it once the object is gone.
 */
class SocketHandle {
  id: number | undefined;
  connection: Connection | undefined;
  private closed = false;

  /** The channel id; events go to `target.onEvent` for as long as the target lives. */
  open(target: { onEvent(event: SocketEvent): void }): number {
    if (this.id !== undefined) return this.id;
    const ref = new WeakRef(target);
    this.id = hostChannel().open((event) => ref.deref()?.onEvent(event as SocketEvent));
    return this.id;
  }

  /** Ties the handle to `owner`: closed when the owner is dropped, or collected undropped. */
  watch(owner: object): void {
    forgotten.register(owner, () => this.close(), owner);
  }

  close(owner?: object): void {
    if (owner) forgotten.unregister(owner);
    if (this.closed) return;
    this.closed = true;
    if (this.connection) return this.connection.release();
    if (this.id === undefined) return;
    // A listener's connections that were never accepted are closed by the service.
    ask({ id: this.id, type: 'close' });
    hostChannel().close(this.id);
  }
}

function checkNetwork(network: unknown): void {
  if (!(network instanceof Network)) throw 'invalid-argument';
}

/** A remote address a TCP connect or a UDP send may use. */
function checkRemote(remote: SocketAddress, family: IpFamily): void {
  if (remote.family !== family || isUnspecified(remote) || remote.port === 0 || isIpv4Mapped(remote) || isMulticastOrBroadcast(remote)) throw 'invalid-argument';
}

function checkLocal(local: SocketAddress, family: IpFamily): void {
  if (local.family !== family || isIpv4Mapped(local) || isMulticastOrBroadcast(local)) throw 'invalid-argument';
}

function positive(value: bigint | number): void {
  if (BigInt(value) === 0n) throw 'invalid-argument';
}

// ---- network ---------------------------------------------------------------------------------

export class Network {
  /** Some bundled WASI WIT gives the network resource this method so ComponentizeJS binds it; never called. */
  noop(): void {}
}

/**
 * The error-code behind a socket stream's error. A connection's streams fail with an
 * IoError whose debug string is exactly the code (see Connection.read and write).
 */
function networkErrorCode(error: IoError): SocketErrorCode | undefined {
  const text = error.toDebugString();
  return (SOCKET_ERROR_CODES as readonly string[]).includes(text) ? (text as SocketErrorCode) : undefined;
}

// ---- TCP -------------------------------------------------------------------------------------

/**
 * This thread's end of an established TCP connection: reads from one ring, writes to the
 * other, and wakes the other end when it waits for what this end just did. The socket and its
 * two streams share it; the connection closes when all three are dropped.
 */
class Connection {
  private readonly receive: ByteRing;
  private readonly send: ByteRing;
  private readonly notifyPeer: () => void;
  private receiveShut = false;
  private sendShut = false;
  private holders = 3;
  readonly readSpin = new SpinPolicy();

  constructor(
    private readonly id: number,
    setup: ConnectionSetup,
  ) {
    this.receive = new ByteRing(setup.receive);
    this.send = new ByteRing(setup.send);
    const peer = setup.peer;
    if (peer === 'host') {
      this.notifyPeer = () => ask({ id, type: 'ring' });
    } else {
      const cell = new Int32Array(peer.buffer);
      this.notifyPeer = () => wake(cell, peer.index);
    }
  }

  readableNow(): boolean {
    return this.receiveShut || this.receive.available() > 0 || this.receive.has(RingFlag.writerClosed | RingFlag.failed);
  }

  /** Whether a read returns something other than an empty list. */
  readable(): boolean {
    if (this.readableNow()) return true;
    this.receive.willWait(RingWaiter.reader);
    return this.readableNow();
  }


  read(max: number): Uint8Array | 'closed' | { error: string } {
    if (this.receiveShut) return 'closed';
    const bytes = this.receive.read(max);
    if (bytes.length > 0) {
      if (this.receive.takeWaiter(RingWaiter.writer)) this.notifyPeer();
      return bytes;
    }
    const error = this.receive.error();
    if (error) return { error };
    return this.receive.has(RingFlag.writerClosed) ? 'closed' : bytes;
  }

  /** This end shut down sending (shutdown, or the output stream dropped). */
  sendShutHere(): boolean {
    return this.sendShut;
  }

  /** Writes fail: this end shut down sending, or the other end stopped reading. */
  sendClosed(): boolean {
    return this.sendShut || this.send.has(RingFlag.readerClosed);
  }

  /** Bytes a write takes without waiting; when closed, a large number so waiters wake to the error. */
  room(): number {
    if (this.sendClosed()) return Number.MAX_SAFE_INTEGER;
    if (this.send.free() > 0) return this.send.free();
    this.send.willWait(RingWaiter.writer);
    return this.sendClosed() ? Number.MAX_SAFE_INTEGER : this.send.free();
  }

  /**
   * Writes all of `bytes`. A write within check-write's permit never waits; a larger one (a
   * blocking write) waits for the other end to make room, so nothing piles up here.
   */
  write(bytes: Uint8Array): void | 'closed' | { error: string } {
    let done = 0;
    for (;;) {
      const error = this.receive.error();
      if (error) return { error };
      if (this.sendClosed()) return 'closed';
      done += this.send.write(done === 0 ? bytes : bytes.subarray(done));
      if (this.send.takeWaiter(RingWaiter.reader)) this.notifyPeer();
      if (done >= bytes.length) return;
      poll([new Pollable({ ready: () => this.room() > 0 })]);
    }
  }

  shutdownReceive(): void {
    if (this.receiveShut) return;
    this.receiveShut = true;
    this.receive.discard();
    this.receive.set(RingFlag.readerClosed);
    this.notifyPeer();
  }

  shutdownSend(): void {
    if (this.sendShut) return;
    this.sendShut = true;
    this.send.set(RingFlag.writerClosed);
    this.notifyPeer();
  }

  /** One of the socket and its two streams was dropped. */
  release(): void {
    if (--this.holders > 0) return;
    this.shutdownSend();
    this.shutdownReceive();
    ask({ id: this.id, type: 'close' });
    hostChannel().close(this.id);
  }
}

/** The output stream of a TCP connection: wasi:io's, plus `closed` from check-write and flush once sending is shut. */
class SocketOutputStream extends OutputStream {
  constructor(private readonly connection: Connection) {
    let dropped = false;
    // Dropping the output stream ends the sending side (a FIN), as a p3 stream's close does.
    const close = () => {
      if (dropped) return;
      dropped = true;
      connection.shutdownSend();
      connection.release();
    };
    super({ write: (bytes) => connection.write(bytes), room: () => connection.room(), close });
    forgotten.register(this, close);
  }

  override checkWrite(): bigint {
    if (this.connection.sendClosed()) throw CLOSED;
    return super.checkWrite();
  }

  // Bytes written are in the ring, as a real socket's are in the kernel once written: a
  // flush has nothing to wait for. It fails only once this end shut sending; a peer that
  // read the answer and closed must not turn the flush after a delivered write into an
  // error (wasmtime's flush succeeds there too; the next write says closed).
  override flush(): void {
    if (this.connection.sendShutHere()) throw CLOSED;
  }

  override blockingFlush(): void {
    this.flush();
  }
}

/**
 * Before a blocking read parks the thread, it may watch the ring a moment: a peer that
 * answers within it (a request-response protocol on the virtual loopback) is then seen
 * without the sleep and wake-up of parking, which cost more than the round trip itself.
 * Spinning only pays while it works: after a spin that saw nothing, the next waits park at
 * once (1, 2, 4, ... up to 64 of them) before it tries again, so a slow peer or a busy CPU
 * costs at most a few microseconds now and then. One core: never (the peer could not run).
 */
class SpinPolicy {
  private static readonly worthIt = availableParallelism() > 1;
  private skip = 0;
  private backoff = 1;

  wait(ready: () => boolean): void {
    if (!SpinPolicy.worthIt) return;
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    const until = performance.now() + SPIN_MS;
    while (!ready()) {
      if (performance.now() < until) continue;
      this.skip = this.backoff;
      this.backoff = Math.min(64, this.backoff * 2);
      return;
    }
    this.backoff = 1;
  }
}

/** A pollable whose block() may spin a moment before it parks the thread (see SpinPolicy). */
class SpinningPollable extends Pollable {
  constructor(
    readiness: Readiness,
    private readonly spin: SpinPolicy,
  ) {
    super(readiness);
  }

  override block(): void {
    this.spin.wait(() => this.readiness.ready());
    super.block();
  }
}

/** The input stream of a TCP connection: a blocking read spins briefly before it parks the thread. */
class SocketInputStream extends InputStream {
  constructor(
    private readonly connection: Connection,
    source: ConstructorParameters<typeof InputStream>[0],
  ) {
    super(source);
  }

  override blockingRead(len: bigint): Uint8Array {
    if (len > 0n) this.connection.readSpin.wait(() => this.connection.readableNow());
    return super.blockingRead(len);
  }

  override subscribe(): Pollable {
    return new SpinningPollable({ ready: () => this.connection.readable() }, this.connection.readSpin);
  }
}

function streamsOf(connection: Connection): [InputStream, OutputStream] {
  let dropped = false;
  const close = () => {
    if (dropped) return;
    dropped = true;
    connection.release();
  };
  const input = new SocketInputStream(connection, { read: (max) => connection.read(max), ready: () => connection.readable(), close });
  forgotten.register(input, close);
  return [input, new SocketOutputStream(connection)];
}

type TcpState = 'unbound' | 'binding' | 'bound' | 'starting-listen' | 'listening' | 'connecting' | 'connected' | 'closed';

interface TcpOptions {
  keepAlive: boolean;
  keepAliveIdle: bigint;
  keepAliveInterval: bigint;
  keepAliveCount: number;
  hopLimit: number;
  receiveBuffer: bigint;
  sendBuffer: bigint;
}

const SECOND = 1_000_000_000n;
const DEFAULT_TCP_OPTIONS: TcpOptions = {
  keepAlive: false,
  keepAliveIdle: 7200n * SECOND,
  keepAliveInterval: 75n * SECOND,
  keepAliveCount: 9,
  hopLimit: 64,
  receiveBuffer: 65_536n,
  sendBuffer: 65_536n,
};

export class TcpSocket {
  private state: TcpState = 'unbound';
  private readonly handle = new SocketHandle();
  private local: SocketAddress | undefined;
  private remote: SocketAddress | undefined;
  private outcome: Outcome<ConnectionSetup | undefined> = WAITING;
  private readonly incoming: { conn: number; setup: ConnectionSetup }[] = [];
  private backlog = DEFAULT_BACKLOG;
  private options: TcpOptions = { ...DEFAULT_TCP_OPTIONS };

  /** @internal (create-tcp-socket and accept make sockets) */
  constructor(
    private readonly family: IpFamily,
    private readonly context: SocketContext,
  ) {
    this.handle.watch(this);
  }

  /** The channel id whose events come to this socket, opened at the first request. */
  private channelId(): number {
    return this.handle.open(this);
  }

  /** @internal */
  onEvent(event: SocketEvent): void {
    const failed = failureOf(event, this.context);
    if (failed) this.outcome = { state: 'failed', code: failed };
    else if (event.type === 'bound') {
      this.local = event.local;
      this.outcome = { state: 'done', value: undefined };
    } else if (event.type === 'listening') this.outcome = { state: 'done', value: undefined };
    else if (event.type === 'connected') this.outcome = { state: 'done', value: event.setup };
    else if (event.type === 'incoming') this.incoming.push(event);
  }

  /** The state a start- call may begin from; others give the spec's error. */
  private startFrom(...allowed: TcpState[]): void {
    if (allowed.includes(this.state)) return;
    if (this.state === 'binding' || this.state === 'connecting' || this.state === 'starting-listen') throw 'concurrency-conflict';
    throw 'invalid-state';
  }

  startBind(network: Network, localAddress: IpSocketAddress): void {
    checkNetwork(network);
    this.startFrom('unbound');
    const local = fromWasi(localAddress);
    checkLocal(local, this.family);
    this.outcome = WAITING;
    this.state = 'binding';
    ask({ id: this.channelId(), type: 'tcp-bind', local });
  }

  finishBind(): void {
    if (this.state !== 'binding') throw 'not-in-progress';
    const outcome = settled(this.outcome);
    if (outcome.state === 'failed') {
      this.state = 'unbound';
      throw outcome.code;
    }
    this.state = 'bound';
  }

  startConnect(network: Network, remoteAddress: IpSocketAddress): void {
    checkNetwork(network);
    const remote = fromWasi(remoteAddress);
    this.startFrom('unbound', 'bound');
    checkRemote(remote, this.family);
    this.remote = remote;
    this.outcome = WAITING;
    this.state = 'connecting';
    ask({ id: this.channelId(), type: 'tcp-connect', remote });
  }

  finishConnect(): [InputStream, OutputStream] {
    if (this.state !== 'connecting') throw 'not-in-progress';
    const outcome = settled(this.outcome);
    if (outcome.state === 'failed') {
      // A failed connect leaves the socket closed: dropping it is all that is left.
      this.state = 'closed';
      throw outcome.code;
    }
    const setup = outcome.value!;
    this.state = 'connected';
    this.local = setup.local;
    this.remote = setup.remote;
    this.handle.connection = new Connection(this.channelId(), setup);
    return streamsOf(this.handle.connection);
  }

  startListen(): void {
    this.startFrom('bound');
    this.outcome = WAITING;
    this.state = 'starting-listen';
    ask({ id: this.channelId(), type: 'tcp-listen', backlog: this.backlog });
  }

  finishListen(): void {
    if (this.state !== 'starting-listen') throw 'not-in-progress';
    const outcome = settled(this.outcome);
    if (outcome.state === 'failed') {
      this.state = 'bound';
      throw outcome.code;
    }
    this.state = 'listening';
  }

  accept(): [TcpSocket, InputStream, OutputStream] {
    if (this.state !== 'listening') throw 'invalid-state';
    pumpHostChannel();
    const next = this.incoming.shift();
    if (!next) throw 'would-block';
    const socket = new TcpSocket(this.family, this.context);
    socket.options = { ...this.options };
    socket.state = 'connected';
    socket.local = next.setup.local;
    socket.remote = next.setup.remote;
    // The accepted connection gets a channel id of its own, and the service learns it.
    const id = socket.channelId();
    ask({ id, type: 'tcp-accept', listener: this.channelId(), conn: next.conn });
    socket.handle.connection = new Connection(id, next.setup);
    return [socket, ...streamsOf(socket.handle.connection)];
  }

  localAddress(): IpSocketAddress {
    if (!this.local) throw 'invalid-state';
    return toWasi(this.local);
  }

  remoteAddress(): IpSocketAddress {
    if (this.state !== 'connected' || !this.remote) throw 'invalid-state';
    return toWasi(this.remote);
  }

  isListening(): boolean {
    return this.state === 'listening';
  }

  addressFamily(): IpFamily {
    return this.family;
  }

  setListenBacklogSize(value: bigint): void {
    positive(value);
    if (this.state === 'connecting' || this.state === 'connected') throw 'invalid-state';
    this.backlog = Number(value > BigInt(MAX_BACKLOG) ? BigInt(MAX_BACKLOG) : value);
    if (this.state === 'listening') ask({ id: this.channelId(), type: 'tcp-backlog', backlog: this.backlog });
  }

  keepAliveEnabled(): boolean {
    return this.options.keepAlive;
  }
  setKeepAliveEnabled(value: boolean): void {
    this.options.keepAlive = value;
  }
  keepAliveIdleTime(): bigint {
    return this.options.keepAliveIdle;
  }
  setKeepAliveIdleTime(value: bigint): void {
    positive(value);
    this.options.keepAliveIdle = value;
  }
  keepAliveInterval(): bigint {
    return this.options.keepAliveInterval;
  }
  setKeepAliveInterval(value: bigint): void {
    positive(value);
    this.options.keepAliveInterval = value;
  }
  keepAliveCount(): number {
    return this.options.keepAliveCount;
  }
  setKeepAliveCount(value: number): void {
    positive(value);
    this.options.keepAliveCount = value;
  }
  hopLimit(): number {
    return this.options.hopLimit;
  }
  setHopLimit(value: number): void {
    positive(value);
    this.options.hopLimit = value;
  }
  receiveBufferSize(): bigint {
    return this.options.receiveBuffer;
  }
  setReceiveBufferSize(value: bigint): void {
    positive(value);
    this.options.receiveBuffer = value;
  }
  sendBufferSize(): bigint {
    return this.options.sendBuffer;
  }
  setSendBufferSize(value: bigint): void {
    positive(value);
    this.options.sendBuffer = value;
  }

  subscribe(): Pollable {
    return new Pollable({
      ready: () => {
        switch (this.state) {
          case 'binding':
          case 'connecting':
          case 'starting-listen':
            return this.outcome.state !== 'waiting';
          case 'listening':
            return this.incoming.length > 0;
          default:
            return true;
        }
      },
    });
  }

  shutdown(how: ShutdownType): void {
    const connection = this.handle.connection;
    if (this.state !== 'connected' || !connection) throw 'invalid-state';
    if (how !== 'send') connection.shutdownReceive();
    if (how !== 'receive') connection.shutdownSend();
  }

  [disposeSymbol](): void {
    this.handle.close(this);
  }
}

// ---- UDP -------------------------------------------------------------------------------------

export class UdpSocket {
  private state: 'unbound' | 'binding' | 'bound' = 'unbound';
  private readonly handle = new SocketHandle();
  private local: SocketAddress | undefined;
  /** Set by `stream` with a remote address: sends go there, and only its datagrams are received. */
  private peer: SocketAddress | undefined;
  private outcome: Outcome<undefined> = WAITING;
  /** Datagrams the main thread sent that the component has not received (shared with it). */
  private queued: Int32Array | undefined;
  private readonly inbox: IncomingDatagram[] = [];
  private inFlight = 0;
  /** Only the streams of the latest `stream` call work. */
  private generation = 0;
  private hopLimit = 64;
  private receiveBuffer = 65_536n;
  private sendBuffer = 65_536n;

  /** @internal */
  constructor(
    private readonly family: IpFamily,
    private readonly context: SocketContext,
  ) {
    this.handle.watch(this);
  }

  private channelId(): number {
    return this.handle.open(this);
  }

  /** @internal */
  onEvent(event: SocketEvent): void {
    const failed = failureOf(event, this.context);
    if (failed) this.outcome = { state: 'failed', code: failed };
    else if (event.type === 'udp-bound') {
      this.local = event.local;
      this.queued = new Int32Array(event.queued);
      this.outcome = { state: 'done', value: undefined };
    } else if (event.type === 'datagram') this.inbox.push(event.datagram);
    else if (event.type === 'sent') this.inFlight = Math.max(0, this.inFlight - event.count);
  }

  startBind(network: Network, localAddress: IpSocketAddress): void {
    checkNetwork(network);
    if (this.state === 'binding') throw 'concurrency-conflict';
    if (this.state !== 'unbound') throw 'invalid-state';
    const local = fromWasi(localAddress);
    checkLocal(local, this.family);
    this.outcome = WAITING;
    this.state = 'binding';
    ask({ id: this.channelId(), type: 'udp-bind', local });
  }

  finishBind(): void {
    if (this.state !== 'binding') throw 'not-in-progress';
    const outcome = settled(this.outcome);
    if (outcome.state === 'failed') {
      this.state = 'unbound';
      throw outcome.code;
    }
    this.state = 'bound';
  }

  stream(remoteAddress: IpSocketAddress | undefined): [IncomingDatagramStream, OutgoingDatagramStream] {
    if (this.state !== 'bound') throw 'invalid-state';
    const remote = remoteAddress && fromWasi(remoteAddress);
    if (remote) checkRemote(remote, this.family);
    this.peer = remote;
    const generation = ++this.generation;
    return [new IncomingDatagramStream(this, generation), new OutgoingDatagramStream(this, generation)];
  }

  /** @internal Up to `max` received datagrams (from the peer only, when streaming to one). */
  take(generation: number, max: number): { data: Uint8Array; remoteAddress: IpSocketAddress }[] {
    if (generation !== this.generation) throw 'invalid-state';
    pumpHostChannel();
    const out: { data: Uint8Array; remoteAddress: IpSocketAddress }[] = [];
    while (out.length < max && this.inbox.length > 0) {
      const datagram = this.inbox.shift()!;
      if (this.queued) Atomics.sub(this.queued, 0, 1);
      if (this.peer && (datagram.remote.address !== this.peer.address || datagram.remote.port !== this.peer.port)) continue;
      out.push({ data: datagram.data, remoteAddress: toWasi(datagram.remote) });
    }
    return out;
  }

  /** @internal */
  hasDatagrams(): boolean {
    return this.inbox.length > 0;
  }

  /** @internal How many datagrams a send may take now. */
  permits(generation: number): number {
    if (generation !== this.generation) throw 'invalid-state';
    pumpHostChannel();
    return Math.max(0, UDP_SEND_PERMITS - this.inFlight);
  }

  /** @internal Sends datagrams, up to the first that fails; returns how many left. */
  sendAll(datagrams: { data: Uint8Array; remoteAddress?: IpSocketAddress | undefined }[]): number {
    const out: { data: Uint8Array; remote: SocketAddress }[] = [];
    let failure: SocketErrorCode | undefined;
    for (const datagram of datagrams) {
      const remote = datagram.remoteAddress ? fromWasi(datagram.remoteAddress) : this.peer;
      try {
        if (!remote) throw 'invalid-argument';
        if (this.peer && datagram.remoteAddress && (remote.address !== this.peer.address || remote.port !== this.peer.port)) throw 'invalid-argument';
        checkRemote(remote, this.family);
        if (datagram.data.length > MAX_DATAGRAM[this.family]) throw 'datagram-too-large';
      } catch (code) {
        failure = code as SocketErrorCode;
        break;
      }
      out.push({ data: datagram.data.slice(), remote });
    }
    if (out.length === 0 && failure) throw failure;
    if (out.length > 0) {
      this.inFlight += out.length;
      ask({ id: this.channelId(), type: 'udp-send', datagrams: out });
    }
    return out.length;
  }

  /** @internal */
  mayPollSend(): boolean {
    return this.inFlight < UDP_SEND_PERMITS;
  }

  localAddress(): IpSocketAddress {
    if (!this.local) throw 'invalid-state';
    return toWasi(this.local);
  }

  remoteAddress(): IpSocketAddress {
    if (!this.peer) throw 'invalid-state';
    return toWasi(this.peer);
  }

  addressFamily(): IpFamily {
    return this.family;
  }

  unicastHopLimit(): number {
    return this.hopLimit;
  }
  setUnicastHopLimit(value: number): void {
    positive(value);
    this.hopLimit = value;
  }
  receiveBufferSize(): bigint {
    return this.receiveBuffer;
  }
  setReceiveBufferSize(value: bigint): void {
    positive(value);
    this.receiveBuffer = value;
  }
  sendBufferSize(): bigint {
    return this.sendBuffer;
  }
  setSendBufferSize(value: bigint): void {
    positive(value);
    this.sendBuffer = value;
  }

  subscribe(): Pollable {
    return new Pollable({ ready: () => this.state !== 'binding' || this.outcome.state !== 'waiting' });
  }

  [disposeSymbol](): void {
    this.handle.close(this);
  }
}

export class IncomingDatagramStream {
  /** @internal */
  constructor(
    private readonly socket: UdpSocket,
    private readonly generation: number,
  ) {}

  receive(maxResults: bigint): { data: Uint8Array; remoteAddress: IpSocketAddress }[] {
    return this.socket.take(this.generation, Number(maxResults > 1024n ? 1024n : maxResults));
  }

  subscribe(): Pollable {
    return new Pollable({ ready: () => this.socket.hasDatagrams() });
  }
}

export class OutgoingDatagramStream {
  private permitted = 0;

  /** @internal */
  constructor(
    private readonly socket: UdpSocket,
    private readonly generation: number,
  ) {}

  checkSend(): bigint {
    this.permitted = this.socket.permits(this.generation);
    return BigInt(this.permitted);
  }

  send(datagrams: { data: Uint8Array; remoteAddress?: IpSocketAddress | undefined }[]): bigint {
    if (datagrams.length === 0) return 0n;
    // The spec makes this a trap: a component must ask check-send first.
    if (datagrams.length > this.permitted) throw new Error(`outgoing-datagram-stream.send was given ${datagrams.length} datagrams, but check-send permitted ${this.permitted}`);
    const sent = this.socket.sendAll(datagrams);
    this.permitted -= sent;
    return BigInt(sent);
  }

  subscribe(): Pollable {
    return new Pollable({ ready: () => this.socket.mayPollSend() });
  }
}

// ---- ip-name-lookup --------------------------------------------------------------------------

export class ResolveAddressStream {
  private outcome: Outcome<SocketAddress[]>;
  private id: number | undefined;
  private next = 0;

  /** @internal */
  constructor(name: string, context: SocketContext) {
    const literal = parseIp(name);
    if (literal) {
      this.outcome = { state: 'done', value: [{ family: literal.family, address: formatIp(literal), port: 0 }] };
      return;
    }
    this.outcome = WAITING;
    this.id = hostChannel().open((event) => {
      const e = event as SocketEvent;
      const failed = failureOf(e, context);
      if (failed) this.outcome = { state: 'failed', code: failed };
      else if (e.type === 'resolved') this.outcome = { state: 'done', value: e.addresses };
      this.close();
    });
    ask({ id: this.id, type: 'resolve', name });
  }

  resolveNextAddress(): IpAddress | undefined {
    const outcome = settled(this.outcome);
    if (outcome.state === 'failed') throw outcome.code;
    const address = outcome.value[this.next++];
    return address && ipToWasi(address);
  }

  subscribe(): Pollable {
    return new Pollable({ ready: () => this.outcome.state !== 'waiting' });
  }

  private close(): void {
    if (this.id === undefined) return;
    hostChannel().close(this.id);
    this.id = undefined;
  }

  [disposeSymbol](): void {
    this.close();
  }
}

/** A host name as resolve-addresses takes it: an IP address, or a domain name (IDNA-encoded here). */
function lookupName(name: string): string {
  if (parseIp(name)) return name;
  // A trailing dot (a fully qualified name) is allowed; an empty label anywhere else is not.
  const ascii = domainToASCII(name).replace(/\.$/, '');
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || !/^[a-z0-9_.-]+$/i.test(ascii) || labels.some((l) => l.length === 0 || l.length > 63)) throw 'invalid-argument';
  return ascii;
}

// ---- the imports -----------------------------------------------------------------------------

function checkFamily(family: string): IpFamily {
  if (family !== 'ipv4' && family !== 'ipv6') throw 'not-supported';
  return family;
}

export function socketsImports(state: HostState) {
  // The context (and its network) is made at the first call: building the import object must
  // not touch the host channel, which tests and the import check do without.
  let context: SocketContext | undefined;
  const ctx = () => (context ??= new SocketContext(state));
  return {
    'wasi:sockets/network': { Network, networkErrorCode },
    'wasi:sockets/instance-network': { instanceNetwork: () => ctx().network },
    'wasi:sockets/tcp': { TcpSocket },
    'wasi:sockets/tcp-create-socket': { createTcpSocket: (family: string) => new TcpSocket(checkFamily(family), ctx()) },
    'wasi:sockets/udp': { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    'wasi:sockets/udp-create-socket': { createUdpSocket: (family: string) => new UdpSocket(checkFamily(family), ctx()) },
    'wasi:sockets/ip-name-lookup': {
      ResolveAddressStream,
      resolveAddresses: (network: Network, name: string) => {
        checkNetwork(network);
        return new ResolveAddressStream(lookupName(name), ctx());
      },
    },
  };
}
