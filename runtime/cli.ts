// The command line: `component-studio dev [dir | file.wasm]`. Parses arguments, runs a dev
// session, prints progress and log records, and stops cleanly on Ctrl+C.
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { studioCacheDir } from './cache-dir.ts';
import { describe } from './errors.ts';
import { LogBus } from './logs/log-bus.ts';
import { formatRecord } from './logs/terminal-printer.ts';
import { DevSession, type SessionEvent } from './session/dev-session.ts';
import { summarizeWorld } from './components/wit-world.ts';
import { defaultRuntimeSettings } from './workloads/workload.ts';
import { startUi } from './studio/cli-ui.ts';
import { riskyTarget } from './project/risky-folders.ts';
import type { InstanceStrategy } from './workloads/worker-protocol.ts';

const USAGE = `Usage: component-studio dev [dir | file.wasm] [options]

Builds a component project (or takes a .wasm component as it is), runs it and serves it
over HTTP.

Options:
  --port N            gateway port (default 8000; 0 picks a free one)
  --host ADDR         gateway address (default 127.0.0.1)
  --no-ui             run headless: no studio UI, only the gateway and this terminal
  --ui-port N         port of the studio UI on 127.0.0.1 (default 0: a free one)
  --open              open the studio UI in the default browser
  --no-watch          build and serve once; do not rebuild on changes
  --workers N         worker threads serving requests (default: one per core, at least 2)
  --instances MODE    reuse (default): one instance per worker, reused across requests;
                      fresh: a new, pre-started instance for every request, as wash does.
                      Wins over instances in .wash/studio.yaml
  --timeout SECONDS   per-request timeout (default 30)
  --memory-limit MB   linear memory limit per instance (default 512)
  --body-limit MB     request body limit (default 100)
  --yes               open a system folder or your home folder as a project without asking
  -h, --help          show this help
`;

function fatal(message: string): never {
  process.stderr.write(`${pc.red('error')} ${message}\n`);
  process.exit(2);
}

function positiveNumber(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) fatal(`${name} must be a number of at least ${min}, not "${value}".`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'no-ui': { type: 'boolean' },
        'ui-port': { type: 'string' },
        open: { type: 'boolean' },
        'no-watch': { type: 'boolean' },
        workers: { type: 'string' },
        instances: { type: 'string' },
        timeout: { type: 'string' },
        'memory-limit': { type: 'string' },
        'body-limit': { type: 'string' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fatal(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, target = '.', ...extra] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  if (command !== 'dev') fatal(`unknown command "${command}".\n\n${USAGE}`);
  if (extra.length > 0) fatal(`dev takes one target, got ${positionals.length - 1}: ${positionals.slice(1).join(' ')}`);
  const risky = riskyTarget(target);
  if (risky && !values.yes) fatal(`${risky}\n  hint: pass the project folder inside it, or add --yes to open it anyway.`);
  if (values.instances !== undefined && values.instances !== 'reuse' && values.instances !== 'fresh') {
    fatal(`--instances must be "reuse" or "fresh", not "${values.instances}".`);
  }

  const settings = defaultRuntimeSettings(studioCacheDir());
  settings.workers = positiveNumber(values.workers, '--workers', settings.workers);
  settings.maxWorkers = Math.max(settings.maxWorkers, settings.workers);
  settings.requestTimeoutMs = positiveNumber(values.timeout, '--timeout', 30, 0.001) * 1000;
  settings.memoryLimitBytes = positiveNumber(values['memory-limit'], '--memory-limit', 512) * 2 ** 20;

  const logs = new LogBus();
  logs.subscribe((record) => process.stdout.write(`${formatRecord(record)}\n`));
  const progress = new Progress();
  const sessionOptions = {
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.port !== undefined ? { port: positiveNumber(values.port, '--port', 8000, 0) } : {}),
    watch: !values['no-watch'],
    // The session weighs it against .wash/studio.yaml, so it is not the settings' default.
    ...(values.instances !== undefined ? { instances: values.instances as InstanceStrategy } : {}),
    bodyLimitBytes: positiveNumber(values['body-limit'], '--body-limit', 100) * 2 ** 20,
    settings,
    logs,
  };
  const createSession = (t: string) => new DevSession({ ...sessionOptions, target: t }, (event) => progress.show(event));
  const session = createSession(target);
  // The studio UI (browser mode) drives the session from now on: project.open replaces it.
  const ui = values['no-ui']
    ? undefined
    : await startUi({ logs, session, target, createSession, port: positiveNumber(values['ui-port'], '--ui-port', 0, 0), open: values.open === true, print: (text) => progress.line(text) });

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    progress.line(pc.dim('stopping…'));
    await (ui ? ui.close() : session.stop());
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const started = await session.start();
  if (!started.ok) {
    progress.line(`${pc.red('error')} ${describe(started.error)}`);
    await (ui ? ui.close() : session.stop());
    process.exit(1);
  }
  listenForRebuildKey(() => ui?.currentSession() ?? session);
}

/** `r` + Enter rebuilds by hand, for changes the watcher cannot see. */
function listenForRebuildKey(current: () => DevSession): void {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    if (line.trim().toLowerCase() === 'r') current().rebuild();
  });
}

/** Progress lines for a terminal; on a TTY a ticking elapsed time while a long step runs. */
class Progress {
  private step: { timer?: NodeJS.Timeout } | undefined;

  show(event: SessionEvent): void {
    switch (event.kind) {
      case 'target':
        this.line(`${pc.bold('Component Studio')} ${pc.dim('dev')} · ${event.description}`);
        return;
      case 'stores': {
        const from = (f: 'config' | 'default') => pc.dim(f === 'config' ? '(from config)' : '(default)');
        this.line(`${pc.dim('data')}      keyvalue ${event.stores.keyvaluePath} ${from(event.stores.keyvalueFrom)}`);
        this.line(`          blobstore ${event.stores.blobstorePath} ${from(event.stores.blobstoreFrom)}`);
        return;
      }
      case 'build-started':
        if (event.build.number > 1) return; // reloads print one line when they finish
        if (event.builder === 'command') this.begin(`building with ${event.command ?? 'build.command'}`);
        else if (event.builder === 'componentize-js') this.begin(`building with componentize-js ${pc.dim('(a first build takes 10-30 s; unchanged sources come from the cache)')}`);
        return;
      case 'build-finished':
        if (event.build.number > 1) return;
        this.done(event.cached ? 'build: unchanged, taken from the cache' : `built in ${seconds(event.build.buildMs ?? 0)}`);
        return;
      case 'phase':
        if (this.reloading) return;
        if (event.phase === 'transpiling') this.begin(`preparing the component ${pc.dim('(jco transpile, about 1 s the first time; cached after)')}`);
        else if (event.phase === 'starting') this.begin('starting workers');
        return;
      case 'serving': {
        this.done('started');
        for (const workload of event.workloads) {
          const info = workload.info;
          this.line(`${pc.dim('component')} ${info.name}: ${summarizeWorld(info.world)}`);
        }
        const [main, ...named] = event.workloads;
        this.line(`${pc.green('serving')}   ${pc.bold(event.url)}${main ? pc.dim(` (${main.info.name})`) : ''}`);
        for (const other of named) {
          const url = new URL(event.url);
          this.line(`${pc.green('serving')}   ${pc.bold(`${url.protocol}//${other.info.name}.localhost:${url.port}/`)}${pc.dim(` (${other.info.name})`)}`);
        }
        this.line(pc.dim('watching for changes · r + Enter rebuilds · Ctrl+C stops'));
        this.reloading = true;
        return;
      }
      case 'reloaded': {
        if (event.first) return; // 'serving' said it
        const b = event.build;
        const build = b.buildMs !== undefined ? ` (build ${ms(b.buildMs)})` : '';
        this.line(`${pc.green('↻')} build ${b.number}: reloaded in ${ms(b.totalMs ?? 0)}${build}`);
        return;
      }
      case 'build-failed':
        this.done();
        this.line(`${pc.red('✗')} build ${event.build.number} failed: ${describe(event.error)}`);
        this.line(pc.dim(event.first ? 'waiting for a change that fixes it (r + Enter rebuilds)' : 'the last good version keeps serving; waiting for a fix'));
        return;
      case 'build-cancelled':
        return;
    }
  }

  /** After the first start, progress is one line per reload. */
  private reloading = false;

  line(text: string): void {
    this.clearTicker();
    process.stdout.write(`${text}\n`);
  }

  private begin(text: string): void {
    this.done();
    const started = performance.now();
    if (!process.stdout.isTTY) {
      process.stdout.write(`${text}…\n`);
      this.step = {};
      return;
    }
    const render = () => process.stdout.write(`\r${pc.cyan('•')} ${text}… ${pc.dim(seconds(performance.now() - started))}`);
    render();
    this.step = { timer: setInterval(render, 1000) };
  }

  private done(text?: string): void {
    this.clearTicker();
    if (text) process.stdout.write(`${pc.green('✓')} ${text}\n`);
  }

  private clearTicker(): void {
    if (!this.step) return;
    clearInterval(this.step.timer);
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[2K');
    this.step = undefined;
  }
}

function seconds(value: number): string {
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

await main(process.argv.slice(2));
