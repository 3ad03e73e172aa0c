// One thread of the loopback benchmark. In `studio` mode it plays a component thread: it has
// a wake signal and a host channel like a workload worker, and calls the wasi:sockets host
// functions (runtime/host/sockets.ts) exactly as a component's glue would, so what is measured
// is the virtual loopback itself, without a component's own time. In `node` mode it does the
// same work with Node's net module on the real loopback, as the peer to compare with.
//
// Roles: `echo` listens on `port` and sends back every byte it gets: with `style: 'poll'` on
// any number of connections at once, parked in wasi:io/poll's poll() over all of them, with
// `style: 'blocking'` one connection at a time with blocking reads and writes; `ping` connects, then sends `size` bytes and waits for them to come back,
// `rounds` times; `bulk` connects, sends `bytes` bytes in `size`-byte writes and waits for
// the echo of the last one. Clients post { seconds } when done.
import { connect, createServer, type Socket } from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { HostChannel, setHostChannel } from '../../runtime/host/host-channel.ts';
import { InputStream, OutputStream, poll, setWakeSignal, WakeSignal, type Pollable } from '../../runtime/host/io.ts';
import { socketsImports, type TcpSocket } from '../../runtime/host/sockets.ts';

export interface LoopbackThreadData {
  mode: 'studio' | 'node';
  role: 'echo' | 'ping' | 'bulk';
  /** How a studio echo server waits (see above). */
  style?: 'poll' | 'blocking';
  /** 127.0.0.1 port to listen on or connect to (node echo: 0 picks one and reports it). */
  port: number;
  rounds?: number;
  size?: number;
  bytes?: number;
  /** studio mode: the thread's wake buffer and host channel port. */
  wake?: SharedArrayBuffer;
  hostPort?: MessagePort;
}

const data = (workerData as { data: LoopbackThreadData }).data;
const port = parentPort!;

function studioSockets() {
  setWakeSignal(new WakeSignal(new Int32Array(data.wake!)));
  setHostChannel(new HostChannel(data.hostPort!));
  const imports = socketsImports({ componentName: `bench-${data.role}`, config: new Map(), environment: [], log: () => {}, atRequestEnd: () => {} });
  const network = imports['wasi:sockets/instance-network'].instanceNetwork();
  const address = { tag: 'ipv4' as const, val: { port: data.port, address: [127, 0, 0, 1] } };
  /** Retries a finish- call until it stops answering would-block, waiting on the socket's pollable. */
  const finish = <T>(socket: TcpSocket, step: () => T): T => {
    for (;;) {
      try {
        return step();
      } catch (code) {
        if (code !== 'would-block') throw new Error(`socket error: ${String(code)}`);
        socket.subscribe().block();
      }
    }
  };
  return {
    listen(): TcpSocket {
      const socket = imports['wasi:sockets/tcp-create-socket'].createTcpSocket('ipv4');
      socket.startBind(network, address);
      finish(socket, () => socket.finishBind());
      socket.setListenBacklogSize(1024n);
      socket.startListen();
      finish(socket, () => socket.finishListen());
      return socket;
    },
    connect(): [InputStream, OutputStream] {
      const socket = imports['wasi:sockets/tcp-create-socket'].createTcpSocket('ipv4');
      socket.startConnect(network, address);
      return finish(socket, () => socket.finishConnect());
    },
  };
}

/** Reads exactly `n` bytes (blocking). */
function readExactly(input: InputStream, n: number): void {
  let got = 0;
  while (got < n) got += input.blockingRead(BigInt(n - got)).length;
}

function studioEcho(): void {
  const sockets = studioSockets();
  const listener = sockets.listen();
  port.postMessage({ listening: data.port });
  if (data.style === 'blocking') {
    for (;;) {
      listener.subscribe().block();
      const [, input, output] = listener.accept();
      try {
        for (;;) output.blockingWriteAndFlush(input.blockingRead(65536n));
      } catch {
        // The client is gone: serve the next one.
      }
    }
  }
  const connections: { input: InputStream; output: OutputStream }[] = [];
  for (;;) {
    const pollables: Pollable[] = [listener.subscribe(), ...connections.map((c) => c.input.subscribe())];
    for (const index of poll(pollables)) {
      if (index === 0) {
        const [, input, output] = listener.accept();
        connections.push({ input, output });
        continue;
      }
      const connection = connections[index - 1]!;
      try {
        const bytes = connection.input.read(65536n);
        if (bytes.length > 0) connection.output.blockingWriteAndFlush(bytes);
      } catch {
        connections.splice(index - 1, 1);
      }
    }
  }
}

function studioClient(): void {
  const sockets = studioSockets();
  const [input, output] = sockets.connect();
  const size = data.size ?? 64;
  const message = new Uint8Array(size).fill(7);
  port.once('message', () => {
    const started = performance.now();
    if (data.role === 'ping') {
      for (let i = 0; i < (data.rounds ?? 1); i++) {
        output.blockingWriteAndFlush(message);
        readExactly(input, size);
      }
    } else {
      const total = data.bytes ?? 0;
      let echoed = 0;
      for (let sent = 0; sent < total; sent += size) {
        // Write what the connection takes now, and read back what the echo sent meanwhile.
        while (output.checkWrite() < BigInt(size)) {
          const got = input.read(1n << 20n).length;
          echoed += got;
          if (got === 0) poll([output.subscribe(), input.subscribe()]);
        }
        output.write(message);
      }
      readExactly(input, total - echoed);
    }
    port.postMessage({ seconds: (performance.now() - started) / 1000 });
  });
  port.postMessage({ ready: true });
}

function nodeEcho(): void {
  const server = createServer({ noDelay: true }, (socket) => socket.pipe(socket));
  server.listen(data.port, '127.0.0.1', () => {
    const address = server.address();
    port.postMessage({ listening: typeof address === 'object' && address ? address.port : data.port });
  });
}

function nodeClient(): void {
  const size = data.size ?? 64;
  const message = Buffer.alloc(size, 7);
  const socket: Socket = connect({ host: '127.0.0.1', port: data.port, noDelay: true }, () => port.postMessage({ ready: true }));
  port.once('message', () => {
    const started = performance.now();
    const done = () => {
      port.postMessage({ seconds: (performance.now() - started) / 1000 });
      socket.destroy();
    };
    let received = 0;
    if (data.role === 'ping') {
      let rounds = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received < size) return;
        received -= size;
        if (++rounds === (data.rounds ?? 1)) return done();
        socket.write(message);
      });
      socket.write(message);
      return;
    }
    const total = data.bytes ?? 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= total) done();
    });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += size;
        if (!socket.write(message)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

if (data.mode === 'studio') {
  if (data.role === 'echo') studioEcho();
  else studioClient();
} else if (data.role === 'echo') nodeEcho();
else nodeClient();
