// TCP over wasi:sockets, as both components of the example use it: listen, connect, and the
// errors. Every wasi:sockets operation is a start-/finish- pair; a finish that answers
// `would-block` is retried once the socket's pollable is ready.

import { poll } from 'wasi:io/poll@0.2.12';
import type { InputStream, OutputStream } from 'wasi:io/streams@0.2.12';
import { instanceNetwork } from 'wasi:sockets/instance-network@0.2.12';
import type { IpSocketAddress } from 'wasi:sockets/network@0.2.12';
import type { TcpSocket } from 'wasi:sockets/tcp@0.2.12';
import { createTcpSocket } from 'wasi:sockets/tcp-create-socket@0.2.12';

export interface Connection {
  socket: TcpSocket;
  input: InputStream;
  output: OutputStream;
}

/** The error-code of a failed wasi call (componentize-js throws it as the error's `payload`). */
export function errorCode(thrown: unknown): string {
  const payload = (thrown as { payload?: unknown } | null)?.payload ?? thrown;
  if (typeof payload === 'string') return payload;
  return (payload as { tag?: string } | null)?.tag ?? String(thrown);
}

function loopback(port: number): IpSocketAddress {
  return { tag: 'ipv4', val: { port, address: [127, 0, 0, 1] } };
}

/** Calls `step` until it stops answering would-block, waiting on the socket in between. */
function finish<T>(socket: TcpSocket, step: () => T): T {
  const ready = socket.subscribe();
  try {
    for (;;) {
      try {
        return step();
      } catch (thrown) {
        if (errorCode(thrown) !== 'would-block') throw thrown;
        poll([ready]);
      }
    }
  } finally {
    ready[Symbol.dispose]();
  }
}

/** A socket listening on 127.0.0.1:`port`. Only a service may listen. */
export function listen(port: number): TcpSocket {
  const socket = createTcpSocket('ipv4');
  socket.startBind(instanceNetwork(), loopback(port));
  finish(socket, () => socket.finishBind());
  socket.startListen();
  finish(socket, () => socket.finishListen());
  return socket;
}

/** A connection to 127.0.0.1:`port`. */
export function connect(port: number): Connection {
  const socket = createTcpSocket('ipv4');
  try {
    socket.startConnect(instanceNetwork(), loopback(port));
    const [input, output] = finish(socket, () => socket.finishConnect());
    return { socket, input, output };
  } catch (thrown) {
    socket[Symbol.dispose]();
    throw thrown;
  }
}

/** Drops the streams, then the socket: the other end sees the connection end. */
export function close(connection: Connection): void {
  connection.input[Symbol.dispose]();
  connection.output[Symbol.dispose]();
  connection.socket[Symbol.dispose]();
}
