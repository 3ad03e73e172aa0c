// Runs one component in several worker threads and hands each request to an idle one.
//
// One instance per worker, one request per worker at a time: host calls are synchronous, so
// a worker is busy until its handler returns. The pool owns everything that must survive a
// misbehaving component: per-request timeouts (the worker is terminated and replaced), worker
// crashes, traps (the worker starts a fresh instance), and growth when every worker is stuck
// on a slow request so that other requests still get served.
import type { Readable } from 'node:stream';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { messageOf, type StudioError } from '../errors.ts';
import type { LogBus, LogLevel } from '../logs/log-bus.ts';
import { StoreLocks } from '../stores/store-locks.ts';
import { nextRequestId, type Exchange } from './exchange.ts';
import { ThreadChannel, type HostServices } from './host-services.ts';
import { readLinkCalls } from './link-calls.ts';
import { expectGlue, takeComponentThread } from './spare-thread.ts';
import { keepGlueInUse } from '../components/transpile-cache.ts';
import { BODY_WINDOW, WAKE_WORDS, WakeWord, type ComponentSetup, type FromWorker, type InstanceStrategy, type Reply, type RequestFailure, type RequestHead, type ToWorker, type WorkerLoad } from './worker-protocol.ts';

export interface PoolOptions extends ComponentSetup {
  /** Workers kept running. */
  workers: number;
  /** Upper bound when the pool grows around stuck requests. */
  maxWorkers: number;
  requestTimeoutMs: number;
  /** How long a worker may take to start its instance; unset, MIN_START_MS or the request timeout if that is longer. */
  startTimeoutMs?: number;
  logs: LogBus;
  /** What the workers' components reach on the main thread (outbound HTTP, sockets). */
  services?: HostServices;
  /** A component's log line with the positions in its JavaScript bundle put back to the project's files (see bundle-positions.ts). */
  sourcePositions?: (component: string, text: string) => string;
}

export interface PoolStats {
  requests: number;
  failures: number;
  /** Recent latencies in ms, newest last (bounded). */
  latencies: number[];
  workers: number;
  busy: number;
  queued: number;
  strategy: InstanceStrategy;
}

/** How long a request may run before the pool adds a worker for the others. */
const STALL_MS = 500;
/**
 * How long a worker may take to start its instance, at least (the request timeout when that is
 * longer): past it the start code is taken to loop, and the thread is stopped.
 */
const MIN_START_MS = 20_000;

/** How long a worker may take to start its instance: `--start-timeout` when given. */
export function startLimitMs({ requestTimeoutMs, startTimeoutMs }: Pick<PoolOptions, 'requestTimeoutMs' | 'startTimeoutMs'>): number {
  return startTimeoutMs ?? Math.max(requestTimeoutMs, MIN_START_MS);
}
/**
 * Threads a pool may have at most, counting those parked in a host call (waiting on the
 * network or a sleep, using no CPU), which `maxWorkers` does not count: a component waiting
 * on slow calls, or on a call back into this studio, must not hold up every other request.
 */
const MAX_THREADS = 32;
/** Workers started at once when every worker is stuck and requests wait. */
const MAX_STARTING = 4;
/** Extra workers beyond `workers` stop after this long idle. */
const EXTRA_IDLE_MS = 30_000;
/** A busy worker gets the next request in advance only while its current one is this young. */
const PIPELINE_MS = 20;
/** Request bodies up to this size are kept so a request can be replayed on a fresh instance. */
const REPLAY_LIMIT = 1 << 20;
const LATENCY_WINDOW = 1000;

interface Job {
  id: number;
  exchange: Exchange;
  started: number;
  /** Body chunks kept for a replay, or null once the body outgrew REPLAY_LIMIT. */
  replay: Buffer[] | null;
  replayBytes: number;
  bodyDone: boolean;
  retried: boolean;
  /** Why the request body failed (the client went away, or it passed the limit): the gateway has answered. */
  bodyFailure: { message: string; clientGone: boolean } | undefined;
  /** Response bytes of this job the connection has not taken yet (counted in the worker's responseBacklog). */
  responseBacklog: number;
  /** When bytes of its body last reached the worker or of its response the client (performance.now()): the timeout counts from there. */
  movedAt: number;
}

class PoolWorker {
  /** Shared with the worker; see WakeWord. */
  readonly wake = new SharedArrayBuffer(WAKE_WORDS * 4);
  readonly cell = new Int32Array(this.wake);
  readonly bodyPort: MessagePort;
  /** Set once the thread is spawned; closed with it. */
  host: ThreadChannel | undefined;
  job: Job | undefined;
  /** A bodyless job already sent, to start when `job` ends (see WorkerPool.pipeline). */
  next: Job | undefined;
  /** The claim `next` was sent with (see WorkerRequest.claim). */
  nextClaim = 0;
  busySince = 0;
  idleSince = performance.now();
  ready = false;
  dead = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly thread: Worker,
    bodyPort: MessagePort,
  ) {
    this.bodyPort = bodyPort;
  }

  sendBody(message: { id: number; chunk: Uint8Array } | { id: number; end: true } | { id: number; error: string }): void {
    this.bodyPort.postMessage(message);
    if ('chunk' in message) Atomics.add(this.cell, WakeWord.bodyBacklog, message.chunk.byteLength);
    this.wakeUp();
  }

  /** Lets a component blocked in a host call look again (new input, or room to write). */
  wakeUp(): void {
    Atomics.add(this.cell, WakeWord.counter, 1);
    Atomics.notify(this.cell, WakeWord.counter);
  }

  /** The connection took `bytes` of the job's response: the component may write that much more. */
  responseTaken(job: Job, bytes: number): void {
    job.movedAt = performance.now();
    const taken = Math.min(bytes, job.responseBacklog);
    if (taken === 0) return;
    job.responseBacklog -= taken;
    Atomics.sub(this.cell, WakeWord.responseBacklog, taken);
    this.wakeUp();
  }
}

function headOf(job: Job): RequestHead {
  const { exchange } = job;
  return {
    id: job.id,
    method: exchange.method,
    pathWithQuery: exchange.pathWithQuery,
    scheme: exchange.scheme,
    authority: exchange.authority,
    headers: exchange.headers,
    bodyless: exchange.body === null,
    ...(job.retried ? { newInstance: true as const } : {}),
  };
}

/** Resumes a paused body once the component has read half the window, or the job ended. */
function resumeWhenRead(worker: PoolWorker, job: Job, body: Readable): void {
  const look = (): void => {
    const backlog = Atomics.load(worker.cell, WakeWord.bodyBacklog);
    if (worker.job !== job || worker.dead || backlog <= BODY_WINDOW / 2) {
      body.resume();
      return;
    }
    // The worker notifies this word as it reads; the timeout only rechecks the job.
    const waited = Atomics.waitAsync(worker.cell, WakeWord.bodyBacklog, backlog, 1000);
    if (waited.async) void waited.value.then(look);
    else look();
  };
  look();
}

export class WorkerPool {
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: Job[] = [];
  /** The claim of the latest pipelined sending (see WorkerRequest.claim). */
  private lastClaim = 0;
  private stopped = false;
  private growTimer: NodeJS.Timeout | undefined;
  private firstReady: { resolve: () => void; reject: (e: StudioError) => void } | undefined;
  private strategy: InstanceStrategy;
  /** An instance answered a second request: this component is not one-request-per-instance. */
  private answersRepeatedly = false;
  private readonly stats = { requests: 0, failures: 0, latencies: [] as number[] };
  private loadFailures = 0;

  /** Stops marking the glue the workers load as in use in the cache (see transpile-cache.ts). */
  private stopMarkingGlue: () => void = () => {};

  constructor(private readonly options: PoolOptions) {
    this.strategy = options.strategy;
  }

  /**
   * Starts the workers; resolves when one is ready to serve, or fails with why none could
   * start. The others start once the first is ready: started together they would share the
   * CPU, and the first one, which a reload waits for, would be ready later.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstReady = { resolve, reject };
      expectGlue(this.options.componentName, this.options.chain.at(-1)!.glueUrl);
      this.stopMarkingGlue = keepGlueInUse(this.options.chain.map((member) => member.glueUrl));
      this.spawn();
    });
  }

  handle(exchange: Exchange): void {
    if (this.stopped) {
      exchange.response.fail(503, `${this.options.componentName} is stopped.\n`);
      return;
    }
    const job: Job = {
      id: exchange.id ?? nextRequestId(),
      exchange,
      started: performance.now(),
      replay: [],
      replayBytes: 0,
      bodyDone: exchange.body === null,
      retried: false,
      bodyFailure: undefined,
      responseBacklog: 0,
      movedAt: 0,
    };
    this.stats.requests++;
    exchange.body?.on('error', (err: Error & { clientGone?: boolean }) => this.bodyFailed(job, { message: messageOf(err), clientGone: err.clientGone === true }));
    this.queue.push(job);
    this.pump();
  }

  /**
   * The request body will not complete. The gateway has answered the client (or it is gone);
   * what is left here is to end the component's read at once, so its worker is free.
   */
  private bodyFailed(job: Job, failure: { message: string; clientGone: boolean }): void {
    job.bodyFailure = failure;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      if (failure.clientGone) this.log('info', `${job.exchange.method} ${job.exchange.pathWithQuery}: ${failure.message}; it never reached the component.`, job.id);
      return;
    }
    for (const w of this.workers) if (w.job === job) w.sendBody({ id: job.id, error: failure.message });
  }

  /** Calls so far across each link of the chain (see ComponentSetup.linkCalls), from every worker. */
  linkCalls(): number[] {
    return readLinkCalls(this.options.chain, this.options.linkCalls);
  }

  getStats(): PoolStats {
    let busy = 0;
    for (const w of this.workers) if (w.job) busy++;
    return { ...this.stats, latencies: [...this.stats.latencies], workers: this.workers.size, busy, queued: this.queue.length, strategy: this.strategy };
  }

  /**
   * Stops taking requests; those already accepted (running or queued) may finish for up to
   * `graceMs`; then every worker ends. A reload calls this on the old version after the new
   * one took over, so nothing in flight is lost.
   */
  async stop(graceMs = 0): Promise<void> {
    this.stopped = true;
    this.stopMarkingGlue();
    this.firstReady?.reject({ code: 'instantiate-failed', message: `${this.options.componentName} was stopped while starting.`, hint: 'Nothing to do: a newer version or a stop replaced it.' });
    this.firstReady = undefined;
    const deadline = Date.now() + graceMs;
    const busy = () => this.queue.length > 0 || [...this.workers].some((w) => w.job || w.next);
    while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    clearInterval(this.growTimer);
    const stopping = `${this.options.componentName} stopped before it answered.\n`;
    for (const job of this.queue.splice(0)) job.exchange.response.fail(503, stopping);
    // Whatever is still running after the grace period ends with the workers: answer it.
    for (const w of this.workers) {
      for (const job of [w.job, w.next]) job?.exchange.response.fail(503, stopping);
      w.job = undefined;
      w.next = undefined;
    }
    await Promise.all([...this.workers].map((w) => this.retire(w)));
  }

  /** `request`: the request the line is about, so the traffic inspector shows it with that request. */
  private log(level: LogLevel, text: string, request?: number): void {
    this.options.logs.append({ level, source: this.options.componentName, text, ...(request !== undefined ? { request } : {}) });
  }

  private spawn(): PoolWorker {
    const channel = new MessageChannel();
    const hostChannel = new MessageChannel();
    const thread = takeComponentThread();
    const worker = new PoolWorker(thread, channel.port1);
    worker.host = new ThreadChannel(hostChannel.port1, worker.cell, this.options.services ?? {}, this.options.componentName, (level, text) => this.log(level, text), 'requests');
    this.workers.add(worker);
    thread.on('message', (m: FromWorker) => this.onMessage(worker, m));
    thread.on('error', (err) => this.onExit(worker, err));
    thread.on('exit', () => this.onExit(worker, undefined));
    const { workers: _workers, maxWorkers: _max, requestTimeoutMs: _timeout, startTimeoutMs: _start, logs: _logs, services: _services, sourcePositions: _positions, ...setup } = this.options;
    const load: WorkerLoad = { ...setup, type: 'load', mode: 'requests', strategy: this.strategy, wake: worker.wake, bodyPort: channel.port2, hostPort: hostChannel.port2 };
    thread.postMessage(load satisfies ToWorker, [channel.port2, hostChannel.port2]);
    // A start function that loops would hold the thread, and every reload waiting for it, for good.
    const limit = startLimitMs(this.options);
    worker.timer = setTimeout(() => {
      if (worker.ready || worker.dead) return;
      this.loadFailed(worker, {
        code: 'start-timeout',
        message: `${this.options.componentName} did not finish starting within ${limit / 1000} s: the code it runs as it starts (a start function, static initializers) may loop forever, or wait for something that never comes. Its thread was stopped.`,
        hint: 'Fix it and save (a .wasm file: write the fixed one over it); a version that served before, if any, keeps serving meanwhile. A component that is only slow to start can be given longer with --start-timeout SECONDS.',
      });
    }, limit);
    return worker;
  }

  /** A worker could not start its instance: the first start fails with why; later ones are logged (three times at most) and retired. */
  private loadFailed(worker: PoolWorker, error: StudioError): void {
    this.loadFailures++;
    this.firstReady?.reject(error);
    this.firstReady = undefined;
    if (this.loadFailures <= 3) this.log('error', error.message);
    void this.retire(worker);
  }

  private onMessage(worker: PoolWorker, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        worker.ready = true;
        clearTimeout(worker.timer);
        this.loadFailures = 0;
        if (this.firstReady && !this.stopped) {
          this.firstReady.resolve();
          this.firstReady = undefined;
          while (this.workers.size < this.options.workers) this.spawn();
        }
        this.pump();
        return;
      case 'load-failed':
        this.loadFailed(worker, message.error);
        return;
      case 'replies':
        for (const reply of message.replies) this.onReply(worker, reply);
        return;
    }
  }

  private onReply(worker: PoolWorker, reply: Reply): void {
    if (reply.type === 'log') {
      const source = reply.source ?? this.options.componentName;
      const text = this.options.sourcePositions ? this.options.sourcePositions(source, reply.text) : reply.text;
      const by = worker.job?.exchange.id === reply.request ? worker.job?.exchange.sentBy : undefined;
      this.options.logs.append({ level: reply.level, source, text, time: reply.time, stream: reply.stream, request: reply.request, by });
      return;
    }
    const job = worker.job;
    if (!job || job.id !== reply.id) return;
    const response = job.exchange.response;
    switch (reply.type) {
      case 'head':
        response.head(reply.status, reply.headers);
        return;
      case 'chunk': {
        const bytes = reply.chunk.byteLength;
        job.responseBacklog += bytes;
        response.chunk(reply.chunk, () => worker.responseTaken(job, bytes));
        return;
      }
      case 'end':
        response.end(reply.trailers);
        return;
      case 'done':
        this.finish(worker, job, reply.failure, reply.servedBefore);
        return;
    }
  }

  private finish(worker: PoolWorker, job: Job, failure: RequestFailure | undefined, servedBefore: number): void {
    clearTimeout(worker.timer);
    worker.job = undefined;
    worker.idleSince = performance.now();
    // What the connection has not taken yet no longer holds this worker's next response back.
    worker.responseTaken(job, job.responseBacklog);
    const { exchange } = job;
    if (failure && job.bodyFailure) {
      // The component failed because its body did: the client's doing, already answered.
      if (job.bodyFailure.clientGone) this.log('info', `${exchange.method} ${exchange.pathWithQuery}: ${job.bodyFailure.message}; ${this.options.componentName}'s read of it failed and its worker is free again.`, job.id);
    } else if (failure && this.shouldReplay(job, failure, servedBefore)) {
      job.retried = true;
      this.log('info', `${exchange.method} ${exchange.pathWithQuery}: ${this.options.componentName} failed on its instance's second request; trying it once more on a new instance, in case ${this.options.componentName} answers only one request per instance (fetch-event style).`, job.id);
      // Whichever worker takes it serves it on an instance that has served nothing (see RequestHead.newInstance).
      this.queue.unshift(job);
    } else if (failure) {
      this.stats.failures++;
      this.reportFailure(job, failure);
    } else {
      if (servedBefore >= 1) this.answersRepeatedly = true;
      if (job.retried) this.switchToFresh();
      this.recordLatency(performance.now() - job.started);
      // A handler may return without reading the body; drain it so the client is not stuck.
      exchange.body?.resume();
    }
    if (worker.next) {
      const next = worker.next;
      worker.next = undefined;
      this.begin(worker, next);
    }
    this.pump();
  }

  /**
   * Components built in the fetch-event style answer one request per instance and fail the
   * second. A failure on an instance's second request is replayed once on a new instance;
   * if that succeeds, the component is of that kind and gets a fresh instance per request.
   * (In 'fresh' mode an instance that was put back to its start has served before too; its
   * worker then starts new instances instead, and the replay goes to one.) Once an instance
   * has answered a second request, the component is not of that kind, and a failure is its
   * own: replaying it would run a request with side effects twice.
   */
  private shouldReplay(job: Job, failure: RequestFailure, servedBefore: number): boolean {
    return (
      !job.retried &&
      !this.answersRepeatedly &&
      servedBefore === 1 &&
      (failure.kind === 'trap' || failure.kind === 'no-response') &&
      !job.exchange.response.headSent &&
      job.replay !== null &&
      job.bodyDone
    );
  }

  private switchToFresh(): void {
    if (this.strategy === 'fresh') return;
    this.strategy = 'fresh';
    this.log('info', 'this component answers one request per instance (fetch-event style), so each request now gets a fresh, pre-started instance');
    for (const w of this.workers) w.thread.postMessage({ type: 'set-strategy', strategy: 'fresh' } satisfies ToWorker);
  }

  private reportFailure(job: Job, failure: RequestFailure): void {
    const what = `${job.exchange.method} ${job.exchange.pathWithQuery}`;
    const name = this.options.componentName;
    let text: string;
    // A refused memory.grow is invisible from outside; a trap with memory past half the
    // limit is most likely the guest's allocator giving up.
    if (failure.kind === 'trap' && failure.memoryBytes >= this.options.memoryLimitBytes / 2) {
      const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
      text = `${what}: ${name} trapped with ${mib(failure.memoryBytes)} MiB of memory in use, near its limit of ${mib(this.options.memoryLimitBytes)} MiB: it most likely ran out of memory (${failure.message}). Raise the limit with --memory-limit if it needs more. A new instance serves the next request.`;
    } else if (failure.kind === 'trap') {
      // The trap alone reads as a bug in the wasm; it is how Rust, Go and componentize-js end after a panic or an uncaught exception.
      const abort = /\bunreachable\b/.test(failure.message) ? ' (how a language runtime aborts after a panic or an uncaught exception: its report, when it printed one, is in the lines just before)' : '';
      text = `${what}: ${name} trapped: ${failure.message}${abort}. A new instance serves the next request.`;
    } else {
      text = `${what}: ${name}: ${failure.message}.`;
    }
    this.log('error', text, job.id);
    job.exchange.response.fail(500, `500 Internal Server Error: ${failure.kind === 'trap' ? 'the component trapped' : failure.message}. See the studio log.\n`);
  }

  private recordLatency(ms: number): void {
    const l = this.stats.latencies;
    l.push(ms);
    if (l.length > LATENCY_WINDOW) l.splice(0, l.length - LATENCY_WINDOW);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = [...this.workers].find((w) => w.ready && !w.job && !w.dead);
      if (idle) {
        const job = this.queue.shift()!;
        idle.thread.postMessage({ type: 'request', head: headOf(job) } satisfies ToWorker);
        this.begin(idle, job);
        continue;
      }
      if (!this.pipeline()) break;
    }
    this.watchForStalls();
  }

  /**
   * Sends the queue's first request to a worker that is still busy, so it starts the moment
   * the current one ends instead of after a round trip through this thread: on a machine with
   * few cores that round trip leaves workers idle. Only bodyless requests go this way, only to
   * a worker whose current request is young, and a pipelined request is taken back (see
   * takeBack) if that worker gets stuck, so a slow request never holds another one up.
   */
  private pipeline(): boolean {
    const job = this.queue[0]!;
    if (job.exchange.body !== null || job.retried) return false;
    const now = performance.now();
    // The claim slot must be free: a job promoted from `next` may not have been claimed yet.
    const worker = [...this.workers].find(
      (w) => w.ready && w.job && !w.next && !w.dead && now - w.busySince < PIPELINE_MS && Atomics.load(w.cell, WakeWord.claim) === 0,
    );
    if (!worker) return false;
    this.queue.shift();
    worker.next = job;
    // Never 0 (an empty slot), and unique for 2^31 sendings.
    this.lastClaim = (this.lastClaim % 0x7fffffff) + 1;
    worker.nextClaim = this.lastClaim;
    Atomics.store(worker.cell, WakeWord.claim, worker.nextClaim);
    worker.thread.postMessage({ type: 'request', head: headOf(job), claim: worker.nextClaim } satisfies ToWorker);
    return true;
  }

  /** Takes a pipelined job back, unless the worker has already claimed (started) it. */
  private takeBack(worker: PoolWorker): Job | undefined {
    const job = worker.next;
    if (!job || Atomics.compareExchange(worker.cell, WakeWord.claim, worker.nextClaim, 0) !== worker.nextClaim) return undefined;
    worker.next = undefined;
    return job;
  }

  /** Hands the pipelined job of a worker that is going away to another one, or fails it. */
  private rescueNext(worker: PoolWorker): void {
    if (!worker.next) return;
    const taken = this.takeBack(worker);
    if (taken) {
      this.queue.unshift(taken);
      return;
    }
    const started = worker.next;
    worker.next = undefined;
    this.stats.failures++;
    started.exchange.response.fail(500, "500 Internal Server Error: the component's worker stopped. See the studio log.\n");
  }

  /** Makes `job` the worker's current request: its timeout starts, its body flows. */
  private begin(worker: PoolWorker, job: Job): void {
    worker.job = job;
    worker.busySince = job.movedAt = performance.now();
    job.exchange.assigned?.(this.options.componentName, worker.thread.threadId);
    worker.timer = setTimeout(() => this.timeOut(worker, job), this.options.requestTimeoutMs);
    if (job.exchange.body === null) return;
    // Whatever an earlier request left unread was dropped by the worker.
    Atomics.store(worker.cell, WakeWord.bodyBacklog, 0);
    if (job.bodyFailure) {
      worker.sendBody({ id: job.id, error: job.bodyFailure.message });
    } else if (job.retried) {
      for (const chunk of job.replay ?? []) worker.sendBody({ id: job.id, chunk });
      worker.sendBody({ id: job.id, end: true });
    } else {
      this.forwardBody(worker, job, job.exchange.body);
    }
  }

  /**
   * Streams the body to the worker, at most BODY_WINDOW bytes ahead of what the component
   * has read: the rest waits in the socket, so a slow reader never fills memory.
   */
  private forwardBody(worker: PoolWorker, job: Job, body: Readable): void {
    body.on('data', (chunk: Buffer) => {
      if (job.replay) {
        job.replayBytes += chunk.length;
        if (job.replayBytes <= REPLAY_LIMIT) job.replay.push(chunk);
        else job.replay = null;
      }
      if (worker.job !== job) return;
      job.movedAt = performance.now();
      // Copied, not moved: memory moved into a worker counts for nothing in its garbage
      // collector's sums, so a component that streams a body on (an outbound upload) while
      // allocating little left hundreds of MB of spent chunks uncollected there.
      worker.sendBody({ id: job.id, chunk });
      if (Atomics.load(worker.cell, WakeWord.bodyBacklog) > BODY_WINDOW) {
        body.pause();
        resumeWhenRead(worker, job, body);
      }
    });
    body.on('end', () => {
      job.bodyDone = true;
      if (worker.job === job) worker.sendBody({ id: job.id, end: true });
    });
  }

  /**
   * The timeout counts from the last bytes that moved, so an upload, a download or an event
   * stream may last as long as it keeps moving; a component that loops or stalls is still
   * stopped (a body the component does not read stops moving once its window is full).
   */
  private timeOut(worker: PoolWorker, job: Job): void {
    if (worker.job !== job) return;
    const left = job.movedAt + this.options.requestTimeoutMs - performance.now();
    if (left > 1) {
      worker.timer = setTimeout(() => this.timeOut(worker, job), left);
      return;
    }
    const seconds = this.options.requestTimeoutMs / 1000;
    const { exchange } = job;
    this.stats.failures++;
    const request = `${exchange.method} ${exchange.pathWithQuery}`;
    if (exchange.response.headSent && job.responseBacklog > 0) {
      // Not the component's doing: it was waiting for the client to take what it wrote.
      this.log('warn', `${request}: the client took none of the response for ${seconds} s (${job.responseBacklog} bytes waiting to be sent); the connection was closed, and the worker, held writing to it, replaced.`, job.id);
    } else if (exchange.response.headSent) {
      this.log('error', `${request}: ${this.options.componentName} sent nothing more of its response for ${seconds} s; the connection was closed (status already sent) and the worker replaced. A response that is only slow may be given longer with --timeout SECONDS.`, job.id);
    } else {
      this.log('error', `${request}: ${this.options.componentName} did not answer within ${seconds} s (504 Gateway Timeout); its worker was stopped and replaced. A component that is only slow may be given longer with --timeout SECONDS.`, job.id);
    }
    exchange.response.fail(504, `504 Gateway Timeout: the component did not answer within ${seconds} s. See the studio log.\n`);
    worker.job = undefined;
    this.rescueNext(worker);
    void this.retire(worker);
    this.pump();
  }

  private onExit(worker: PoolWorker, err: Error | undefined): void {
    if (worker.dead) return;
    worker.dead = true;
    worker.host?.close();
    this.releaseStoreLocks(worker.thread.threadId);
    clearTimeout(worker.timer);
    this.workers.delete(worker);
    this.rescueNext(worker);
    const job = worker.job;
    if (job) {
      worker.job = undefined;
      this.stats.failures++;
      const outOfMemory = (err as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const why = outOfMemory ? 'its host-side memory ran out' : `its worker stopped (${err ? messageOf(err) : 'exited'})`;
      this.log('error', `${job.exchange.method} ${job.exchange.pathWithQuery}: ${this.options.componentName} failed: ${why}. The worker was replaced.`, job.id);
      job.exchange.response.fail(500, '500 Internal Server Error: the component\'s worker stopped. See the studio log.\n');
    } else if (err && !this.stopped) {
      this.log('error', `A worker of ${this.options.componentName} stopped: ${messageOf(err)}. It was replaced.`);
    }
    this.replenish();
  }

  private async retire(worker: PoolWorker): Promise<void> {
    worker.dead = true;
    clearTimeout(worker.timer);
    this.workers.delete(worker);
    worker.bodyPort.close();
    worker.host?.close();
    const threadId = worker.thread.threadId;
    await worker.thread.terminate();
    this.releaseStoreLocks(threadId);
    this.replenish();
  }

  /** A worker killed inside a store call would otherwise hold its key's lock until it times out. */
  private releaseStoreLocks(threadId: number): void {
    if (this.options.stores) new StoreLocks(this.options.stores.locks).releaseHeldBy(threadId);
  }

  /** Keeps the pool at its size, unless the component cannot start at all. */
  private replenish(): void {
    if (this.stopped) return;
    if (this.loadFailures > 3) {
      if (this.workers.size === 0) {
        for (const job of this.queue.splice(0)) job.exchange.response.fail(503, `${this.options.componentName} cannot start; see the studio log.\n`);
      }
      return;
    }
    while (this.workers.size < this.options.workers) this.spawn();
  }

  /** Adds a worker when requests wait and every worker has been busy for a while. */
  private watchForStalls(): void {
    const now = performance.now();
    for (const w of this.workers) {
      if (w.next && now - w.busySince > STALL_MS) {
        const taken = this.takeBack(w);
        if (taken) this.queue.unshift(taken);
      }
    }
    if (this.queue.length > 0) {
      const all = [...this.workers];
      const stuck = all.filter((w) => w.ready && w.job && now - w.busySince > STALL_MS);
      const starting = all.filter((w) => !w.ready).length;
      // Parked workers wait on the host, not on the CPU: they do not count against maxWorkers.
      const computing = stuck.filter((w) => Atomics.load(w.cell, WakeWord.parked) === 0).length;
      const room = Math.min(MAX_THREADS - all.length, this.options.maxWorkers - computing - starting, MAX_STARTING - starting, this.queue.length - starting);
      // Only around workers that are stuck: not while the first is still starting (the others follow it), nor once workers fail to load.
      if (stuck.length > 0 && stuck.length + starting === all.length && this.loadFailures <= 3) for (let i = 0; i < room; i++) this.spawn();
    }
    for (const w of this.workers) {
      if (this.workers.size > this.options.workers && !w.job && w.ready && now - w.idleSince > EXTRA_IDLE_MS) void this.retire(w);
    }
    const needsWatch = this.queue.length > 0 || this.workers.size > this.options.workers || [...this.workers].some((w) => w.next);
    if (needsWatch && !this.growTimer && !this.stopped) {
      this.growTimer = setInterval(() => this.watchForStalls(), 250);
      this.growTimer.unref();
    } else if (!needsWatch && this.growTimer) {
      clearInterval(this.growTimer);
      this.growTimer = undefined;
    }
  }
}
