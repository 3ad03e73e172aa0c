// The HTTP side of the TCP service example. For each request it opens a TCP connection to the
// counter service on 127.0.0.1:7777, which the workload's virtual loopback delivers to the
// service running beside it (src/counter-service.ts), sends one command and answers with the
// reply.
//   GET /count/NAME  -> INCR NAME: "NAME: <new count>"
//   GET /peek/NAME   -> GET NAME:  "NAME: <count>"
//   GET /            -> how to use it
//   anything else    -> 404
// When the service cannot be reached (not started, restarting), the answer is 503 with the
// socket's error code, and the log says so.

import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam, type IncomingRequest } from 'wasi:http/types@0.2.10';
import { close, connect, errorCode } from './tcp.js';

const SERVICE_PORT = 7777;
const NAME = '[A-Za-z0-9_.-]{1,64}';
const encoder = new TextEncoder();

export const incomingHandler = {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void {
    const path = (request.pathWithQuery() ?? '/').split('?')[0]!;
    const [status, text] = route(request.method().tag, path);
    respond(responseOut, status, text);
  },
};

function route(method: string, path: string): [number, string] {
  if (method !== 'get') return [405, 'Only GET is supported\n'];
  if (path === '/') return [200, 'GET /count/NAME adds one to NAME and answers the count; GET /peek/NAME only answers it.\n'];
  const match = new RegExp(`^/(count|peek)/(${NAME})$`).exec(path);
  if (!match) return [404, 'Not found\n'];
  const [, action, name] = match;
  try {
    return [200, `${name}: ${ask(`${action === 'count' ? 'INCR' : 'GET'} ${name}`)}\n`];
  } catch (thrown) {
    const code = errorCode(thrown);
    console.error(`the counter service on 127.0.0.1:${SERVICE_PORT} did not answer: ${code}`);
    return [503, `The counter service is not reachable (${code}). Is it running? See the studio log.\n`];
  }
}

/** Sends one command line to the service and returns its one-line reply. */
function ask(command: string): string {
  const connection = connect(SERVICE_PORT);
  try {
    connection.output.blockingWriteAndFlush(encoder.encode(`${command}\n`));
    const decoder = new TextDecoder();
    let reply = '';
    while (!reply.includes('\n')) {
      // A closed stream (the service went away mid-answer) throws, which becomes a 503.
      reply += decoder.decode(connection.input.blockingRead(256n), { stream: true });
    }
    return reply.slice(0, reply.indexOf('\n'));
  } finally {
    close(connection);
  }
}

function respond(responseOut: ResponseOutparam, status: number, text: string): void {
  const body = encoder.encode(text);
  const headers = Fields.fromList([
    ['content-type', encoder.encode('text/plain; charset=utf-8')],
    ['content-length', encoder.encode(String(body.length))],
  ]);
  const response = new OutgoingResponse(headers);
  response.setStatusCode(status);
  const outgoing = response.body();
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
  const stream = outgoing.write();
  stream.blockingWriteAndFlush(body);
  stream[Symbol.dispose]();
  OutgoingBody.finish(outgoing, undefined);
}
