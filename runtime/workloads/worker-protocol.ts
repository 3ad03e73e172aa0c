// Messages between the main thread and a workload worker. Requests go in with their head;
// request body chunks go over a separate port that the worker drains synchronously while a
// component blocks on a read. Everything that comes back is batched (see ReplyBatch).
import type { MessagePort } from 'node:worker_threads';
import type { LogLevel, LogStream } from '../logs/log-bus.ts';
import type { Volume } from '../host/filesystem.ts';
import type { KeyvalueDraft } from '../host/keyvalue.ts';
import type { StudioError } from '../errors.ts';

export type InstanceStrategy = 'reuse' | 'fresh';

/** One component a thread instantiates, and which of its imports other components satisfy. */
export interface ChainMember {
  name: string;
  /** file: URL of the transpiled glue module. */
  glueUrl: string;
  /** Compiled core modules by file name, shared between workers. */
  coreModules: Record<string, WebAssembly.Module>;
  /** Every mutable global of every core module is exported, so an instance's state can be saved and put back. */
  restorable: boolean;
  keyvalueDraft: KeyvalueDraft;
  /**
   * Imports wired to an earlier member's export: jco's import key (the interface without its
   * version), the member, and the export's name as that member's instance holds it.
   */
  links: [importKey: string, member: string, exportName: string][];
}

/** What a worker needs to run a component: the same for every worker of a pool. */
export interface ComponentSetup {
  /** The component the thread runs for (the chain's last member): names its errors. */
  componentName: string;
  /** What the thread instantiates, in order: the components it calls first, itself last. */
  chain: ChainMember[];
  /**
   * Calls across each link, as Int32 counters shared by every thread of the pool: one per
   * link, numbered through the chain's members in order.
   */
  linkCalls: SharedArrayBuffer;
  config: [string, string][];
  environment: [string, string][];
  strategy: InstanceStrategy;
  /** A memory past this many bytes is refused growth; the component then usually traps. */
  memoryLimitBytes: number;
  stores: WorkloadStores | undefined;
  /** Host folders preopened for wasi:filesystem. */
  volumes: Volume[];
}

/**
 * The words of a worker's shared `wake` buffer (Int32). The two byte counts are the flow
 * control of both bodies: without them a fast client fills the worker with a body the
 * component reads slowly, and a fast component fills the main thread with a response the
 * client reads slowly.
 */
export const WakeWord = {
  /** Bumped and notified by the main thread whenever a waiting component may go on. */
  counter: 0,
  /** The claim of the pipelined request (see WorkerRequest.claim), until the worker or the pool takes it. */
  claim: 1,
  /** Request body bytes posted to the worker that the component has not read yet. */
  bodyBacklog: 2,
  /** Response body bytes the worker sent that the connection has not taken yet. */
  responseBacklog: 3,
  /**
   * 1 while the component is parked waiting for the host (a network answer, a socket, a
   * sleep, a slow client): the thread uses no CPU then, so the pool does not count it
   * against its cap on busy workers.
   */
  parked: 4,
  /** Counts the component's waits (sleeps, polls, blocking reads), parked or not: a service whose count stands still for long is spinning. */
  waits: 5,
} as const;
export const WAKE_WORDS = 6;

/** Bytes of either body allowed in flight between the threads before the sender waits. */
export const BODY_WINDOW = 1 << 20;

export interface WorkerLoad extends ComponentSetup {
  type: 'load';
  /** `requests`: serve the chain's HTTP handler; `service`: call its wasi:cli/run once. */
  mode: 'requests' | 'service';
  /** Int32 words, see WakeWord. */
  wake: SharedArrayBuffer;
  bodyPort: MessagePort;
  /** The component thread's end of its host channel (see host/host-channel.ts). */
  hostPort: MessagePort;
}

/** Where a workload's wasi:keyvalue and wasi:blobstore data lives. */
export interface WorkloadStores {
  keyvaluePath: string;
  blobstorePath: string;
  /** The StoreLocks buffer every thread of the studio shares, so increments stay atomic. */
  locks: SharedArrayBuffer;
}

export interface RequestHead {
  id: number;
  method: string;
  pathWithQuery: string;
  scheme: 'http' | 'https';
  authority: string;
  /** Header names and values as sent (values as latin1 strings). */
  headers: [string, string][];
  /** True when the request has no body at all (no chunks will follow). */
  bodyless: boolean;
  /** A replay (see WorkerPool.shouldReplay): served by an instance that has served nothing yet. */
  newInstance?: true;
}

export interface WorkerRequest {
  type: 'request';
  head: RequestHead;
  /**
   * Set when sent while the worker is busy: a number the pool gave this sending alone. The
   * worker starts the request only if it can claim it first (compare-and-swap of this number
   * in slot 1 of the wake buffer to 0); the pool may take it back the same way. Not the
   * request's id: a request taken back and sent to the same worker again leaves an earlier
   * message in the worker's port, which must not claim the new sending out of turn.
   */
  claim?: number;
}

/** To a spare thread, before any load: the glue module the next load will likely use. */
export interface WorkerPreload {
  type: 'preload';
  glueUrl: string;
}

export type ToWorker = WorkerPreload | WorkerLoad | WorkerRequest | { type: 'set-strategy'; strategy: InstanceStrategy };

/** Body traffic on the body port. */
export type BodyMessage =
  | { id: number; chunk: Uint8Array }
  | { id: number; end: true }
  | { id: number; error: string };

export type RequestFailure =
  /** `memoryBytes`: the largest linear memory of the instance when it trapped. */
  | { kind: 'trap'; message: string; memoryBytes: number }
  | { kind: 'exit'; message: string }
  | { kind: 'no-response'; message: string }
  | { kind: 'error-code'; message: string };

export type Reply =
  | { type: 'head'; id: number; status: number; headers: [string, string][] }
  | { type: 'chunk'; id: number; chunk: Uint8Array }
  | { type: 'end'; id: number; trailers?: [string, string][] }
  /** The handler returned or failed; the worker is free. `servedBefore` counts earlier requests on the same instance. */
  | { type: 'done'; id: number; failure?: RequestFailure; servedBefore: number }
  /** `source`: a linked component's name, when not the thread's own component; `request`: the id of the request being served. */
  | { type: 'log'; level: LogLevel; text: string; time: number; stream?: LogStream; source?: string; request?: number };

export type FromWorker =
  | { type: 'ready'; instantiateMs: number }
  /** A service's run waited for the first time: it has done what it does when it starts. */
  | { type: 'settled' }
  /** A service's run returned (`success`: its result), exited, or failed (`failure`). */
  | { type: 'exited'; success: boolean; failure?: RequestFailure }
  | { type: 'load-failed'; error: StudioError }
  | { type: 'replies'; replies: Reply[] };
