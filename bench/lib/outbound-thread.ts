// The component side of the outbound benchmark: a thread with a wake signal and a host
// channel like a workload worker's, calling wasi:http/outgoing-handler and the wasi:http and
// wasi:io resources exactly as a component's glue would (runtime/host/outgoing-http.ts and
// http.ts), so what is measured is the outbound path itself, without a component's own time.
//
// Tasks (one per message, answered with { seconds }):
//   small    `count` GETs of `url`, `concurrency` in flight, each body read to its end
//   download one GET of `url`, its body read in 1 MiB reads
//   upload   one POST to `url` of `bytes` bytes, written in 64 KiB writes as room allows
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { HostChannel, setHostChannel } from '../../runtime/host/host-channel.ts';
import { Fields, type FutureIncomingResponse, type IncomingResponse, OutgoingBody, OutgoingRequest } from '../../runtime/host/http.ts';
import { poll, setWakeSignal, WakeSignal, type InputStream, type Pollable } from '../../runtime/host/io.ts';
import { outgoingHttpImports } from '../../runtime/host/outgoing-http.ts';

export interface OutboundThreadData {
  wake: SharedArrayBuffer;
  hostPort: MessagePort;
}

export type OutboundTask =
  | { task: 'small'; url: string; count: number; concurrency: number }
  | { task: 'download'; url: string }
  | { task: 'upload'; url: string; bytes: number };

const data = (workerData as { data: OutboundThreadData }).data;
setWakeSignal(new WakeSignal(new Int32Array(data.wake)));
setHostChannel(new HostChannel(data.hostPort));
const { handle } = outgoingHttpImports({ componentName: 'bench', config: new Map(), environment: [], log: () => {}, atRequestEnd: () => {} })['wasi:http/outgoing-handler'];

function request(method: 'get' | 'post', url: string): OutgoingRequest {
  const target = new URL(url);
  const req = new OutgoingRequest(new Fields());
  req.setMethod({ tag: method });
  req.setScheme({ tag: 'HTTP' });
  req.setAuthority(target.host);
  req.setPathWithQuery(`${target.pathname}${target.search}`);
  return req;
}

/** The response of a ready future (a failed call is a thrown error: the benchmark is broken). */
function responseOf(future: FutureIncomingResponse): IncomingResponse {
  const outcome = future.get();
  if (outcome?.tag !== 'ok' || outcome.val.tag !== 'ok') throw new Error(`the call failed: ${JSON.stringify(outcome?.tag === 'ok' ? outcome.val.val : outcome)}`);
  return outcome.val.val;
}

/** Reads a body to its end with blocking reads; returns its size. */
function drain(stream: InputStream): number {
  let bytes = 0;
  for (;;) {
    try {
      bytes += stream.blockingRead(1n << 20n).length;
    } catch (err) {
      if ((err as { tag?: string }).tag === 'closed') return bytes;
      throw err;
    }
  }
}

function readAll(response: IncomingResponse): number {
  return drain(response.consume().stream());
}

function small(url: string, count: number, concurrency: number): void {
  let started = 0;
  let done = 0;
  const inFlight: { future: FutureIncomingResponse; pollable: Pollable }[] = [];
  while (done < count) {
    while (inFlight.length < concurrency && started < count) {
      const future = handle(request('get', url), undefined);
      inFlight.push({ future, pollable: future.subscribe() });
      started++;
    }
    const ready = poll(inFlight.map((f) => f.pollable));
    for (const index of [...ready].sort((a, b) => b - a)) {
      const [call] = inFlight.splice(index, 1);
      readAll(responseOf(call!.future));
      done++;
    }
  }
}

function download(url: string): void {
  const future = handle(request('get', url), undefined);
  future.subscribe().block();
  readAll(responseOf(future));
}

function upload(url: string, bytes: number): void {
  const req = request('post', url);
  const body = req.body();
  const stream = body.write();
  const future = handle(req, undefined);
  const chunk = new Uint8Array(64 * 1024).fill(7);
  for (let sent = 0; sent < bytes; ) {
    const room = Number(stream.checkWrite());
    if (room === 0) {
      stream.subscribe().block();
      continue;
    }
    const size = Math.min(room, chunk.length, bytes - sent);
    stream.write(size === chunk.length ? chunk : chunk.subarray(0, size));
    sent += size;
  }
  OutgoingBody.finish(body, undefined);
  future.subscribe().block();
  readAll(responseOf(future));
}

parentPort!.on('message', (task: OutboundTask) => {
  const started = performance.now();
  if (task.task === 'small') small(task.url, task.count, task.concurrency);
  else if (task.task === 'download') download(task.url);
  else upload(task.url, task.bytes);
  parentPort!.postMessage({ seconds: (performance.now() - started) / 1000 });
});
