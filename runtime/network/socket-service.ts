// The main thread's side of wasi:sockets for one workload (the `sockets` host service, see
// workloads/host-services.ts): its virtual loopback, the connections it makes, and the host
// sockets it opens for its components. Every thread of a workload shares one instance, which
// is what makes the port table the workload's own.
//
// What goes where:
//  - a TCP bind on 127.0.0.0/8, ::1, 0.0.0.0 or :: reserves the address in the workload's
//    table, never on the host; only the service thread may then listen;
//  - a connect to 127.0.0.0/8 or ::1 reaches the workload's listener on that port as a pair
//    of rings between the two threads. Where none listens, it goes to the host's own loopback
//    (`hostLoopback`, the default: local databases stay reachable) or is refused (as wash does);
//  - a connect to any other address, every UDP socket and every name lookup use the host's
//    network through Node's net, dgram and dns.
// When a thread goes away, everything it opened is closed and its listeners leave the table.
import { lookup } from 'node:dns/promises';
import type { ChannelRequest } from '../host/host-channel.ts';
import type { HostService, ThreadLink } from '../workloads/host-services.ts';
import { WakeWord } from '../workloads/worker-protocol.ts';
import { wake } from './byte-ring.ts';
import { HostConnection } from './host-connection.ts';
import { HostUdpSocket } from './host-udp-socket.ts';
import { canonicalIp, displayAddress, isLoopback, isUnspecified, type SocketAddress } from './ip-address.ts';
import { socketErrorCodeOf, type SocketErrorCode } from './socket-errors.ts';
import { SOCKETS_SERVICE, type SocketEvent, type SocketRequest } from './socket-protocol.ts';
import { connectThreads, type VirtualEnd } from './virtual-connection.ts';
import { VirtualLoopback, type LoopbackBinding } from './virtual-loopback.ts';

export interface NetworkOptions {
  /**
   * A connection to 127.0.0.1 or ::1 on a port no listener of the workload has goes to the
   * host's own loopback (true, the default: a local Redis or Postgres stays reachable), or
   * is refused with connection-refused, as wash does (false).
   */
  hostLoopback?: boolean;
}

/** Where a connection went. */
export type ConnectionRoute = 'virtual' | 'host-loopback' | 'network';

/** What a workload's sockets are doing, for the UI. */
export interface SocketsSnapshot {
  listening: { component: string; address: string }[];
  connections: { component: string; local: string; remote: string; route: ConnectionRoute }[];
}

/** Who holds a binding: a socket of a thread. */
interface Holder {
  thread: ThreadLink;
  id: number;
}

interface TcpResource {
  kind: 'tcp';
  binding?: LoopbackBinding<Holder>;
  /** Connections that reached this listener and were not accepted yet, by connection number. */
  listener?: { backlog: number; pending: Map<number, VirtualEnd> };
  connection?: { end: VirtualEnd | HostConnection; route: ConnectionRoute };
  closed: boolean;
}

interface UdpResource {
  kind: 'udp';
  socket?: HostUdpSocket;
  closed: boolean;
}

type Resource = TcpResource | UdpResource;

export class SocketService implements HostService {
  private readonly loopback = new VirtualLoopback<Holder>();
  private readonly threads = new Map<ThreadLink, Map<number, Resource>>();
  private readonly hostLoopback: boolean;
  private nextConnection = 1;
  /** Ports whose fallback to the host's loopback was logged already (once each is enough). */
  /** What the log was told about a loopback port (`fallback 5432`, `refused 7778`): each once. */
  private readonly portNotes = new Set<string>();
  private readonly listenDenied = new WeakSet<ThreadLink>();

  constructor(options: NetworkOptions = {}) {
    this.hostLoopback = options.hostLoopback ?? true;
  }

  handle(request: ChannelRequest, thread: ThreadLink): void {
    const req = request as SocketRequest;
    switch (req.type) {
      case 'tcp-bind':
        return this.bind(thread, req.id, req.local);
      case 'tcp-listen':
        return this.listen(thread, req.id, req.backlog);
      case 'tcp-backlog': {
        const listener = this.tcp(thread, req.id).listener;
        if (listener) listener.backlog = req.backlog;
        return;
      }
      case 'tcp-connect':
        return this.connect(thread, req.id, req.remote);
      case 'tcp-accept':
        return this.accept(thread, req.id, req.listener, req.conn);
      case 'ring': {
        const connection = this.resources(thread).get(req.id);
        if (connection?.kind === 'tcp' && connection.connection?.end instanceof HostConnection) connection.connection.end.pump();
        return;
      }
      case 'close':
        return this.close(thread, req.id);
      case 'udp-bind':
        return this.bindUdp(thread, req.id, req.local);
      case 'udp-send': {
        const udp = this.resources(thread).get(req.id);
        if (udp?.kind === 'udp') udp.socket?.send(req.datagrams);
        return;
      }
      case 'resolve':
        return this.resolve(thread, req.id, req.name);
    }
  }

  release(thread: ThreadLink): void {
    const resources = this.threads.get(thread);
    if (!resources) return;
    this.threads.delete(thread);
    for (const resource of resources.values()) this.closeResource(resource);
  }

  snapshot(): SocketsSnapshot {
    const snapshot: SocketsSnapshot = { listening: [], connections: [] };
    for (const [thread, resources] of this.threads) {
      for (const resource of resources.values()) {
        if (resource.kind !== 'tcp') continue;
        if (resource.listener && resource.binding) snapshot.listening.push({ component: thread.componentName, address: displayAddress(resource.binding.local) });
        const connection = resource.connection;
        if (connection) snapshot.connections.push({ component: thread.componentName, local: displayAddress(connection.end.local), remote: displayAddress(connection.end.remote), route: connection.route });
      }
    }
    return snapshot;
  }

  private resources(thread: ThreadLink): Map<number, Resource> {
    let resources = this.threads.get(thread);
    if (!resources) this.threads.set(thread, (resources = new Map<number, Resource>()));
    return resources;
  }

  private tcp(thread: ThreadLink, id: number): TcpResource {
    const resources = this.resources(thread);
    const found = resources.get(id);
    if (found?.kind === 'tcp') return found;
    const made: TcpResource = { kind: 'tcp', closed: false };
    resources.set(id, made);
    return made;
  }

  private reply(thread: ThreadLink, event: SocketEvent): void {
    thread.send(event);
  }

  private failed(thread: ThreadLink, id: number, code: SocketErrorCode): void {
    this.reply(thread, { to: id, type: 'failed', code });
  }

  private bind(thread: ThreadLink, id: number, local: SocketAddress): void {
    const socket = this.tcp(thread, id);
    const bound = this.loopback.bind(local, { thread, id });
    if (!bound.ok) {
      const { code, holder } = bound.error;
      // Log lines go out under the component's name: they say what happened, not who.
      if (holder) {
        const who = holder.thread === thread ? 'this component' : holder.thread.componentName;
        thread.log('warn', `bind ${displayAddress(local)} failed with address-in-use: ${who} already holds that port in this workload.`);
      } else if (code === 'address-not-bindable') {
        thread.log('warn', `bind ${displayAddress(local)} failed with address-not-bindable: sockets bind only loopback addresses (127.0.0.0/8, ::1) or any-address (0.0.0.0, ::), in the workload's virtual loopback.`);
      }
      return this.failed(thread, id, code);
    }
    socket.binding = bound.value;
    this.reply(thread, { to: id, type: 'bound', local: bound.value.local });
  }

  private listen(thread: ThreadLink, id: number, backlog: number): void {
    const socket = this.tcp(thread, id);
    if (!socket.binding) return this.failed(thread, id, 'invalid-state');
    if (thread.role !== 'service') {
      if (!this.listenDenied.has(thread)) {
        this.listenDenied.add(thread);
        thread.log(
          'warn',
          `listen on ${displayAddress(socket.binding.local)} failed with access-denied: only a workload's service listens (a component exporting wasi:cli/run, run as dev.service or dev.service_file); other components may connect to it.`,
        );
      }
      return this.failed(thread, id, 'access-denied');
    }
    socket.binding.listening = true;
    socket.listener = { backlog, pending: new Map() };
    this.reply(thread, { to: id, type: 'listening' });
  }

  private connect(thread: ThreadLink, id: number, remote: SocketAddress): void {
    const socket = this.tcp(thread, id);
    const listener = this.loopback.listenerFor(remote);
    if (listener) return this.connectVirtually(thread, id, socket, remote, listener.owner);
    const route: ConnectionRoute = isLoopback(remote) ? 'host-loopback' : 'network';
    if (route === 'host-loopback' && !this.hostLoopback) {
      this.noteRefused(thread, remote, 'and the fallback to the host\'s loopback is off');
      return this.failed(thread, id, 'connection-refused');
    }
    void HostConnection.open(remote, () => wake(thread.wake, WakeWord.counter)).then((opened) => {
      if (!opened.ok) {
        if (route === 'host-loopback' && opened.error === 'connection-refused') this.noteRefused(thread, remote, 'nor on the host\'s own loopback');
        return this.failed(thread, id, opened.error);
      }
      const connection = opened.value;
      if (socket.closed) return connection.close();
      if (route === 'host-loopback') this.noteFallback(thread, remote);
      socket.connection = { end: connection, route };
      this.reply(thread, { to: id, type: 'connected', setup: { local: connection.local, remote, receive: connection.receive.buffer, send: connection.send.buffer, peer: 'host' } });
    });
  }

  private connectVirtually(thread: ThreadLink, id: number, socket: TcpResource, remote: SocketAddress, listenerHolder: Holder): void {
    const listener = this.tcp(listenerHolder.thread, listenerHolder.id).listener;
    // A full backlog refuses, like a listener whose queue overflows (where a kernel would drop and time out).
    if (!listener || listener.pending.size >= listener.backlog) return this.failed(thread, id, 'connection-refused');
    // The connecting socket's address: its own bind, else an ephemeral port next to the one it reaches.
    if (!socket.binding) {
      const bound = this.loopback.bind({ family: remote.family, address: remote.address, port: 0 }, { thread, id });
      if (!bound.ok) return this.failed(thread, id, bound.error.code);
      socket.binding = bound.value;
    }
    const local = isUnspecified(socket.binding.local) ? { ...socket.binding.local, address: remote.address } : socket.binding.local;
    const ends = connectThreads(thread, local, listenerHolder.thread, remote);
    const conn = this.nextConnection++;
    listener.pending.set(conn, ends.server);
    socket.connection = { end: ends.client, route: 'virtual' };
    this.reply(thread, { to: id, type: 'connected', setup: ends.client.setup() });
    this.reply(listenerHolder.thread, { to: listenerHolder.id, type: 'incoming', conn, setup: ends.server.setup() });
  }

  private accept(thread: ThreadLink, id: number, listenerId: number, conn: number): void {
    const listener = this.tcp(thread, listenerId).listener;
    const end = listener?.pending.get(conn);
    // Not pending any more: the listener was closed and hung the connection up already.
    if (!listener || !end) return;
    listener.pending.delete(conn);
    this.resources(thread).set(id, { kind: 'tcp', connection: { end, route: 'virtual' }, closed: false });
  }

  private close(thread: ThreadLink, id: number): void {
    const resources = this.threads.get(thread);
    const resource = resources?.get(id);
    if (!resources || !resource) return;
    resources.delete(id);
    this.closeResource(resource);
  }

  private closeResource(resource: Resource): void {
    resource.closed = true;
    if (resource.kind === 'udp') return resource.socket?.close();
    if (resource.binding) this.loopback.unbind(resource.binding);
    for (const end of resource.listener?.pending.values() ?? []) end.hangUp();
    const end = resource.connection?.end;
    if (end instanceof HostConnection) end.close();
    else end?.hangUp();
  }

  private bindUdp(thread: ThreadLink, id: number, local: SocketAddress): void {
    const socket: UdpResource = { kind: 'udp', closed: false };
    this.resources(thread).set(id, socket);
    const events = {
      datagram: (datagram: { data: Uint8Array; remote: SocketAddress }) => this.reply(thread, { to: id, type: 'datagram', datagram }),
      sent: (count: number) => this.reply(thread, { to: id, type: 'sent', count }),
    };
    void HostUdpSocket.bind(local, events).then((bound) => {
      if (!bound.ok) return this.failed(thread, id, bound.error);
      if (socket.closed) return bound.value.close();
      socket.socket = bound.value;
      this.reply(thread, { to: id, type: 'udp-bound', local: bound.value.local, queued: bound.value.queued });
    });
  }

  private resolve(thread: ThreadLink, id: number, name: string): void {
    lookup(name, { all: true, verbatim: true }).then(
      (found) => {
        const addresses = found.flatMap(({ address, family }): SocketAddress[] => {
          const canonical = canonicalIp(address);
          return canonical ? [{ family: family === 6 ? 'ipv6' : 'ipv4', address: canonical, port: 0 }] : [];
        });
        if (addresses.length === 0) return this.failed(thread, id, 'name-unresolvable');
        this.reply(thread, { to: id, type: 'resolved', addresses });
      },
      (err: unknown) => {
        const code = socketErrorCodeOf(err);
        this.failed(thread, id, code === 'unknown' ? 'permanent-resolver-failure' : code);
      },
    );
  }

  /** Says once per port why a loopback connect was refused: the component only sees connection-refused. */
  private noteRefused(thread: ThreadLink, remote: SocketAddress, where: string): void {
    this.notePort(thread, `refused ${remote.port}`, 'warn', `connect to ${displayAddress(remote)} refused: nothing in this workload listens on port ${remote.port} (a service that has not started listening yet, or another port), ${where}.`);
  }

  private noteFallback(thread: ThreadLink, remote: SocketAddress): void {
    this.notePort(
      thread,
      `fallback ${remote.port}`,
      'info',
      `connected to ${displayAddress(remote)} on the host's own loopback: nothing in this workload listens on port ${remote.port} (wash would refuse this connection; the studio passes it on so local databases and caches stay reachable).`,
    );
  }

  private notePort(thread: ThreadLink, note: string, level: 'info' | 'warn', text: string): void {
    if (this.portNotes.has(note)) return;
    this.portNotes.add(note);
    thread.log(level, text);
  }
}

/** The host services a workload's network needs: give every composition (every workload) its own. */
export function networkServices(options: NetworkOptions = {}): { [SOCKETS_SERVICE]: SocketService } {
  return { [SOCKETS_SERVICE]: new SocketService(options) };
}
