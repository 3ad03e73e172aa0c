// A workload worker: runs one component instance on its own thread and serves one request at
// a time with it. The main thread owns timeouts; when a request spins or hangs, it terminates
// this thread and starts another, so nothing here needs to guard against that.
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { messageOf, type StudioError } from '../errors.ts';
import { ComponentExit } from '../host/cli.ts';
import type { HostState } from '../host/host-state.ts';
import { IncomingRequest, isRequestScoped, ResponseOutparam, type ErrorCode, type ResponseSink } from '../host/http.ts';
import { hostImports } from '../host/index.ts';
import { setIncomingRequest } from '../host/outgoing-http.ts';
import { HostChannel, setHostChannel } from '../host/host-channel.ts';
import { setWakeSignal, WakeSignal, type ByteSource } from '../host/io.ts';
import { BlobStore } from '../stores/blob-store.ts';
import { KeyValueStore } from '../stores/key-value-store.ts';
import { StoreLocks } from '../stores/store-locks.ts';
import { counted } from './link-calls.ts';
import { InstanceSnapshot } from './instance-snapshot.ts';
import { ResourceTables } from './resource-tables.ts';
import { RESOURCE_TABLES_IMPORT } from '../components/glue-tuning.ts';
import { BODY_WINDOW, WakeWord, type BodyMessage, type FromWorker, type InstanceStrategy, type Reply, type RequestFailure, type RequestHead, type ToWorker, type WorkerLoad } from './worker-protocol.ts';

const port = parentPort!;

/** Replies leave in batches: one postMessage per response is far cheaper than one per call. */
class ReplyBatch {
  private replies: Reply[] = [];
  private transfer: ArrayBuffer[] = [];
  private bytes = 0;
  private since = 0;

  push(reply: Reply): void {
    if (this.replies.length === 0) this.since = performance.now();
    this.replies.push(reply);
    if (reply.type === 'chunk') {
      this.transfer.push(reply.chunk.buffer as ArrayBuffer);
      this.bytes += reply.chunk.byteLength;
    }
    // A response that streams slowly still reaches the client in good time.
    if (this.bytes > 64 * 1024 || performance.now() - this.since > 20) this.flush();
  }

  flush(): void {
    if (this.replies.length === 0) return;
    port.postMessage({ type: 'replies', replies: this.replies } satisfies FromWorker, this.transfer);
    this.replies = [];
    this.transfer = [];
    this.bytes = 0;
  }
}

const batch = new ReplyBatch();

/** The request body, pulled from the body port while the component reads it. */
class RequestBodySource implements ByteSource {
  private readonly queue: Uint8Array[] = [];
  private ended: boolean;
  private error: string | undefined;

  constructor(
    private readonly id: number,
    private readonly bodyPort: MessagePort,
    bodyless: boolean,
  ) {
    this.ended = bodyless;
  }

  private pump(): void {
    for (;;) {
      const received = receiveMessageOnPort(this.bodyPort);
      if (!received) return;
      const message = received.message as BodyMessage;
      if (message.id !== this.id) continue; // left over from an earlier request that did not read its body
      if ('chunk' in message) this.queue.push(message.chunk);
      else if ('end' in message) this.ended = true;
      else this.error = message.error;
    }
  }

  ready(): boolean {
    this.pump();
    return this.queue.length > 0 || this.ended || this.error !== undefined;
  }

  read(max: number): Uint8Array | 'closed' | { error: string } {
    this.pump();
    const head = this.queue[0];
    if (head) {
      const taken = head.byteLength <= max ? this.queue.shift()! : head.subarray(0, max);
      if (taken !== head) this.queue[0] = head.subarray(max);
      // The main thread holds the rest of the body back until the component reads this.
      Atomics.sub(wake, WakeWord.bodyBacklog, taken.byteLength);
      Atomics.notify(wake, WakeWord.bodyBacklog);
      return taken;
    }
    if (this.error !== undefined) return { error: this.error };
    return this.ended ? 'closed' : new Uint8Array(0);
  }
}

interface IncomingHandler {
  handle(request: IncomingRequest, outparam: ResponseOutparam): void;
}

interface Instance {
  handler: IncomingHandler;
  served: number;
  /** Its state right after it started, put back after each request in 'fresh' mode. */
  snapshot: InstanceSnapshot | undefined;
}

let load: WorkerLoad;
let strategy: InstanceStrategy;
let instance: Promise<Instance> | undefined;
const memories: WebAssembly.Memory[] = [];
/** Every core instance of the current instance's chain. */
const coreInstances: WebAssembly.Instance[] = [];
/** The glue's resource tables of each member of the current instance's chain. */
const resourceTables: ResourceTables[] = [];
/** False once an instance put back to its start failed where a new one might not: new ones from then on. */
let snapshotsWork = true;
/**
 * True once an instance put back to its start served a request: a later failure there is the
 * component's own (a bug, a bad request), and must not cost every request a new instance.
 */
let snapshotsProven = false;
/** Failures on the first request after a put-back, before one succeeded: the second decides. */
let putBackFailures = 0;
const requestEndHooks: (() => void)[] = [];
/** The shared words of this worker (see WakeWord). */
let wake: Int32Array;
let requests: Promise<void> = Promise.resolve();

/** The id of the request being served, which its log lines carry (the traffic inspector shows them with it). */
let serving: number | undefined;

/** Set when the request being served printed a crash report (an uncaught exception, a panic: see host/cli.ts). */
let crashReported = false;

/** A log line of `source` (a linked component), or of the thread's own component. */
function logFrom(source: string | undefined): HostState['log'] {
  return (level, text, stream) => {
    if (stream && level === 'error') crashReported = true;
    batch.push({ type: 'log', level, text, time: Date.now(), ...(stream ? { stream } : {}), ...(source ? { source } : {}), ...(serving !== undefined ? { request: serving } : {}) });
  };
}

const log = logFrom(undefined);

interface Glue {
  instantiate(
    getCoreModule: (path: string) => WebAssembly.Module,
    imports: Record<string, unknown>,
    instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
  ): Promise<Record<string, unknown>>;
}

/**
 * Instantiates the chain, providers first: each member gets the host's imports plus, for each
 * linked import, the export object of the member that provides it, so a call across the link
 * is a plain call on this thread. Returns the last member's exports.
 */
async function instantiateChain(): Promise<Record<string, unknown>> {
  requestEndHooks.length = 0;
  memories.length = 0;
  coreInstances.length = 0;
  resourceTables.length = 0;
  const instances = new Map<string, Record<string, unknown>>();
  const calls = new Int32Array(load.linkCalls);
  let link = 0;
  let exports: Record<string, unknown> = {};
  for (const member of load.chain) {
    const state: HostState = {
      componentName: member.name,
      config: new Map(load.config),
      environment: load.environment,
      log: logFrom(member.name === load.componentName ? undefined : member.name),
      atRequestEnd: (callback) => requestEndHooks.push(callback),
      ...openStores(),
      keyvalueDraft: member.keyvalueDraft,
      volumes: load.volumes,
    };
    const imports: Record<string, unknown> = hostImports(state);
    const tables = new ResourceTables();
    imports[RESOURCE_TABLES_IMPORT] = tables.hook;
    resourceTables.push(tables);
    for (const [key, provider, exportName] of member.links) imports[key] = counted(instances.get(provider)?.[exportName], calls, link++);
    const glue = (await import(member.glueUrl)) as Glue;
    exports = await glue.instantiate(
      (path) => {
        const module = member.coreModules[path];
        if (!module) throw new Error(`the transpiled ${member.name} lacks the core module ${path}`);
        return module;
      },
      imports,
      async (module, moduleImports) => {
        const created = await WebAssembly.instantiate(module, moduleImports);
        coreInstances.push(created);
        for (const value of Object.values(created.exports)) if (value instanceof WebAssembly.Memory) memories.push(value);
        return created;
      },
    );
    instances.set(member.name, exports);
  }
  return exports;
}

async function instantiate(): Promise<Instance> {
  const handler = exported<IncomingHandler>(await instantiateChain(), 'incomingHandler', 'wasi:http/incoming-handler');
  if (!handler) throw new Error('the component exports no wasi:http/incoming-handler');
  // In 'fresh' mode the instance is put back to this state after each request rather than
  // replaced, when all of its state can be saved.
  const restorable = strategy === 'fresh' && snapshotsWork && load.chain.every((member) => member.restorable);
  return { handler, served: 0, snapshot: restorable ? InstanceSnapshot.take(coreInstances, resourceTables) : undefined };
}

/**
 * Runs a service's wasi:cli/run to its end and says how it ended. It blocks this thread
 * (waits park it on the wake signal); the main thread stops a service by ending the thread.
 */
function runService(exports: Record<string, unknown>): FromWorker {
  const run = exported<{ run(): void }>(exports, 'run', 'wasi:cli/run');
  if (!run) return { type: 'exited', success: false, failure: { kind: 'exit', message: 'the component exports no wasi:cli/run, so it cannot run as a service' } };
  try {
    run.run();
    return { type: 'exited', success: true };
  } catch (err) {
    if (err instanceof ComponentExit) return { type: 'exited', success: err.success };
    // jco throws the err of run's result: a failure exit, not a trap. Its value is
    // `undefined` (run returns result<_, _>), or a ComponentError wrapping it in other glue.
    if (err === undefined || (err instanceof Error && err.name === 'ComponentError')) return { type: 'exited', success: false };
    return { type: 'exited', success: false, failure: describeFailure(err) };
  } finally {
    for (const hook of requestEndHooks) hook();
  }
}

let stores: Pick<HostState, 'keyvalue' | 'blobstore'> | undefined;

/** One pair of store objects per worker, shared by every instance it starts. */
function openStores(): Pick<HostState, 'keyvalue' | 'blobstore'> {
  if (stores) return stores;
  if (!load.stores) return (stores = {});
  const locks = new StoreLocks(load.stores.locks);
  // Guests: the main thread owns the folders; a worker may be terminated at any moment.
  stores = { keyvalue: new KeyValueStore(load.stores.keyvaluePath, { locks, guest: true }), blobstore: new BlobStore(load.stores.blobstorePath, { locks, guest: true }) };
  return stores;
}

/** An exported interface, by jco's short name or its full name at any version. */
function exported<T>(exports: Record<string, unknown>, short: string, full: string): T | undefined {
  for (const [name, value] of Object.entries(exports)) {
    if (name === short || name.startsWith(`${full}@`) || name === full) return value as T;
  }
  return undefined;
}

function describeFailure(err: unknown): RequestFailure {
  if (err instanceof ComponentExit) return { kind: 'exit', message: err.message };
  const memoryBytes = Math.max(0, ...memories.map((m) => m.buffer.byteLength));
  return { kind: 'trap', message: messageOf(err), memoryBytes };
}

function serve(head: RequestHead, current: Instance): RequestFailure | undefined {
  let failure: RequestFailure | undefined;
  let ended = false;
  const sink: ResponseSink = {
    head: (status, headers) => batch.push({ type: 'head', id: head.id, status, headers }),
    chunk: (chunk) => {
      Atomics.add(wake, WakeWord.responseBacklog, chunk.byteLength);
      batch.push({ type: 'chunk', id: head.id, chunk });
    },
    // The connection takes the bytes at its client's pace; the component waits for room.
    room: () => BODY_WINDOW - Atomics.load(wake, WakeWord.responseBacklog),
    end: (trailers) => {
      ended = true;
      batch.push(trailers ? { type: 'end', id: head.id, trailers } : { type: 'end', id: head.id });
    },
    failed: (code: ErrorCode) => {
      failure = { kind: 'error-code', message: `the component answered with the error code ${describeErrorCode(code)}` };
    },
  };
  const outparam = new ResponseOutparam(sink);
  crashReported = false;
  const request = new IncomingRequest({ ...head, body: new RequestBodySource(head.id, load.bodyPort, head.bodyless) });
  // Outbound calls say which request they were made for.
  setIncomingRequest({ id: head.id, method: head.method, path: head.pathWithQuery });
  try {
    current.handler.handle(request, outparam);
  } catch (err) {
    return describeFailure(err);
  } finally {
    setIncomingRequest(undefined);
  }
  if (failure) return failure;
  if (!outparam.wasSet) {
    return { kind: 'no-response', message: 'the handler returned without setting a response (response-outparam.set was never called)' };
  }
  if (!ended) {
    // A response whose body was never taken is complete as it is (empty), as under wasmtime.
    // After a crash report the component's runtime sent its own error answer: the report says what went wrong.
    if (outparam.bodyTaken && !crashReported) log('warn', 'the handler returned without finishing the response body (outgoing-body.finish); the response was ended for it');
    batch.push({ type: 'end', id: head.id });
  }
  return undefined;
}

function describeErrorCode(code: ErrorCode): string {
  return code.val === undefined ? code.tag : `${code.tag} (${typeof code.val === 'string' ? code.val : JSON.stringify(code.val, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))})`;
}

async function handleRequest(head: RequestHead): Promise<void> {
  let current: Instance;
  try {
    current = await instance!;
    // A replay of a request an instance failed as its second: not on one that served already.
    if (head.newInstance && current.served > 0) {
      renew();
      current = await instance!;
    }
  } catch (err) {
    const failure: RequestFailure = { kind: 'trap', message: `the component could not be started again: ${messageOf(err)}`, memoryBytes: 0 };
    batch.push({ type: 'done', id: head.id, failure, servedBefore: 0 });
    batch.flush();
    return;
  }
  const servedBefore = current.served++;
  serving = head.id;
  const failure = serve(head, current);
  for (const hook of requestEndHooks) hook();
  // Kept for the next request: what the component never dropped of this one goes (in 'fresh'
  // mode, putting the instance back does it; a failed instance is replaced).
  if (strategy === 'reuse' && !failure) for (const tables of resourceTables) tables.releaseWhere(isRequestScoped);
  serving = undefined;
  batch.push(failure ? { type: 'done', id: head.id, failure, servedBefore } : { type: 'done', id: head.id, servedBefore });
  batch.flush();
  // A trapped instance is poisoned: build a new one now, before the next request arrives. A
  // fresh-instance strategy puts the instance back as it started, or wants a new one.
  // Failing on the first request after a put-back, twice and before any such request
  // succeeded, is what a component with state outside the snapshot does (as fetch-event
  // components fail their second request): new instances then. Once, it may be a bad request.
  if (!failure && current.snapshot && servedBefore >= 1) snapshotsProven = true;
  if (failure && current.snapshot && servedBefore === 1 && !snapshotsProven && ++putBackFailures === 2) snapshotsWork = false;
  if (failure || (strategy === 'fresh' && !current.snapshot?.restore())) renew();
}

/** Starts a new instance for the next request. */
function renew(): void {
  instance = instantiate();
  // A failed restart is reported to the request that waits for it, not as an unhandled rejection.
  instance.catch(() => {});
}

function loadFailed(err: unknown): void {
  batch.flush();
  port.postMessage({ type: 'load-failed', error: loadError(err) } satisfies FromWorker);
}

/**
 * Why the component could not start. jco runs the component model's async ABI (async lifts and
 * lowers, streams, futures) with JavaScript Promise Integration, and its glue calls
 * WebAssembly.Suspending and WebAssembly.promising as it instantiates: on a Node without JSPI
 * that throws a TypeError naming them, which is no fault of the component's.
 */
function loadError(err: unknown): StudioError {
  const message = messageOf(err);
  if (!('Suspending' in WebAssembly) && /WebAssembly\.(Suspending|promising) is not a (constructor|function)/.test(message)) {
    return {
      code: 'needs-jspi',
      message: `${load.componentName} uses the component model's async ABI, which jco runs with JavaScript Promise Integration (WebAssembly.Suspending and WebAssembly.promising), and this Node (${process.version}) lacks it. This is not a fault in the component.`,
      hint: 'Build it without async exports or imports (WASI 0.2, sync functions), or run the studio on a Node whose WebAssembly has JSPI enabled.',
    };
  }
  return { code: 'instantiate-failed', message: `Could not start ${load.componentName}: ${message}`, hint: 'Check the log for what the component printed while starting.' };
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'preload') {
    // Parsing the glue (over 1 MB of JS for a componentize-js component) is then done by the
    // time the load comes, if it names the same module; a failure here is the load's to report.
    import(message.glueUrl).catch(() => {});
  } else if (message.type === 'load') {
    load = message;
    strategy = message.strategy;
    wake = new Int32Array(message.wake);
    // A service's first wait says it is done starting (listening, say): see ServiceRunner.start.
    let settled = message.mode !== 'service';
    setWakeSignal(
      new WakeSignal(
        wake,
        () => {
          batch.flush();
          if (settled) return;
          settled = true;
          port.postMessage({ type: 'settled' } satisfies FromWorker);
        },
        WakeWord.parked,
        WakeWord.waits,
      ),
    );
    setHostChannel(new HostChannel(message.hostPort, () => batch.flush()));
    const started = performance.now();
    if (message.mode === 'service') {
      instantiateChain().then(
        (exports) => {
          batch.flush();
          port.postMessage({ type: 'ready', instantiateMs: performance.now() - started } satisfies FromWorker);
          const ended = runService(exports);
          batch.flush();
          port.postMessage(ended);
        },
        (err: unknown) => loadFailed(err),
      );
      return;
    }
    instance = instantiate();
    instance.then(
      () => {
        batch.flush();
        port.postMessage({ type: 'ready', instantiateMs: performance.now() - started } satisfies FromWorker);
      },
      (err: unknown) => loadFailed(err),
    );
  } else if (message.type === 'request') {
    const { head, claim } = message;
    // One request at a time, in order, each on the instance its predecessor left behind.
    requests = requests.then(() => {
      // A pipelined request the pool took back (this worker was too slow) is not ours to run.
      if (claim !== undefined && Atomics.compareExchange(wake, WakeWord.claim, claim, 0) !== claim) return;
      return handleRequest(head);
    }).catch((err: unknown) => {
      // Never reached in normal operation; it keeps the chain alive for the next request.
      log('error', `the worker failed to handle a request: ${messageOf(err)}`);
      batch.flush();
    });
  } else {
    strategy = message.strategy;
    // The instance that just served may not serve again under the new strategy, and one that
    // did not save its start (it started under 'reuse') cannot be put back to it.
    if (strategy === 'fresh') renew();
  }
});
