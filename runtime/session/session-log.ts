// What a dev session's events say to people: the header, the data folders, the first build's
// steps, serving, reloads and failed builds, as log records under the `studio` source. The
// log bus is the one place they go: the UI's Logs view shows them to whoever opens it after
// start, and a terminal prints them from the bus in their progress form (TerminalLine), so
// nothing is printed twice. This module translates; it neither prints nor changes a session.
import pc from 'picocolors';
import { describe } from '../errors.ts';
import type { LogBus, LogLevel, LogRecord } from '../logs/log-bus.ts';
import { formatDuration } from '../logs/duration.ts';
import { plainText, type TerminalLine, type TerminalPrinter } from '../logs/terminal-printer.ts';
import { summarizeWorld } from '../components/wit-world.ts';
import type { Workload } from '../workloads/workload.ts';
import { isListenFailure, type SessionEvent, type WatchState } from './session-events.ts';

/** Why a build stopped, by what stopped it (see the build-cancelled event). */
const CANCELLED_BY: Record<string, string> = {
  change: 'a newer change came during it',
  manual: 'a rebuild was asked for during it',
  stop: 'the studio is stopping',
};

export const SESSION_SOURCE = 'studio';

export interface SessionLine extends TerminalLine {
  level: LogLevel;
  /** What the log (the UI's Logs view) gets when it differs from the terminal's line: no keys to press there. */
  logText?: string;
}

/** What the translation remembers about one session. */
export interface SessionLogState {
  /** After the first version serves, progress is one line per reload. */
  reloading: boolean;
  /** A person at the terminal can press keys (dev); `check` runs once and ends, and says it is a check. */
  interactive: boolean;
  /** The latest version is a .wasm file served as it is: it has no build to fail. */
  servedAsIs?: boolean;
  /** The gateway listens (from the first version that served HTTP on): a version serving none leaves it answering 503. */
  listening?: boolean;
}

/** Why a build started, as a reload's line says it. */
const REASONS: Record<string, string> = { change: 'a change was saved', manual: 'rebuild asked for' };

/**
 * The lines one event stands for, in order; most events say one line, some none. `session`
 * is what reported it, read for what serves once a reload is done.
 */
export function sessionLines(event: SessionEvent, state: SessionLogState, session?: EventSource): SessionLine[] {
  const info = (text: string, step = false): SessionLine => ({ level: 'info', text, ...(step ? { step } : {}) });
  switch (event.kind) {
    case 'target':
      return [info(`${pc.bold('Component Studio')} ${pc.dim(state.interactive ? 'dev' : 'check')} · ${event.description}`)];
    case 'stores': {
      const { stores } = event;
      const from = (f: 'config' | 'default') => pc.dim(f === 'config' ? '(from config)' : '(default)');
      return [info(`${pc.dim('data')}      keyvalue ${stores.keyvaluePath} ${from(stores.keyvalueFrom)}\n          blobstore ${stores.blobstorePath} ${from(stores.blobstoreFrom)}`)];
    }
    case 'build-started':
      state.servedAsIs = event.builder === 'none';
      // A reload's build ticks on a terminal (a componentize build takes seconds) until its one line says how it went.
      if (event.build.number > 1) return event.builder === 'none' ? [] : [info(`${pc.cyan('↻')} build ${event.build.number}: ${REASONS[event.build.reason] ?? event.build.reason}, building`, true)];
      if (event.builder === 'command') return [info(`building with ${event.command ?? 'build.command'}`, true)];
      if (event.builder === 'componentize-js') return [info(`building with componentize-js ${pc.dim('(a first build takes 10-30 s; unchanged sources come from the cache)')}`, true)];
      return [];
    case 'build-finished':
      if (event.build.number > 1) return [];
      return [done(event.cached ? 'build: unchanged, taken from the cache' : `built in ${formatDuration(event.build.buildMs ?? 0)}`)];
    case 'phase':
      if (state.reloading) return [];
      if (event.phase === 'transpiling') return [info(`preparing the component ${pc.dim('(jco transpile, about 1 s the first time; cached after)')}`, true)];
      if (event.phase === 'starting') return [info('starting workers', true)];
      return [];
    case 'serving': {
      state.reloading = true;
      state.listening = true;
      const { root } = event;
      const named = event.workloads.filter((workload) => workload !== root);
      const url = new URL(event.url);
      return [
        done('started'),
        ...event.workloads.map((workload) => info(`${pc.dim('component')} ${workload.info.name}: ${summarizeWorld(workload.info.world)}`)),
        ...(root ? [info(`${pc.green('serving')}   ${pc.bold(event.url)}${pc.dim(` (${root.info.name})`)}`)] : []),
        ...named.map((other) => info(`${pc.green('serving')}   ${pc.bold(`${url.protocol}//${other.info.name}.localhost:${url.port}/`)}${pc.dim(` (${other.info.name})`)}`)),
        // The project's own component serves no HTTP: the root answers 503, say so up front.
        ...(root ? [] : [info(pc.dim(`${event.url} itself answers 503: the project's own component serves no HTTP; send requests to the addresses above (curl -H 'Host: <name>.localhost' works too)`))]),
        ...keysLine(event.watching, state),
      ];
    }
    case 'reloaded': {
      if (event.first) return []; // 'serving' said it
      const b = event.build;
      const build = b.buildMs !== undefined ? ` (build ${formatDuration(b.buildMs)})` : '';
      return [info(`${pc.green('↻')} build ${b.number}: reloaded in ${formatDuration(b.totalMs ?? 0)}${build}`), ...noHttpAfterReload(b.number, state, session)];
    }
    case 'build-failed':
      return [
        { level: 'error', text: `${pc.red('✗')} ${isListenFailure(event.error) ? 'cannot serve' : state.servedAsIs ? `version ${event.build.number} cannot start` : `build ${event.build.number} failed`}: ${describe(event.error)}` },
        ...(event.ends ? [] : [event.first ? waitingLine(state.servedAsIs) : info(pc.dim('the last good version keeps serving; waiting for a fix'))]),
      ];
    case 'build-cancelled':
      return event.build.number > 1 ? [info(pc.dim(`build ${event.build.number} stopped: ${CANCELLED_BY[event.by] ?? CANCELLED_BY.change}`))] : [];
    case 'no-http':
      state.reloading = true;
      return [
        done('started'),
        info(`${pc.yellow('no HTTP')}   nothing exports wasi:http/incoming-handler, so nothing listens${event.service ? `; the service ${event.service} runs` : ''}`),
        ...keysLine(event.watching, state),
      ];
    case 'service':
      // Ends and restarts are logged by the service runner itself, with the reason.
      return event.state.kind === 'running' && !state.reloading ? [info(`${pc.dim('service')}   ${event.name} running`)] : [];
  }
}

/**
 * A reload swapped in a version that serves no HTTP while the gateway listens: every request
 * now gets 503, which the reload's line alone does not say. (A version with neither HTTP nor
 * a service does not start.)
 */
function noHttpAfterReload(build: number, state: SessionLogState, session: EventSource | undefined): SessionLine[] {
  if (!state.listening || !session?.workloads || session.workloads.length > 0) return [];
  const service = session.service ? `; the service ${session.service.name} runs` : '';
  return [{ level: 'warn', text: `${pc.yellow('no HTTP')}   build ${build} exports no wasi:http/incoming-handler, so nothing answers HTTP: requests get 503${service}` }];
}

/** What the terminal's keys do, and whether saves rebuild. */
function keysLine(watching: WatchState, state: SessionLogState): SessionLine[] {
  if (!state.interactive) return [];
  const saves = watching === 'on' ? 'watching for changes' : watching === 'off' ? 'not watching for changes (--no-watch)' : 'not watching for changes (it could not start: see above)';
  return [{ level: 'info', text: pc.dim(`${saves} · r + Enter rebuilds · Ctrl+C stops`), logText: saves }];
}

/** After a first start that failed: a project waits for a saved fix, a bare .wasm for a new file. */
function waitingLine(servedAsIs: boolean | undefined): SessionLine {
  const [waiting, keys] = servedAsIs ? ['waiting for a new version of the file', 'r + Enter loads it again · Ctrl+C stops'] : ['waiting for a change that fixes it', 'r + Enter rebuilds'];
  return { level: 'info', text: pc.dim(`${waiting} (${keys})`), logText: waiting };
}

function done(text: string): SessionLine {
  return { level: 'info', text: `${pc.green('✓')} ${text}` };
}

/** Anything that reports session events: a DevSession. */
export interface EventSource {
  subscribe(listener: (event: SessionEvent) => void): () => void;
  /** The serving version's HTTP workloads and its service, when the source knows them. */
  readonly workloads?: readonly Workload[];
  readonly service?: { readonly name: string } | undefined;
}

/** Writes the sessions it follows to a log bus, and knows its own records when a terminal prints them. */
function logTextOf(line: SessionLine): string {
  return line.logText ?? plainText(line);
}

export class SessionLog {
  /** The line being appended right now: the bus tells its subscribers before append returns. */
  private appending: SessionLine | undefined;

  constructor(
    private readonly logs: LogBus,
    private readonly options: { interactive: boolean } = { interactive: true },
  ) {}

  /**
   * Logs what a session reports, for as long as it lives (a session that ends reports
   * nothing more). Returns the session, so a session factory can wrap its `new`.
   */
  follow<S extends EventSource>(session: S): S {
    const state: SessionLogState = { reloading: false, interactive: this.options.interactive };
    session.subscribe((event) => {
      for (const line of sessionLines(event, state, session)) this.append(line);
    });
    return session;
  }

  /** The progress form of a record, when it is one of this log's; undefined for every other record. */
  progressOf(record: LogRecord): TerminalLine | undefined {
    return this.appending && record.source === SESSION_SOURCE && record.text === logTextOf(this.appending) ? this.appending : undefined;
  }

  /** Prints every record of the bus on a terminal, this log's as progress lines; returns the function that stops. */
  printTo(printer: TerminalPrinter): () => void {
    return this.logs.subscribe((record) => printer.record(record, this.progressOf(record)));
  }

  private append(line: SessionLine): void {
    this.appending = line;
    try {
      this.logs.append({ level: line.level, source: SESSION_SOURCE, text: logTextOf(line) });
    } finally {
      this.appending = undefined;
    }
  }
}
