// A workload's long-running service: a component exporting wasi:cli/run (with the components
// it calls linked in), run on a thread of its own for as long as the workload runs. When run
// returns, exits or traps, the runner says how it ended and starts it again after a pause
// that doubles with each quick failure (1 s up to 30 s), so a crashing service neither spins
// nor stays down. Its output goes to the log under its own name.
import { MessageChannel, type Worker } from 'node:worker_threads';
import { messageOf, type Result, type StudioError } from '../errors.ts';
import type { LogBus, LogLevel } from '../logs/log-bus.ts';
import { StoreLocks } from '../stores/store-locks.ts';
import { ThreadChannel, type HostServices } from './host-services.ts';
import { readLinkCalls } from './link-calls.ts';
import { takeComponentThread } from './spare-thread.ts';
import type { LinkedInfo } from './workload.ts';
import { WAKE_WORDS, WakeWord, type ComponentSetup, type FromWorker, type RequestFailure, type ToWorker, type WorkerLoad } from './worker-protocol.ts';
import { keepGlueInUse } from '../components/transpile-cache.ts';

export type ServiceState =
  | { kind: 'starting' }
  | { kind: 'running'; since: number }
  /** `at`: when it starts again (ms since the epoch); `ended`: how the last run ended. */
  | { kind: 'restarting'; at: number; ended: string }
  | { kind: 'stopped' };

export interface ServiceOptions extends Omit<ComponentSetup, 'strategy'> {
  /** The service's chain as the UI shows it, providers first, the service last. */
  linked: LinkedInfo[];
  logs: LogBus;
  services?: HostServices;
  /** Told of every change of state, for the UI. */
  onState?: (state: ServiceState) => void;
  /**
   * Where the version before listened, and where this one listens now: a start that replaces
   * a service that listened settles only once the new one listens there too (or SETTLE_MS).
   */
  listensAgain?: ListensAgain;
}

export interface ListensAgain {
  /** The addresses the service before listened on (`127.0.0.1:7777`). */
  addresses: string[];
  /** The addresses this service listens on now. */
  listening(): string[];
}

/** How often a start that waits for the service to listen looks again. */
const LISTEN_POLL_MS = 10;
/** A service that asked for no wait at all (no sleep, poll or blocking read) for this long is said to spin. */
const SPIN_SECONDS = 10;

/** The longest a start waits for the service to settle (see start). */
const SETTLE_MS = 3000;
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30_000;
/** A run that lasted this long was healthy: the next failure starts the pauses over. */
const HEALTHY_MS = 30_000;

export class ServiceRunner {
  private thread: Worker | undefined;
  private channel: ThreadChannel | undefined;
  private current: ServiceState = { kind: 'starting' };
  private pauseMs = FIRST_PAUSE_MS;
  /** Whether the log has said what a service is for (once, at its first short run). */
  private toldWhatServicesAre = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private runs = 0;
  /** Looks, once a second, at whether the running service ever waits (see watchForSpin). */
  private spinWatch: NodeJS.Timeout | undefined;

  /** Stops marking the glue the thread loads as in use in the cache (see transpile-cache.ts). */
  private stopMarkingGlue: () => void = () => {};

  constructor(private readonly options: ServiceOptions) {}

  get name(): string {
    return this.options.componentName;
  }

  get state(): ServiceState {
    return this.current;
  }

  get linked(): readonly LinkedInfo[] {
    return this.options.linked;
  }

  /** Calls so far across each link of its chain, as Workload.linkCalls. */
  linkCalls(): number[] {
    return readLinkCalls(this.options.chain, this.options.linkCalls);
  }

  /** Ends the run now and starts it again at once (a restart by hand). */
  async restart(): Promise<Result<void>> {
    clearTimeout(this.restartTimer);
    this.stopped = false;
    this.pauseMs = FIRST_PAUSE_MS;
    await this.endThread();
    return this.start();
  }

  /** How many times run was called (1 on the first start). */
  get starts(): number {
    return this.runs;
  }

  /**
   * Starts the service; resolves once it has settled, after SETTLE_MS at most, or with why the
   * component could not start. Settled is its first wait (typically it listens, or sleeps
   * until its first tick), and when the version before listened, also listening where that
   * one did: a service may sleep or look a name up before it listens. A reload swaps in the
   * new version only then, so the new components do not call a service that is not
   * listening yet.
   */
  start(): Promise<Result<void>> {
    this.stopMarkingGlue();
    this.stopMarkingGlue = keepGlueInUse(this.options.chain.map((member) => member.glueUrl));
    return new Promise((resolve) => this.launch(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopMarkingGlue();
    clearTimeout(this.restartTimer);
    this.setState({ kind: 'stopped' });
    await this.endThread();
  }

  private setState(state: ServiceState): void {
    this.current = state;
    this.options.onState?.(state);
  }

  private log(level: LogLevel, text: string): void {
    this.options.logs.append({ level, source: this.options.componentName, text });
  }

  /** Starts a thread running the service; `started` hears whether it got as far as run. */
  private launch(started?: (result: Result<void>) => void): void {
    this.setState({ kind: 'starting' });
    const thread = takeComponentThread();
    this.thread = thread;
    const wake = new SharedArrayBuffer(WAKE_WORDS * 4);
    const body = new MessageChannel();
    body.port1.close(); // a service has no request bodies
    const host = new MessageChannel();
    this.channel = new ThreadChannel(host.port1, new Int32Array(wake), this.options.services ?? {}, this.options.componentName, (level, text) => this.log(level, text), 'service');
    const { logs: _logs, services: _services, onState: _onState, linked: _linked, listensAgain: _listensAgain, ...setup } = this.options;
    const load: WorkerLoad = { ...setup, type: 'load', mode: 'service', strategy: 'reuse', wake, bodyPort: body.port2, hostPort: host.port2 };
    let ranAt = 0;
    let listenPoll: NodeJS.Timeout | undefined;
    const settled = (callback: (result: Result<void>) => void) => {
      clearInterval(listenPoll);
      if (started !== callback) return;
      started = undefined;
      callback({ ok: true, value: undefined });
    };
    const listensAgain = this.options.listensAgain;
    const listensWhereItDid = () => listensAgain === undefined || listensAgain.addresses.every((address) => listensAgain.listening().includes(address));
    thread.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'replies':
          for (const reply of message.replies) {
            if (reply.type === 'log') this.options.logs.append({ level: reply.level, source: reply.source ?? this.options.componentName, text: reply.text, time: reply.time, stream: reply.stream });
          }
          return;
        case 'ready': {
          this.runs++;
          ranAt = performance.now();
          this.setState({ kind: 'running', since: Date.now() });
          this.watchForSpin(new Int32Array(wake));
          const settle = started;
          if (settle) setTimeout(() => settled(settle), SETTLE_MS).unref();
          return;
        }
        case 'settled': {
          const settle = started;
          if (!settle) return;
          if (listensWhereItDid()) return settled(settle);
          listenPoll = setInterval(() => listensWhereItDid() && settled(settle), LISTEN_POLL_MS);
          listenPoll.unref();
          return;
        }
        case 'load-failed':
          if (started) {
            started({ ok: false, error: message.error });
            started = undefined;
            void this.endThread();
            return;
          }
          this.ended(message.error.message, 0);
          return;
        case 'exited':
          if (started) settled(started); // it ran, and ended at once: said as an end, below
          this.ended(describeEnd(message.success, message.failure), performance.now() - ranAt);
          return;
      }
    });
    const lost = (err: Error | undefined) => {
      if (this.thread !== thread || this.stopped) return;
      const why = `its thread stopped (${err ? messageOf(err) : 'exited'})`;
      if (started) {
        started({ ok: false, error: { code: 'instantiate-failed', message: `Could not start the service ${this.options.componentName}: ${why}.`, hint: 'Check the log for what it printed.' } satisfies StudioError });
        started = undefined;
        return;
      }
      this.ended(why, performance.now() - ranAt);
    };
    thread.on('error', lost);
    thread.on('exit', () => lost(undefined));
    thread.postMessage(load satisfies ToWorker, [body.port2, host.port2]);
  }

  /** The run ended: say how, and start it again after the pause. */
  private ended(how: string, ranMs: number): void {
    if (this.stopped) return;
    void this.endThread();
    if (ranMs >= HEALTHY_MS) this.pauseMs = FIRST_PAUSE_MS;
    const pause = this.pauseMs;
    this.pauseMs = Math.min(LONGEST_PAUSE_MS, this.pauseMs * 2);
    // A command (it prints something and returns) run as a service comes back for ever: say
    // once what a service is, so that loop does not read as the studio's own.
    const short = ranMs < HEALTHY_MS && !this.toldWhatServicesAre;
    if (short) this.toldWhatServicesAre = true;
    const meaning = short ? ' A service is meant to keep running (a server, a worker loop), so one that returns is started again; a command that does its work and exits is run once with `wasmtime run`, not served.' : '';
    this.log(how.startsWith('exited with success') ? 'warn' : 'error', `service ${this.options.componentName} ${how}; starting it again in ${pause / 1000} s.${meaning}`);
    this.setState({ kind: 'restarting', at: Date.now() + pause, ended: how });
    this.restartTimer = setTimeout(() => this.launch(), pause);
  }

  /**
   * Says once per run when the service never asks to wait: a loop with no sleep, poll or
   * blocking read keeps a core busy for as long as the studio runs, and nothing else would
   * show it. Parked in a wait, the count stands still too, so that is told apart.
   */
  private watchForSpin(wake: Int32Array): void {
    clearInterval(this.spinWatch);
    let waits = Atomics.load(wake, WakeWord.waits);
    let still = 0;
    this.spinWatch = setInterval(() => {
      const now = Atomics.load(wake, WakeWord.waits);
      still = now !== waits || Atomics.load(wake, WakeWord.parked) === 1 ? 0 : still + 1;
      waits = now;
      if (still < SPIN_SECONDS) return;
      clearInterval(this.spinWatch);
      this.log('warn', `service ${this.options.componentName} has computed for ${SPIN_SECONDS} s without waiting once (a loop with no sleep or poll?), which keeps a core busy. Stop it in Workloads, or make its loop wait (a wasi:clocks sleep, or poll on its sockets).`);
    }, 1000);
    this.spinWatch.unref();
  }

  private async endThread(): Promise<void> {
    clearInterval(this.spinWatch);
    const thread = this.thread;
    this.thread = undefined;
    this.channel?.close();
    this.channel = undefined;
    if (!thread) return;
    const threadId = thread.threadId;
    await thread.terminate();
    // A thread ended inside a store call would otherwise hold its key's lock until it times out.
    if (this.options.stores) new StoreLocks(this.options.stores.locks).releaseHeldBy(threadId);
  }
}

function describeEnd(success: boolean, failure: RequestFailure | undefined): string {
  if (failure?.kind === 'trap') return `trapped: ${failure.message}`;
  if (failure) return `failed: ${failure.message}`;
  return success ? 'exited with success' : 'exited with an error (run returned err, or exit(failure))';
}
