// The counter service: a long-running component (it exports wasi:cli/run) that listens on
// 127.0.0.1:7777 and keeps a count per name, for as long as the workload runs.
//
// The protocol is one line per command, answered with one line:
//   INCR name  -> the new count (after adding one)
//   GET name   -> the count (0 for a name never counted)
//   other      -> ERR <why>
// It serves all its clients at once: one poll() over the listener and every connection, then
// it reads what each ready connection sent and answers each complete line.

import { poll, type Pollable } from 'wasi:io/poll@0.2.12';
import { close, errorCode, listen, type Connection } from './tcp.js';

const PORT = 7777;
/** A longer line is an error: the service does not buffer without bound for a client. */
const MAX_LINE = 1024;

interface Client extends Connection {
  readable: Pollable;
  decoder: TextDecoder;
  /** Text received after the last complete line. */
  partial: string;
}

const counts = new Map<string, number>();
const encoder = new TextEncoder();

export const run = {
  run(): void {
    // Nothing at the top level of the module: that runs at build time, not when the service starts.
    const listener = listen(PORT);
    const incoming = listener.subscribe();
    console.log(`counter service: listening on 127.0.0.1:${PORT}`);
    const clients: Client[] = [];
    for (;;) {
      const ready = poll([incoming, ...clients.map((c) => c.readable)]);
      // Clients first, from the last: a closed one leaves the list without moving the others.
      for (const index of [...ready].reverse()) {
        if (index === 0) continue;
        const client = clients[index - 1]!;
        if (!serve(client)) {
          client.readable[Symbol.dispose]();
          close(client);
          clients.splice(index - 1, 1);
        }
      }
      if (ready.includes(0)) acceptAll(listener, clients);
    }
  },
};

function acceptAll(listener: ReturnType<typeof listen>, clients: Client[]): void {
  for (;;) {
    let accepted;
    try {
      accepted = listener.accept();
    } catch (thrown) {
      if (errorCode(thrown) === 'would-block') return;
      throw thrown;
    }
    const [socket, input, output] = accepted;
    clients.push({ socket, input, output, readable: input.subscribe(), decoder: new TextDecoder(), partial: '' });
  }
}

/** Reads what the client sent and answers its complete lines; false when the client is done. */
function serve(client: Client): boolean {
  let bytes: Uint8Array;
  try {
    bytes = client.input.read(4096n);
  } catch {
    return false; // the client closed the connection (or it broke)
  }
  client.partial += client.decoder.decode(bytes, { stream: true });
  let newline: number;
  while ((newline = client.partial.indexOf('\n')) >= 0) {
    const line = client.partial.slice(0, newline).replace(/\r$/, '');
    client.partial = client.partial.slice(newline + 1);
    if (!answer(client, execute(line))) return false;
  }
  if (client.partial.length > MAX_LINE) {
    answer(client, `ERR line longer than ${MAX_LINE} bytes`);
    return false;
  }
  return true;
}

function execute(line: string): string {
  const [command, name, ...rest] = line.trim().split(/\s+/);
  if (!name || rest.length > 0) return 'ERR expected INCR <name> or GET <name>';
  if (command === 'INCR') {
    const count = (counts.get(name) ?? 0) + 1;
    counts.set(name, count);
    return String(count);
  }
  if (command === 'GET') return String(counts.get(name) ?? 0);
  return `ERR unknown command ${command}`;
}

function answer(client: Client, line: string): boolean {
  try {
    client.output.blockingWriteAndFlush(encoder.encode(`${line}\n`));
    return true;
  } catch {
    return false;
  }
}
